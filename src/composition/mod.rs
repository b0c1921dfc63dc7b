//! Bodies and their composition, today and on any date.

pub mod changes;
pub mod editor;
mod forms;
pub mod operations;
pub mod queries;
pub mod registry;
pub mod rules;

// What other areas may ask of the composition.
pub use queries::{
    Body, MembershipRole, Side, body_by_slug, body_choices, list_bodies, member_bodies, sits_in,
};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::auth::access::{Access, Routes, SECRETARIAT};
use crate::base::AppState;
use crate::base::error::{AppError, Result};
use crate::base::{PageCtx, dutch, page};
use crate::cache::stored::{Days, Kind};
use queries::{Contact, Seat, SeatRule};

pub fn routes() -> Routes {
    Routes::new()
        .get("/organen", Access::Public, list)
        .get("/organen/{slug}", Access::Public, show)
        .get(
            "/organen/{slug}/wijzigingen",
            Access::Public,
            changes::changes,
        )
        .get(
            "/organen/{slug}/samenstelling.csv",
            Access::Public,
            changes::composition_csv,
        )
        .get("/beheer/organen/{slug}", SECRETARIAT, editor::editor)
        .get(
            "/beheer/organen/{slug}/mandaten/nieuw",
            SECRETARIAT,
            editor::new_membership,
        )
        .post(
            "/beheer/organen/{slug}/mandaten",
            SECRETARIAT,
            editor::add_membership,
        )
        .get(
            "/beheer/organen/{slug}/mandaten/{membership}",
            SECRETARIAT,
            editor::show_membership,
        )
        .post(
            "/beheer/organen/{slug}/mandaten/{membership}/einde",
            SECRETARIAT,
            editor::end_membership,
        )
        .post(
            "/beheer/organen/{slug}/mandaten/{membership}/correctie",
            SECRETARIAT,
            editor::correct_membership,
        )
        .post(
            "/beheer/organen/{slug}/mandaten/{membership}/intrekken",
            SECRETARIAT,
            editor::withdraw_membership,
        )
        .get(
            "/beheer/organen/{slug}/regeringswissel",
            SECRETARIAT,
            editor::government_form,
        )
        .post(
            "/beheer/organen/{slug}/regeringswissel",
            SECRETARIAT,
            editor::government_change,
        )
        .get(
            "/beheer/organen/{slug}/zetels",
            SECRETARIAT,
            editor::rules_form,
        )
        .post(
            "/beheer/organen/{slug}/zetels/{rule}",
            SECRETARIAT,
            editor::update_rule,
        )
        .merge(registry::routes())
}

/// The body the path names; an unknown one is "not found".
async fn body(state: &AppState, slug: &str) -> Result<Body> {
    queries::body_by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

impl crate::base::on::Named for Body {
    async fn load(state: &AppState, _: &PageCtx, path: &[String]) -> Result<Self> {
        body(state, crate::base::on::param(path, 0)).await
    }
}

#[derive(Template)]
#[template(path = "composition/list.html")]
struct ListPage {
    ctx: PageCtx,
    bodies: Vec<Body>,
}

async fn list(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let bodies = queries::list_bodies(&state.db).await?;
    Ok(page::render(&ListPage { ctx, bodies }))
}

#[derive(Debug, Deserialize)]
struct DateQuery {
    op: Option<String>,
}

/// The seats of one side on the chosen date, and those still open.
#[derive(Serialize, Deserialize)]
pub struct SideView {
    pub side: Side,
    pub rules: Vec<RuleView>,
    pub seats: Vec<Seat>,
    pub open_seats: Vec<OpenSeats>,
}

#[derive(Serialize, Deserialize)]
pub struct RuleView {
    pub label: String,
    pub count: Option<i32>,
}

#[derive(Serialize, Deserialize)]
pub struct OpenSeats {
    pub count: i32,
    /// The rule's seat count.
    pub of: i32,
    pub label: String,
    pub organisation: Option<String>,
}

#[derive(Template)]
#[template(path = "composition/show.html")]
struct ShowPage<'a> {
    ctx: PageCtx,
    body: &'a Body,
    on: Date,
    is_today: bool,
    date_input: String,
    date_error: Option<String>,
    sides: &'a [SideView],
    contacts: &'a [Contact],
    /// Nobody is named on the date: the last day before it someone was.
    last_named: Option<Date>,
    /// The rule checks, for the secretariat only.
    warnings: Option<Vec<String>>,
}

impl ShowPage<'_> {
    fn on_label(&self) -> String {
        dutch::nl_date(self.on)
    }

    fn on_iso(&self) -> String {
        dutch::iso_date(self.on)
    }

    fn day_label(&self, d: &Date) -> String {
        dutch::nl_date(*d)
    }

    fn day_iso(&self, d: &Date) -> String {
        dutch::iso_date(*d)
    }
}

