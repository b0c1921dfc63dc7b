//! The shared base: what every area of the domain builds on, knowing none
//! of them. Areas depend on the base (and on `auth`, `audit`, `cache`),
//! never on `app` and never on another area's queries; see
//! `docs/architecture.md`.

pub mod coded;
pub mod csv;
pub mod dutch;
pub mod error;
pub mod extract;
pub mod form;
pub mod on;
pub mod page;
pub mod pager;
pub mod pdf;
pub mod secret;
pub mod state;
pub mod working_days;
pub mod write;

pub use error::{AppError, Result};
pub use extract::{Actor, ClientAddr, Id, Version};
pub use form::{Check, FieldErrors};
pub use on::{Named, On};
pub use page::{Origin, PageCtx, no_store, render};
pub use pager::Pager;
pub use state::AppState;
pub use write::Outcome;
