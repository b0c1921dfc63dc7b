//! What changed in a body between two dates, and the composition on a date
//! as CSV. Both public, like the composition itself.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::Date;

use super::queries::{self, Body, MembershipRow};
use crate::base::AppState;
use crate::base::error::{AppError, Result};
use crate::base::{FieldErrors, PageCtx, csv, dutch, page};

crate::coded! {
    pub enum ChangeKind {
        Joined => ("joined", "treedt toe"),
        Left => ("left", "vertrekt (laatste dag)"),
        RoleChange => ("role", "andere rol"),
    }
}

pub struct Change {
    pub on: Date,
    pub kind: ChangeKind,
    pub person: String,
    pub role: String,
    pub organisation: String,
}

impl Change {
    pub fn date(&self) -> String {
        dutch::nl_date(self.on)
    }
}

fn role_text(m: &MembershipRow) -> String {
    match &m.substitute_for {
        Some(who) => format!("{} voor {who}", m.role.label()),
        None => m.role.label().to_string(),
    }
}

/// Joins, departures and role changes among the memberships that start or
/// end between `from` and `until`. A departure followed the next day by a
/// new mandate of the same person with another role reads as a role change.
pub fn changes_between(rows: &[MembershipRow], from: Date, until: Date) -> Vec<Change> {
    let within = |d: Date| d >= from && d <= until;
    let mut paired_left = Vec::new();
    let mut paired_joined = Vec::new();
    let mut out = Vec::new();
    for left in rows.iter().filter(|m| m.valid_until.is_some_and(within)) {
        let Some(next_day) = left.valid_until.and_then(|d| d.next_day()) else {
            continue;
        };
        let follow = rows.iter().find(|j| {
            j.person_id == left.person_id
                && j.valid_from == next_day
                && j.role != left.role
                && !paired_joined.contains(&j.id)
        });
        if let Some(joined) = follow.filter(|j| within(j.valid_from)) {
            paired_left.push(left.id);
            paired_joined.push(joined.id);
            out.push(Change {
                on: joined.valid_from,
                kind: ChangeKind::RoleChange,
                person: joined.person_name.clone(),
                role: format!("{} → {}", role_text(left), role_text(joined)),
                organisation: joined.organisation_name.clone(),
            });
        }
    }
    for m in rows {
        if within(m.valid_from) && !paired_joined.contains(&m.id) {
            out.push(Change {
                on: m.valid_from,
                kind: ChangeKind::Joined,
                person: m.person_name.clone(),
                role: role_text(m),
                organisation: m.organisation_name.clone(),
            });
        }
        if let Some(u) = m.valid_until.filter(|d| within(*d))
            && !paired_left.contains(&m.id)
        {
            out.push(Change {
                on: u,
                kind: ChangeKind::Left,
                person: m.person_name.clone(),
                role: role_text(m),
                organisation: m.organisation_name.clone(),
            });
        }
    }
    out.sort_by(|a, b| {
        (a.on, a.kind != ChangeKind::Left, &a.person).cmp(&(
            b.on,
            b.kind != ChangeKind::Left,
            &b.person,
        ))
    });
    out
}

#[derive(Debug, Deserialize)]
pub struct ChangesQuery {
    van: Option<String>,
    tot: Option<String>,
}

#[derive(Template)]
#[template(path = "composition/changes.html")]
struct ChangesPage {
    ctx: PageCtx,
    body: Body,
    van: String,
    tot: String,
    errors: FieldErrors,
    period: Option<(Date, Date)>,
    changes: Vec<Change>,
}

impl ChangesPage {
    fn period_label(&self) -> String {
        match self.period {
            Some((f, u)) => format!("van {} tot en met {}", dutch::nl_date(f), dutch::nl_date(u)),
            None => String::new(),
        }
    }
}

pub async fn changes(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<ChangesQuery>,
) -> Result<Response> {
    let body = super::body(&state, &slug).await?;
    let today = dutch::today();
    let tot_in = q.tot.as_deref().map(str::trim).unwrap_or("").to_string();
    let van_in = q.van.as_deref().map(str::trim).unwrap_or("").to_string();
    let mut errors = FieldErrors::default();
    let mut parse = |field: &'static str, s: &str, default: Date| {
        if s.is_empty() {
            return Some(default);
        }
        let d = dutch::parse_date(s);
        if d.is_none() {
            errors.add(
                field,
                format!("\u{201c}{s}\u{201d} is geen geldige datum. Gebruik de vorm JJJJ-MM-DD, bijvoorbeeld 2019-10-02."),
            );
        }
        d
    };
    let until = parse("tot", &tot_in, today);
    let from = parse(
        "van",
        &van_in,
        until
            .unwrap_or(today)
            .replace_year(until.unwrap_or(today).year() - 1)
            .unwrap_or(today),
    );
    if let (Some(f), Some(u)) = (from, until)
        && f > u
    {
        errors.add("tot", "De einddatum valt vóór de begindatum.");
    }
    let (period, changes) = match (from, until, errors.is_empty()) {
        (Some(f), Some(u), true) => {
            let rows = queries::memberships_changing(&state.db, body.id, f, u).await?;
            (Some((f, u)), changes_between(&rows, f, u))
        }
        _ => (None, Vec::new()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page = ChangesPage {
        van: if van_in.is_empty() {
            from.map(dutch::iso_date).unwrap_or_default()
        } else {
            van_in
        },
        tot: if tot_in.is_empty() {
            until.map(dutch::iso_date).unwrap_or_default()
        } else {
            tot_in
        },
        ctx,
        body,
        errors,
        period,
        changes,
    };
    Ok((status, page::render(&page)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CsvQuery {
    op: Option<String>,
}

/// The composition on a date as CSV: semicolon-separated with a byte-order
/// mark, as spreadsheets in Belgium open it without an import step.
pub async fn composition_csv(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<CsvQuery>,
) -> Result<Response> {
    let body = super::body(&state, &slug).await?;
    let on = match q.op.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => dutch::today(),
        Some(s) => dutch::parse_date(s).ok_or_else(|| {
            AppError::bad_request(format!(
                "\u{201c}{s}\u{201d} is geen geldige datum. Gebruik de vorm JJJJ-MM-DD, bijvoorbeeld 2020-01-01."
            ))
        })?,
    };
    let seats = queries::composition_on(&state.db, body.id, on).await?;
    let mut out = String::from("\u{feff}");
    out.push_str("zijde;naam;organisatie;rol;plaatsvervanger voor;functie;vanaf;tot en met\r\n");
    for s in &seats {
        let row = [
            s.side.label().into(),
            s.person_name.clone().into(),
            s.organisation_name.clone().into(),
            s.role.label().into(),
            s.substitute_for.clone().unwrap_or_default().into(),
            s.function_title.clone().unwrap_or_default().into(),
            dutch::iso_date(s.valid_from).into(),
            s.valid_until
                .map(dutch::iso_date)
                .unwrap_or_default()
                .into(),
        ];
        csv::line(&mut out, &row);
    }
    // The slug is checked by the database (a-z, 0-9, -): safe in a header.
    csv::download(
        &format!("{}-samenstelling-{}.csv", body.slug, dutch::iso_date(on)),
        out,
    )
}
