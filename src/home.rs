//! The home page: the bodies, the next meetings, the latest agreements.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::auth::access::{Access, Routes};
use crate::base::AppState;
use crate::base::error::Result;
use crate::base::{PageCtx, dutch, page};
use crate::composition::{self, Body};
use crate::meetings::{MeetingKind, MeetingStatus};

pub fn routes() -> Routes {
    Routes::new().get("/", Access::Public, home)
}

#[derive(Debug, sqlx::FromRow)]
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

#[derive(Debug, sqlx::FromRow)]
pub struct LatestAgreement {
    pub slug: String,
    pub title: String,
    pub subtitle: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    bodies: Vec<Body>,
    meetings: Vec<UpcomingMeeting>,
    agreements: Vec<LatestAgreement>,
}

async fn home(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let bodies = composition::list_bodies(&state.db).await?;
    let meetings = upcoming_meetings(&state.db).await?;
    let agreements = latest_agreements(&state.db).await?;
    Ok(page::render(&HomePage {
        ctx,
        bodies,
        meetings,
        agreements,
    }))
}
