//! The home page: the bodies, the next meetings, the latest agreements.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use time::OffsetDateTime;

use crate::app::AppState;
use crate::auth::access::{Access, Routes};
use crate::composition::queries::{self as composition, Body};
use crate::error::Result;
use crate::web::{self, PageCtx};

pub fn routes() -> Routes {
    Routes::new().get("/", Access::Public, home)
}

#[derive(Debug, sqlx::FromRow)]
pub struct UpcomingMeeting {
    pub body_name: String,
    pub kind: String,
    pub starts_at: OffsetDateTime,
    pub status: String,
}

impl UpcomingMeeting {
    pub fn when(&self) -> String {
        web::nl_datetime(self.starts_at)
    }

    pub fn kind_label(&self) -> &'static str {
        match self.kind.as_str() {
            "formal" => "formeel overleg",
            "informal" => "informeel overleg",
            _ => "werkgroep",
        }
    }

    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "planned" => "gepland",
            "convened" => "bijeengeroepen",
            "held" => "gehouden",
            _ => "geannuleerd",
        }
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
    let meetings = sqlx::query_as(
        "SELECT b.name AS body_name, m.kind::text AS kind, m.starts_at, m.status::text AS status
         FROM meeting m JOIN body b ON b.id = m.body_id
         WHERE m.ends_at >= now() ORDER BY m.starts_at LIMIT 5",
    )
    .fetch_all(&state.db)
    .await?;
    let agreements = sqlx::query_as(
        "SELECT slug, title, subtitle FROM agreement WHERE status = 'published'
         ORDER BY concluded_on DESC NULLS LAST, period_from DESC NULLS LAST, id DESC LIMIT 3",
    )
    .fetch_all(&state.db)
    .await?;
    Ok(web::render(&HomePage {
        ctx,
        bodies,
        meetings,
        agreements,
    }))
}
