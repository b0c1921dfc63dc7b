//! Meetings: scheduling, status, invitations, attendance and minutes.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use time::{Date, OffsetDateTime};

use crate::audit;
use crate::auth::Reader;
use crate::base::error::{AppError, Result};
use crate::base::write::Outcome;

crate::coded! {
    pub enum MeetingKind: "meeting_kind" {
        Formal => ("formal", "formeel VESOC-overleg"),
        Informal => ("informal", "informeel VESOC-overleg"),
        WorkingGroup => ("working_group", "VESOC-werkgroep"),
    }
}

crate::coded! {
    pub enum MeetingStatus: "meeting_status" {
        Planned => ("planned", "gepland"),
        Convened => ("convened", "bijeengeroepen"),
        Held => ("held", "gehouden"),
        Cancelled => ("cancelled", "geannuleerd"),
    }
}

impl MeetingKind {
    /// The kind as the meeting form names it after its body:
    /// "(In)formeel VESOC-overleg – formeel overleg".
    pub fn short_label(self) -> &'static str {
        match self {
            MeetingKind::Formal => "formeel overleg",
            MeetingKind::Informal => "informeel overleg",
            MeetingKind::WorkingGroup => "werkgroep",
        }
    }
}

/// A body and a kind of meeting it holds: one choice of the meeting form.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BodyKind {
    pub body_id: i64,
    pub body_name: String,
    pub kind: MeetingKind,
}

impl BodyKind {
    /// The form's value: `<body id>:<kind code>`.
    pub fn value(&self) -> String {
        format!("{}:{}", self.body_id, self.kind.code())
    }

    pub fn label(&self) -> String {
        format!("{} – {}", self.body_name, self.kind.short_label())
    }
}

