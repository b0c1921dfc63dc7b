//! Agreements: the text, goals, the tree of action lines and signatories.

use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use time::Date;

use crate::audit;
use crate::auth::Reader;

use crate::composition::Side;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Agreement {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub subtitle: String,
    pub kind_label: String,
    pub concluded_on: Option<Date>,
    pub period_from: Option<i32>,
    pub period_until: Option<i32>,
    pub introduction: String,
    pub published: bool,
    pub body_slug: String,
    pub body_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct Commitment {
    pub position: i32,
    pub text: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Goal {
    pub id: i64,
    pub position: i32,
    pub text: String,
    pub target_value: Option<String>,
    pub target_unit: Option<String>,
    pub baseline_value: Option<String>,
    #[serde(deserialize_with = "crate::base::dutch::json_date::option::deserialize")]
    pub baseline_on: Option<Date>,
    #[serde(deserialize_with = "crate::base::dutch::json_date::option::deserialize")]
    pub deadline: Option<Date>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionLineRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub label: String,
    pub title: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct Signatory {
    pub side: Side,
    pub person_name: String,
    pub organisation_name: String,
    pub capacity: String,
}

/// The agreements `reader` may see (`agreement_visible`: drafts for
/// signed-in accounts).
pub async fn list(db: impl PgExecutor<'_>, reader: Reader) -> sqlx::Result<Vec<Agreement>> {
    sqlx::query_as(
        "SELECT a.id, a.slug, a.title, a.subtitle, a.kind_label, a.concluded_on,
                a.period_from, a.period_until, a.introduction, a.status = 'published' AS published,
                b.slug AS body_slug, b.name AS body_name
         FROM agreement a JOIN body b ON b.id = a.body_id
         WHERE agreement_visible($1, a.status)
         ORDER BY a.concluded_on DESC NULLS LAST, a.period_from DESC NULLS LAST, a.id DESC",
    )
    .bind(reader)
    .fetch_all(db)
    .await
}

/// The public page of an agreement: its text, signatories, goals and their
/// measurements in one query (the small lists as JSON), not five.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgreementPage {
    #[sqlx(flatten)]
    pub agreement: Agreement,
    pub commitments: Json<Vec<Commitment>>,
    pub signatories: Json<Vec<Signatory>>,
    pub goals: Json<Vec<Goal>>,
    pub measurements: Json<Vec<Measurement>>,
}

pub async fn page_by_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
    reader: Reader,
) -> sqlx::Result<Option<AgreementPage>> {
    sqlx::query_as(
        "SELECT a.id, a.slug, a.title, a.subtitle, a.kind_label, a.concluded_on,
                a.period_from, a.period_until, a.introduction, a.status = 'published' AS published,
                b.slug AS body_slug, b.name AS body_name,
                (SELECT coalesce(json_agg(json_build_object('position', c.position, 'text', c.text)
                                          ORDER BY c.position), '[]')
                 FROM agreement_commitment c WHERE c.agreement_id = a.id) AS commitments,
                (SELECT coalesce(json_agg(json_build_object(
                            'side', s.side, 'person_name', p.given_name || ' ' || p.family_name,
                            'organisation_name', o.name, 'capacity', s.capacity) ORDER BY s.position), '[]')
                 FROM signatory s JOIN person p ON p.id = s.person_id
                 JOIN organisation o ON o.id = s.organisation_id
                 WHERE s.agreement_id = a.id) AS signatories,
                (SELECT coalesce(json_agg(json_build_object(
                            'id', g.id, 'position', g.position, 'text', g.text,
                            'target_value', g.target_value::text, 'target_unit', g.target_unit,
                            'baseline_value', g.baseline_value::text, 'baseline_on', g.baseline_on,
                            'deadline', g.deadline) ORDER BY g.position), '[]')
                 FROM goal g WHERE g.agreement_id = a.id) AS goals,
                (SELECT coalesce(json_agg(json_build_object(
                            'goal_id', m.goal_id, 'measured_on', m.measured_on,
                            'value_text', m.value::text, 'value', m.value::float8, 'note', m.note)
                          ORDER BY m.goal_id, m.measured_on, m.id), '[]')
                 FROM goal_measurement m JOIN goal g ON g.id = m.goal_id
                 WHERE g.agreement_id = a.id) AS measurements
         FROM agreement a JOIN body b ON b.id = a.body_id
         WHERE a.slug = $1 AND agreement_visible($2, a.status)",
    )
    .bind(slug)
    .bind(reader)
    .fetch_optional(db)
    .await
}

pub async fn commitments(db: impl PgExecutor<'_>, agreement: i64) -> sqlx::Result<Vec<Commitment>> {
    sqlx::query_as(
        "SELECT position, text FROM agreement_commitment WHERE agreement_id = $1 ORDER BY position",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}

pub async fn goals(db: impl PgExecutor<'_>, agreement: i64) -> sqlx::Result<Vec<Goal>> {
    sqlx::query_as(
        "SELECT id, position, text, target_value::text AS target_value, target_unit,
                baseline_value::text AS baseline_value, baseline_on, deadline
         FROM goal WHERE agreement_id = $1 ORDER BY position",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}

/// All action lines of an agreement, parents before children, siblings in
/// order: a depth-first walk of the tree, in one query.
pub async fn action_lines(
    db: impl PgExecutor<'_>,
    agreement: i64,
) -> sqlx::Result<Vec<ActionLineRow>> {
    sqlx::query_as(
        "WITH RECURSIVE tree AS (
             SELECT id, parent_id, label, title, ARRAY[position] AS path
             FROM action_line WHERE agreement_id = $1 AND parent_id IS NULL
             UNION ALL
             SELECT c.id, c.parent_id, c.label, c.title, t.path || c.position
             FROM action_line c JOIN tree t ON c.parent_id = t.id
             WHERE c.agreement_id = $1
         )
         SELECT id, parent_id, label, title FROM tree ORDER BY path",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}

// ---------------------------------------------------------------------------
// The editor (secretariat)
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "agreement_status", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    Draft,
    Published,
}

/// An agreement as the editor sees it: every column it may change.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AgreementRecord {
    pub id: i64,
    pub slug: String,
    pub body_id: i64,
    pub title: String,
    pub subtitle: String,
    pub kind_label: String,
    pub concluded_on: Option<Date>,
    pub meeting_id: Option<i64>,
    pub period_from: Option<i32>,
    pub period_until: Option<i32>,
    pub introduction: String,
    pub status: AgreementStatus,
    pub version: i32,
}

/// What the agreement form sets, checked.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementFields {
    pub body_id: i64,
    pub title: String,
    pub subtitle: String,
    pub kind_label: String,
    pub concluded_on: Option<Date>,
    pub meeting_id: Option<i64>,
    pub period_from: Option<i32>,
    pub period_until: Option<i32>,
    pub introduction: String,
    pub commitments: Vec<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// A formal meeting that can have concluded an agreement.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingChoice {
    pub id: i64,
    pub body_id: i64,
    pub starts_on: Date,
    pub body_name: String,
}

pub async fn record_by_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
) -> sqlx::Result<Option<AgreementRecord>> {
    sqlx::query_as(
        "SELECT id, slug, body_id, title, subtitle, kind_label, concluded_on, meeting_id,
                period_from, period_until, introduction, status, version
         FROM agreement WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(db)
    .await
}

pub async fn bodies(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as("SELECT id, name FROM body ORDER BY sort_order, name")
        .fetch_all(db)
        .await
}

/// Formal meetings, newest first: agreements are concluded there.
pub async fn formal_meetings(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<MeetingChoice>> {
    sqlx::query_as(
        "SELECT m.id, m.body_id, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date AS starts_on,
                b.name AS body_name
         FROM meeting m JOIN body b ON b.id = m.body_id
         WHERE m.kind = 'formal' AND m.status <> 'cancelled'
         ORDER BY m.starts_at DESC",
    )
    .fetch_all(db)
    .await
}

pub async fn people(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "SELECT id, given_name || ' ' || family_name AS name FROM person
         ORDER BY family_name, given_name",
    )
    .fetch_all(db)
    .await
}

pub async fn organisations(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as("SELECT id, name FROM organisation ORDER BY name")
        .fetch_all(db)
        .await
}

pub async fn competences(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as("SELECT id, name FROM competence ORDER BY name")
        .fetch_all(db)
        .await
}

pub async fn slug_taken(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agreement WHERE slug = $1)")
        .bind(slug)
        .fetch_one(db)
        .await
}

async fn replace_commitments(
    conn: &mut PgConnection,
    agreement: i64,
    commitments: &[String],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM agreement_commitment WHERE agreement_id = $1")
        .bind(agreement)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO agreement_commitment (agreement_id, position, text)
         SELECT $1, ord::integer, text FROM unnest($2::text[]) WITH ORDINALITY AS c(text, ord)",
    )
    .bind(agreement)
    .bind(commitments)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A new draft agreement with its commitments.
pub async fn create(
    conn: &mut PgConnection,
    actor: i64,
    slug: &str,
    f: &AgreementFields,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agreement (slug, body_id, title, subtitle, kind_label, concluded_on, meeting_id,
                                period_from, period_until, introduction)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(slug)
    .bind(f.body_id)
    .bind(&f.title)
    .bind(&f.subtitle)
    .bind(&f.kind_label)
    .bind(f.concluded_on)
    .bind(f.meeting_id)
    .bind(f.period_from)
    .bind(f.period_until)
    .bind(&f.introduction)
    .fetch_one(&mut *conn)
    .await?;
    replace_commitments(conn, id, &f.commitments).await?;
    audit::record(
        conn,
        Some(actor),
        "create",
        "agreement",
        Some(id.to_string()),
        None,
        Some(json!({ "slug": slug, "fields": f })),
    )
    .await?;
    Ok(id)
}

/// Claims the agreement for one change: every change to an agreement or
/// its parts goes through here, so two editors never overwrite each other.
/// `false` when someone else changed it since `seen`.
pub async fn claim(conn: &mut PgConnection, agreement: i64, seen: i32) -> sqlx::Result<bool> {
    let row: Option<i32> = sqlx::query_scalar(
        "UPDATE agreement SET version = version + 1, modified_at = now()
         WHERE id = $1 AND version = $2 RETURNING version",
    )
    .bind(agreement)
    .bind(seen)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

pub async fn update(
    conn: &mut PgConnection,
    actor: i64,
    before: &AgreementRecord,
    seen: i32,
    f: &AgreementFields,
) -> sqlx::Result<bool> {
    if !claim(conn, before.id, seen).await? {
        return Ok(false);
    }
    let old_commitments: Vec<String> = sqlx::query_scalar(
        "SELECT text FROM agreement_commitment WHERE agreement_id = $1 ORDER BY position",
    )
    .bind(before.id)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE agreement SET body_id = $2, title = $3, subtitle = $4, kind_label = $5,
                concluded_on = $6, meeting_id = $7, period_from = $8, period_until = $9,
                introduction = $10
         WHERE id = $1",
    )
    .bind(before.id)
    .bind(f.body_id)
    .bind(&f.title)
    .bind(&f.subtitle)
    .bind(&f.kind_label)
    .bind(f.concluded_on)
    .bind(f.meeting_id)
    .bind(f.period_from)
    .bind(f.period_until)
    .bind(&f.introduction)
    .execute(&mut *conn)
    .await?;
    replace_commitments(conn, before.id, &f.commitments).await?;
    audit::record(
        conn,
        Some(actor),
        "update",
        "agreement",
        Some(before.id.to_string()),
        Some(json!({ "record": before, "commitments": old_commitments })),
        Some(json!(f)),
    )
    .await?;
    Ok(true)
}

pub async fn publish(
    conn: &mut PgConnection,
    actor: i64,
    agreement: i64,
    seen: i32,
) -> sqlx::Result<bool> {
    if !claim(conn, agreement, seen).await? {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE agreement SET status = 'published', published_at = now()
         WHERE id = $1 AND status = 'draft'",
    )
    .bind(agreement)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        "publish",
        "agreement",
        Some(agreement.to_string()),
        Some(json!({ "status": "draft" })),
        Some(json!({ "status": "published" })),
    )
    .await?;
    Ok(true)
}

