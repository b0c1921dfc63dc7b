//! The yearly overview's numbers. A year is a calendar year in Brussels
//! time: a meeting at 00:30 on 1 January (Brussels) belongs to the new year.

use crate::auth::Reader;
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;
use time::Date;

use crate::meetings::MeetingKind;

/// Meetings of one body and kind in the year, by status.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct MeetingCount {
    pub body_name: String,
    pub kind: MeetingKind,
    pub held: i64,
    pub cancelled: i64,
    /// planned or convened, not (yet) held
    pub planned: i64,
}

pub async fn meetings(db: impl PgExecutor<'_>, year: i32) -> sqlx::Result<Vec<MeetingCount>> {
    sqlx::query_as(
        "SELECT b.name AS body_name, bk.kind,
                count(m.id) FILTER (WHERE m.status = 'held') AS held,
                count(m.id) FILTER (WHERE m.status = 'cancelled') AS cancelled,
                count(m.id) FILTER (WHERE m.status IN ('planned', 'convened')) AS planned
         FROM body b
         JOIN body_meeting_kind bk ON bk.body_id = b.id
         LEFT JOIN meeting m ON m.body_id = b.id AND m.kind = bk.kind
              AND m.starts_at >= make_timestamptz($1, 1, 1, 0, 0, 0, 'Europe/Brussels')
              AND m.starts_at < make_timestamptz($1 + 1, 1, 1, 0, 0, 0, 'Europe/Brussels')
         GROUP BY b.id, b.name, b.sort_order, bk.kind
         ORDER BY b.sort_order, b.name, bk.kind",
    )
    .bind(year)
    .fetch_all(db)
    .await
}

/// Formal and informal meetings of the (in)formal VESOC (the consultation
/// body) held in the year: what the 2019 engagement counts.
pub async fn consultations_held(db: impl PgExecutor<'_>, year: i32) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM meeting m JOIN body b ON b.id = m.body_id
         WHERE b.kind = 'consultation' AND m.kind IN ('formal', 'informal')
           AND m.status = 'held'
           AND m.starts_at >= make_timestamptz($1, 1, 1, 0, 0, 0, 'Europe/Brussels')
           AND m.starts_at < make_timestamptz($1 + 1, 1, 1, 0, 0, 0, 'Europe/Brussels')",
    )
    .bind(year)
    .fetch_one(db)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct ConcludedAgreement {
    pub slug: String,
    pub title: String,
    pub concluded_on: Date,
    pub published: bool,
}

/// Agreements concluded in the year that `reader` may see
/// (`agreement_visible`).
pub async fn agreements(
    db: impl PgExecutor<'_>,
    year: i32,
    reader: Reader,
) -> sqlx::Result<Vec<ConcludedAgreement>> {
    sqlx::query_as(
        "SELECT slug, title, concluded_on, status = 'published' AS published
         FROM agreement
         WHERE concluded_on >= make_date($1, 1, 1) AND concluded_on < make_date($1 + 1, 1, 1)
           AND agreement_visible($2, status)
         ORDER BY concluded_on, title",
    )
    .bind(year)
    .bind(reader)
    .fetch_all(db)
    .await
}

/// Agenda items dealt with at the year's meetings, per proposing side and
/// outcome. Counts only: no title or text of any (confidential) item.
#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize, Deserialize)]
pub struct ItemCount {
    pub side: String,
    pub noted: i64,
    pub discussed: i64,
    pub decided: i64,
    pub without_outcome: i64,
    pub total: i64,
}

pub async fn agenda_items(db: impl PgExecutor<'_>, year: i32) -> sqlx::Result<Vec<ItemCount>> {
    sqlx::query_as(
        "SELECT side,
                count(*) FILTER (WHERE outcome = 'noted') AS noted,
                count(*) FILTER (WHERE outcome = 'discussed') AS discussed,
                count(*) FILTER (WHERE outcome = 'decided') AS decided,
                count(*) FILTER (WHERE outcome IS NULL) AS without_outcome,
                count(*) AS total
         FROM (SELECT a.outcome,
                      CASE WHEN a.proposer_minister_id IS NOT NULL OR o.kind = 'government'
                                THEN 'government'
                           WHEN o.kind IN ('employers', 'trade_union') THEN 'social_partners'
                           ELSE 'secretariat' END AS side
               FROM agenda_item a
               JOIN meeting m ON m.id = a.meeting_id
               LEFT JOIN organisation o ON o.id = a.proposer_organisation_id
               WHERE a.status = 'dealt_with'
                 AND m.starts_at >= make_timestamptz($1, 1, 1, 0, 0, 0, 'Europe/Brussels')
                 AND m.starts_at < make_timestamptz($1 + 1, 1, 1, 0, 0, 0, 'Europe/Brussels')) x
         GROUP BY side",
    )
    .bind(year)
    .fetch_all(db)
    .await
}
