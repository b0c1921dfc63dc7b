//! Follow-up per action line and measured values per goal.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use time::Date;

use super::Rows;
use crate::audit;
use crate::base::write::{Constraint, on_constraint};
use crate::base::{Outcome, Result};

crate::coded! {
    pub enum FollowUpStatus: "follow_up_status" {
        NotStarted => ("not_started", "niet gestart"),
        Ongoing => ("ongoing", "lopend"),
        Achieved => ("achieved", "gerealiseerd"),
        Delayed => ("delayed", "vertraagd"),
        Dropped => ("dropped", "geschrapt"),
    }
}

/// One dated follow-up entry, with who recorded it as the public may see
/// it: the cabinet or the secretariat, not the staff member's name.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct FollowUpEntry {
    pub action_line_id: i64,
    pub recorded_on: Date,
    pub status: FollowUpStatus,
    pub note: String,
    pub author: String,
}

const FOLLOW_UP_SELECT: &str = "SELECT f.action_line_id, f.recorded_on, f.status, f.note,
        CASE acc.role WHEN 'cabinet' THEN 'kabinet ' || mp.given_name || ' ' || mp.family_name
                      WHEN 'secretariat' THEN 'secretariaat (SERV)'
                      ELSE '' END AS author
     FROM follow_up f
     JOIN action_line al ON al.id = f.action_line_id
     LEFT JOIN account acc ON acc.id = f.author_id
     LEFT JOIN person mp ON mp.id = acc.minister_id";