// Goals ---------------------------------------------------------------------

/// What the goal form sets, checked. Numbers travel as canonical decimal
/// text ("120000", "80.5") and are cast to numeric in SQL.
#[derive(Debug, Clone, Serialize)]
pub struct GoalFields {
    pub text: String,
    pub target_value: Option<String>,
    pub target_unit: Option<String>,
    pub baseline_value: Option<String>,
    pub baseline_on: Option<Date>,
    pub deadline: Option<Date>,
}

pub async fn goal(
    db: impl PgExecutor<'_>,
    agreement: i64,
    goal: i64,
) -> sqlx::Result<Option<Goal>> {
    sqlx::query_as(
        "SELECT id, position, text, target_value::text AS target_value, target_unit,
                baseline_value::text AS baseline_value, baseline_on, deadline
         FROM goal WHERE agreement_id = $1 AND id = $2",
    )
    .bind(agreement)
    .bind(goal)
    .fetch_optional(db)
    .await
}

/// A goal by its id alone, with the agreement it belongs to.
pub async fn goal_with_agreement(
    db: impl PgExecutor<'_>,
    goal: i64,
) -> sqlx::Result<Option<(i64, String)>> {
    sqlx::query_as(
        "SELECT a.id, a.slug FROM goal g JOIN agreement a ON a.id = g.agreement_id WHERE g.id = $1",
    )
    .bind(goal)
    .fetch_optional(db)
    .await
}

