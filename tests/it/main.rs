//! Integration tests: the application against a real PostgreSQL.

// A failed unwrap is a failed test, with its line: what tests want.
#![expect(clippy::unwrap_used)]

mod accounts;
mod actions;
mod agenda;
mod agenda_daily;
mod agenda_life;
mod agenda_pdf;
mod agreements;
pub(crate) mod authz;
mod cache;
mod composition;
mod composition_editor;
mod connections;
mod daily_links;
mod documents;
mod downloads;
mod foundation;
mod fuzz;
mod harness;
mod mail;
mod meeting_states;
mod meetings;
mod minutes;
mod minutes_pdf;
mod notifications;
mod open_data;
mod operations;
mod overview;
mod pack_memory;
mod performance;
mod read_models;
mod records;
mod second_factor;
mod series;
mod smtp_sink;
mod work;
