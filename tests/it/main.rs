//! Integration tests: the application against a real PostgreSQL.

// A failed unwrap is a failed test, with its line: what tests want.
#![expect(clippy::unwrap_used)]

mod accounts;
mod agenda;
mod agreements;
pub(crate) mod authz;
mod cache;
mod composition;
mod composition_editor;
mod connections;
mod documents;
mod downloads;
mod foundation;
mod fuzz;
mod harness;
mod meetings;
mod operations;
mod overview;
mod performance;
mod records;
mod second_factor;
mod work;
