//! The tree of action lines: depth-first reads, numbering by place, and the
//! competences that decide which cabinet follows a line up.

use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, PgExecutor};

use super::agreement::{Change, claim};
use super::{Row, Rows};
use super::{exists, replace_rows};
use crate::audit;
use crate::base::{Outcome, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionLineRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub label: String,
    pub title: String,
    /// Does an action point feed it (whoever may see it): only then are
    /// the points asked for, as the reader may see them.
    pub has_points: bool,
}

/// All action lines of an agreement, parents before children, siblings in
/// order: the lines in one plain query, the depth-first walk here. (A
/// recursive query took PostgreSQL 0.15 ms for 40 lines: a scan of the
/// agreement's lines and a hash join per level.)
pub async fn action_lines(db: impl PgExecutor<'_>, agreement: i64) -> Rows<ActionLineRow> {
    #[derive(sqlx::FromRow)]
    struct Line {
        #[sqlx(flatten)]
        row: ActionLineRow,
        position: i32,
    }
    const SQL: &str = "SELECT l.id, l.parent_id, l.position, l.label, l.title,
                EXISTS (SELECT 1 FROM action_point p WHERE p.action_line_id = l.id) AS has_points
         FROM action_line l WHERE l.agreement_id = $1";
    let lines: Vec<Line> = sqlx::query_as(SQL).bind(agreement).fetch_all(db).await?;
    let mut children: std::collections::HashMap<Option<i64>, Vec<(i32, usize)>> =
        std::collections::HashMap::new();
    for (i, l) in lines.iter().enumerate() {
        children
            .entry(l.row.parent_id)
            .or_default()
            .push((l.position, i));
    }
    for siblings in children.values_mut() {
        siblings.sort_unstable();
    }
    // Depth-first from the roots; a line whose parent is not of this
    // agreement (never, by the editor) is left out, as the recursive
    // query left it out.
    let mut slots: Vec<Option<ActionLineRow>> = lines.into_iter().map(|l| Some(l.row)).collect();
    let mut out = Vec::with_capacity(slots.len());
    let mut stack: Vec<usize> = children
        .get(&None)
        .map(|s| s.iter().rev().map(|&(_, i)| i).collect())
        .unwrap_or_default();
    while let Some(i) = stack.pop() {
        let Some(row) = slots[i].take() else { continue };
        if let Some(kids) = children.get(&Some(row.id)) {
            stack.extend(kids.iter().rev().map(|&(_, k)| k));
        }
        out.push(row);
    }
    Ok(out)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct LineRecord {
    pub id: i64,
    pub agreement_id: i64,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub label: String,
    pub title: String,
}

pub async fn line(db: impl PgExecutor<'_>, line: i64) -> Row<LineRecord> {
    const SQL: &str =
        "SELECT id, agreement_id, parent_id, position, label, title FROM action_line WHERE id = $1";
    sqlx::query_as(SQL).bind(line).fetch_optional(db).await
}

pub async fn line_competences(db: impl PgExecutor<'_>, line: i64) -> Rows<i64> {
    const SQL: &str =
        "SELECT competence_id FROM action_line_competence WHERE action_line_id = $1 ORDER BY 1";
    sqlx::query_scalar(SQL).bind(line).fetch_all(db).await
}

/// The competences set on each action line of an agreement, by name.
pub async fn competence_names(db: impl PgExecutor<'_>, agreement: i64) -> Rows<(i64, String)> {
    const SQL: &str = "SELECT alc.action_line_id, c.name FROM action_line_competence alc
         JOIN competence c ON c.id = alc.competence_id
         JOIN action_line al ON al.id = alc.action_line_id
         WHERE al.agreement_id = $1 ORDER BY c.name";
    sqlx::query_as(SQL).bind(agreement).fetch_all(db).await
}

/// The competences of a line and of every line above it, by name: what a
/// line below it inherits.
pub async fn inherited_competences(db: impl PgExecutor<'_>, line: i64) -> Rows<String> {
    const SQL: &str = "WITH RECURSIVE up AS (
             SELECT id, parent_id FROM action_line WHERE id = $1
             UNION ALL
             SELECT p.id, p.parent_id FROM action_line p JOIN up ON p.id = up.parent_id
         )
         SELECT DISTINCT c.name FROM up
         JOIN action_line_competence alc ON alc.action_line_id = up.id
         JOIN competence c ON c.id = alc.competence_id
         ORDER BY c.name";
    sqlx::query_scalar(SQL).bind(line).fetch_all(db).await
}

/// How deep a line sits: 0 for a theme.
pub async fn depth(db: impl PgExecutor<'_>, line: i64) -> sqlx::Result<i32> {
    const SQL: &str = "WITH RECURSIVE up AS (
             SELECT id, parent_id, 0 AS depth FROM action_line WHERE id = $1
             UNION ALL
             SELECT p.id, p.parent_id, up.depth + 1 FROM action_line p JOIN up ON p.id = up.parent_id
         )
         SELECT max(depth) FROM up";
    sqlx::query_scalar(SQL).bind(line).fetch_one(db).await
}