/// The composition of a body on a date as the page shows it, built once
/// per change and kept (`Cache::stored_on`), not rebuilt per request.
#[derive(Serialize, Deserialize)]
struct CompositionView {
    body: Body,
    contacts: Vec<Contact>,
    /// For the rule checks, which only the secretariat sees.
    rules: Vec<SeatRule>,
    sides: Vec<SideView>,
    last_named: Option<Date>,
}

/// The public composition page's read model: the same for every reader.
pub static COMPOSITION: Kind = Kind {
    name: "composition",
    tables: &[
        "body",
        "body_contact",
        "membership",
        "organisation",
        "person",
        "seat_rule",
    ],
    clock: false,
    most: None,
};

async fn show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<DateQuery>,
) -> Result<Response> {
    let today = dutch::today();
    let requested = query.op.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let (on, date_error) = match requested {
        None => (today, None),
        Some(s) => match dutch::parse_date(s) {
            Some(d) => (d, None),
            None => (
                today,
                Some(format!(
                    "\u{201c}{s}\u{201d} is geen geldige datum. Gebruik de vorm JJJJ-MM-DD, bijvoorbeeld 2020-01-01. Hieronder ziet u de samenstelling van vandaag."
                )),
            ),
        },
    };
    // The same for every viewer, and from one change of the body's mandates
    // to the next: a read model (`Cache::stored_on`), kept in memory too.
    // Built from three queries: the body with its contacts and rules, its
    // seats, and the days the seats stay as they are. An unknown body is an
    // error, and errors are not kept.
    let read = async {
        let (body, contacts, rules, last_named) = queries::body_page(&state.db, &slug, on)
            .await?
            .ok_or(AppError::NotFound)?;
        let seats = queries::composition_on(&state.db, body.id, on).await?;
        let (from, until) = queries::unchanged_around(&state.db, body.id, on).await?;
        // Nobody named on the date: the last day someone was, to explain
        // why and link there.
        let last_named = last_named.filter(|_| seats.is_empty());
        let days = Days {
            from: from.unwrap_or(Days::ALL.from),
            until: until.unwrap_or(Days::ALL.until),
        };
        let view = CompositionView {
            sides: group_by_side(rules.clone(), seats),
            rules,
            body,
            contacts,
            last_named,
        };
        Ok::<_, AppError>((view, days))
    };
    let view = state
        .cache
        .stored_on(&state.db, &COMPOSITION, slug.clone(), on, read)
        .await?;
    let warnings = ctx
        .is_role("secretariat")
        .then(|| rules::warnings_of(&view.rules, &view.sides));
    let page = ShowPage {
        warnings,
        ctx,
        date_input: match (&date_error, requested) {
            (Some(_), Some(s)) => s.to_string(),
            _ => dutch::iso_date(on),
        },
        is_today: on == today,
        on,
        date_error,
        last_named: view.last_named,
        sides: &view.sides,
        contacts: &view.contacts,
        body: &view.body,
    };
    let status = if page.date_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok((status, page::render(&page)).into_response())
}

/// Groups seats by side and works out which seats of the rules are open:
/// a rule for one organisation is filled by that organisation's members
/// first, a rule for any organisation by the members left.
pub fn group_by_side(rules: Vec<SeatRule>, seats: Vec<Seat>) -> Vec<SideView> {
    Side::ALL
        .into_iter()
        .filter_map(|side| {
            let side_rules: Vec<&SeatRule> = rules.iter().filter(|r| r.side == side).collect();
            let side_seats: Vec<Seat> = seats.iter().filter(|s| s.side == side).cloned().collect();
            if side_rules.is_empty() && side_seats.is_empty() {
                return None;
            }
            let mut unmatched: Vec<&Seat> =
                side_seats.iter().filter(|s| s.role.holds_seat()).collect();
            let mut open_seats = Vec::new();
            // Organisation-specific rules first, then the general ones.
            let ordered = side_rules
                .iter()
                .filter(|r| r.organisation_id.is_some())
                .chain(side_rules.iter().filter(|r| r.organisation_id.is_none()));
            for rule in ordered {
                let Some(count) = rule.seat_count else {
                    unmatched.retain(|s| Some(s.organisation_id) != rule.organisation_id);
                    continue;
                };
                let mut filled = 0;
                unmatched.retain(|s| {
                    let fits = rule.organisation_id.is_none_or(|o| o == s.organisation_id);
                    if fits && filled < count {
                        filled += 1;
                        false
                    } else {
                        true
                    }
                });
                if count > filled {
                    open_seats.push(OpenSeats {
                        count: count - filled,
                        of: count,
                        label: rule.label.clone(),
                        organisation: rule.organisation_name.clone(),
                    });
                }
            }
            Some(SideView {
                side,
                rules: side_rules
                    .iter()
                    .map(|r| RuleView {
                        label: r.label.clone(),
                        count: r.seat_count,
                    })
                    .collect(),
                seats: side_seats,
                open_seats,
            })
        })
        .collect()
}

impl Seat {
    pub fn period(&self) -> crate::base::dutch::Period {
        queries::period(Some(self.valid_from), self.valid_until)
    }

    pub fn is_chair(&self) -> bool {
        self.role == queries::MembershipRole::Chair
    }
}
