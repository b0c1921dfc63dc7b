//! The yearly overview (jaaroverzicht): meetings per body and kind,
//! agreements concluded, agenda items by outcome and proposing side, and
//! whether the 2019 engagement's "at least twice a year" was met. A page for
//! everyone and a CSV file for SERV's annual report.

pub mod queries;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::auth::Reader;
use crate::auth::access::{Access, Routes};
use crate::base::AppState;
use crate::base::error::{AppError, Result};
use crate::base::{PageCtx, csv, csv::Cell, dutch, page};
use crate::cache::stored::Kind;
use queries::{ConcludedAgreement, ItemCount, MeetingCount};

pub fn routes() -> Routes {
    Routes::new()
        .get("/jaaroverzicht", Access::Public, current_year)
        // `{jaar}` is "2024" or "2024.csv": axum cannot match a suffix
        // inside a segment, so the handler parses it.
        .get("/jaaroverzicht/{jaar}", Access::Public, year_page)
}

/// The years the overview answers for.
const YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;
/// The legislature the 2019 engagement covers.
const ENGAGEMENT: std::ops::RangeInclusive<i32> = 2019..=2024;

#[derive(Debug, Deserialize)]
struct Format {
    formaat: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Page,
    Csv,
}

/// "2024" → (2024, page), "2024.csv" → (2024, CSV); anything else is a
/// Dutch message.
fn parse_year(segment: &str) -> Result<(i32, Output)> {
    let (digits, output) = match segment.strip_suffix(".csv") {
        Some(d) => (d, Output::Csv),
        None => (segment, Output::Page),
    };
    let bad = || {
        let shown: String = segment.chars().take(40).collect();
        AppError::bad_request(format!(
            "\u{201c}{shown}\u{201d} is geen geldig jaar. Gebruik vier cijfers tussen {} en {}, bijvoorbeeld /jaaroverzicht/2020.",
            YEARS.start(),
            YEARS.end()
        ))
    };
    if digits.len() != 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let year: i32 = digits.parse().map_err(|_| bad())?;
    if !YEARS.contains(&year) {
        return Err(bad());
    }
    Ok((year, output))
}

fn parse_format(f: Option<&str>, from_path: Output) -> Result<Output> {
    match f.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(from_path),
        Some(s) if s.eq_ignore_ascii_case("csv") => Ok(Output::Csv),
        Some(s) if s.eq_ignore_ascii_case("html") => Ok(Output::Page),
        Some(_) => Err(AppError::bad_request(
            "Dit formaat bestaat niet. Kies formaat=csv voor een rekenblad, of laat het weg voor de pagina.",
        )),
    }
}

async fn current_year(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(f): Query<Format>,
) -> Result<Response> {
    let output = parse_format(f.formaat.as_deref(), Output::Page)?;
    respond(ctx, &state, dutch::today().year(), output).await
}

async fn year_page(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(segment): Path<String>,
    Query(f): Query<Format>,
) -> Result<Response> {
    let (year, from_path) = parse_year(&segment)?;
    let output = parse_format(f.formaat.as_deref(), from_path)?;
    respond(ctx, &state, year, output).await
}

/// Whether the "at least twice a year" of the 2019 engagement was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Met,
    NotYet,
    NotMet,
    /// Not met by the records, but no meeting of the year is recorded at
    /// all: the data say nothing either way.
    NoMeetings,
    NotApplicable,
}

impl Verdict {
    pub fn of(year: i32, held: i64, current_year: i32) -> Verdict {
        if !ENGAGEMENT.contains(&year) {
            Verdict::NotApplicable
        } else if held >= 2 {
            Verdict::Met
        } else if year >= current_year {
            Verdict::NotYet
        } else {
            Verdict::NotMet
        }
    }

    /// A year that is over without any recorded meeting says nothing of the
    /// engagement: "no meetings recorded", not "not met".
    pub fn recorded(self, any_meeting: bool) -> Verdict {
        match self {
            Verdict::NotMet if !any_meeting => Verdict::NoMeetings,
            v => v,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Met => "ja",
            Verdict::NotYet => "nog niet",
            Verdict::NotMet => "nee",
            Verdict::NoMeetings => "geen vergaderingen geregistreerd",
            Verdict::NotApplicable => "niet van toepassing",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotYet => "not-yet",
            Verdict::NotMet => "not-met",
            Verdict::NoMeetings => "no-meetings",
            Verdict::NotApplicable => "not-applicable",
        }
    }
}