pub async fn insert_goal(
    conn: &mut PgConnection,
    actor: i64,
    agreement: i64,
    f: &GoalFields,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO goal (agreement_id, position, text, target_value, target_unit,
                           baseline_value, baseline_on, deadline)
         VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM goal WHERE agreement_id = $1),
                 $2, $3::numeric, $4, $5::numeric, $6, $7)
         RETURNING id",
    )
    .bind(agreement)
    .bind(&f.text)
    .bind(&f.target_value)
    .bind(&f.target_unit)
    .bind(&f.baseline_value)
    .bind(f.baseline_on)
    .bind(f.deadline)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        "create",
        "goal",
        Some(id.to_string()),
        None,
        Some(json!({ "agreement_id": agreement, "fields": f })),
    )
    .await?;
    Ok(id)
}

pub async fn update_goal(
    conn: &mut PgConnection,
    actor: i64,
    before: &Goal,
    f: &GoalFields,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE goal SET text = $2, target_value = $3::numeric, target_unit = $4,
                baseline_value = $5::numeric, baseline_on = $6, deadline = $7
         WHERE id = $1",
    )
    .bind(before.id)
    .bind(&f.text)
    .bind(&f.target_value)
    .bind(&f.target_unit)
    .bind(&f.baseline_value)
    .bind(f.baseline_on)
    .bind(f.deadline)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        "update",
        "goal",
        Some(before.id.to_string()),
        Some(json!(before)),
        Some(json!(f)),
    )
    .await
}

