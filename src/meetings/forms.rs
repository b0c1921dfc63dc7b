//! The secretariat's forms: scheduling, status, invitations, attendance and
//! minutes; and a user's personal calendar link.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::queries::{self, Attendance, Meeting, MeetingFields, MeetingKind, MeetingStatus, Saved};
use super::{PageInput, load, render_meeting};
use crate::auth::CurrentUser;
use crate::base::AppState;
use crate::base::error::{AppError, Result};
use crate::base::{FieldErrors, PageCtx, dutch, page};

const MAX_TEXT: usize = 500;
const MAX_NOTES: usize = 10_000;
const MAX_MINUTES: usize = 200_000;

fn actor(ctx: &PageCtx) -> Result<&CurrentUser> {
    ctx.user.as_ref().ok_or(AppError::Forbidden)
}

fn redirect(id: i64, melding: &str) -> Response {
    Redirect::to(&format!("/vergaderingen/{id}?melding={melding}")).into_response()
}

const CONFLICT: &str = "Iemand anders heeft deze vergadering intussen gewijzigd. Uw invoer staat hieronder; niets is overschreven. Herlaad de pagina om de nieuwe toestand te zien.";

/// The meeting form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    pub body_id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub online_url: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub version: String,
}

impl MeetingForm {
    fn from_meeting(m: &Meeting) -> Self {
        let start = dutch::brussels(m.starts_at);
        MeetingForm {
            body_id: m.body_id.to_string(),
            kind: m.kind.code().to_string(),
            date: dutch::iso_date(start.date()),
            start: dutch::hhmm(start),
            end: dutch::hhmm(dutch::brussels(m.ends_at)),
            location: m.location.clone(),
            online_url: m.online_url.clone().unwrap_or_default(),
            notes: m.notes.clone(),
            reason: String::new(),
            version: m.version.to_string(),
        }
    }

    async fn parse(
        &self,
        state: &AppState,
        bodies: &[(i64, String, String)],
    ) -> Result<std::result::Result<MeetingFields, FieldErrors>> {
        let mut e = FieldErrors::default();
        let body_id = self
            .body_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| bodies.iter().any(|(b, _, _)| b == id));
        if body_id.is_none() {
            e.add("body_id", "Kies een orgaan.");
        }
        let kind = MeetingKind::parse(self.kind.trim());
        match (kind, body_id) {
            (None, _) => e.add("kind", "Kies de soort vergadering."),
            (Some(k), Some(b)) if !queries::body_holds(&state.db, b, k).await? => e.add(
                "kind",
                "Dit orgaan houdt geen vergaderingen van deze soort: het (in)formeel VESOC-overleg vergadert formeel of informeel, de werkgroep als werkgroep.",
            ),
            _ => {}
        }
        let date = dutch::parse_date(&self.date).filter(|d| (2000..=2100).contains(&d.year()));
        if date.is_none() {
            e.add("date", "Vul een geldige datum in (JJJJ-MM-DD).");
        }
        let start = dutch::parse_time(&self.start);
        if start.is_none() {
            e.add("start", "Vul een beginuur in (UU:MM).");
        }
        let end = dutch::parse_time(&self.end);
        if end.is_none() {
            e.add("end", "Vul een einduur in (UU:MM).");
        }
        let mut starts_at = None;
        let mut ends_at = None;
        if let (Some(d), Some(s), Some(t)) = (date, start, end) {
            starts_at = dutch::from_brussels(d, s);
            ends_at = dutch::from_brussels(d, t);
            if starts_at.is_none() {
                e.add(
                    "start",
                    "Dit uur bestaat niet die dag: de klok springt dan van 2 naar 3 uur.",
                );
            }
            if ends_at.is_none() {
                e.add(
                    "end",
                    "Dit uur bestaat niet die dag: de klok springt dan van 2 naar 3 uur.",
                );
            }
            if let (Some(a), Some(b)) = (starts_at, ends_at)
                && b <= a
            {
                e.add("end", "Het einduur moet na het beginuur liggen.");
            }
        }
        let location = self.location.trim().to_string();
        if location.chars().count() > MAX_TEXT {
            e.add("location", "De plaats mag hoogstens 500 tekens lang zijn.");
        }
        let online_url = self.online_url.trim().to_string();
        if !online_url.is_empty()
            && (!(online_url.starts_with("https://") || online_url.starts_with("http://"))
                || online_url.chars().count() > MAX_TEXT
                || online_url.chars().any(char::is_whitespace))
        {
            e.add(
                "online_url",
                "Een onlinelink begint met https:// en bevat geen spaties.",
            );
        }
        let notes = self.notes.trim().to_string();
        if notes.chars().count() > MAX_NOTES {
            e.add(
                "notes",
                "De notities mogen hoogstens 10 000 tekens lang zijn.",
            );
        }
        if self.reason.chars().count() > MAX_TEXT {
            e.add("reason", "De reden mag hoogstens 500 tekens lang zijn.");
        }
        Ok(match (body_id, kind, starts_at, ends_at, e.is_empty()) {
            (Some(body_id), Some(kind), Some(starts_at), Some(ends_at), true) => {
                Ok(MeetingFields {
                    body_id,
                    kind,
                    starts_at,
                    ends_at,
                    location,
                    online_url: (!online_url.is_empty()).then_some(online_url),
                    notes,
                })
            }
            _ => Err(e),
        })
    }
}

