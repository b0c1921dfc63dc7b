//! How many working days before a meeting of a body (and before its
//! proposal deadline) the reminders go out: a setting per body, 3 unless
//! the secretariat changes it, 0 for none. The job that sends them is
//! `notices`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;

use crate::audit;
use crate::auth::access::{Routes, SECRETARIAT};
use crate::base::error::{AppError, Result};
use crate::base::{Actor, AppState, Check, FieldErrors, Outcome, PageCtx, page, write};

pub fn routes() -> Routes {
    Routes::new()
        .get("/beheer/organen/{slug}/herinneringen", SECRETARIAT, show)
        .post("/beheer/organen/{slug}/herinneringen", SECRETARIAT, save)
}

/// A body with its setting.
#[derive(Debug, sqlx::FromRow)]
pub struct BodyReminders {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub reminder_days: i32,
}

async fn load(state: &AppState, slug: &str) -> Result<BodyReminders> {
    sqlx::query_as("SELECT id, slug, name, reminder_days FROM body WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Debug, Default, Deserialize)]
pub struct RemindersForm {
    #[serde(default)]
    pub reminder_days: String,
}

#[derive(Template)]
#[template(path = "meetings/reminders.html")]
struct RemindersPage {
    ctx: PageCtx,
    body: BodyReminders,
    form: RemindersForm,
    errors: FieldErrors,
    saved: bool,
}

#[derive(Debug, Deserialize)]
struct Saved {
    bewaard: Option<String>,
}

fn render(p: RemindersPage, status: StatusCode) -> Response {
    page::no_store((status, page::render(&p)).into_response())
}

async fn show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let body = load(&state, &slug).await?;
    let form = RemindersForm {
        reminder_days: body.reminder_days.to_string(),
    };
    let saved = q.bewaard.is_some();
    let errors = FieldErrors::default();
    Ok(render(
        RemindersPage {
            ctx,
            body,
            form,
            errors,
            saved,
        },
        StatusCode::OK,
    ))
}

async fn save(
    ctx: PageCtx,
    Actor(actor): Actor,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Form(form): Form<RemindersForm>,
) -> Result<Response> {
    let body = load(&state, &slug).await?;
    let mut check = Check::default();
    let days = check.number("reminder_days", &form.reminder_days, 0, 20);
    let outcome = match check.finish(days) {
        Ok(days) => {
            let (id, before) = (body.id, body.reminder_days);
            write::run(&state.db, async |tx| {
                set(tx, actor.id, id, before, days).await
            })
            .await?
        }
        Err(errors) => Outcome::Refused(errors),
    };
    match outcome.settle(FieldErrors::default()) {
        Ok(()) => Ok(Redirect::to(&format!(
            "/beheer/organen/{}/herinneringen?bewaard=1",
            body.slug
        ))
        .into_response()),
        Err((status, errors)) => Ok(render(
            RemindersPage {
                ctx,
                body,
                form,
                errors,
                saved: false,
            },
            status,
        )),
    }
}

async fn set(
    tx: &mut PgConnection,
    actor: i64,
    body: i64,
    before: i32,
    days: i64,
) -> Result<Outcome> {
    sqlx::query("UPDATE body SET reminder_days = $2, modified_at = now() WHERE id = $1")
        .bind(body)
        .bind(i32::try_from(days).unwrap_or(0))
        .execute(&mut *tx)
        .await?;
    audit::Entry::new("set_reminder_days", "body", body)
        .before(json!({ "reminder_days": before }))
        .after(json!({ "reminder_days": days }))
        .write(tx, Some(actor))
        .await?;
    Ok(Outcome::Done(()))
}
