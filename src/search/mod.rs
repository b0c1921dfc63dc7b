//! Search (zoeken): one box for meetings, agenda items, agreements, action
//! lines and people, with PostgreSQL's Dutch full-text search. What comes
//! back depends on who searches: see `queries`.

pub mod queries;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::auth::Reader;
use crate::auth::access::{Access, Routes};
use crate::base::AppState;
use crate::base::error::Result;
use crate::base::{PageCtx, dutch, page};
use crate::cache::stored::Kind;
use crate::meetings::MeetingStatus;
use queries::{START, STOP};

pub fn routes() -> Routes {
    Routes::new().get("/zoeken", Access::Public, search)
}

/// Longer queries are refused with a message (the box allows this many).
pub const MAX_CHARS: usize = 200;

#[derive(Debug, Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

/// A piece of a snippet: matched (shown in `<mark>`) or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Piece {
    pub text: String,
    pub marked: bool,
}

/// Splits `ts_headline` output on the markers. The text itself is never
/// trusted as HTML: the template escapes every piece.
pub fn pieces(snippet: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut marked = false;
    for c in snippet.chars() {
        if c == START || c == STOP {
            if !text.is_empty() {
                out.push(Piece {
                    text: std::mem::take(&mut text),
                    marked,
                });
            }
            marked = c == START;
        } else {
            text.push(c);
        }
    }
    if !text.is_empty() {
        out.push(Piece { text, marked });
    }
    out
}

/// One result, whatever its kind.
#[derive(Serialize, Deserialize)]
pub struct Hit {
    pub title: String,
    pub href: Option<String>,
    pub meta: String,
    pub snippet: Vec<Piece>,
}

/// Results of one kind.
#[derive(Serialize, Deserialize)]
pub struct Group {
    pub id: Cow<'static, str>,
    pub label: Cow<'static, str>,
    pub hits: Vec<Hit>,
}

#[derive(Template)]
#[template(path = "search/results.html")]
struct SearchPage<'a> {
    ctx: PageCtx,
    q: String,
    message: Option<String>,
    searched: bool,
    groups: &'a [Group],
}

impl SearchPage<'_> {
    fn total(&self) -> usize {
        self.groups.iter().map(|g| g.hits.len()).sum()
    }
}