pub async fn measurement_count(db: impl PgExecutor<'_>, goal: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM goal_measurement WHERE goal_id = $1")
        .bind(goal)
        .fetch_one(db)
        .await
}

pub async fn delete_goal(conn: &mut PgConnection, actor: i64, before: &Goal) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM goal WHERE id = $1")
        .bind(before.id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        Some(actor),
        "delete",
        "goal",
        Some(before.id.to_string()),
        Some(json!(before)),
        None,
    )
    .await
}

// Action lines --------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct LineRecord {
    pub id: i64,
    pub agreement_id: i64,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub label: String,
    pub title: String,
}

pub async fn line(db: impl PgExecutor<'_>, line: i64) -> sqlx::Result<Option<LineRecord>> {
    sqlx::query_as(
        "SELECT id, agreement_id, parent_id, position, label, title FROM action_line WHERE id = $1",
    )
    .bind(line)
    .fetch_optional(db)
    .await
}

pub async fn line_competences(db: impl PgExecutor<'_>, line: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT competence_id FROM action_line_competence WHERE action_line_id = $1 ORDER BY 1",
    )
    .bind(line)
    .fetch_all(db)
    .await
}

/// The competences set on each action line of an agreement, by name.
pub async fn competence_names(
    db: impl PgExecutor<'_>,
    agreement: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT alc.action_line_id, c.name FROM action_line_competence alc
         JOIN competence c ON c.id = alc.competence_id
         JOIN action_line al ON al.id = alc.action_line_id
         WHERE al.agreement_id = $1 ORDER BY c.name",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}

/// How deep a line sits: 0 for a theme.
pub async fn depth(db: impl PgExecutor<'_>, line: i64) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "WITH RECURSIVE up AS (
             SELECT id, parent_id, 0 AS depth FROM action_line WHERE id = $1
             UNION ALL
             SELECT p.id, p.parent_id, up.depth + 1 FROM action_line p JOIN up ON p.id = up.parent_id
         )
         SELECT max(depth) FROM up",
    )
    .bind(line)
    .fetch_one(db)
    .await
}

