//! The agenda's domain operations: each checks what needs the database or
//! the item's state, writes through `queries` (which audits) in the caller's
//! transaction, and says how it went as an [`Outcome`]. A stale outcome is
//! a changed version or a status that no longer allows the change.

use sqlx::PgConnection;

use super::queries::{
    self, AgendaItem, ItemFields, ItemKind, ItemOutcome, ItemStatus, OPEN, OpenMeeting, Proposer,
    REVIEWABLE, Transition,
};
use crate::auth::CurrentUser;
use crate::base::write::Outcome;
use crate::base::{Check, Result, dutch};
use crate::mail::Site;
use crate::meetings::{Meeting, MeetingStatus};

pub const MAX_TITLE: usize = 300;
pub const MAX_EXPLANATION: usize = 20_000;
const MAX_COMMENT: usize = 2_000;

pub const TITLE_TOO_LONG: &str = "De titel mag hoogstens 300 tekens lang zijn.";
pub const EXPLANATION_TOO_LONG: &str = "De toelichting mag hoogstens 20 000 tekens lang zijn.";
pub const CHOOSE_KIND: &str =
    "Kies of het punt ter informatie, ter bespreking of ter beslissing is.";

/// Who proposes when `user` does: their organisation, or their minister's
/// cabinet.
pub fn proposer(user: &CurrentUser) -> Proposer {
    Proposer {
        organisation: user.organisation_id,
        minister: user.minister_id,
        account: user.id,
    }
}

/// The proposal as typed, before the database had its say.
pub struct Draft<'a> {
    pub title: &'a str,
    pub explanation: &'a str,
    pub kind: &'a str,
    pub body_id: &'a str,
    pub meeting_id: &'a str,
    pub competences: &'a [String],
    pub confidential: bool,
    /// The release time as typed (date and hour, Brussels).
    pub release: (&'a str, &'a str),
    /// The release time stored now: it may have passed, a new one may not.
    pub kept_release: Option<time::OffsetDateTime>,
    /// The agreement it concerns (an id, or empty for none).
    pub agreement_id: &'a str,
}

/// Checks a proposal, every field at once: the body must be one `user`'s
/// organisation sits in, the meeting an open one of that body, the
/// competences known ones.
pub async fn check_proposal(
    conn: &mut PgConnection,
    user: &CurrentUser,
    d: &Draft<'_>,
) -> Result<Outcome<ItemFields>> {
    let mut check = Check::default();
    let title = check.text("title", d.title, usize::MAX, "Vul een titel in.");
    if title.chars().count() > MAX_TITLE {
        check.add("title", TITLE_TOO_LONG);
    }
    let explanation = d.explanation.trim().to_string();
    if explanation.chars().count() > MAX_EXPLANATION {
        check.add("explanation", EXPLANATION_TOO_LONG);
    }
    let kind = check.choice::<ItemKind>("kind", d.kind, CHOOSE_KIND);
    let bodies = crate::composition::body_choices(&mut *conn).await?;
    let body_id = d
        .body_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| bodies.iter().any(|(b, _, _)| b == id));
    match body_id {
        None => check.add("body_id", "Kies een orgaan."),
        Some(b) => {
            if !crate::composition::sits_in(&mut *conn, user, b, dutch::today()).await? {
                check.add(
                    "body_id",
                    "Uw organisatie zetelt niet in dit orgaan en kan er geen punten voor agenderen.",
                );
            }
        }
    }
    let mut meeting_id = None;
    if !d.meeting_id.trim().is_empty() {
        let open = queries::open_meetings(&mut *conn).await?;
        meeting_id = d.meeting_id.trim().parse::<i64>().ok().filter(|id| {
            open.iter()
                .any(|m| m.id == *id && Some(m.body_id) == body_id)
        });
        if meeting_id.is_none() {
            check.add(
                "meeting_id",
                "Kies een geplande vergadering van dit orgaan, of laat het veld leeg.",
            );
        }
    }
    let known = queries::competences(&mut *conn).await?;
    let mut competences = Vec::new();
    for c in d.competences {
        match c.trim().parse::<i64>() {
            Ok(id) if known.iter().any(|(k, _)| *k == id) => competences.push(id),
            _ => check.add("competence", "Kies bevoegdheden uit de lijst."),
        }
    }
    let embargo_until = release(&mut check, d);
    let mut agreement_id = None;
    if !d.agreement_id.trim().is_empty() {
        let reader = crate::auth::Reader::of(Some(user));
        let visible = crate::agreements::visible(&mut *conn, reader).await?;
        agreement_id = d
            .agreement_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| visible.iter().any(|a| a.id == *id));
        if agreement_id.is_none() {
            check.add(
                "agreement_id",
                "Kies een akkoord uit de lijst, of laat het veld leeg.",
            );
        }
    }
    Ok(match (body_id, kind, check.is_ok()) {
        (Some(body_id), Some(kind), true) => Outcome::Done(ItemFields {
            body_id,
            meeting_id,
            title,
            explanation,
            kind,
            competences,
            confidential: d.confidential,
            embargo_until,
            agreement_id,
            approves_minutes_of: None,
        }),
        _ => Outcome::Refused(check.errors()),
    })
}

