//! What the start page reads: its own read model over the records, through
//! the same visibility rules (`reader_sits_in`, `agenda_item_owned`,
//! `agenda_item_visible`) as every other channel.

use sqlx::PgExecutor;
use time::{Date, OffsetDateTime};

use crate::agenda::{ItemKind, ItemStatus};
use crate::agreements::FollowUpStatus;
use crate::auth::Reader;
use crate::meetings::{MeetingKind, MeetingStatus, MinutesStatus};

/// A proposal waiting for the secretariat, oldest first.
#[derive(Debug, sqlx::FromRow)]
pub struct Proposal {
    pub id: i64,
    pub title: String,
    pub kind: ItemKind,
    pub status: ItemStatus,
    pub created_at: OffsetDateTime,
    pub body_name: String,
    pub proposer: String,
    pub meeting_starts_at: Option<OffsetDateTime>,
}

const PROPOSAL: &str = "SELECT a.id, a.title, a.kind, a.status, a.created_at, b.name AS body_name,
        coalesce(p.given_name || ' ' || p.family_name, o.short_name, 'secretariaat') AS proposer,
        m.starts_at AS meeting_starts_at
    FROM agenda_item a JOIN body b ON b.id = a.body_id
    LEFT JOIN meeting m ON m.id = a.meeting_id
    LEFT JOIN organisation o ON o.id = a.proposer_organisation_id
    LEFT JOIN person p ON p.id = a.proposer_minister_id";