pub async fn siblings(
    db: impl PgExecutor<'_>,
    agreement: i64,
    parent: Option<i64>,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM action_line WHERE agreement_id = $1 AND parent_id IS NOT DISTINCT FROM $2
         ORDER BY position",
    )
    .bind(agreement)
    .bind(parent)
    .fetch_all(db)
    .await
}

/// The label a line gets from its place, as in the documents: themes none,
/// then a., b., …, then i., ii., …, deeper 1., 2., …
pub fn label_for(depth: i32, index: usize) -> String {
    match depth {
        0 => String::new(),
        1 => format!("{}.", letters(index)),
        2 => format!("{}.", roman(index + 1)),
        _ => format!("{}.", index + 1),
    }
}

fn letters(index: usize) -> String {
    // a … z, then aa, ab, …
    let mut n = index;
    let mut s = Vec::new();
    loop {
        s.push(char::from(b'a' + u8::try_from(n % 26).unwrap_or(0)));
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.iter().rev().collect()
}

fn roman(mut n: usize) -> String {
    const TABLE: [(usize, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut s = String::new();
    for (value, digits) in TABLE {
        while n >= value {
            s.push_str(digits);
            n -= value;
        }
    }
    s
}

/// Gives the siblings under `parent` the order of `ids`, numbered 1, 2, …
/// and labelled by their place. The unique (parent, position) key is checked
/// row by row, so the positions are first moved out of the way.
pub async fn write_order(
    conn: &mut PgConnection,
    agreement: i64,
    parent: Option<i64>,
    depth: i32,
    ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE action_line SET position = -position - 1
         WHERE agreement_id = $1 AND parent_id IS NOT DISTINCT FROM $2",
    )
    .bind(agreement)
    .bind(parent)
    .execute(&mut *conn)
    .await?;
    let positions: Vec<i32> = (1..).take(ids.len()).collect();
    let labels: Vec<String> = (0..ids.len()).map(|i| label_for(depth, i)).collect();
    sqlx::query(
        "UPDATE action_line a SET position = o.position, label = o.label
         FROM unnest($1::bigint[], $2::integer[], $3::text[]) AS o(id, position, label)
         WHERE a.id = o.id",
    )
    .bind(ids)
    .bind(positions)
    .bind(labels)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Inserts a line under `parent`, right after `after` (or last), and
/// renumbers its siblings.
pub async fn insert_line(
    conn: &mut PgConnection,
    actor: i64,
    agreement: i64,
    parent: Option<i64>,
    after: Option<i64>,
    title: &str,
    competences: &[i64],
) -> sqlx::Result<i64> {
    let mut order = siblings(&mut *conn, agreement, parent).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO action_line (agreement_id, parent_id, position, title)
         VALUES ($1, $2, (SELECT coalesce(max(position), 0) + 1 FROM action_line
                          WHERE agreement_id = $1 AND parent_id IS NOT DISTINCT FROM $2), $3)
         RETURNING id",
    )
    .bind(agreement)
    .bind(parent)
    .bind(title)
    .fetch_one(&mut *conn)
    .await?;
    let at = after
        .and_then(|a| order.iter().position(|&s| s == a))
        .map_or(order.len(), |i| i + 1);
    order.insert(at, id);
    let depth = depth(&mut *conn, id).await?;
    write_order(conn, agreement, parent, depth, &order).await?;
    set_competences(conn, id, competences).await?;
    let label: String = sqlx::query_scalar("SELECT label FROM action_line WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    audit::record(
        conn,
        Some(actor),
        "create",
        "action_line",
        Some(id.to_string()),
        None,
        Some(
            json!({ "agreement_id": agreement, "parent_id": parent, "label": label,
                     "title": title, "competences": competences }),
        ),
    )
    .await?;
    Ok(id)
}

async fn set_competences(
    conn: &mut PgConnection,
    line: i64,
    competences: &[i64],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM action_line_competence WHERE action_line_id = $1")
        .bind(line)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO action_line_competence (action_line_id, competence_id)
         SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
    )
    .bind(line)
    .bind(competences)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn update_line(
    conn: &mut PgConnection,
    actor: i64,
    before: &LineRecord,
    title: &str,
    competences: &[i64],
) -> sqlx::Result<()> {
    let old_competences = line_competences(&mut *conn, before.id).await?;
    sqlx::query("UPDATE action_line SET title = $2 WHERE id = $1")
        .bind(before.id)
        .bind(title)
        .execute(&mut *conn)
        .await?;
    set_competences(conn, before.id, competences).await?;
    audit::record(
        conn,
        Some(actor),
        "update",
        "action_line",
        Some(before.id.to_string()),
        Some(json!({ "title": before.title, "competences": old_competences })),
        Some(json!({ "title": title, "competences": competences })),
    )
    .await
}

/// Moves a line one place up (`-1`) or down (`1`) among its siblings.
/// Returns false when it is already first or last.
pub async fn move_line(
    conn: &mut PgConnection,
    actor: i64,
    line: &LineRecord,
    step: isize,
) -> sqlx::Result<bool> {
    let mut order = siblings(&mut *conn, line.agreement_id, line.parent_id).await?;
    let Some(at) = order.iter().position(|&s| s == line.id) else {
        return Ok(false);
    };
    let Some(to) = at.checked_add_signed(step).filter(|&t| t < order.len()) else {
        return Ok(false);
    };
    order.swap(at, to);
    let depth = depth(&mut *conn, line.id).await?;
    write_order(conn, line.agreement_id, line.parent_id, depth, &order).await?;
    audit::record(
        conn,
        Some(actor),
        "move",
        "action_line",
        Some(line.id.to_string()),
        Some(json!({ "position": at + 1, "label": line.label })),
        Some(json!({ "position": to + 1, "label": label_for(depth, to) })),
    )
    .await?;
    Ok(true)
}

pub async fn child_count(db: impl PgExecutor<'_>, line: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM action_line WHERE parent_id = $1")
        .bind(line)
        .fetch_one(db)
        .await
}

pub async fn follow_up_count(db: impl PgExecutor<'_>, line: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM follow_up WHERE action_line_id = $1")
        .bind(line)
        .fetch_one(db)
        .await
}

pub async fn delete_line(
    conn: &mut PgConnection,
    actor: i64,
    line: &LineRecord,
) -> sqlx::Result<()> {
    let competences = line_competences(&mut *conn, line.id).await?;
    let depth = depth(&mut *conn, line.id).await?;
    sqlx::query("DELETE FROM action_line WHERE id = $1")
        .bind(line.id)
        .execute(&mut *conn)
        .await?;
    let order = siblings(&mut *conn, line.agreement_id, line.parent_id).await?;
    write_order(conn, line.agreement_id, line.parent_id, depth, &order).await?;
    audit::record(
        conn,
        Some(actor),
        "delete",
        "action_line",
        Some(line.id.to_string()),
        Some(json!({ "record": line, "competences": competences })),
        None,
    )
    .await
}

// Signatories ---------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignatoryRow {
    pub id: i64,
    pub side: Side,
    pub person_name: String,
    pub organisation_name: String,
    pub capacity: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatoryFields {
    pub person_id: i64,
    pub organisation_id: i64,
    pub side: Side,
    pub capacity: String,
}

pub async fn signatory_rows(
    db: impl PgExecutor<'_>,
    agreement: i64,
) -> sqlx::Result<Vec<SignatoryRow>> {
    sqlx::query_as(
        "SELECT s.id, s.side, p.given_name || ' ' || p.family_name AS person_name,
                o.name AS organisation_name, s.capacity
         FROM signatory s JOIN person p ON p.id = s.person_id
         JOIN organisation o ON o.id = s.organisation_id
         WHERE s.agreement_id = $1 ORDER BY s.position",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}

pub const SIGNATORY_PERSON_KEY: &str = "signatory_agreement_id_person_id_key";

pub async fn insert_signatory(
    conn: &mut PgConnection,
    actor: i64,
    agreement: i64,
    f: &SignatoryFields,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO signatory (agreement_id, position, side, person_id, organisation_id, capacity)
         VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM signatory WHERE agreement_id = $1),
                 $2, $3, $4, $5)
         RETURNING id",
    )
    .bind(agreement)
    .bind(f.side)
    .bind(f.person_id)
    .bind(f.organisation_id)
    .bind(&f.capacity)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        "create",
        "signatory",
        Some(id.to_string()),
        None,
        Some(json!({ "agreement_id": agreement, "fields": f })),
    )
    .await?;
    Ok(id)
}