/// The release time of a confidential item: none when both fields are
/// empty; a date alone means 00:00 that day (Brussels); not in the past
/// unless it is the one already stored.
fn release(check: &mut Check, d: &Draft<'_>) -> Option<time::OffsetDateTime> {
    let (date, hour) = (d.release.0.trim(), d.release.1.trim());
    if date.is_empty() && hour.is_empty() {
        return None;
    }
    if !d.confidential {
        check.add(
            "release_date",
            "Een tijdstip van vrijgave geldt alleen voor een vertrouwelijk punt: vink \u{201c}Vertrouwelijk\u{201d} aan of laat de velden leeg.",
        );
        return None;
    }
    let Some(day) = dutch::parse_date(date) else {
        check.add(
            "release_date",
            "Vul de datum van vrijgave in (JJJJ-MM-DD), of laat beide velden leeg.",
        );
        return None;
    };
    let at = if hour.is_empty() {
        Some(time::Time::MIDNIGHT)
    } else {
        dutch::parse_time(hour)
    };
    let Some(at) = at.and_then(|t| dutch::from_brussels(day, t)) else {
        check.add(
            "release_time",
            "Vul een geldig uur van vrijgave in (UU:MM).",
        );
        return None;
    };
    if at <= time::OffsetDateTime::now_utc() && d.kept_release != Some(at) {
        check.add(
            "release_date",
            "Het tijdstip van vrijgave ligt in het verleden: kies een later moment, of maak het punt openbaar.",
        );
    }
    Some(at)
}

/// A new proposal, submitted.
pub async fn propose(
    conn: &mut PgConnection,
    user: &CurrentUser,
    d: &Draft<'_>,
) -> Result<Outcome<i64>> {
    match check_proposal(conn, user, d).await? {
        Outcome::Done(fields) => queries::create(conn, proposer(user), &fields, false).await,
        Outcome::Stale => Ok(Outcome::Stale),
        Outcome::Refused(errors) => Ok(Outcome::Refused(errors)),
    }
}

/// The proposer's changes to their open proposal.
pub async fn revise(
    conn: &mut PgConnection,
    user: &CurrentUser,
    item: &AgendaItem,
    seen_version: i32,
    d: &Draft<'_>,
) -> Result<Outcome> {
    match check_proposal(conn, user, d).await? {
        Outcome::Done(fields) => queries::update(conn, user.id, item, seen_version, &fields).await,
        Outcome::Stale => Ok(Outcome::Stale),
        Outcome::Refused(errors) => Ok(Outcome::Refused(errors)),
    }
}

/// The proposer takes their open proposal back.
pub async fn withdraw(
    conn: &mut PgConnection,
    actor: i64,
    item: &AgendaItem,
    seen_version: i32,
) -> Result<Outcome> {
    let t = Transition {
        from: &OPEN,
        to: ItemStatus::Withdrawn,
        meeting: item.meeting_id,
        place: false,
        answer: item.answer.as_deref(),
        comment: "Ingetrokken door de indiener",
    };
    queries::transition(conn, actor, item, seen_version, &t).await
}