pub async fn siblings(db: impl PgExecutor<'_>, agreement: i64, parent: Option<i64>) -> Rows<i64> {
    const SQL: &str =
        "SELECT id FROM action_line WHERE agreement_id = $1 AND parent_id IS NOT DISTINCT FROM $2
         ORDER BY position";
    sqlx::query_scalar(SQL)
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

/// What the action-line form sets, checked.
#[derive(Debug, Clone)]
pub struct LineFields {
    pub title: String,
    pub competences: Vec<i64>,
}

/// Where a new line goes: under its parent (none for a theme), right after
/// a sibling (none for last).
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub parent: Option<i64>,
    pub after: Option<i64>,
}

/// Inserts a line at its place and renumbers its siblings.
pub async fn insert_line(
    conn: &mut PgConnection,
    by: Change,
    place: Place,
    f: &LineFields,
) -> Result<Outcome<i64>> {
    done!(claim(conn, by.agreement, by.seen).await?);
    let (actor, agreement) = (by.actor, by.agreement);
    let Place { parent, after } = place;
    let (title, competences) = (&f.title, &f.competences);
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
    replace_rows(conn, COMPETENCES, id, competences).await?;
    let label: String = sqlx::query_scalar("SELECT label FROM action_line WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    audit::Entry::new("create", "action_line", id)
        .after(
            json!({ "agreement_id": agreement, "parent_id": parent, "label": label,
                     "title": title, "competences": competences }),
        )
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(id))
}

/// The competences of a line.
const COMPETENCES: (&str, &str) = (
    "DELETE FROM action_line_competence WHERE action_line_id = $1",
    "INSERT INTO action_line_competence (action_line_id, competence_id)
     SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
);

pub async fn update_line(
    conn: &mut PgConnection,
    by: Change,
    before: &LineRecord,
    f: &LineFields,
) -> Result<Outcome> {
    done!(claim(conn, by.agreement, by.seen).await?);
    let (title, competences) = (&f.title, &f.competences);
    let old_competences = line_competences(&mut *conn, before.id).await?;
    sqlx::query("UPDATE action_line SET title = $2 WHERE id = $1")
        .bind(before.id)
        .bind(title)
        .execute(&mut *conn)
        .await?;
    replace_rows(conn, COMPETENCES, before.id, competences).await?;
    audit::Entry::new("update", "action_line", before.id)
        .before(json!({ "title": before.title, "competences": old_competences }))
        .after(json!({ "title": title, "competences": competences }))
        .write(conn, by.actor)
        .await?;
    Ok(Outcome::Done(()))
}

/// Moves a line one place up (`-1`) or down (`1`) among its siblings;
/// refused when it is already first or last.
pub async fn move_line(
    conn: &mut PgConnection,
    by: Change,
    line: &LineRecord,
    step: isize,
) -> Result<Outcome> {
    done!(claim(conn, by.agreement, by.seen).await?);
    let mut order = siblings(&mut *conn, line.agreement_id, line.parent_id).await?;
    let to = order.iter().position(|&s| s == line.id).and_then(|at| {
        let to = at.checked_add_signed(step).filter(|&t| t < order.len())?;
        Some((at, to))
    });
    let Some((at, to)) = to else {
        let message = if step < 0 {
            "Deze actielijn staat al bovenaan."
        } else {
            "Deze actielijn staat al onderaan."
        };
        return Ok(Outcome::refused("form", message));
    };
    order.swap(at, to);
    let depth = depth(&mut *conn, line.id).await?;
    write_order(conn, line.agreement_id, line.parent_id, depth, &order).await?;
    audit::Entry::new("move", "action_line", line.id)
        .before(json!({ "position": at + 1, "label": line.label }))
        .after(json!({ "position": to + 1, "label": label_for(depth, to) }))
        .write(conn, by.actor)
        .await?;
    Ok(Outcome::Done(()))
}

/// Whether a line has lines under it.
const HAS_CHILDREN: &str = "SELECT EXISTS (SELECT 1 FROM action_line WHERE parent_id = $1)";
/// Whether a line has follow-up.
const HAS_FOLLOW_UP: &str = "SELECT EXISTS (SELECT 1 FROM follow_up WHERE action_line_id = $1)";

/// Deletes a line without lines under it and without follow-up (that is
/// history).
pub async fn delete_line(
    conn: &mut PgConnection,
    by: Change,
    line: &LineRecord,
) -> Result<Outcome> {
    if exists(&mut *conn, HAS_CHILDREN, line.id).await? {
        let message = "Alleen een actielijn zonder onderliggende actielijnen kan verwijderd worden. Verwijder eerst de onderliggende.";
        return Ok(Outcome::refused("form", message));
    }
    if exists(&mut *conn, HAS_FOLLOW_UP, line.id).await? {
        let message = "Deze actielijn heeft al opvolging en kan niet verwijderd worden: de geschiedenis blijft bewaard.";
        return Ok(Outcome::refused("form", message));
    }
    done!(claim(conn, by.agreement, by.seen).await?);
    let competences = line_competences(&mut *conn, line.id).await?;
    let depth = depth(&mut *conn, line.id).await?;
    sqlx::query("DELETE FROM action_line WHERE id = $1")
        .bind(line.id)
        .execute(&mut *conn)
        .await?;
    let order = siblings(&mut *conn, line.agreement_id, line.parent_id).await?;
    write_order(conn, line.agreement_id, line.parent_id, depth, &order).await?;
    audit::Entry::new("delete", "action_line", line.id)
        .before(json!({ "record": line, "competences": competences }))
        .write(conn, by.actor)
        .await?;
    Ok(Outcome::Done(()))
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