/// Deletes a signatory of this agreement; false when there is none.
pub async fn delete_signatory(
    conn: &mut PgConnection,
    actor: i64,
    agreement: i64,
    signatory: i64,
) -> sqlx::Result<bool> {
    let before: Option<serde_json::Value> = sqlx::query_scalar(
        "DELETE FROM signatory WHERE id = $1 AND agreement_id = $2 RETURNING to_jsonb(signatory.*)",
    )
    .bind(signatory)
    .bind(agreement)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(before) = before else {
        return Ok(false);
    };
    audit::record(
        conn,
        Some(actor),
        "delete",
        "signatory",
        Some(signatory.to_string()),
        Some(before),
        None,
    )
    .await?;
    Ok(true)
}

// Follow-up -----------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "follow_up_status", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    NotStarted,
    Ongoing,
    Achieved,
    Delayed,
    Dropped,
}

impl FollowUpStatus {
    pub const ALL: [FollowUpStatus; 5] = [
        FollowUpStatus::NotStarted,
        FollowUpStatus::Ongoing,
        FollowUpStatus::Achieved,
        FollowUpStatus::Delayed,
        FollowUpStatus::Dropped,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FollowUpStatus::NotStarted => "niet gestart",
            FollowUpStatus::Ongoing => "lopend",
            FollowUpStatus::Achieved => "gerealiseerd",
            FollowUpStatus::Delayed => "vertraagd",
            FollowUpStatus::Dropped => "geschrapt",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            FollowUpStatus::NotStarted => "not-started",
            FollowUpStatus::Ongoing => "ongoing",
            FollowUpStatus::Achieved => "achieved",
            FollowUpStatus::Delayed => "delayed",
            FollowUpStatus::Dropped => "dropped",
        }
    }

    pub fn parse(s: &str) -> Option<FollowUpStatus> {
        FollowUpStatus::ALL.into_iter().find(|v| v.code() == s)
    }
}