pub async fn to_review(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Proposal>> {
    let sql = format!(
        "{PROPOSAL} WHERE a.status IN ('submitted', 'in_review') ORDER BY a.created_at, a.id"
    );
    sqlx::query_as(&sql).fetch_all(db).await
}

/// The reader's own proposals (`agenda_item_owned`) that are still under
/// way: not yet dealt with, rejected or withdrawn. Newest first.
pub async fn open_proposals(
    db: impl PgExecutor<'_>,
    reader: Reader,
) -> sqlx::Result<Vec<Proposal>> {
    let sql = format!(
        "{PROPOSAL} WHERE agenda_item_owned($1, a)
             AND a.status IN ('submitted', 'in_review', 'returned', 'accepted', 'deferred')
         ORDER BY a.created_at DESC, a.id DESC"
    );
    sqlx::query_as(&sql).bind(reader).fetch_all(db).await
}

/// A meeting with where its preparation and follow-up stand.
#[derive(Debug, sqlx::FromRow)]
pub struct MeetingState {
    pub id: i64,
    pub body_name: String,
    pub kind: MeetingKind,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    pub status: MeetingStatus,
    pub on_agenda: i64,
    pub to_review: i64,
    pub invited: i64,
    pub attendance: i64,
    pub minutes: Option<MinutesStatus>,
}

/// The meetings the reader works towards: for the secretariat every coming
/// meeting and every meeting of the last 90 days whose minutes are not yet
/// approved; for a member, the coming meetings of the bodies it sits in and
/// those its minister is invited to.
pub async fn meetings(db: impl PgExecutor<'_>, reader: Reader) -> sqlx::Result<Vec<MeetingState>> {
    sqlx::query_as(
        "SELECT m.id, b.name AS body_name, m.kind, m.starts_at, m.ends_at, m.status,
             (SELECT count(*) FROM agenda_item a
              WHERE a.meeting_id = m.id AND agenda_item_on_agenda(a)) AS on_agenda,
             (SELECT count(*) FROM agenda_item a
              WHERE a.meeting_id = m.id AND a.status IN ('submitted', 'in_review')) AS to_review,
             (SELECT count(*) FROM meeting_participant p
              WHERE p.meeting_id = m.id AND p.invited) AS invited,
             (SELECT count(*) FROM meeting_participant p
              WHERE p.meeting_id = m.id AND p.attendance IS NOT NULL) AS attendance,
             mi.status AS minutes
         FROM meeting m JOIN body b ON b.id = m.body_id
         LEFT JOIN minutes mi ON mi.meeting_id = m.id
         WHERE m.status <> 'cancelled'
           AND (m.ends_at >= now()
                OR ($1).reads_all AND m.ends_at >= now() - interval '90 days'
                   AND mi.status IS DISTINCT FROM 'approved')
           AND (reader_sits_in($1, m.body_id, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)
                OR EXISTS (SELECT 1 FROM meeting_participant p
                           WHERE p.meeting_id = m.id AND p.invited
                             AND p.person_id = ($1).minister_id))
         ORDER BY m.starts_at, m.id
         LIMIT 12",
    )
    .bind(reader)
    .fetch_all(db)
    .await
}

/// An item of a coming meeting's agenda that the reader may see.
#[derive(Debug, sqlx::FromRow)]
pub struct AgendaLine {
    pub meeting_id: i64,
    pub id: i64,
    pub number: Option<String>,
    pub position: Option<i32>,
    pub title: String,
    pub owned: bool,
}

pub async fn agendas(
    db: impl PgExecutor<'_>,
    reader: Reader,
    meetings: &[i64],
) -> sqlx::Result<Vec<AgendaLine>> {
    sqlx::query_as(
        "SELECT a.meeting_id, a.id, a.number, a.position, a.title,
                agenda_item_owned($1, a) AS owned
         FROM agenda_item a JOIN meeting m ON m.id = a.meeting_id
         WHERE a.meeting_id = ANY($2) AND agenda_item_on_agenda(a)
           AND agenda_item_visible($1, a, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)
         ORDER BY a.meeting_id, a.position",
    )
    .bind(reader)
    .bind(meetings)
    .fetch_all(db)
    .await
}

/// An action line within a minister's competences, with its latest
/// follow-up.
#[derive(Debug, sqlx::FromRow)]
pub struct Line {
    pub id: i64,
    pub label: String,
    pub title: String,
    pub agreement_slug: String,
    pub agreement_title: String,
    pub status: Option<FollowUpStatus>,
    pub recorded_on: Option<Date>,
}

/// The lines of published agreements linked to a competence the minister
/// holds on `on`, and the lines below them (as `line_within_competence` of
/// the agreements decides who may add follow-up).
pub async fn lines_of_minister(
    db: impl PgExecutor<'_>,
    minister: i64,
    on: Date,
) -> sqlx::Result<Vec<Line>> {
    sqlx::query_as(
        "WITH RECURSIVE allowed AS (
             SELECT alc.action_line_id AS id FROM action_line_competence alc
             JOIN minister_competence mc ON mc.competence_id = alc.competence_id
             WHERE mc.person_id = $1
               AND mc.valid_from <= $2 AND (mc.valid_until IS NULL OR mc.valid_until >= $2)
             UNION
             SELECT c.id FROM action_line c JOIN allowed a ON c.parent_id = a.id
         )
         SELECT al.id, al.label, al.title, ag.slug AS agreement_slug,
                ag.title AS agreement_title, f.status, f.recorded_on
         FROM allowed JOIN action_line al ON al.id = allowed.id
         JOIN agreement ag ON ag.id = al.agreement_id AND ag.status = 'published'
         LEFT JOIN LATERAL (
             SELECT status, recorded_on FROM follow_up
             WHERE action_line_id = al.id ORDER BY recorded_on DESC, id DESC LIMIT 1
         ) f ON true
         ORDER BY ag.concluded_on DESC NULLS LAST, ag.id, al.id
         LIMIT 50",
    )
    .bind(minister)
    .bind(on)
    .fetch_all(db)
    .await
}

/// How a minister's competences stand on `on`: how many they hold, and the
/// last day of those that have ended.
#[derive(Debug, sqlx::FromRow)]
pub struct Competences {
    pub current: i64,
    pub last_ended: Option<Date>,
}

pub async fn competences(
    db: impl PgExecutor<'_>,
    minister: i64,
    on: Date,
) -> sqlx::Result<Competences> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE valid_from <= $2
                                   AND (valid_until IS NULL OR valid_until >= $2)) AS current,
                max(valid_until) FILTER (WHERE valid_until < $2) AS last_ended
         FROM minister_competence WHERE person_id = $1",
    )
    .bind(minister)
    .bind(on)
    .fetch_one(db)
    .await
}

/// What an administrator looks after.
#[derive(Debug, sqlx::FromRow)]
pub struct Accounts {
    pub active: i64,
    pub disabled: i64,
    pub without_password: i64,
}

pub async fn accounts(db: impl PgExecutor<'_>) -> sqlx::Result<Accounts> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE disabled_at IS NULL) AS active,
                count(*) FILTER (WHERE disabled_at IS NOT NULL) AS disabled,
                count(*) FILTER (WHERE disabled_at IS NULL AND password_hash IS NULL)
                    AS without_password
         FROM account",
    )
    .fetch_one(db)
    .await
}