/// Everything the page and the CSV show for a year.
#[derive(Serialize, Deserialize)]
pub struct Overview {
    pub year: i32,
    pub meetings: Vec<MeetingCount>,
    pub held: i64,
    pub verdict: Verdict,
    pub agreements: Vec<ConcludedAgreement>,
    /// social partners, government, secretariat, then the total
    pub items: Vec<ItemCount>,
    /// What became of the action points of the year's meetings, per body,
    /// then the total
    pub actions: Vec<crate::actions::YearCount>,
}

const SIDES: [(&str, &str); 3] = [
    ("social_partners", "sociale partners"),
    ("government", "Vlaamse Regering"),
    ("secretariat", "secretariaat"),
];

fn side_rows(counted: Vec<ItemCount>) -> Vec<ItemCount> {
    let mut rows: Vec<ItemCount> = SIDES
        .iter()
        .map(|(code, label)| {
            let found = counted.iter().find(|c| c.side == *code);
            ItemCount {
                side: (*label).to_string(),
                ..found.cloned().unwrap_or_default()
            }
        })
        .collect();
    let mut total = ItemCount {
        side: "totaal".to_string(),
        ..ItemCount::default()
    };
    for r in &rows {
        total.noted += r.noted;
        total.discussed += r.discussed;
        total.decided += r.decided;
        total.without_outcome += r.without_outcome;
        total.total += r.total;
    }
    rows.push(total);
    rows
}

async fn load(state: &AppState, year: i32, reader: Reader) -> Result<Overview> {
    let held = queries::consultations_held(&state.db, year).await?;
    let meetings = queries::meetings(&state.db, year).await?;
    Ok(Overview {
        year,
        verdict: Verdict::of(year, held, dutch::today().year()).recorded(
            meetings
                .iter()
                .any(|m| m.held + m.cancelled + m.planned > 0),
        ),
        meetings,
        held,
        agreements: queries::agreements(&state.db, year, reader).await?,
        items: side_rows(queries::agenda_items(&state.db, year).await?),
        actions: crate::actions::year_counts(&state.db, year).await?,
    })
}

#[derive(Template)]
#[template(path = "overview/year.html")]
struct YearPage<'a> {
    ctx: PageCtx,
    o: &'a Overview,
}

impl YearPage<'_> {
    fn date(&self, a: &ConcludedAgreement) -> String {
        dutch::nl_date(a.concluded_on)
    }

    fn has_previous(&self) -> bool {
        self.o.year > *YEARS.start()
    }

    fn has_next(&self) -> bool {
        self.o.year < *YEARS.end()
    }

    fn engagement_text(&self) -> String {
        let o = self.o;
        let counted = format!(
            "In {} kwam het (in)formeel VESOC-overleg {} keer samen (formele en informele vergaderingen die gehouden zijn).",
            o.year, o.held
        );
        let verdict = match o.verdict {
            Verdict::Met => {
                "Het engagement van 2019, minstens twee keer per jaar overleggen, is gehaald."
            }
            Verdict::NotYet => {
                "Het engagement van 2019, minstens twee keer per jaar overleggen, is nog niet gehaald: het jaar loopt nog."
            }
            Verdict::NotMet => {
                "Het engagement van 2019, minstens twee keer per jaar overleggen, is niet gehaald."
            }
            Verdict::NoMeetings => {
                "Voor dit jaar zijn geen vergaderingen geregistreerd: of het engagement van 2019 (minstens twee keer per jaar overleggen) gehaald is, valt uit deze gegevens niet af te leiden."
            }
            Verdict::NotApplicable => {
                "Het engagement van 2019 (minstens twee keer per jaar) geldt voor de legislatuur 2019–2024: voor dit jaar is het niet van toepassing."
            }
        };
        format!("{counted} {verdict}")
    }
}

/// The public yearly overview's read model; whether the engagement is met
/// "yet" moves with the clock.
pub static OVERVIEW: Kind = Kind {
    name: "overview",
    tables: &[
        "action_point",
        "agenda_item",
        "agreement",
        "body",
        "body_meeting_kind",
        "meeting",
        "organisation",
    ],
    clock: true,
    most: None,
};