/// One dated follow-up entry, with who recorded it as the public may see
/// it: the cabinet or the secretariat, not the staff member's name.
#[derive(Debug, Clone, sqlx::FromRow)]
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

/// Every entry of an agreement, per line newest first.
pub async fn follow_ups(
    db: impl PgExecutor<'_>,
    agreement: i64,
) -> sqlx::Result<Vec<FollowUpEntry>> {
    sqlx::query_as(&format!(
        "{FOLLOW_UP_SELECT} WHERE al.agreement_id = $1
         ORDER BY f.action_line_id, f.recorded_on DESC, f.id DESC"
    ))
    .bind(agreement)
    .fetch_all(db)
    .await
}

pub async fn line_follow_ups(
    db: impl PgExecutor<'_>,
    line: i64,
) -> sqlx::Result<Vec<FollowUpEntry>> {
    sqlx::query_as(&format!(
        "{FOLLOW_UP_SELECT} WHERE f.action_line_id = $1 ORDER BY f.recorded_on DESC, f.id DESC"
    ))
    .bind(line)
    .fetch_all(db)
    .await
}

pub const FOLLOW_UP_DUPLICATE: &str = "follow_up_no_duplicate";

pub async fn insert_follow_up(
    conn: &mut PgConnection,
    actor: i64,
    line: i64,
    recorded_on: Date,
    status: FollowUpStatus,
    note: &str,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO follow_up (action_line_id, recorded_on, status, note, author_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(line)
    .bind(recorded_on)
    .bind(status)
    .bind(note)
    .bind(actor)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        "create",
        "follow_up",
        Some(id.to_string()),
        None,
        Some(json!({ "action_line_id": line, "recorded_on": recorded_on,
                     "status": status, "note": note })),
    )
    .await?;
    Ok(id)
}