/// Every body with each kind of meeting it holds, in the order of the
/// bodies' choice.
pub async fn body_kinds(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<BodyKind>> {
    sqlx::query_as(
        "SELECT b.id AS body_id, b.name AS body_name, k.kind
         FROM body_meeting_kind k JOIN body b ON b.id = k.body_id
         ORDER BY b.sort_order, b.name, k.kind",
    )
    .fetch_all(db)
    .await
}

impl MeetingStatus {
    /// The transitions the secretariat may make: planned → convened → held,
    /// or cancelled before it was held.
    pub fn can_become(self, to: MeetingStatus) -> bool {
        matches!(
            (self, to),
            (MeetingStatus::Planned, MeetingStatus::Convened)
                | (MeetingStatus::Convened, MeetingStatus::Held)
                | (
                    MeetingStatus::Planned | MeetingStatus::Convened,
                    MeetingStatus::Cancelled
                )
        )
    }
}

crate::coded! {
    pub enum Attendance: "attendance" {
        Present => ("present", "aanwezig"),
        Excused => ("excused", "verontschuldigd"),
        Absent => ("absent", "afwezig"),
        Represented => ("represented", "vertegenwoordigd"),
    }
}

crate::coded! {
    pub enum InvitationReason: "invitation_reason" {
        Composition => ("composition", "lid"),
        Competence => ("competence", "bevoegd voor een agendapunt"),
        Advisory => ("advisory", "raadgevende stem"),
        Added => ("added", "toegevoegd door het secretariaat"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize, Deserialize)]
#[sqlx(type_name = "minutes_status", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum MinutesStatus {
    Draft,
    /// Sent to the members for comments.
    Sent,
    Approved,
}

impl MinutesStatus {
    pub fn label(self) -> &'static str {
        match self {
            MinutesStatus::Draft => "ontwerp",
            MinutesStatus::Sent => "ter opmerkingen verstuurd",
            MinutesStatus::Approved => "goedgekeurd",
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Meeting {
    pub id: i64,
    pub body_id: i64,
    pub body_slug: String,
    pub body_name: String,
    pub kind: MeetingKind,
    #[serde(with = "crate::base::dutch::moment")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "crate::base::dutch::moment")]
    pub ends_at: OffsetDateTime,
    pub location: String,
    pub online_url: Option<String>,
    pub notes: String,
    pub status: MeetingStatus,
    pub cancel_reason: Option<String>,
    #[serde(with = "crate::base::dutch::moment_option")]
    pub proposal_deadline: Option<OffsetDateTime>,
    /// The body's setting: reminders this many working days before.
    pub reminder_days: i32,
    pub sequence: i32,
    pub version: i32,
    #[serde(with = "crate::base::dutch::moment")]
    pub created_at: OffsetDateTime,
    #[serde(with = "crate::base::dutch::moment")]
    pub modified_at: OffsetDateTime,
}

/// What the secretariat sets on a meeting.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingFields {
    pub body_id: i64,
    pub kind: MeetingKind,
    #[serde(with = "crate::base::dutch::moment")]
    pub starts_at: OffsetDateTime,
    #[serde(with = "crate::base::dutch::moment")]
    pub ends_at: OffsetDateTime,
    pub location: String,
    pub online_url: Option<String>,
    pub notes: String,
    #[serde(with = "crate::base::dutch::moment_option")]
    pub proposal_deadline: Option<OffsetDateTime>,
}

/// A meeting with its body, as [`Meeting`] reads it; the queries add their
/// conditions.
const SELECT: &str =
    "SELECT m.id, m.body_id, b.slug AS body_slug, b.name AS body_name, m.kind, m.starts_at,
                m.ends_at, m.location, m.online_url, m.notes, m.status, m.cancel_reason,
                m.proposal_deadline, b.reminder_days, m.sequence, m.version, m.created_at,
                m.modified_at
         FROM meeting m JOIN body b ON b.id = m.body_id";

/// The calendar page's meetings in one query: those of `year` (Brussels
/// time) and the next three that are neither over nor cancelled, of one
/// body or all. The caller splits them by year; the year is a range on
/// `starts_at`, so the index on it serves the query.
pub async fn calendar(
    db: impl PgExecutor<'_>,
    body_slug: Option<&str>,
    year: i32,
) -> sqlx::Result<Vec<Meeting>> {
    sqlx::query_as(&format!(
        // The year's meetings through the index on starts_at, plus the next
        // three; a CTE of all meetings shared by both was materialised whole.
        "WITH body_filter AS (SELECT id FROM body WHERE slug = $1),
         chosen AS (
             (SELECT id FROM meeting
              WHERE starts_at >= make_timestamptz($2, 1, 1, 0, 0, 0, 'Europe/Brussels')
                AND starts_at < make_timestamptz($2 + 1, 1, 1, 0, 0, 0, 'Europe/Brussels')
                AND ($1::text IS NULL OR body_id = (SELECT id FROM body_filter)))
             UNION
             (SELECT id FROM meeting WHERE ends_at >= now() AND status <> 'cancelled'
                AND ($1::text IS NULL OR body_id = (SELECT id FROM body_filter))
              ORDER BY starts_at, id LIMIT 3)
         )
         {SELECT} WHERE m.id IN (SELECT id FROM chosen)
         ORDER BY m.starts_at, m.id",
    ))
    .bind(body_slug)
    .bind(year)
    .fetch_all(db)
    .await
}

/// The years that have meetings, newest first, for the calendar's filter:
/// from the index on the year (migration `…1400`), one step per year (a
/// `DISTINCT` read and hashed every meeting: 0.2 ms for 20 years).
pub async fn years(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar(
        "WITH RECURSIVE years AS (
             (SELECT extract(year FROM starts_at AT TIME ZONE 'Europe/Brussels')::int AS y
              FROM meeting ORDER BY 1 DESC LIMIT 1)
             UNION ALL
             SELECT (SELECT extract(year FROM m.starts_at AT TIME ZONE 'Europe/Brussels')::int
                     FROM meeting m
                     WHERE extract(year FROM m.starts_at AT TIME ZONE 'Europe/Brussels')::int < years.y
                     ORDER BY 1 DESC LIMIT 1)
             FROM years WHERE years.y IS NOT NULL
         )
         SELECT y FROM years WHERE y IS NOT NULL",
    )
    .fetch_all(db)
    .await
}

pub async fn get(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Meeting>> {
    sqlx::query_as(&format!("{SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// A meeting with its minutes and its reschedules, for the meeting page:
/// one query instead of three.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct MeetingDetails {
    #[sqlx(flatten)]
    pub meeting: Meeting,
    pub minutes_text: Option<String>,
    pub minutes_status: Option<MinutesStatus>,
    pub minutes_approved_on: Option<Date>,
    pub minutes_version: Option<i32>,
    pub reschedules: Json<Vec<Reschedule>>,
    /// The sent versions of the agenda (A, B…), oldest first.
    pub versions: Json<Vec<SentVersion>>,
    /// May the reader see the meeting's internals (`meeting_internals_visible`)?
    /// Unless so, place, online link and notes are empty.
    pub member: bool,
    /// Empty unless `member`.
    pub participants: Json<Vec<Participant>>,
    /// Of the items on the agenda, those `document_visible` lets the reader see.
    pub documents: Json<Vec<crate::agenda::DocumentLink>>,
}

impl MeetingDetails {
    pub fn minutes(&self) -> Option<Minutes> {
        Some(Minutes {
            text: self.minutes_text.clone()?,
            status: self.minutes_status?,
            approved_on: self.minutes_approved_on,
            version: self.minutes_version?,
        })
    }
}

/// The meeting page's data in one query: the meeting, its minutes and
/// reschedules, whether `reader` may see its internals (sits in the body on
/// the day of the meeting or today), and for those who may, the
/// participants; the documents of the agenda items `reader` may see. Every
/// part goes through its visibility rule (migration …20261206000100).
pub async fn details(
    db: impl PgExecutor<'_>,
    id: i64,
    reader: Reader,
) -> sqlx::Result<Option<MeetingDetails>> {
    sqlx::query_as(
        "SELECT m.id, m.body_id, b.slug AS body_slug, b.name AS body_name, m.kind, m.starts_at,
                m.ends_at,
                CASE WHEN viewer.member THEN m.location ELSE '' END AS location,
                CASE WHEN viewer.member THEN m.online_url END AS online_url,
                CASE WHEN viewer.member THEN m.notes ELSE '' END AS notes,
                m.status, m.cancel_reason, m.proposal_deadline, b.reminder_days, m.sequence, m.version,
                m.created_at, m.modified_at,
                mi.text AS minutes_text, mi.status AS minutes_status,
                mi.approved_on AS minutes_approved_on, mi.version AS minutes_version,
                (SELECT coalesce(json_agg(json_build_object(
                            'old_starts_at', r.old_starts_at, 'new_starts_at', r.new_starts_at,
                            'reason', r.reason, 'changed_at', r.changed_at)
                          ORDER BY r.changed_at, r.id), '[]')
                 FROM meeting_reschedule r WHERE r.meeting_id = m.id) AS reschedules,
                (SELECT coalesce(json_agg(json_build_object('letter', v.letter, 'sent_at', v.sent_at,
                                             'adopted', v.adopted)
                          ORDER BY v.letter), '[]')
                 FROM agenda_version v WHERE v.meeting_id = m.id) AS versions,
                viewer.member,
                CASE WHEN viewer.member THEN
                    (SELECT coalesce(json_agg(json_build_object(
                                'person_id', p.id, 'name', p.given_name || ' ' || p.family_name,
                                'organisation', o.name, 'reason', mp.reason, 'invited', mp.invited,
                                'attendance', mp.attendance, 'represented_by', mp.represented_by,
                                'answer', mp.answer, 'substitute', mp.substitute)
                              ORDER BY mp.invited DESC, mp.reason, o.name NULLS LAST,
                                       p.family_name, p.given_name), '[]')
                     FROM meeting_participant mp
                     JOIN person p ON p.id = mp.person_id
                     LEFT JOIN organisation o ON o.id = mp.organisation_id
                     WHERE mp.meeting_id = m.id)
                ELSE '[]' END AS participants,
                (SELECT coalesce(json_agg(json_build_object(
                            'id', d.id, 'agenda_item_id', d.agenda_item_id,
                            'filename', d.filename, 'size_bytes', d.size_bytes,
                            'confidential', d.confidential, 'version_no', d.version_no)
                          ORDER BY d.uploaded_at, d.id), '[]')
                 FROM document d JOIN agenda_item a ON a.id = d.agenda_item_id
                 WHERE a.meeting_id = m.id AND agenda_item_on_agenda(a) AND NOT d.superseded
                   AND document_visible($2, d.confidential, a, a.body_id, viewer.day)) AS documents
         FROM meeting m JOIN body b ON b.id = m.body_id
         CROSS JOIN LATERAL (
             SELECT meeting_internals_visible($2, m) AS member,
                    (m.starts_at AT TIME ZONE 'Europe/Brussels')::date AS day) viewer
         LEFT JOIN minutes mi ON mi.meeting_id = m.id AND minutes_visible($2, m, mi.status)
         WHERE m.id = $1",
    )
    .bind(id)
    .bind(reader)
    .fetch_optional(db)
    .await
}

/// The meetings of the bodies in `body_ids`, for a calendar feed.
pub async fn for_bodies(db: impl PgExecutor<'_>, body_ids: &[i64]) -> sqlx::Result<Vec<Meeting>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE m.body_id = ANY($1) ORDER BY m.starts_at"
    ))
    .bind(body_ids)
    .fetch_all(db)
    .await
}

/// Does the body hold meetings of this kind?
pub async fn body_holds(
    db: impl PgExecutor<'_>,
    body_id: i64,
    kind: MeetingKind,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM body_meeting_kind WHERE body_id = $1 AND kind = $2)",
    )
    .bind(body_id)
    .bind(kind)
    .fetch_one(db)
    .await
}