/// The secretariat's decision as typed.
pub struct Review<'a> {
    pub decision: &'a str,
    pub meeting_id: &'a str,
    pub comment: &'a str,
}

/// The secretariat's decision on a proposal: accept onto a meeting, return
/// for changes, defer, or reject; stale when it no longer awaits one. Each
/// one lands in the item's history.
pub async fn review(
    conn: &mut PgConnection,
    actor: i64,
    item: &AgendaItem,
    seen_version: i32,
    r: &Review<'_>,
    site: &Site,
) -> Result<Outcome> {
    if !item.status.awaits_review() {
        return Ok(Outcome::Stale);
    }
    let comment = r.comment.trim();
    let open = queries::open_meetings(&mut *conn).await?;
    let meeting = r.meeting_id.trim().parse::<i64>().ok().and_then(|id| {
        open.iter()
            .find(|m| m.id == id && m.body_id == item.body_id)
    });
    let mut problem = None;
    if comment.chars().count() > MAX_COMMENT {
        problem = Some("De toelichting mag hoogstens 2 000 tekens lang zijn.");
    }
    if !r.meeting_id.trim().is_empty() && meeting.is_none() {
        problem = Some("Kies een geplande of bijeengeroepen vergadering van hetzelfde orgaan.");
    }
    let decision = match r.decision {
        "accept" => {
            if meeting.is_none() {
                problem = Some("Kies de vergadering waarop het punt komt.");
            }
            ItemStatus::Accepted
        }
        "return" => {
            if comment.is_empty() {
                problem = Some("Schrijf wat de indiener moet aanpassen: die ziet uw opmerking.");
            }
            ItemStatus::Returned
        }
        "review" => {
            if item.status != ItemStatus::Submitted {
                problem = Some("Alleen een ingediend voorstel kan in behandeling genomen worden.");
            }
            ItemStatus::InReview
        }
        "defer" => ItemStatus::Deferred,
        "reject" => {
            if comment.is_empty() {
                problem = Some("Geef de reden van de afwijzing: de indiener ziet ze.");
            }
            ItemStatus::Rejected
        }
        _ => {
            problem = Some("Kies een beslissing.");
            ItemStatus::Submitted
        }
    };
    if let Some(message) = problem {
        return Ok(Outcome::refused("form", message));
    }
    let history = match (decision, meeting) {
        (ItemStatus::Accepted, Some(m)) => {
            format!("Aanvaard voor de vergadering van {}", m.label())
        }
        (ItemStatus::Deferred, Some(m)) => {
            format!("Uitgesteld naar de vergadering van {}", m.label())
        }
        (ItemStatus::Deferred, None) => "Uitgesteld, nog zonder vergadering".to_string(),
        (ItemStatus::Returned, _) => "Teruggestuurd voor aanpassing".to_string(),
        (ItemStatus::InReview, _) => "In behandeling genomen".to_string(),
        _ => "Afgewezen".to_string(),
    };
    let history = if comment.is_empty() {
        history
    } else {
        format!("{history}: {comment}")
    };
    let t = Transition {
        from: &REVIEWABLE,
        to: decision,
        // Deferring without a meeting leaves it undecided; otherwise the
        // proposer's wished-for meeting stays unless another is chosen.
        meeting: match (decision, meeting) {
            (_, Some(m)) => Some(m.id),
            (ItemStatus::Deferred, None) => None,
            (_, None) => item.meeting_id,
        },
        place: decision == ItemStatus::Accepted,
        answer: (!comment.is_empty()).then_some(comment),
        comment: &history,
    };
    let outcome = queries::transition(conn, actor, item, seen_version, &t).await?;
    if let Outcome::Done(()) = outcome {
        let label = meeting.map(OpenMeeting::label);
        super::notices::decided(conn, actor, site, item, decision, label, comment).await?;
    }
    Ok(outcome)
}

/// The secretariat's own item as typed.
pub struct OwnItem<'a> {
    pub title: &'a str,
    pub explanation: &'a str,
    pub kind: &'a str,
    pub confidential: bool,
    /// The earlier meeting whose minutes it approves (its id; empty: none).
    pub approves: &'a str,
}

