//! What the one who must act hears of an action point given to them: a
//! notification to every active account acting for the assignee
//! (`action_point_assigned`) that may see the point (`action_point_visible`),
//! but the one who gave it, in the transaction of the change, as each
//! mailbox chose (`mail::notify`: at once, in the daily digest, or not).

use sqlx::PgConnection;
use time::Date;

use crate::base::dutch;
use crate::mail::{self, Addressee, Kind, Letter, Site};

#[derive(Debug, sqlx::FromRow)]
struct Point {
    what: String,
    due_on: Date,
    item_title: String,
    body_name: String,
    meeting_day: Option<Date>,
}

/// Writes the notice of point `point` to whoever acts for its assignee;
/// returns how many accounts were written to (whatever their choice).
pub async fn assigned(
    conn: &mut PgConnection,
    actor: i64,
    site: &Site,
    point: i64,
) -> sqlx::Result<usize> {
    let today = dutch::today();
    let accounts: Vec<Addressee> = sqlx::query_as(
        "SELECT acc.email, acc.display_name
         FROM action_point p
         JOIN agenda_item a ON a.id = p.agenda_item_id
         LEFT JOIN meeting m ON m.id = a.meeting_id
         JOIN account acc ON acc.disabled_at IS NULL AND acc.id <> $2
              AND acc.role IN ('social_partner', 'cabinet', 'secretariat')
         WHERE p.id = $1
           AND action_point_assigned(account_reader(acc, $3), p)
           AND action_point_visible(account_reader(acc, $3), a,
                                    (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)
         ORDER BY acc.id",
    )
    .bind(point)
    .bind(actor)
    .bind(today)
    .fetch_all(&mut *conn)
    .await?;
    if accounts.is_empty() {
        return Ok(0);
    }
    let p: Point = sqlx::query_as(
        "SELECT p.what, p.due_on, a.title AS item_title, b.name AS body_name,
                (m.starts_at AT TIME ZONE 'Europe/Brussels')::date AS meeting_day
         FROM action_point p JOIN agenda_item a ON a.id = p.agenda_item_id
         JOIN body b ON b.id = a.body_id LEFT JOIN meeting m ON m.id = a.meeting_id
         WHERE p.id = $1",
    )
    .bind(point)
    .fetch_one(&mut *conn)
    .await?;
    let subject = format!(
        "Actiepunt voor u: {}",
        mail::one_line(&shorten(&p.what, 80))
    );
    let meeting = p
        .meeting_day
        .map(|d| format!(" van {}", dutch::nl_date(d)))
        .unwrap_or_default();
    let paragraphs = vec![
        format!(
            "Het secretariaat heeft u een actiepunt gegeven uit de vergadering{meeting} van {}, bij het agendapunt “{}”:",
            p.body_name,
            mail::one_line(&p.item_title)
        ),
        p.what.clone(),
        format!(
            "Te doen tegen {}. Op de pagina van het actiepunt voegt u een notitie toe en meldt u \
             het als uitgevoerd; het secretariaat bevestigt.",
            dutch::nl_date(p.due_on)
        ),
    ];
    let link = site.link(&format!("/actiepunten/{point}"));
    let letter = Letter {
        name: String::new(),
        title: subject,
        paragraphs,
        link: Some(("Het actiepunt bekijken".into(), link)),
    };
    mail::notify::to_each(conn, Some(actor), site, accounts, Kind::ActionPoint, letter).await
}

/// At most `max` characters, with "…" when cut.
fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_subject_is_shortened() {
        assert_eq!(super::shorten("kort", 80), "kort");
        let long = "a".repeat(100);
        let short = super::shorten(&long, 80);
        assert_eq!(short.chars().count(), 80);
        assert!(short.ends_with('…'));
    }
}