const WRONG_KIND: &str = "Dit orgaan houdt geen vergaderingen van deze soort: het (in)formeel VESOC-overleg vergadert formeel of informeel, de werkgroep als werkgroep.";

/// Schedules a meeting: refused when its body does not hold meetings of
/// this kind.
pub async fn schedule(
    conn: &mut PgConnection,
    actor: i64,
    f: &MeetingFields,
) -> Result<Outcome<i64>> {
    if !body_holds(&mut *conn, f.body_id, f.kind).await? {
        return Ok(Outcome::refused("body_kind", WRONG_KIND));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO meeting (body_id, kind, starts_at, ends_at, location, online_url, notes, created_by,
                              proposal_deadline)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(f.body_id)
    .bind(f.kind)
    .bind(f.starts_at)
    .bind(f.ends_at)
    .bind(&f.location)
    .bind(&f.online_url)
    .bind(&f.notes)
    .bind(actor)
    .bind(f.proposal_deadline)
    .fetch_one(&mut *conn)
    .await?;
    audit::Entry::new("create", "meeting", id)
        .after(json!(f))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(id))
}

/// Saves the form; a new date or time is kept in the reschedule history.
/// Every change calendar clients see bumps the iCalendar SEQUENCE; a new
/// kind, time or place marks a meeting of a series changed by hand. A held
/// or cancelled meeting is not changed any more (stale); the meeting stays
/// with its body: moving it would silently change who was invited.
pub async fn update(
    conn: &mut PgConnection,
    actor: i64,
    before: &Meeting,
    seen_version: i32,
    f: &MeetingFields,
    reason: &str,
) -> Result<Outcome> {
    if !before.is_open() {
        return Ok(Outcome::Stale);
    }
    if !body_holds(&mut *conn, before.body_id, f.kind).await? {
        return Ok(Outcome::refused("body_kind", WRONG_KIND));
    }
    let rows = sqlx::query(
        "UPDATE meeting SET kind = $3, starts_at = $4, ends_at = $5, location = $6, online_url = $7,
                notes = $8, proposal_deadline = $9, version = version + 1, sequence = sequence + 1,
                changed_by_hand = changed_by_hand OR (kind, starts_at, ends_at, location) IS DISTINCT FROM ($3, $4, $5, $6),
                modified_at = now()
         WHERE id = $1 AND version = $2",
    )
    .bind(before.id)
    .bind(seen_version)
    .bind(f.kind)
    .bind(f.starts_at)
    .bind(f.ends_at)
    .bind(&f.location)
    .bind(&f.online_url)
    .bind(&f.notes)
    .bind(f.proposal_deadline)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if rows == 0 {
        return Ok(Outcome::Stale);
    }
    if before.starts_at != f.starts_at || before.ends_at != f.ends_at {
        sqlx::query(
            "INSERT INTO meeting_reschedule (meeting_id, old_starts_at, old_ends_at, new_starts_at,
                                             new_ends_at, reason, changed_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(before.id)
        .bind(before.starts_at)
        .bind(before.ends_at)
        .bind(f.starts_at)
        .bind(f.ends_at)
        .bind(reason)
        .bind(actor)
        .execute(&mut *conn)
        .await?;
    }
    audit::Entry::new("update", "meeting", before.id)
        .before(json!(before))
        .after(json!(f))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

/// Moves the meeting to `to` if the version is the one seen and the
/// transition is allowed (else stale); a cancellation needs a reason, and
/// only a meeting that has begun can be marked held.
pub async fn set_status(
    conn: &mut PgConnection,
    actor: i64,
    before: &Meeting,
    seen_version: i32,
    to: MeetingStatus,
    reason: &str,
) -> Result<Outcome> {
    let reason = reason.trim();
    if !before.status.can_become(to) {
        return Ok(Outcome::Stale);
    }
    if to == MeetingStatus::Cancelled && reason.is_empty() {
        return Ok(Outcome::refused(
            "reden",
            "Geef een reden voor de annulering.",
        ));
    }
    if reason.chars().count() > MAX_REASON {
        return Ok(Outcome::refused(
            "reden",
            "De reden mag hoogstens 500 tekens lang zijn.",
        ));
    }
    if to == MeetingStatus::Held && before.starts_at > OffsetDateTime::now_utc() {
        return Ok(Outcome::refused(
            "form",
            "Een vergadering kan pas als gehouden worden gemarkeerd als ze begonnen is.",
        ));
    }
    let cancel_reason = (to == MeetingStatus::Cancelled).then_some(reason);
    let rows = sqlx::query(
        "UPDATE meeting SET status = $3, cancel_reason = $4, version = version + 1,
                sequence = sequence + 1, modified_at = now()
         WHERE id = $1 AND version = $2 AND status = $5",
    )
    .bind(before.id)
    .bind(seen_version)
    .bind(to)
    .bind(cancel_reason)
    .bind(before.status)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let entry = audit::Entry::new("set_status", "meeting", before.id)
        .before(json!({ "status": before.status }))
        .after(json!({ "status": to, "cancel_reason": cancel_reason }));
    audited(conn, actor, rows, entry).await
}

/// The end of a write guarded by a version: stale when it changed no row,
/// else done with `entry` in the audit log.
async fn audited(
    conn: &mut PgConnection,
    actor: i64,
    rows: u64,
    entry: audit::Entry<'_>,
) -> Result<Outcome> {
    if rows == 0 {
        return Ok(Outcome::Stale);
    }
    entry.write(conn, actor).await?;
    Ok(Outcome::Done(()))
}

/// The longest reason (of a move or a cancellation).
pub const MAX_REASON: usize = 500;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, serde::Deserialize)]
pub struct Reschedule {
    #[serde(with = "crate::base::dutch::moment")]
    pub old_starts_at: OffsetDateTime,
    #[serde(with = "crate::base::dutch::moment")]
    pub new_starts_at: OffsetDateTime,
    pub reason: String,
    #[serde(with = "crate::base::dutch::moment")]
    pub changed_at: OffsetDateTime,
}

