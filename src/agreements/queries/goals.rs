//! Goals of an agreement.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};
use time::Date;

use super::Goal;
use super::agreement::{Change, claim};
use super::exists;
use super::{Row, Rows};
use crate::audit;
use crate::base::{Outcome, Result};

/// A goal's columns, its numbers as text.
const GOAL_SELECT: &str = "SELECT id, position, text, target_value::text AS target_value,
        target_unit, baseline_value::text AS baseline_value, baseline_on, deadline
     FROM goal WHERE agreement_id = $1";

pub async fn goals(db: impl PgExecutor<'_>, agreement: i64) -> Rows<Goal> {
    let sql = format!("{GOAL_SELECT} ORDER BY position");
    sqlx::query_as(&sql).bind(agreement).fetch_all(db).await
}

/// What the goal form sets, checked. Numbers travel as canonical decimal
/// text ("120000", "80.5") and are cast to numeric in SQL; the public page
/// reads them, dates included, from JSON.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct GoalFields {
    pub text: String,
    pub target_value: Option<String>,
    pub target_unit: Option<String>,
    pub baseline_value: Option<String>,
    #[serde(deserialize_with = "date_or_null", serialize_with = "date_or_null_out")]
    pub baseline_on: Option<Date>,
    #[serde(deserialize_with = "date_or_null", serialize_with = "date_or_null_out")]
    pub deadline: Option<Date>,
}

/// A date of the page's JSON, or null. `json_date::option` cannot read the
/// null of a flattened struct (serde hands it over as a unit), `Option` can.
fn date_or_null<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Date>, D::Error> {
    #[derive(Deserialize)]
    struct Day(#[serde(with = "crate::base::dutch::day")] Date);
    Ok(Option::<Day>::deserialize(d)?.map(|Day(date)| date))
}

/// What [`date_or_null`] reads: also what a read model keeps
/// (src/cache/stored.rs), which must read back what it wrote.
fn date_or_null_out<S: serde::Serializer>(
    d: &Option<Date>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Day(#[serde(with = "crate::base::dutch::day")] Date);
    d.map(Day).serialize(s)
}

impl GoalFields {
    /// Binds the fields as the next parameters, in the order of the columns.
    fn bind<'q>(&'q self, q: super::Scalar<'q>) -> super::Scalar<'q> {
        q.bind(&self.text)
            .bind(&self.target_value)
            .bind(&self.target_unit)
            .bind(&self.baseline_value)
            .bind(self.baseline_on)
            .bind(self.deadline)
    }
}

pub async fn goal(db: impl PgExecutor<'_>, agreement: i64, goal: i64) -> Row<Goal> {
    let sql = format!("{GOAL_SELECT} AND id = $2");
    sqlx::query_as(&sql)
        .bind(agreement)
        .bind(goal)
        .fetch_optional(db)
        .await
}

/// A goal by its id alone, with the agreement it belongs to.
pub async fn goal_with_agreement(db: impl PgExecutor<'_>, goal: i64) -> Row<(i64, String)> {
    const SQL: &str =
        "SELECT a.id, a.slug FROM goal g JOIN agreement a ON a.id = g.agreement_id WHERE g.id = $1";
    sqlx::query_as(SQL).bind(goal).fetch_optional(db).await
}

/// A new goal, last of the agreement's.
pub async fn insert_goal(
    conn: &mut PgConnection,
    by: Change,
    f: &GoalFields,
) -> Result<Outcome<i64>> {
    done!(claim(conn, by.agreement, by.seen).await?);
    let (actor, agreement) = (by.actor, by.agreement);
    let insert = sqlx::query_scalar(
        "INSERT INTO goal (agreement_id, position, text, target_value, target_unit,
                           baseline_value, baseline_on, deadline)
         VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM goal WHERE agreement_id = $1),
                 $2, $3::numeric, $4, $5::numeric, $6, $7)
         RETURNING id",
    )
    .bind(agreement);
    let id = f.bind(insert).fetch_one(&mut *conn).await?;
    audit::Entry::new("create", "goal", id)
        .after(json!({ "agreement_id": agreement, "fields": f }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(id))
}

pub async fn update_goal(
    conn: &mut PgConnection,
    by: Change,
    before: &Goal,
    f: &GoalFields,
) -> Result<Outcome> {
    done!(claim(conn, by.agreement, by.seen).await?);
    let update = sqlx::query_scalar(
        "UPDATE goal SET text = $2, target_value = $3::numeric, target_unit = $4,
                baseline_value = $5::numeric, baseline_on = $6, deadline = $7
         WHERE id = $1 RETURNING id",
    )
    .bind(before.id);
    f.bind(update).fetch_optional(&mut *conn).await?;
    audit::Entry::new("update", "goal", before.id)
        .before(json!(before))
        .after(json!(f))
        .write(conn, by.actor)
        .await?;
    Ok(Outcome::Done(()))
}

/// Whether a goal has measured values.
const HAS_MEASUREMENTS: &str = "SELECT EXISTS (SELECT 1 FROM goal_measurement WHERE goal_id = $1)";

/// Deletes a goal that has no measured values yet: those are history.
pub async fn delete_goal(conn: &mut PgConnection, by: Change, before: &Goal) -> Result<Outcome> {
    let (actor, agreement, seen) = (by.actor, by.agreement, by.seen);
    if exists(&mut *conn, HAS_MEASUREMENTS, before.id).await? {
        return Ok(Outcome::refused(
            "form",
            "Deze doelstelling heeft al meetwaarden en kan niet meer verwijderd worden.",
        ));
    }
    done!(claim(conn, agreement, seen).await?);
    sqlx::query("DELETE FROM goal WHERE id = $1")
        .bind(before.id)
        .execute(&mut *conn)
        .await?;
    audit::Entry::new("delete", "goal", before.id)
        .before(json!(before))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}