/// Every entry of an agreement, per line newest first: per line from the
/// index on (line, date), and who recorded it only for the entries that
/// name someone. Joined as in [`FOLLOW_UP_SELECT`], the generic plan read
/// all 3,000 entries of the generated history and hashed all people, for
/// the hundred of one agreement.
pub async fn follow_ups(db: impl PgExecutor<'_>, agreement: i64) -> Rows<FollowUpEntry> {
    sqlx::query_as(
        "SELECT f.action_line_id, f.recorded_on, f.status, f.note,
                coalesce((SELECT CASE acc.role
                                     WHEN 'cabinet' THEN 'kabinet ' ||
                                         (SELECT mp.given_name || ' ' || mp.family_name
                                          FROM person mp WHERE mp.id = acc.minister_id)
                                     WHEN 'secretariat' THEN 'secretariaat (SERV)'
                                 END
                          FROM account acc WHERE acc.id = f.author_id), '') AS author
         FROM action_line al
         -- Sorted inside, so that it stays a lookup per line (a plain
         -- subquery would be flattened into the join above).
         CROSS JOIN LATERAL (SELECT f.* FROM follow_up f WHERE f.action_line_id = al.id
                             ORDER BY f.recorded_on DESC, f.id DESC) f
         WHERE al.agreement_id = $1
         ORDER BY f.action_line_id, f.recorded_on DESC, f.id DESC",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}

pub async fn line_follow_ups(db: impl PgExecutor<'_>, line: i64) -> Rows<FollowUpEntry> {
    sqlx::query_as(&format!(
        "{FOLLOW_UP_SELECT} WHERE f.action_line_id = $1 ORDER BY f.recorded_on DESC, f.id DESC"
    ))
    .bind(line)
    .fetch_all(db)
    .await
}

/// What the follow-up form sets, checked.
#[derive(Debug, Clone)]
pub struct EntryFields {
    pub recorded_on: Date,
    pub status: FollowUpStatus,
    pub note: String,
}

/// The same entry twice is a double submission.
const ENTRY_ONCE: Constraint = Constraint {
    name: "follow_up_no_duplicate",
    field: "form",
    message: "Deze opvolging (zelfde datum, status en toelichting) is al geregistreerd.",
};

pub async fn insert_follow_up(
    conn: &mut PgConnection,
    actor: i64,
    line: i64,
    f: &EntryFields,
) -> Result<Outcome<i64>> {
    let EntryFields {
        recorded_on,
        status,
        note,
    } = f;
    let inserted = sqlx::query_scalar(
        "INSERT INTO follow_up (action_line_id, recorded_on, status, note, author_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(line)
    .bind(recorded_on)
    .bind(status)
    .bind(note)
    .bind(actor)
    .fetch_one(&mut *conn)
    .await;
    let id: i64 = done!(on_constraint(inserted, &[ENTRY_ONCE])?);
    audit::Entry::new("create", "follow_up", id)
        .after(json!({ "action_line_id": line, "recorded_on": recorded_on,
                     "status": status, "note": note }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(id))
}

/// The lines of an agreement within the competences a minister holds on
/// `on`: those linked to such a competence, and everything below them.
pub async fn lines_within_competence(
    db: impl PgExecutor<'_>,
    agreement: i64,
    minister: i64,
    on: Date,
) -> Rows<i64> {
    const SQL: &str = "WITH RECURSIVE allowed AS (
             SELECT al.id FROM action_line al
             JOIN action_line_competence alc ON alc.action_line_id = al.id
             JOIN minister_competence mc ON mc.competence_id = alc.competence_id
             WHERE al.agreement_id = $1 AND mc.person_id = $2
               AND mc.valid_from <= $3 AND (mc.valid_until IS NULL OR mc.valid_until >= $3)
             UNION
             SELECT c.id FROM action_line c JOIN allowed a ON c.parent_id = a.id
         )
         SELECT id FROM allowed";
    sqlx::query_scalar(SQL)
        .bind(agreement)
        .bind(minister)
        .bind(on)
        .fetch_all(db)
        .await
}

/// Whether a line, or one of its ancestors, is linked to a competence the
/// minister holds on `on`.
pub async fn line_within_competence(
    db: impl PgExecutor<'_>,
    line: i64,
    minister: i64,
    on: Date,
) -> sqlx::Result<bool> {
    const SQL: &str = "WITH RECURSIVE up AS (
             SELECT id, parent_id FROM action_line WHERE id = $1
             UNION ALL
             SELECT p.id, p.parent_id FROM action_line p JOIN up ON p.id = up.parent_id
         )
         SELECT EXISTS (
             SELECT 1 FROM up
             JOIN action_line_competence alc ON alc.action_line_id = up.id
             JOIN minister_competence mc ON mc.competence_id = alc.competence_id
             WHERE mc.person_id = $2
               AND mc.valid_from <= $3 AND (mc.valid_until IS NULL OR mc.valid_until >= $3))";
    sqlx::query_scalar(SQL)
        .bind(line)
        .bind(minister)
        .bind(on)
        .fetch_one(db)
        .await
}

// Goal measurements ---------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Measurement {
    pub goal_id: i64,
    #[serde(with = "crate::base::dutch::day")]
    pub measured_on: Date,
    /// Exact, for display.
    pub value_text: String,
    /// Approximate, for drawing.
    pub value: f64,
    pub note: String,
}

pub async fn measurements(db: impl PgExecutor<'_>, agreement: i64) -> Rows<Measurement> {
    const SQL: &str =
        "SELECT m.goal_id, m.measured_on, m.value::text AS value_text, m.value::float8 AS value,
                m.note
         FROM goal_measurement m JOIN goal g ON g.id = m.goal_id
         WHERE g.agreement_id = $1 ORDER BY m.goal_id, m.measured_on, m.id";
    sqlx::query_as(SQL).bind(agreement).fetch_all(db).await
}

/// What the measurement form sets, checked; the value as canonical decimal
/// text ("120000", "80.5"), cast to numeric in SQL.
#[derive(Debug, Clone)]
pub struct MeasurementFields {
    pub measured_on: Date,
    pub value: String,
    pub note: String,
}

/// A goal has one measured value per date.
const ONE_PER_DATE: Constraint = Constraint {
    name: "goal_measurement_one_per_date",
    field: "measured_on",
    message: "Voor deze datum is al een meetwaarde geregistreerd.",
};

pub async fn insert_measurement(
    conn: &mut PgConnection,
    actor: i64,
    goal: i64,
    f: &MeasurementFields,
) -> Result<Outcome<i64>> {
    let MeasurementFields {
        measured_on,
        value,
        note,
    } = f;
    let inserted = sqlx::query_scalar(
        "INSERT INTO goal_measurement (goal_id, measured_on, value, note, author_id)
         VALUES ($1, $2, $3::numeric, $4, $5) RETURNING id",
    )
    .bind(goal)
    .bind(measured_on)
    .bind(value)
    .bind(note)
    .bind(actor)
    .fetch_one(&mut *conn)
    .await;
    let id: i64 = done!(on_constraint(inserted, &[ONE_PER_DATE])?);
    audit::Entry::new("create", "goal_measurement", id)
        .after(
            json!({ "goal_id": goal, "measured_on": measured_on, "value": value,
                     "note": note }),
        )
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(id))
}
