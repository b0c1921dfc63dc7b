//! Who reads a record, as the visibility rules in SQL need it.
//!
//! Every kind of record has one rule, a SQL function of migration
//! `20261206000100_visibility.sql` (`agenda_item_visible`,
//! `document_visible`, `meeting_internals_visible`, `minutes_visible`,
//! `agreement_visible`), and every query that shows such a record binds the
//! same [`Reader`] to it: pages, search, downloads and feeds cannot drift
//! apart. `docs/access.md` gives the rules as a table.

use time::Date;

use super::{CurrentUser, Role};

/// The reader, bound to queries as the composite type `reader`. Its debug
/// form names every value a rule can depend on, so it is also the key of
/// what is kept in memory per kind of reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "reader")]
pub struct Reader {
    /// Only the secretariat reads every record; administrators manage
    /// accounts and read the audit log, not confidential content.
    pub reads_all: bool,
    pub signed_in: bool,
    pub organisation_id: Option<i64>,
    pub minister_id: Option<i64>,
    /// Today in Brussels: membership of a body is on a date.
    pub today: Date,
}

impl Reader {
    pub fn of(user: Option<&CurrentUser>) -> Self {
        Reader::on(user, crate::base::dutch::today())
    }

    pub fn on(user: Option<&CurrentUser>, today: Date) -> Self {
        Reader {
            reads_all: user.is_some_and(CurrentUser::reads_all),
            signed_in: user.is_some(),
            organisation_id: user.and_then(|u| u.organisation_id),
            minister_id: user.and_then(|u| u.minister_id),
            today,
        }
    }

    /// A visitor who is not signed in.
    pub fn anonymous() -> Self {
        Reader::of(None)
    }
}

impl CurrentUser {
    /// The secretariat reads every record of every body (see
    /// `docs/access.md`); administrators do not.
    pub fn reads_all(&self) -> bool {
        self.role == Role::Secretariat
    }
}
