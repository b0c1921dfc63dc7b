//! Conflicts of interest: a member who does not take part in the
//! discussion of an agenda item, and why. The member declares it on the
//! item's page (as the person their account is), or the secretariat does
//! on their behalf for any invitee. A declaration shows wherever its item
//! is seen (`agenda_item_visible`): the item's page, the meeting's agenda
//! and the item's section of the minutes.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};

use super::AgendaItem;
use crate::audit;
use crate::auth::CurrentUser;
use crate::base::error::Result;
use crate::base::write::{self, Outcome};
use crate::base::{Actor, AppState, Check, FieldErrors, Id, PageCtx};

/// The longest reason.
const MAX_REASON: usize = 500;

/// A declaration, as the item carries it (`AgendaItem::conflicts`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Conflict {
    pub person: String,
    pub reason: String,
}

impl Conflict {
    /// How the agenda and the minutes say it.
    pub fn sentence(&self) -> String {
        format!(
            "{} neemt niet deel aan de bespreking van dit punt ({}).",
            self.person, self.reason
        )
    }
}

/// The invitees of the item's meeting (person, name): whom the secretariat
/// may declare a conflict for.
pub async fn invitees(db: impl PgExecutor<'_>, item: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT p.id, p.given_name || ' ' || p.family_name
         FROM agenda_item a
         JOIN meeting_participant mp ON mp.meeting_id = a.meeting_id AND mp.invited
         JOIN person p ON p.id = mp.person_id
         WHERE a.id = $1
         ORDER BY p.family_name, p.given_name",
    )
    .bind(item)
    .fetch_all(db)
    .await
}

/// What the declaration form sends: the person (the secretariat chooses;
/// a member declares for the person they are) and the reason.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ConflictForm {
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub reason: String,
}

/// Records a declaration (or its new reason): only for an invitee of the
/// item's meeting, only for an item on an agenda, audited.
pub async fn declare(
    conn: &mut PgConnection,
    actor: &CurrentUser,
    item: &AgendaItem,
    form: &ConflictForm,
) -> Result<Outcome> {
    let mut check = Check::default();
    let reason = check.text(
        "reason",
        &form.reason,
        MAX_REASON,
        "Geef kort de reden van het belangenconflict.",
    );
    let person = if actor.reads_all() {
        form.person_id.trim().parse::<i64>().ok()
    } else {
        actor.person_id
    };
    let invited = invitees(&mut *conn, item.id).await?;
    match person {
        Some(p) if invited.iter().any(|(id, _)| *id == p) => {}
        _ if actor.reads_all() => check.add("person_id", "Kies een genodigde van de vergadering."),
        _ => check.add(
            "person_id",
            "U staat niet op de uitnodigingslijst van deze vergadering: u kunt hier geen belangenconflict melden.",
        ),
    }
    if item.meeting_id.is_none() || item.position.is_none() {
        check.add("form", "Dit punt staat niet op een agenda.");
    }
    let (Some(person), true) = (person, check.is_ok()) else {
        return Ok(Outcome::Refused(check.errors()));
    };
    sqlx::query(
        "INSERT INTO conflict_of_interest (agenda_item_id, person_id, reason, declared_by)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (agenda_item_id, person_id)
         DO UPDATE SET reason = EXCLUDED.reason, declared_by = EXCLUDED.declared_by,
                       declared_at = now()",
    )
    .bind(item.id)
    .bind(person)
    .bind(&reason)
    .bind(actor.id)
    .execute(&mut *conn)
    .await?;
    audit::Entry::new("declare_conflict", "agenda_item", item.id)
        .after(json!({ "person_id": person, "reason": reason }))
        .write(conn, actor.id)
        .await?;
    Ok(Outcome::Done(()))
}

/// POST `/punten/{id}/belangenconflict`: on the item's page.
pub async fn submit(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
    Id(id): Id,
    Form(form): Form<ConflictForm>,
) -> Result<Response> {
    let item = super::visible_item(&state, &ctx, id).await?;
    let outcome = write::run(&state.db, async |tx| declare(tx, &user, &item, &form).await).await?;
    let mut stale = FieldErrors::default();
    stale.add("form", write::stale_message("dit agendapunt"));
    match outcome.settle(stale) {
        Ok(()) => Ok(Redirect::to(&format!(
            "/punten/{id}?melding=belangenconflict#belangenconflicten"
        ))
        .into_response()),
        Err((status, errors)) => {
            let input = super::PublicItemInput {
                errors,
                conflict: form,
                ..Default::default()
            };
            super::public_item_page(&state, ctx, item, input, status).await
        }
    }
}
