//! Integration tests: the application against a real PostgreSQL.

// A failed unwrap is a failed test, with its line: what tests want.
#![expect(clippy::unwrap_used)]

mod accounts;
mod agenda;
mod agreements;
mod authz;
mod composition;
mod foundation;
mod harness;
mod meetings;
mod operations;
mod second_factor;
