//! The shared base: what every area of the domain builds on, knowing none
//! of them. Areas depend on the base (and on `auth`, `audit`, `cache`),
//! never on `app` and never on another area's queries; see
//! `docs/architecture.md`.

pub mod csv;
pub mod dutch;
pub mod error;
pub mod form;
pub mod page;
pub mod state;

pub use error::{AppError, Result};
pub use form::FieldErrors;
pub use page::{PageCtx, no_store, render};
pub use state::AppState;