async fn respond(ctx: PageCtx, state: &AppState, year: i32, output: Output) -> Result<Response> {
    let reader = Reader::of(ctx.user.as_ref());
    let signed_in = reader.signed_in;
    // The public's overview is a read model (drafts are for signed-in
    // readers only, who read it afresh).
    let o = if signed_in {
        std::sync::Arc::new(load(state, year, reader).await?)
    } else {
        let read = load(state, year, reader);
        state
            .cache
            .stored(&state.db, &OVERVIEW, year.to_string(), read)
            .await?
    };
    let response = match output {
        Output::Csv => csv_response(&o)?,
        Output::Page => page::render(&YearPage { ctx, o: &o }),
    };
    // Signed-in users may see drafts: not for any cache.
    Ok(if signed_in {
        crate::base::no_store(response)
    } else {
        response
    })
}

/// The overview as CSV: semicolon-separated, UTF-8 with a byte-order mark,
/// one block per table with a blank line between, as Belgian spreadsheets
/// open it without an import step.
pub fn csv(o: &Overview) -> String {
    let s = |t: &str| Cell::from(t);
    let mut out = String::from("\u{feff}");
    // An empty line is the blank line between the tables.
    let mut line = |cells: &[Cell]| csv::line(&mut out, cells);
    line(&[s("VESOC-jaaroverzicht"), o.year.into()]);
    line(&[]);
    line(&[
        s("vergaderingen: orgaan"),
        s("soort"),
        s("gehouden"),
        s("geannuleerd"),
        s("gepland"),
    ]);
    for m in &o.meetings {
        line(&[
            m.body_name.clone().into(),
            s(m.kind.label()),
            m.held.into(),
            m.cancelled.into(),
            m.planned.into(),
        ]);
    }
    line(&[]);
    line(&[
        s("minstens twee keer per jaar (engagement 2019)"),
        s("gehouden (in)formeel VESOC-overleg"),
    ]);
    line(&[s(o.verdict.label()), o.held.into()]);
    line(&[]);
    line(&[s("akkoorden: titel"), s("gesloten op"), s("status")]);
    for a in &o.agreements {
        line(&[
            a.title.clone().into(),
            dutch::iso_date(a.concluded_on).into(),
            s(if a.published {
                "gepubliceerd"
            } else {
                "ontwerp"
            }),
        ]);
    }
    line(&[]);
    line(&[
        s("agendapunten behandeld: indiener"),
        s("ter kennis genomen"),
        s("besproken"),
        s("beslist"),
        s("zonder uitkomst"),
        s("totaal"),
    ]);
    for r in &o.items {
        line(&[
            r.side.clone().into(),
            r.noted.into(),
            r.discussed.into(),
            r.decided.into(),
            r.without_outcome.into(),
            r.total.into(),
        ]);
    }
    line(&[]);
    line(&[
        s("actiepunten: orgaan"),
        s("geopend"),
        s("tijdig uitgevoerd"),
        s("te laat uitgevoerd"),
        s("geschrapt"),
        s("nog open"),
        s("waarvan over de termijn"),
    ]);
    for r in &o.actions {
        line(&[
            r.body_name.clone().into(),
            r.opened.into(),
            r.on_time.into(),
            r.late.into(),
            r.dropped.into(),
            r.open.into(),
            r.overdue.into(),
        ]);
    }
    out
}

fn csv_response(o: &Overview) -> Result<Response> {
    csv::download(&format!("vesoc-jaaroverzicht-{}.csv", o.year), csv(o))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_parse_strictly() {
        assert_eq!(parse_year("2020").ok().map(|y| y.0), Some(2020));
        assert_eq!(parse_year("2024.csv").ok().map(|y| y.1), Some(Output::Csv));
        for bad in [
            "", "20", "twintig", "2020x", "99999", "1200", "+202", "2020.pdf", "٢٠٢٠",
        ] {
            assert!(parse_year(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_engagement_verdict() {
        assert_eq!(Verdict::of(2018, 5, 2026), Verdict::NotApplicable);
        assert_eq!(Verdict::of(2025, 5, 2026), Verdict::NotApplicable);
        assert_eq!(Verdict::of(2020, 2, 2026), Verdict::Met);
        assert_eq!(Verdict::of(2020, 1, 2026), Verdict::NotMet);
        assert_eq!(
            Verdict::of(2020, 0, 2026).recorded(false),
            Verdict::NoMeetings
        );
        assert_eq!(Verdict::of(2020, 0, 2026).recorded(true), Verdict::NotMet);
        assert_eq!(Verdict::of(2023, 0, 2023).recorded(false), Verdict::NotYet);
        // the current year, not yet twice: not yet
        assert_eq!(Verdict::of(2023, 1, 2023), Verdict::NotYet);
        assert_eq!(Verdict::of(2023, 3, 2023), Verdict::Met);
        assert_eq!(Verdict::NotYet.label(), "nog niet");
    }
}
