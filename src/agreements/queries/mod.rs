//! Agreements: the text, goals, the tree of action lines and signatories.
//! What the public page reads is here; what each editor reads and writes is
//! in the module of its part.

/// The value of a done [`Outcome`](crate::base::Outcome), or the stale or
/// refused outcome returned as it is: what `?` is to errors.
macro_rules! done {
    ($outcome:expr) => {
        match $outcome {
            $crate::base::Outcome::Done(value) => value,
            $crate::base::Outcome::Stale => return Ok($crate::base::Outcome::Stale),
            $crate::base::Outcome::Refused(errors) => {
                return Ok($crate::base::Outcome::Refused(errors));
            }
        }
    };
}

pub mod action_lines;
pub mod agreement;
pub mod follow_up;
pub mod goals;
pub mod signatories;

use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;
use sqlx::types::Json;
use time::Date;

use crate::auth::Reader;
use crate::composition::Side;
use follow_up::Measurement;
use goals::GoalFields;

/// What an agreement says of itself: the columns every view of it shows
/// and its form sets. The structs that read or write an agreement hold it
/// flattened, so the columns are named once.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct AgreementText {
    pub title: String,
    pub subtitle: String,
    pub kind_label: String,
    pub concluded_on: Option<Date>,
    pub period_from: Option<i32>,
    pub period_until: Option<i32>,
    pub introduction: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Agreement {
    pub id: i64,
    pub slug: String,
    #[sqlx(flatten)]
    pub text: AgreementText,
    pub published: bool,
    pub body_slug: String,
    pub body_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Commitment {
    pub position: i32,
    pub text: String,
}

/// A goal: its place and what its form sets.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Goal {
    pub id: i64,
    pub position: i32,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub fields: GoalFields,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Signatory {
    pub side: Side,
    pub person_name: String,
    pub organisation_name: String,
    pub capacity: String,
}

/// The agreements `reader` may see (`agreement_visible`: drafts for
/// signed-in accounts).
pub async fn list(db: impl PgExecutor<'_>, reader: Reader) -> Rows<Agreement> {
    visible(db, reader, None).await
}

/// The agreements `reader` may see, all or the one `id`.
async fn visible(db: impl PgExecutor<'_>, reader: Reader, id: Option<i64>) -> Rows<Agreement> {
    let sql = format!(
        "SELECT {AGREEMENT_COLUMNS}
         FROM agreement a JOIN body b ON b.id = a.body_id
         WHERE agreement_visible($1, a.status) AND ($2::bigint IS NULL OR a.id = $2)
         ORDER BY a.concluded_on DESC NULLS LAST, a.period_from DESC NULLS LAST, a.id DESC"
    );
    sqlx::query_as(&sql)
        .bind(reader)
        .bind(id)
        .fetch_all(db)
        .await
}

/// An agenda item that dealt with an agreement, as the agreement's page
/// lists it (on a meeting that was not cancelled).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Discussion {
    pub item_id: i64,
    pub number: String,
    pub title: String,
    pub meeting_id: i64,
    #[serde(with = "crate::base::dutch::moment")]
    pub starts_at: time::OffsetDateTime,
    pub body_name: String,
}

/// The agreement `id`, if `reader` may see it.
pub async fn visible_by_id(
    db: impl PgExecutor<'_>,
    id: i64,
    reader: Reader,
) -> sqlx::Result<Option<Agreement>> {
    Ok(visible(db, reader, Some(id)).await?.into_iter().next())
}

/// The columns of an [`Agreement`], of `agreement a JOIN body b`.
const AGREEMENT_COLUMNS: &str = "a.id, a.slug, a.title, a.subtitle, a.kind_label,
        a.concluded_on, a.period_from, a.period_until, a.introduction,
        a.status = 'published' AS published, b.slug AS body_slug, b.name AS body_name";

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
    /// The agenda items that dealt with it, those the reader may see.
    pub discussions: Json<Vec<Discussion>>,
}

pub async fn page_by_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
    reader: Reader,
) -> Row<AgreementPage> {
    let sql = format!(
        "SELECT {AGREEMENT_COLUMNS},
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
                 WHERE g.agreement_id = a.id) AS measurements,
                (SELECT coalesce(json_agg(json_build_object(
                            'item_id', i.id, 'number', coalesce(i.number, i.position::text),
                            'title', i.title, 'meeting_id', m.id, 'starts_at', m.starts_at,
                            'body_name', ib.name) ORDER BY m.starts_at, i.position), '[]')
                 FROM agenda_item i JOIN meeting m ON m.id = i.meeting_id
                 JOIN body ib ON ib.id = i.body_id
                 WHERE i.agreement_id = a.id AND agenda_item_on_agenda(i)
                   AND m.status <> 'cancelled'
                   AND agenda_item_visible($2, i, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date))
                    AS discussions
         FROM agreement a JOIN body b ON b.id = a.body_id
         WHERE a.slug = $1 AND agreement_visible($2, a.status)"
    );
    sqlx::query_as(&sql)
        .bind(slug)
        .bind(reader)
        .fetch_optional(db)
        .await
}

/// The rows a query reads.
pub type Rows<T> = sqlx::Result<Vec<T>>;
/// The row a query reads, if there is one.
pub type Row<T> = sqlx::Result<Option<T>>;

/// A statement that returns an id, its fields bound by the part's own
/// `bind` (the insert and the update bind them alike).
type Scalar<'q> = sqlx::query::QueryScalar<'q, sqlx::Postgres, i64, sqlx::postgres::PgArguments>;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// The choices of a list in a form: bodies, people, organisations,
/// competences.
#[derive(Debug, Clone, Copy)]
pub enum Choices {
    Bodies,
    People,
    Organisations,
    Competences,
}

/// The choices of `list`, in the order the form shows them.
pub async fn choices(db: impl PgExecutor<'_>, list: Choices) -> Rows<Choice> {
    let sql = match list {
        Choices::Bodies => "SELECT id, name FROM body ORDER BY sort_order, name",
        Choices::People => {
            "SELECT id, given_name || ' ' || family_name AS name FROM person
             ORDER BY family_name, given_name"
        }
        Choices::Organisations => "SELECT id, name FROM organisation ORDER BY name",
        Choices::Competences => "SELECT id, name FROM competence ORDER BY name",
    };
    sqlx::query_as(sql).fetch_all(db).await
}

/// Whether a record is linked to `id` by the one parameter of `sql`, a
/// `SELECT EXISTS (…)`.
pub(super) async fn exists(
    db: impl PgExecutor<'_>,
    sql: &'static str,
    id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(sql).bind(id).fetch_one(db).await
}

/// Replaces the rows that hang off `parent` (the commitments of an
/// agreement, the competences of a line): `delete` removes them, `insert`
/// adds one per value (`$1` the parent, `$2` the values as an array).
pub(super) async fn replace_rows<T>(
    conn: &mut sqlx::PgConnection,
    (delete, insert): (&'static str, &'static str),
    parent: i64,
    values: &[T],
) -> sqlx::Result<()>
where
    T: sqlx::postgres::PgHasArrayType + for<'q> sqlx::Encode<'q, sqlx::Postgres> + Sync,
    T: sqlx::Type<sqlx::Postgres>,
{
    sqlx::query(delete).bind(parent).execute(&mut *conn).await?;
    sqlx::query(insert)
        .bind(parent)
        .bind(values)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