/// A sent version of the agenda, as the meeting page lists it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SentVersion {
    pub letter: String,
    pub adopted: bool,
    #[serde(with = "crate::base::dutch::moment")]
    pub sent_at: OffsetDateTime,
}

/// Other meetings of the same body on the same Brussels day.
pub async fn same_day(db: impl PgExecutor<'_>, m: &Meeting) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM meeting
         WHERE body_id = $1 AND id <> $2 AND status <> 'cancelled'
           AND (starts_at AT TIME ZONE 'Europe/Brussels')::date
             = ($3::timestamptz AT TIME ZONE 'Europe/Brussels')::date",
    )
    .bind(m.body_id)
    .bind(m.id)
    .bind(m.starts_at)
    .fetch_one(db)
    .await
}

/// Meetings of a consultation body (formal or informal) planned or held
/// in a calendar year: the 2019 engagement asks for at least two.
pub async fn consultations_in_year(
    db: impl PgExecutor<'_>,
    body_id: i64,
    year: i32,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM meeting
         WHERE body_id = $1 AND status <> 'cancelled' AND kind IN ('formal', 'informal')
           AND extract(year FROM starts_at AT TIME ZONE 'Europe/Brussels') = $2",
    )
    .bind(body_id)
    .bind(year)
    .fetch_one(db)
    .await
}