/// The secretariat's own item, e.g. the approval of the previous minutes:
/// straight onto the agenda of a meeting still to be held, at the end.
pub async fn add_own_item(
    conn: &mut PgConnection,
    user: &CurrentUser,
    meeting: &Meeting,
    own: &OwnItem<'_>,
) -> Result<Outcome<i64>> {
    let approves = match own.approves.trim() {
        "" => None,
        typed => {
            let awaiting =
                crate::meetings::awaiting_approval(&mut *conn, meeting.body_id, meeting.starts_at)
                    .await?;
            let chosen = typed
                .parse::<i64>()
                .ok()
                .and_then(|id| awaiting.into_iter().find(|m| m.id == id));
            let Some(chosen) = chosen else {
                return Ok(Outcome::refused(
                    "approves",
                    "Kies een eerdere vergadering van dit orgaan waarvan het verslag nog \
                     goedgekeurd moet worden.",
                ));
            };
            if chosen.on_agenda {
                return Ok(Outcome::refused(
                    "approves",
                    "De goedkeuring van dat verslag staat al op een agenda.",
                ));
            }
            Some((chosen.id, chosen.starts_at))
        }
    };
    // The approval of minutes: the title and kind say so unless typed.
    let default_title = approves.map(|(_, at)| {
        let day = dutch::nl_day(dutch::brussels(at).date());
        format!("Goedkeuring van het verslag van de vergadering van {day}")
    });
    let title = match (own.title.trim(), &default_title) {
        ("", Some(t)) => t.as_str(),
        (typed, _) => typed,
    };
    let explanation = own.explanation.trim();
    let kind = match (own.kind.trim(), approves) {
        ("", Some(_)) => Some(ItemKind::Decision),
        (typed, _) => ItemKind::parse(typed),
    };
    let problem = if !meeting.is_open() {
        Some("Op een gehouden of geannuleerde vergadering komen geen nieuwe punten.")
    } else if title.is_empty() {
        Some("Vul een titel in.")
    } else if title.chars().count() > MAX_TITLE {
        Some(TITLE_TOO_LONG)
    } else if explanation.chars().count() > MAX_EXPLANATION {
        Some(EXPLANATION_TOO_LONG)
    } else {
        None
    };
    let Some(kind) = kind.filter(|_| problem.is_none()) else {
        return Ok(Outcome::refused("form", problem.unwrap_or(CHOOSE_KIND)));
    };
    let fields = ItemFields {
        body_id: meeting.body_id,
        meeting_id: Some(meeting.id),
        title: title.to_string(),
        explanation: explanation.to_string(),
        kind,
        competences: Vec::new(),
        confidential: own.confidential,
        embargo_until: None,
        agreement_id: None,
        approves_minutes_of: approves.map(|(id, _)| id),
    };
    let by = Proposer {
        minister: None,
        ..proposer(user)
    };
    queries::create(conn, by, &fields, true).await
}

/// A decision as typed: its outcome, and its text (needed for "beslist").
fn checked_decision<'a>(
    outcome: &str,
    text: &'a str,
) -> std::result::Result<(ItemOutcome, Option<&'a str>), &'static str> {
    let text = text.trim();
    match ItemOutcome::parse(outcome.trim()) {
        None => Err("Kies de uitkomst: kennisgenomen, besproken of beslist."),
        Some(ItemOutcome::Decided) if text.is_empty() => Err("Vul de tekst van de beslissing in."),
        Some(_) if text.chars().count() > MAX_EXPLANATION => {
            Err("De beslissing mag hoogstens 20 000 tekens lang zijn.")
        }
        Some(o) => Ok((o, (!text.is_empty()).then_some(text))),
    }
}

/// A decision as the form gave it: the item's version the form was loaded
/// with, the outcome's code and the decision's text.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    pub seen_version: i32,
    pub outcome: &'a str,
    pub text: &'a str,
}