#[derive(Template)]
#[template(path = "meetings/form.html")]
struct FormPage {
    ctx: PageCtx,
    meeting: Option<Meeting>,
    form: MeetingForm,
    errors: FieldErrors,
    bodies: Vec<(i64, String, String)>,
    kinds: [MeetingKind; 3],
}

async fn form_page(
    state: &AppState,
    ctx: PageCtx,
    meeting: Option<Meeting>,
    form: MeetingForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response> {
    let page = FormPage {
        ctx,
        meeting,
        form,
        errors,
        bodies: crate::composition::body_choices(&state.db).await?,
        kinds: MeetingKind::ALL,
    };
    Ok((status, page::render(&page)).into_response())
}

pub async fn new_form(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let form = MeetingForm {
        start: "10:00".into(),
        end: "12:00".into(),
        ..MeetingForm::default()
    };
    form_page(
        &state,
        ctx,
        None,
        form,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    ctx: PageCtx,
    State(state): State<AppState>,
    Form(form): Form<MeetingForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?.id;
    let bodies = crate::composition::body_choices(&state.db).await?;
    let fields = match form.parse(&state, &bodies).await? {
        Ok(f) => f,
        Err(errors) => {
            return form_page(
                &state,
                ctx,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mut tx = state.db.begin().await?;
    let id = queries::create(&mut tx, actor, &fields).await?;
    tx.commit().await?;
    Ok(redirect(id, "aangemaakt"))
}

pub async fn edit_form(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response> {
    let meeting = load(&state, &id).await?;
    let form = MeetingForm::from_meeting(&meeting);
    form_page(
        &state,
        ctx,
        Some(meeting),
        form,
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<MeetingForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?.id;
    let meeting = load(&state, &id).await?;
    let bodies = crate::composition::body_choices(&state.db).await?;
    let mut fields = match form.parse(&state, &bodies).await? {
        Ok(f) => f,
        Err(errors) => {
            return form_page(
                &state,
                ctx,
                Some(meeting),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    // A meeting stays with its body: moving it would silently change who
    // was invited. Schedule a new one instead.
    fields.body_id = meeting.body_id;
    if meeting.status == MeetingStatus::Cancelled || meeting.status == MeetingStatus::Held {
        let mut errors = FieldErrors::default();
        errors.add(
            "form",
            "Een gehouden of geannuleerde vergadering wordt niet meer gewijzigd.",
        );
        return form_page(
            &state,
            ctx,
            Some(meeting),
            form,
            errors,
            StatusCode::CONFLICT,
        )
        .await;
    }
    let seen: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    match queries::update(&mut tx, actor, &meeting, seen, &fields, form.reason.trim()).await? {
        Saved::Done => {
            tx.commit().await?;
            Ok(redirect(meeting.id, "opgeslagen"))
        }
        Saved::Conflict => {
            let mut errors = FieldErrors::default();
            errors.add("form", CONFLICT);
            form_page(
                &state,
                ctx,
                Some(meeting),
                form,
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    naar: String,
    #[serde(default)]
    reden: String,
    #[serde(default)]
    version: String,
}

pub async fn change_status(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?.id;
    let meeting = load(&state, &id).await?;
    let to = match form.naar.as_str() {
        "convened" => MeetingStatus::Convened,
        "held" => MeetingStatus::Held,
        "cancelled" => MeetingStatus::Cancelled,
        _ => return Err(AppError::bad_request("Onbekende status.")),
    };
    let refuse = |message: String, status| {
        let input = PageInput {
            error: Some(message),
            cancel_reason: Some(form.reden.clone()),
            ..PageInput::default()
        };
        (input, status)
    };
    let reason = form.reden.trim();
    let problem = if !meeting.status.can_become(to) {
        Some(refuse(
            format!(
                "Een vergadering die {} is, kan niet {} worden.",
                meeting.status.label(),
                to.label()
            ),
            StatusCode::CONFLICT,
        ))
    } else if to == MeetingStatus::Cancelled && reason.is_empty() {
        Some(refuse(
            "Geef een reden voor de annulering.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    } else if reason.chars().count() > MAX_TEXT {
        Some(refuse(
            "De reden mag hoogstens 500 tekens lang zijn.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    } else if to == MeetingStatus::Held && meeting.starts_at > time::OffsetDateTime::now_utc() {
        Some(refuse(
            "Een vergadering kan pas als gehouden worden gemarkeerd als ze begonnen is.".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    } else {
        None
    };
    if let Some((input, status)) = problem {
        return render_meeting(&state, ctx, meeting, status, input).await;
    }
    let seen: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    let cancel_reason = (to == MeetingStatus::Cancelled).then_some(reason);
    match queries::set_status(&mut tx, actor, &meeting, seen, to, cancel_reason).await? {
        Saved::Done => {
            tx.commit().await?;
            Ok(redirect(meeting.id, "status"))
        }
        Saved::Conflict => {
            let (input, status) = refuse(CONFLICT.into(), StatusCode::CONFLICT);
            render_meeting(&state, ctx, meeting, status, input).await
        }
    }
}

pub async fn invite_composition(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response> {
    let actor = actor(&ctx)?.id;
    let meeting = load(&state, &id).await?;
    let mut tx = state.db.begin().await?;
    queries::invite_from_composition(&mut tx, actor, &meeting).await?;
    tx.commit().await?;
    Ok(redirect(meeting.id, "uitnodigingen"))
}

#[derive(Debug, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    person_id: String,
}

async fn person_choice(state: &AppState, form: &PersonForm) -> Result<Option<i64>> {
    let Ok(id) = form.person_id.trim().parse::<i64>() else {
        return Ok(None);
    };
    let people = queries::people(&state.db).await?;
    Ok(people.iter().any(|(p, _)| *p == id).then_some(id))
}

pub async fn invite_person(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<PersonForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?.id;
    let meeting = load(&state, &id).await?;
    let Some(person) = person_choice(&state, &form).await? else {
        let input = PageInput {
            error: Some("Kies een persoon uit de lijst.".into()),
            ..PageInput::default()
        };
        return render_meeting(
            &state,
            ctx,
            meeting,
            StatusCode::UNPROCESSABLE_ENTITY,
            input,
        )
        .await;
    };
    let mut tx = state.db.begin().await?;
    queries::invite(&mut tx, actor, meeting.id, person).await?;
    tx.commit().await?;
    Ok(redirect(meeting.id, "uitnodigingen"))
}

pub async fn uninvite_person(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<PersonForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?.id;
    let meeting = load(&state, &id).await?;
    let person = person_choice(&state, &form)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    if !queries::uninvite(&mut tx, actor, meeting.id, person).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(redirect(meeting.id, "uitnodigingen"))
}

/// The attendance register: `aanwezigheid-<person>` and
/// `vertegenwoordigd-<person>` for every invited person.
pub async fn attendance(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let actor = actor(&ctx)?.id;
    let meeting = load(&state, &id).await?;
    let participants = queries::participants(&state.db, meeting.id).await?;
    let value = |prefix: &str, person: i64| {
        let key = format!("{prefix}-{person}");
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut typed = Vec::new();
    let mut entries = Vec::new();
    let mut error = None;
    for p in participants.iter().filter(|p| p.invited) {
        let code = value("aanwezigheid", p.person_id);
        let by = value("vertegenwoordigd", p.person_id);
        typed.push((p.person_id, code.clone(), by.clone()));
        let attendance = if code.is_empty() {
            None
        } else {
            Attendance::parse(&code)
        };
        if !code.is_empty() && attendance.is_none() {
            error = Some(format!("Kies voor {} een geldige aanwezigheid.", p.name));
        } else if attendance == Some(Attendance::Represented) && by.is_empty() {
            error = Some(format!("Vul in door wie {} vertegenwoordigd werd.", p.name));
        } else if attendance != Some(Attendance::Represented) && !by.is_empty() {
            error = Some(format!(
                "Voor {} is een vertegenwoordiger ingevuld: kies dan \u{201c}vertegenwoordigd\u{201d}.",
                p.name
            ));
        } else if by.chars().count() > 200 {
            error = Some(
                "Een naam van een vertegenwoordiger mag hoogstens 200 tekens lang zijn.".into(),
            );
        }
        entries.push((p.person_id, attendance, (!by.is_empty()).then_some(by)));
    }
    if meeting.status != MeetingStatus::Held && meeting.status != MeetingStatus::Convened {
        error = Some(
            "Aanwezigheden worden opgenomen voor een bijeengeroepen of gehouden vergadering."
                .into(),
        );
    }
    if let Some(error) = error {
        let input = PageInput {
            error: Some(error),
            attendance: typed,
            ..PageInput::default()
        };
        return render_meeting(
            &state,
            ctx,
            meeting,
            StatusCode::UNPROCESSABLE_ENTITY,
            input,
        )
        .await;
    }
    let mut tx = state.db.begin().await?;
    queries::record_attendance(&mut tx, actor, meeting.id, &entries).await?;
    tx.commit().await?;
    Ok(redirect(meeting.id, "aanwezigheid"))
}

#[derive(Debug, Deserialize)]
pub struct MinutesForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    approved_on: String,
}

pub async fn save_minutes(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<MinutesForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?.id;
    let meeting = load(&state, &id).await?;
    let again = |error: &str| PageInput {
        error: Some(error.to_string()),
        minutes_text: Some(form.text.clone()),
        ..PageInput::default()
    };
    if form.text.trim().is_empty() {
        return render_meeting(
            &state,
            ctx,
            meeting,
            StatusCode::UNPROCESSABLE_ENTITY,
            again("Het verslag is leeg."),
        )
        .await;
    }
    if form.text.chars().count() > MAX_MINUTES {
        return render_meeting(
            &state,
            ctx,
            meeting,
            StatusCode::UNPROCESSABLE_ENTITY,
            again("Het verslag is te lang (hoogstens 200 000 tekens)."),
        )
        .await;
    }
    let seen: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    match queries::save_minutes(&mut tx, actor, meeting.id, seen, form.text.trim()).await? {
        Saved::Done => {
            tx.commit().await?;
            Ok(redirect(meeting.id, "verslag"))
        }
        Saved::Conflict => render_meeting(&state, ctx, meeting, StatusCode::CONFLICT, again("Het verslag is intussen gewijzigd of al goedgekeurd. Uw tekst staat hieronder; niets is overschreven.")).await,
    }
}

pub async fn approve_minutes(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<MinutesForm>,
) -> Result<Response> {
    let actor = actor(&ctx)?.id;
    let meeting = load(&state, &id).await?;
    let Some(on) = dutch::parse_date(&form.approved_on) else {
        let input = PageInput {
            error: Some("Vul de datum van goedkeuring in (JJJJ-MM-DD).".into()),
            ..PageInput::default()
        };
        return render_meeting(
            &state,
            ctx,
            meeting,
            StatusCode::UNPROCESSABLE_ENTITY,
            input,
        )
        .await;
    };
    if on < dutch::brussels(meeting.starts_at).date() {
        let input = PageInput {
            error: Some("Een verslag wordt niet goedgekeurd vóór de vergadering.".into()),
            ..PageInput::default()
        };
        return render_meeting(
            &state,
            ctx,
            meeting,
            StatusCode::UNPROCESSABLE_ENTITY,
            input,
        )
        .await;
    }
    let seen: i32 = form.version.trim().parse().unwrap_or(-1);
    let mut tx = state.db.begin().await?;
    match queries::approve_minutes(&mut tx, actor, meeting.id, seen, on).await? {
        Saved::Done => {
            tx.commit().await?;
            Ok(redirect(meeting.id, "goedgekeurd"))
        }
        Saved::Conflict => {
            let input = PageInput {
                error: Some("Het verslag is intussen gewijzigd of al goedgekeurd.".into()),
                ..PageInput::default()
            };
            render_meeting(&state, ctx, meeting, StatusCode::CONFLICT, input).await
        }
    }
}

#[derive(Template)]
#[template(path = "meetings/calendar_link.html")]
struct CalendarLinkPage {
    ctx: PageCtx,
    link: Option<String>,
}

pub async fn new_calendar_link(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let user = actor(&ctx)?.id;
    let mut tx = state.db.begin().await?;
    let token = crate::accounts::new_calendar_token(&mut tx, user).await?;
    tx.commit().await?;
    let link = Some(format!("/kalender/persoonlijk/{token}.ics"));
    Ok(page::render(&CalendarLinkPage { ctx, link }))
}

pub async fn revoke_calendar_link(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let user = actor(&ctx)?.id;
    let mut tx = state.db.begin().await?;
    crate::accounts::revoke_calendar_token(&mut tx, user).await?;
    tx.commit().await?;
    Ok(page::render(&CalendarLinkPage { ctx, link: None }))
}