/// Agenda items accepted onto this meeting's agenda.
pub async fn agenda_size(db: impl PgExecutor<'_>, meeting: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM agenda_item WHERE meeting_id = $1 AND status IN ('accepted', 'dealt_with')",
    )
    .bind(meeting)
    .fetch_one(db)
    .await
}

/// May `reader` see the internals (place, invitations, attendance) of the
/// meeting? The rule `meeting_internals_visible`.
pub async fn internals_visible(
    db: impl PgExecutor<'_>,
    reader: Reader,
    meeting: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT coalesce((SELECT meeting_internals_visible($1, m) FROM meeting m WHERE m.id = $2),
                         false)",
    )
    .bind(reader)
    .bind(meeting)
    .fetch_one(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, serde::Deserialize)]
pub struct Participant {
    pub person_id: i64,
    pub name: String,
    pub organisation: Option<String>,
    pub reason: InvitationReason,
    pub invited: bool,
    pub attendance: Option<Attendance>,
    pub represented_by: Option<String>,
    /// What the invitee answered to the convocation, if anything.
    #[serde(default)]
    pub answer: Option<super::rsvp::Answer>,
    #[serde(default)]
    pub substitute: Option<String>,
}

pub async fn participants(db: impl PgExecutor<'_>, meeting: i64) -> sqlx::Result<Vec<Participant>> {
    sqlx::query_as(
        "SELECT p.id AS person_id, p.given_name || ' ' || p.family_name AS name,
                o.name AS organisation, mp.reason, mp.invited, mp.attendance, mp.represented_by,
                mp.answer, mp.substitute
         FROM meeting_participant mp
         JOIN person p ON p.id = mp.person_id
         LEFT JOIN organisation o ON o.id = mp.organisation_id
         WHERE mp.meeting_id = $1
         ORDER BY mp.invited DESC, mp.reason, o.name NULLS LAST, p.family_name, p.given_name",
    )
    .bind(meeting)
    .fetch_all(db)
    .await
}