/// The lines of an agreement within the competences a minister holds on
/// `on`: those linked to such a competence, and everything below them.
pub async fn lines_within_competence(
    db: impl PgExecutor<'_>,
    agreement: i64,
    minister: i64,
    on: Date,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "WITH RECURSIVE allowed AS (
             SELECT al.id FROM action_line al
             JOIN action_line_competence alc ON alc.action_line_id = al.id
             JOIN minister_competence mc ON mc.competence_id = alc.competence_id
             WHERE al.agreement_id = $1 AND mc.person_id = $2
               AND mc.valid_from <= $3 AND (mc.valid_until IS NULL OR mc.valid_until >= $3)
             UNION
             SELECT c.id FROM action_line c JOIN allowed a ON c.parent_id = a.id
         )
         SELECT id FROM allowed",
    )
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
    sqlx::query_scalar(
        "WITH RECURSIVE up AS (
             SELECT id, parent_id FROM action_line WHERE id = $1
             UNION ALL
             SELECT p.id, p.parent_id FROM action_line p JOIN up ON p.id = up.parent_id
         )
         SELECT EXISTS (
             SELECT 1 FROM up
             JOIN action_line_competence alc ON alc.action_line_id = up.id
             JOIN minister_competence mc ON mc.competence_id = alc.competence_id
             WHERE mc.person_id = $2
               AND mc.valid_from <= $3 AND (mc.valid_until IS NULL OR mc.valid_until >= $3))",
    )
    .bind(line)
    .bind(minister)
    .bind(on)
    .fetch_one(db)
    .await
}

// Goal measurements ---------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow, Deserialize)]
pub struct Measurement {
    pub goal_id: i64,
    #[serde(deserialize_with = "crate::base::dutch::json_date::deserialize")]
    pub measured_on: Date,
    /// Exact, for display.
    pub value_text: String,
    /// Approximate, for drawing.
    pub value: f64,
    pub note: String,
}

pub async fn measurements(
    db: impl PgExecutor<'_>,
    agreement: i64,
) -> sqlx::Result<Vec<Measurement>> {
    sqlx::query_as(
        "SELECT m.goal_id, m.measured_on, m.value::text AS value_text, m.value::float8 AS value,
                m.note
         FROM goal_measurement m JOIN goal g ON g.id = m.goal_id
         WHERE g.agreement_id = $1 ORDER BY m.goal_id, m.measured_on, m.id",
    )
    .bind(agreement)
    .fetch_all(db)
    .await
}

pub const MEASUREMENT_PER_DATE: &str = "goal_measurement_one_per_date";

pub async fn insert_measurement(
    conn: &mut PgConnection,
    actor: i64,
    goal: i64,
    measured_on: Date,
    value: &str,
    note: &str,
) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO goal_measurement (goal_id, measured_on, value, note, author_id)
         VALUES ($1, $2, $3::numeric, $4, $5) RETURNING id",
    )
    .bind(goal)
    .bind(measured_on)
    .bind(value)
    .bind(note)
    .bind(actor)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        "create",
        "goal_measurement",
        Some(id.to_string()),
        None,
        Some(
            json!({ "goal_id": goal, "measured_on": measured_on, "value": value,
                     "note": note }),
        ),
    )
    .await?;
    Ok(id)
}

pub async fn slug_and_title(
    db: impl PgExecutor<'_>,
    agreement: i64,
) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as("SELECT slug, title FROM agreement WHERE id = $1")
        .bind(agreement)
        .fetch_optional(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::label_for;

    #[test]
    fn labels_follow_the_documents() {
        assert_eq!(label_for(0, 3), "");
        assert_eq!(label_for(1, 0), "a.");
        assert_eq!(label_for(1, 1), "b.");
        assert_eq!(label_for(1, 26), "aa.");
        assert_eq!(label_for(2, 3), "iv.");
        assert_eq!(label_for(2, 8), "ix.");
        assert_eq!(label_for(2, 11), "xii.");
        assert_eq!(label_for(3, 0), "1.");
    }
}
