//! The home page: the bodies, the next meetings, the latest agreements.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::auth::access::{Access, Routes};
use crate::base::AppState;
use crate::base::error::{AppError, Result};
use crate::base::{PageCtx, dutch, page};
use crate::cache::stored::Kind;
use crate::composition::{self, Body};
use crate::meetings::{MeetingKind, MeetingStatus};

pub fn routes() -> Routes {
    Routes::new().get("/", Access::Public, home)
}

#[derive(Debug, sqlx::FromRow, Serialize, Deserialize)]
pub struct UpcomingMeeting {
    pub id: i64,
    pub body_name: String,
    pub kind: MeetingKind,
    pub starts_at: OffsetDateTime,
    pub status: MeetingStatus,
}

async fn upcoming_meetings(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<UpcomingMeeting>> {
    sqlx::query_as(
        "SELECT m.id, b.name AS body_name, m.kind, m.starts_at, m.status
         FROM meeting m JOIN body b ON b.id = m.body_id
         WHERE m.ends_at >= now() ORDER BY m.starts_at LIMIT 5",
    )
    .fetch_all(db)
    .await
}

async fn latest_agreements(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<LatestAgreement>> {
    sqlx::query_as(
        "SELECT slug, title, subtitle FROM agreement WHERE status = 'published'
         ORDER BY concluded_on DESC NULLS LAST, period_from DESC NULLS LAST, id DESC LIMIT 3",
    )
    .fetch_all(db)
    .await
}

impl UpcomingMeeting {
    pub fn when(&self) -> String {
        dutch::nl_datetime(self.starts_at)
    }
}

#[derive(Debug, sqlx::FromRow, Serialize, Deserialize)]
pub struct LatestAgreement {
    pub slug: String,
    pub title: String,
    pub subtitle: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    ctx: PageCtx,
    bodies: &'a [Body],
    meetings: &'a [UpcomingMeeting],
    agreements: &'a [LatestAgreement],
}

/// What the home page shows, the same for every reader.
#[derive(Serialize, Deserialize)]
struct HomeView {
    bodies: Vec<Body>,
    meetings: Vec<UpcomingMeeting>,
    agreements: Vec<LatestAgreement>,
}

/// The home page's read model: its meetings are the coming ones, so it
/// also changes with the clock.
pub static HOME: Kind = Kind {
    name: "home",
    tables: &["agreement", "body", "meeting"],
    clock: true,
    most: None,
};

async fn home(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let read = async {
        Ok::<_, AppError>(HomeView {
            bodies: composition::list_bodies(&state.db).await?,
            meetings: upcoming_meetings(&state.db).await?,
            agreements: latest_agreements(&state.db).await?,
        })
    };
    let view = state
        .cache
        .stored(&state.db, &HOME, String::new(), read)
        .await?;
    Ok(page::render(&HomePage {
        ctx,
        bodies: &view.bodies,
        meetings: &view.meetings,
        agreements: &view.agreements,
    }))
}