/// What inviting according to the composition did: how many were added,
/// and how many people the composition names on the meeting date.
#[derive(Debug, Clone, Copy)]
pub struct Invited {
    pub added: u64,
    pub named: u64,
}

/// Builds the invitation list from the composition on the meeting date,
/// the advisory members, and the ministers whose competences match the
/// agenda items. People already on the list (or removed from it by the
/// secretariat) are left as they are. Returns how many were added.
pub async fn invite_from_composition(
    conn: &mut PgConnection,
    actor: i64,
    m: &Meeting,
) -> Result<Outcome<Invited>> {
    let on = crate::base::dutch::brussels(m.starts_at).date();
    let added = sqlx::query(
        "INSERT INTO meeting_participant (meeting_id, person_id, organisation_id, reason)
         SELECT DISTINCT ON (ms.person_id) $1, ms.person_id, ms.organisation_id,
                CASE WHEN ms.side = 'advisory' THEN 'advisory'::invitation_reason
                     ELSE 'composition'::invitation_reason END
         FROM membership ms
         WHERE ms.body_id = $2 AND daterange(ms.valid_from, ms.valid_until, '[]') @> $3::date
         ORDER BY ms.person_id, ms.role
         ON CONFLICT (meeting_id, person_id) DO NOTHING",
    )
    .bind(m.id)
    .bind(m.body_id)
    .bind(on)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let competent = sqlx::query(
        "INSERT INTO meeting_participant (meeting_id, person_id, organisation_id, reason)
         SELECT DISTINCT $1, mc.person_id, (SELECT id FROM organisation WHERE kind = 'government' ORDER BY id LIMIT 1),
                'competence'::invitation_reason
         FROM agenda_item ai
         JOIN agenda_item_competence aic ON aic.agenda_item_id = ai.id
         JOIN minister_competence mc ON mc.competence_id = aic.competence_id
         WHERE ai.meeting_id = $1 AND ai.status IN ('accepted', 'dealt_with')
           AND daterange(mc.valid_from, mc.valid_until, '[]') @> $2::date
         ON CONFLICT (meeting_id, person_id) DO NOTHING",
    )
    .bind(m.id)
    .bind(on)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let total = added + competent;
    let named: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT person_id) FROM membership
         WHERE body_id = $1 AND daterange(valid_from, valid_until, '[]') @> $2::date",
    )
    .bind(m.body_id)
    .bind(on)
    .fetch_one(&mut *conn)
    .await?;
    audit::Entry::new("invite_from_composition", "meeting", m.id)
        .after(json!({ "added": total, "on": crate::base::dutch::iso_date(on) }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(Invited {
        added: total,
        named: named.max(0) as u64,
    }))
}

/// Is there such a person?
async fn person_exists(conn: &mut PgConnection, person: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM person WHERE id = $1)")
        .bind(person)
        .fetch_one(conn)
        .await
}