/// Notes what became of an accepted item, once its meeting has begun.
pub async fn record_outcome(
    conn: &mut PgConnection,
    actor: i64,
    site: &Site,
    meeting: &Meeting,
    item: &AgendaItem,
    d: Decision<'_>,
) -> Result<Outcome> {
    let problem = if meeting.status == MeetingStatus::Cancelled {
        Some("De vergadering is geannuleerd: er is geen uitkomst te noteren.".to_string())
    } else if meeting.starts_at > time::OffsetDateTime::now_utc() {
        Some("De uitkomst noteert u na de vergadering.".to_string())
    } else if item.status != ItemStatus::Accepted {
        Some(format!(
            "Dit punt is {}: er is geen uitkomst meer te noteren.",
            item.status.label()
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        return Ok(Outcome::refused("form", problem));
    }
    decide_checked(conn, actor, site, meeting, item, d).await
}

/// The decision on an item of the meeting's minutes: recorded on an
/// accepted item (as the builder's "afhandelen" does), changed on one
/// already dealt with.
pub async fn decide(
    conn: &mut PgConnection,
    actor: i64,
    site: &Site,
    meeting: &Meeting,
    item: &AgendaItem,
    d: Decision<'_>,
) -> Result<Outcome> {
    if item.status != ItemStatus::DealtWith {
        return record_outcome(conn, actor, site, meeting, item, d).await;
    }
    decide_checked(conn, actor, site, meeting, item, d).await
}

/// Records a checked decision; on the item that approves an earlier
/// meeting's minutes, "beslist" approves them (`meetings::approve_by_item`),
/// in the same transaction.
async fn decide_checked(
    conn: &mut PgConnection,
    actor: i64,
    site: &Site,
    meeting: &Meeting,
    item: &AgendaItem,
    d: Decision<'_>,
) -> Result<Outcome> {
    let (o, text) = match checked_decision(d.outcome, d.text) {
        Ok(decision) => decision,
        Err(problem) => return Ok(Outcome::refused("form", problem)),
    };
    let done = queries::set_decision(conn, actor, item, d.seen_version, o, text).await?;
    match (done, item.approves_minutes_of_id, o) {
        (Outcome::Done(()), Some(of), ItemOutcome::Decided) => {
            crate::meetings::approve_by_item(conn, actor, site, of, meeting, item.id).await
        }
        (done, _, _) => Ok(done),
    }
}

/// Carries an accepted item over to a later open meeting of the same body.
pub async fn carry_over(
    conn: &mut PgConnection,
    actor: i64,
    meeting: &Meeting,
    item: &AgendaItem,
    seen_version: i32,
    target: &str,
) -> Result<Outcome<i64>> {
    let open = queries::open_meetings(&mut *conn).await?;
    let target = target.trim().parse::<i64>().ok().and_then(|t| {
        open.into_iter()
            .find(|m| m.id == t && m.body_id == meeting.body_id && m.starts_at > meeting.starts_at)
    });
    if item.status != ItemStatus::Accepted {
        return Ok(Outcome::refused(
            "form",
            format!(
                "Dit punt is {} en kan niet meer doorgeschoven worden.",
                item.status.label()
            ),
        ));
    }
    let Some(target) = target else {
        return Ok(Outcome::refused(
            "form",
            "Kies een latere vergadering van hetzelfde orgaan.",
        ));
    };
    let note = format!("Doorgeschoven naar de vergadering van {}", target.label());
    queries::carry_over(conn, actor, item, seen_version, target.id, &note).await
}

/// Moves an item of the meeting's agenda straight to `place` (1 for the
/// first): stale when the item changed since the builder was loaded (or is
/// no longer on the agenda), refused for a place that is not on it.
pub async fn move_to_place(
    conn: &mut PgConnection,
    actor: i64,
    meeting: &Meeting,
    item: i64,
    seen_version: i32,
    place: &str,
) -> Result<Outcome> {
    let order = queries::lock_order(&mut *conn, meeting.id).await?;
    let Some(from) = order
        .iter()
        .position(|p| p.id == item && p.version == seen_version)
    else {
        return Ok(Outcome::Stale);
    };
    let n = order.len();
    let to = match place.trim().parse::<usize>() {
        Ok(p) if (1..=n).contains(&p) => p - 1,
        _ => {
            return Ok(Outcome::refused(
                "form",
                format!("Kies een plaats van 1 tot {n} op de agenda."),
            ));
        }
    };
    if to == from {
        return Ok(Outcome::Done(()));
    }
    queries::move_to(conn, actor, meeting.id, &order, from, to).await
}