/// What the user typed, without control characters (PostgreSQL refuses a
/// NUL in text) and surrounding space.
fn clean(q: &str) -> String {
    q.chars()
        .map(|c| {
            if c.is_control() || c == START || c == STOP {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_string()
}

async fn search(
    ctx: PageCtx,
    State(state): State<AppState>,
    Query(sq): Query<SearchQuery>,
) -> Result<Response> {
    let q = clean(sq.q.as_deref().unwrap_or_default());
    let signed_in = ctx.user.is_some();
    let mut page = SearchPage {
        ctx,
        q: String::new(),
        message: None,
        searched: false,
        groups: &[],
    };
    let mut status = StatusCode::OK;
    let found;
    if q.chars().count() > MAX_CHARS {
        page.message = Some(format!(
            "Uw zoekopdracht is te lang: gebruik hoogstens {MAX_CHARS} tekens, bijvoorbeeld enkele kernwoorden."
        ));
        page.q = q.chars().take(MAX_CHARS).collect();
        status = StatusCode::BAD_REQUEST;
    } else if !q.is_empty() {
        page.q.clone_from(&q);
        let reader = Reader::of(page.ctx.user.as_ref());
        let read = async {
            Ok::<_, crate::base::error::AppError>(if queries::has_terms(&state.db, &q).await? {
                Some(groups(&state, &q, reader).await?)
            } else {
                None
            })
        };
        // The public's results for the same words are the same: a read
        // model per search, of the most recent searches.
        found = if signed_in {
            std::sync::Arc::new(read.await?)
        } else {
            state
                .cache
                .stored(&state.db, &SEARCH, q.clone(), read)
                .await?
        };
        match found.as_deref() {
            Some(groups) => {
                page.groups = groups;
                page.searched = true;
            }
            None => {
                page.message = Some(
                    "Uw zoekopdracht bevat geen woorden om op te zoeken (alleen leestekens of woorden als \u{201c}de\u{201d} en \u{201c}het\u{201d}). Probeer een ander woord."
                        .to_string(),
                );
            }
        }
    }
    let response = (status, page::render(&page)).into_response();
    Ok(if signed_in {
        crate::base::no_store(response)
    } else {
        response
    })
}

/// The public's search results: keyed by what visitors type, so only the
/// most recent searches are kept.
pub static SEARCH: Kind = Kind {
    name: "search",
    tables: &[
        "action_line",
        "agenda_item",
        "agreement",
        "agreement_search",
        "body",
        "meeting",
        "membership",
        "minutes",
        "person",
        "person_search",
    ],
    clock: true,
    most: Some(1000),
};

async fn groups(state: &AppState, q: &str, reader: Reader) -> Result<Vec<Group>> {
    let mut groups = vec![
        Group {
            id: Cow::Borrowed("akkoorden"),
            label: Cow::Borrowed("Akkoorden"),
            hits: Vec::new(),
        },
        Group {
            id: Cow::Borrowed("actielijnen"),
            label: Cow::Borrowed("Actielijnen"),
            hits: Vec::new(),
        },
        Group {
            id: Cow::Borrowed("agendapunten"),
            label: Cow::Borrowed("Agendapunten"),
            hits: Vec::new(),
        },
        Group {
            id: Cow::Borrowed("vergaderingen"),
            label: Cow::Borrowed("Vergaderingen"),
            hits: Vec::new(),
        },
        Group {
            id: Cow::Borrowed("personen"),
            label: Cow::Borrowed("Personen"),
            hits: Vec::new(),
        },
    ];
    // one statement for all kinds; the rows come best first within a kind
    for row in queries::search(&state.db, q, reader, dutch::today()).await? {
        let (group, hit) = match row.kind.as_str() {
            "agreement" => (0, agreement_hit(row)),
            "action_line" => (1, action_line_hit(row)),
            "agenda_item" => (2, agenda_item_hit(row)),
            "meeting" => (3, meeting_hit(row)),
            "person" => (4, person_hit(row, reader.reads_all)),
            other => {
                tracing::error!(kind = other, "search returned an unknown kind");
                continue;
            }
        };
        groups[group].hits.push(hit);
    }
    Ok(groups)
}

fn agreement_hit(a: queries::HitRow) -> Hit {
    Hit {
        href: a.slug.map(|s| format!("/akkoorden/{s}")),
        meta: if a.published == Some(true) {
            "akkoord".to_string()
        } else {
            "akkoord · ontwerp".to_string()
        },
        title: a.title,
        snippet: pieces(&a.snippet),
    }
}

fn action_line_hit(l: queries::HitRow) -> Hit {
    Hit {
        title: match l.label.as_deref() {
            None | Some("") => format!("Actielijn: {}", l.title),
            Some(label) => format!("Actielijn {label}: {}", l.title),
        },
        href: l.slug.map(|s| format!("/akkoorden/{s}#actielijn-{}", l.id)),
        meta: format!("in {}", l.agreement_title.unwrap_or_default()),
        snippet: pieces(&l.snippet),
    }
}

fn agenda_item_hit(a: queries::HitRow) -> Hit {
    let mut meta = a.body_name.unwrap_or_default();
    match a.starts_at {
        Some(t) => {
            meta.push_str(" · vergadering van ");
            meta.push_str(&dutch::nl_date(dutch::brussels(t).date()));
        }
        None => meta.push_str(" · nog niet geagendeerd"),
    }
    if a.confidential == Some(true) {
        meta.push_str(" · vertrouwelijk");
    }
    Hit {
        title: a.title,
        href: a.meeting_id.map(|m| format!("/vergaderingen/{m}#agenda")),
        meta,
        snippet: pieces(&a.snippet),
    }
}

fn meeting_hit(m: queries::HitRow) -> Hit {
    let mut meta = m
        .meeting_kind
        .map(|k| k.label().to_string())
        .unwrap_or_default();
    if m.meeting_status == Some(MeetingStatus::Cancelled) {
        meta.push_str(" · geannuleerd");
    }
    let date = m
        .starts_at
        .map(|t| dutch::nl_date(dutch::brussels(t).date()))
        .unwrap_or_default();
    Hit {
        title: format!("{} – {date}", m.title),
        href: Some(format!("/vergaderingen/{}", m.id)),
        meta,
        snippet: pieces(&m.snippet),
    }
}

/// The secretariat goes to the person's page; others to the composition of
/// the body of the person's latest mandate, on a day the person sits: today
/// if they do, else the last (or, for a mandate still to come, the first)
/// day of that mandate.
fn person_hit(p: queries::HitRow, staff: bool) -> Hit {
    Hit {
        href: Some(if staff {
            format!("/beheer/personen/{}", p.slug.unwrap_or_default())
        } else {
            match &p.body_slug {
                Some(b) => match p.sits_on {
                    Some(on) => format!("/organen/{b}?op={}", dutch::iso_date(on)),
                    None => format!("/organen/{b}"),
                },
                None => "/organen".to_string(),
            }
        }),
        meta: "persoon".to_string(),
        title: p.title,
        snippet: pieces(&p.snippet),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_split_on_the_markers() {
        let s = format!("de {START}doelstellingen{STOP} en <b>meer</b>");
        assert_eq!(
            pieces(&s),
            vec![
                Piece {
                    text: "de ".into(),
                    marked: false
                },
                Piece {
                    text: "doelstellingen".into(),
                    marked: true
                },
                Piece {
                    text: " en <b>meer</b>".into(),
                    marked: false
                },
            ]
        );
    }

    #[test]
    fn control_characters_and_markers_are_removed() {
        assert_eq!(clean(" a\u{0}b\u{e000}c\n "), "a b c");
    }
}