/// Adds people by hand (`None` in `people`: one not chosen or not a
/// number), or puts someone removed back on the list; every one added is
/// audited. Refused when none is chosen or one is not a known person.
/// Returns how many were added.
pub async fn invite(
    conn: &mut PgConnection,
    actor: i64,
    meeting: i64,
    people: &[Option<i64>],
) -> Result<Outcome<u64>> {
    let mut chosen: Vec<i64> = Vec::new();
    for person in people {
        match person {
            Some(p) if person_exists(&mut *conn, *p).await? => {
                if !chosen.contains(p) {
                    chosen.push(*p);
                }
            }
            _ => {
                return Ok(Outcome::refused(
                    "person_id",
                    "Kies een persoon uit de lijst.",
                ));
            }
        }
    }
    if chosen.is_empty() {
        return Ok(Outcome::refused(
            "person_id",
            "Kies een persoon uit de lijst.",
        ));
    }
    let mut added = 0;
    for person in chosen {
        let rows = sqlx::query(
            "INSERT INTO meeting_participant (meeting_id, person_id, organisation_id, reason)
             VALUES ($1, $2, (SELECT organisation_id FROM person_function WHERE person_id = $2
                              AND organisation_id IS NOT NULL ORDER BY valid_from DESC NULLS LAST LIMIT 1),
                     'added')
             ON CONFLICT (meeting_id, person_id) DO UPDATE SET invited = true
             WHERE NOT meeting_participant.invited",
        )
        .bind(meeting)
        .bind(person)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if rows > 0 {
            added += rows;
            audit::Entry::new("invite", "meeting", meeting)
                .after(json!({ "person_id": person }))
                .write(&mut *conn, actor)
                .await?;
        }
    }
    Ok(Outcome::Done(added))
}

/// Takes someone off the list; the row stays, so that a later rebuild
/// from the composition does not put them back. Someone not on the list
/// is "not found".
pub async fn uninvite(
    conn: &mut PgConnection,
    actor: i64,
    meeting: i64,
    person: Option<i64>,
) -> Result<Outcome> {
    let person = person.ok_or(AppError::NotFound)?;
    let rows = sqlx::query("UPDATE meeting_participant SET invited = false WHERE meeting_id = $1 AND person_id = $2 AND invited")
        .bind(meeting)
        .bind(person)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if rows == 0 {
        return Err(AppError::NotFound);
    }
    audit::Entry::new("uninvite", "meeting", meeting)
        .before(json!({ "person_id": person }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

/// The attendance register as typed: per invited person, the attendance
/// code and by whom they were represented (both trimmed, maybe empty).
pub type TypedAttendance = [(i64, String, String)];

/// Records the register of a convened or held meeting. Every invited person
/// is checked; the message is about the last one that is wrong.
pub async fn record_attendance(
    conn: &mut PgConnection,
    actor: i64,
    meeting: &Meeting,
    typed: &TypedAttendance,
) -> Result<Outcome> {
    if meeting.status != MeetingStatus::Held && meeting.status != MeetingStatus::Convened {
        return Ok(Outcome::refused(
            "aanwezigheid",
            "Aanwezigheden worden opgenomen voor een bijeengeroepen of gehouden vergadering.",
        ));
    }
    if meeting.starts_at > OffsetDateTime::now_utc() {
        return Ok(Outcome::refused(
            "aanwezigheid",
            "Aanwezigheden worden pas opgenomen als de vergadering begonnen is.",
        ));
    }
    let mut entries = Vec::new();
    let mut error = None;
    for p in participants(&mut *conn, meeting.id)
        .await?
        .iter()
        .filter(|p| p.invited)
    {
        let (code, by) = typed
            .iter()
            .find(|(id, _, _)| *id == p.person_id)
            .map(|(_, c, b)| (c.as_str(), b.as_str()))
            .unwrap_or_default();
        let attendance = (!code.is_empty())
            .then(|| Attendance::parse(code))
            .flatten();
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
        entries.push((
            p.person_id,
            attendance,
            (!by.is_empty()).then(|| by.to_string()),
        ));
    }
    if let Some(error) = error {
        return Ok(Outcome::refused("aanwezigheid", error));
    }
    let meeting = meeting.id;
    for (person, attendance, represented_by) in &entries {
        sqlx::query(
            "UPDATE meeting_participant SET attendance = $3, represented_by = $4
             WHERE meeting_id = $1 AND person_id = $2",
        )
        .bind(meeting)
        .bind(person)
        .bind(attendance)
        .bind(represented_by)
        .execute(&mut *conn)
        .await?;
    }
    let after: Vec<_> = entries
        .iter()
        .map(|(p, a, r)| json!({ "person_id": p, "attendance": a, "represented_by": r }))
        .collect();
    audit::Entry::new("record_attendance", "meeting", meeting)
        .after(json!(after))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Minutes {
    pub text: String,
    pub status: MinutesStatus,
    pub approved_on: Option<Date>,
    pub version: i32,
}

pub async fn minutes(db: impl PgExecutor<'_>, meeting: i64) -> sqlx::Result<Option<Minutes>> {
    sqlx::query_as("SELECT text, status, approved_on, version FROM minutes WHERE meeting_id = $1")
        .bind(meeting)
        .fetch_optional(db)
        .await
}

/// Why approved minutes are not edited.
pub const LOCKED: &str = "Het verslag is goedgekeurd en kan niet meer bewerkt worden: verbeter het met een correctie (met de reden).";

/// The longest minutes, in characters.
const MAX_MINUTES: usize = 200_000;

/// Saves the draft. `seen_version` 0 means "there were no minutes yet".
/// Approved minutes are not edited any more; a meeting that has not begun
/// or was cancelled gets none.
pub async fn save_minutes(
    conn: &mut PgConnection,
    actor: i64,
    meeting: &Meeting,
    seen_version: i32,
    text: &str,
) -> Result<Outcome> {
    if meeting.is_cancelled() {
        return Ok(Outcome::refused(
            "text",
            "Een geannuleerde vergadering krijgt geen verslag.",
        ));
    }
    if meeting.starts_at > OffsetDateTime::now_utc() {
        return Ok(Outcome::refused(
            "text",
            "Een verslag wordt pas opgesteld als de vergadering begonnen is.",
        ));
    }
    let meeting = meeting.id;
    if text.trim().is_empty() {
        return Ok(Outcome::refused("text", "Het verslag is leeg."));
    }
    if text.chars().count() > MAX_MINUTES {
        return Ok(Outcome::refused(
            "text",
            "Het verslag is te lang (hoogstens 200 000 tekens).",
        ));
    }
    let text = text.trim();
    let before = minutes(&mut *conn, meeting).await?;
    if before
        .as_ref()
        .is_some_and(|m| m.status == MinutesStatus::Approved)
    {
        return Ok(Outcome::refused("text", LOCKED));
    }
    let rows = match &before {
        None if seen_version == 0 => sqlx::query(
            "INSERT INTO minutes (meeting_id, text, modified_by) VALUES ($1, $2, $3)
             ON CONFLICT (meeting_id) DO NOTHING",
        )
        .bind(meeting)
        .bind(text)
        .bind(actor)
        .execute(&mut *conn)
        .await?
        .rows_affected(),
        Some(_) => sqlx::query(
            "UPDATE minutes SET text = $3, version = version + 1, modified_by = $4, modified_at = now()
             WHERE meeting_id = $1 AND version = $2 AND status IN ('draft', 'sent')",
        )
        .bind(meeting)
        .bind(seen_version)
        .bind(text)
        .bind(actor)
        .execute(&mut *conn)
        .await?
        .rows_affected(),
        None => 0,
    };
    let entry = audit::Entry::new("save_minutes", "meeting", meeting)
        .before_opt(before.map(|m| json!({ "text": m.text })))
        .after(json!({ "text": text }));
    audited(conn, actor, rows, entry).await
}

/// Approves the draft on `on` (`None`: no valid date typed), not before
/// the meeting, and only when the secretariat `confirmed` it.
pub async fn approve_minutes(
    conn: &mut PgConnection,
    actor: i64,
    meeting: &Meeting,
    seen_version: i32,
    on: Option<Date>,
    confirmed: bool,
) -> Result<Outcome> {
    if !confirmed {
        return Ok(Outcome::refused(
            "bevestigd",
            "Vink aan dat u bevestigt dat dit verslag goedgekeurd is.",
        ));
    }
    let Some(on) = on else {
        return Ok(Outcome::refused(
            "approved_on",
            "Vul de datum van goedkeuring in (JJJJ-MM-DD).",
        ));
    };
    if on < crate::base::dutch::brussels(meeting.starts_at).date() {
        return Ok(Outcome::refused(
            "approved_on",
            "Een verslag wordt niet goedgekeurd vóór de vergadering.",
        ));
    }
    let meeting = meeting.id;
    let rows = sqlx::query(
        "UPDATE minutes SET status = 'approved', approved_on = $3, version = version + 1,
                modified_by = $4, modified_at = now()
         WHERE meeting_id = $1 AND version = $2 AND status IN ('draft', 'sent')",
    )
    .bind(meeting)
    .bind(seen_version)
    .bind(on)
    .bind(actor)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let after = json!({ "status": "approved", "approved_on": crate::base::dutch::iso_date(on) });
    let entry = audit::Entry::new("approve_minutes", "meeting", meeting)
        .before(json!({ "status": "draft" }))
        .after(after);
    audited(conn, actor, rows, entry).await
}

/// People to add by hand to an invitation list.
pub async fn people(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT id, given_name || ' ' || family_name FROM person ORDER BY family_name, given_name",
    )
    .fetch_all(db)
    .await
}
