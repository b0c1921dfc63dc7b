//! Notifications about meetings: approved minutes to everyone who may now
//! read them (the members of the body, the secretariat), and the reminders a job sends by itself a number of working days
//! (the body's `reminder_days`, 3 unless set) before a meeting, to the
//! invitees who have not answered, and before its proposal deadline, to
//! the accounts that may propose for it. Recipients are chosen by the same
//! visibility rules as the pages (`minutes_visible`, `reader_sits_in`).
//!
//! Each reminder goes out once per date (the key of `meeting_mailing`),
//! however many instances run the job; a meeting moved to a new date gets
//! a new one.

use sqlx::{PgConnection, PgPool};
use time::{OffsetDateTime, Time};

use super::convocation::{self, Occasion};
use super::queries::{self, Meeting};
use crate::base::{dutch, working_days};
use crate::mail::{self, Addressee, Kind, Letter, Site};

/// Reminders go out from this hour (Brussels) on their day.
const FROM: Time = time::macros::time!(08:00);
/// How far ahead the job looks for meetings and deadlines.
const HORIZON_DAYS: i64 = 45;

/// The query for the active accounts for whom `rule` (a visibility rule of
/// the meeting `m` = `$1`, read by the account `acc` as reader, today =
/// `$2`) holds.
macro_rules! accounts_where {
    ($rule:literal) => {
        concat!(
            "SELECT acc.email, acc.display_name FROM account acc, meeting m
             WHERE m.id = $1 AND acc.disabled_at IS NULL AND ",
            $rule,
            " ORDER BY acc.id"
        )
    };
}

async fn accounts(
    conn: &mut PgConnection,
    sql: &'static str,
    meeting: i64,
) -> sqlx::Result<Vec<Addressee>> {
    sqlx::query_as(sql)
        .bind(meeting)
        .bind(dutch::today())
        .fetch_all(conn)
        .await
}

/// Approved minutes: to the accounts of the body's members, who may now
/// read them (`minutes_visible`).
pub async fn minutes_approved(
    conn: &mut PgConnection,
    actor: i64,
    site: &Site,
    meeting: &Meeting,
) -> sqlx::Result<usize> {
    // Everyone who may now read them, the secretariat's colleagues too.
    let sql = accounts_where!("minutes_visible(account_reader(acc, $2), m, 'approved')");
    let accounts = accounts(conn, sql, meeting.id).await?;
    let day = dutch::nl_date(dutch::brussels(meeting.starts_at).date());
    let subject = format!("Verslag goedgekeurd: {}, {day}", meeting.body_name);
    let first = format!(
        "Het verslag van de vergadering van {} van {day} is goedgekeurd.",
        meeting.body_name
    );
    let link = site.link(&format!("/vergaderingen/{}", meeting.id));
    let letter = Letter::short(subject, first, ("Het verslag lezen", link));
    mail::notify::to_each(
        conn,
        Some(actor),
        site,
        accounts,
        Kind::MinutesApproved,
        letter,
    )
    .await
}

/// Minutes sent for comments: to the accounts of the body's members, who
/// may now read them (`minutes_visible` of sent minutes), not to the
/// secretariat that sent them.
pub async fn minutes_for_comments(
    conn: &mut PgConnection,
    actor: i64,
    site: &Site,
    meeting: &Meeting,
    until: time::Date,
) -> sqlx::Result<usize> {
    let sql = accounts_where!(
        "minutes_visible(account_reader(acc, $2), m, 'sent')
         AND NOT (account_reader(acc, $2)).reads_all"
    );
    let accounts = accounts(conn, sql, meeting.id).await?;
    let day = dutch::nl_date(dutch::brussels(meeting.starts_at).date());
    let subject = format!(
        "Ontwerpverslag ter opmerkingen: {}, {day}",
        meeting.body_name
    );
    let first = format!(
        "Het ontwerpverslag van de vergadering van {} van {day} is klaar. Opmerkingen zijn welkom tot en met {}: antwoord het secretariaat.",
        meeting.body_name,
        dutch::nl_date(until)
    );
    let link = site.link(&format!("/vergaderingen/{}/verslag", meeting.id));
    let letter = Letter::short(subject, first, ("Het ontwerpverslag lezen", link));
    mail::notify::to_each(
        conn,
        Some(actor),
        site,
        accounts,
        Kind::MinutesForComments,
        letter,
    )
    .await
}

/// The moment a reminder `days` working days before `day` is due.
fn due(day: time::Date, days: i32) -> Option<OffsetDateTime> {
    let n = u32::try_from(days).ok()?;
    dutch::from_brussels(working_days::before(day, n), FROM)
}

#[derive(Debug, sqlx::FromRow)]
struct Candidate {
    id: i64,
    /// The start, or the proposal deadline.
    at: OffsetDateTime,
    reminder_days: i32,
    convened_at: Option<OffsetDateTime>,
}

/// Claims the reminder of `kind` for meeting `id` at `at`: true once, for
/// the first instance that asks, in its transaction.
async fn claim(
    conn: &mut PgConnection,
    id: i64,
    kind: &str,
    at: OffsetDateTime,
) -> sqlx::Result<bool> {
    let claimed = sqlx::query(
        "INSERT INTO meeting_mailing (meeting_id, kind, for_time) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(kind)
    .bind(at)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(claimed == 1)
}

/// The two reminders the job sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reminder {
    /// Before a meeting, to the invitees who have not answered; a
    /// convocation sent after the reminder's moment makes it needless.
    Meeting,
    /// Before a proposal deadline, to the accounts whose organisation (or
    /// minister) sits in the body and may propose.
    Deadline,
}

impl Reminder {
    fn code(self) -> &'static str {
        match self {
            Reminder::Meeting => "reminder",
            Reminder::Deadline => "deadline_reminder",
        }
    }

    /// The meetings (with the moment the reminder is for) that may need it.
    fn candidates(self) -> &'static str {
        match self {
            Reminder::Meeting => {
                "SELECT m.id, m.starts_at AS at, b.reminder_days, c.sent_at AS convened_at
                 FROM meeting m JOIN body b ON b.id = m.body_id
                 JOIN meeting_mailing c
                   ON c.meeting_id = m.id AND c.kind = 'convocation' AND c.for_time = m.starts_at
                 WHERE m.status = 'convened' AND b.reminder_days > 0
                   AND m.starts_at > $1 AND m.starts_at < $1 + $2 * interval '1 day'
                   AND NOT EXISTS (SELECT 1 FROM meeting_mailing r
                                   WHERE r.meeting_id = m.id AND r.kind = $3
                                     AND r.for_time = m.starts_at)"
            }
            Reminder::Deadline => {
                "SELECT m.id, m.proposal_deadline AS at, b.reminder_days,
                        NULL::timestamptz AS convened_at
                 FROM meeting m JOIN body b ON b.id = m.body_id
                 WHERE m.status IN ('planned', 'convened') AND b.reminder_days > 0
                   AND m.proposal_deadline > $1
                   AND m.proposal_deadline < $1 + $2 * interval '1 day'
                   AND NOT EXISTS (SELECT 1 FROM meeting_mailing r
                                   WHERE r.meeting_id = m.id AND r.kind = $3
                                     AND r.for_time = m.proposal_deadline)"
            }
        }
    }

    /// Checked again in the sending transaction: a meeting cancelled
    /// since the candidates were read gets nothing.
    fn still_due(self, m: &Meeting) -> bool {
        match self {
            Reminder::Meeting => m.status == crate::meetings::MeetingStatus::Convened,
            Reminder::Deadline => m.is_open(),
        }
    }

    async fn write(
        self,
        conn: &mut PgConnection,
        site: &Site,
        m: &Meeting,
        at: OffsetDateTime,
    ) -> sqlx::Result<()> {
        match self {
            Reminder::Meeting => {
                convocation::write(conn, None, m, Occasion::Reminder, site).await?;
            }
            Reminder::Deadline => {
                deadline_reminder(conn, site, m, at).await?;
            }
        }
        Ok(())
    }
}

/// Sends the reminders of `which` that are due at `now`; returns for how
/// many meetings.
async fn send_due(
    db: &PgPool,
    site: &Site,
    now: OffsetDateTime,
    which: Reminder,
) -> sqlx::Result<usize> {
    let candidates: Vec<Candidate> = sqlx::query_as(which.candidates())
        .bind(now)
        .bind(HORIZON_DAYS as f64)
        .bind(which.code())
        .fetch_all(db)
        .await?;
    let mut reminded = 0;
    for c in candidates {
        let Some(moment) = due(dutch::brussels(c.at).date(), c.reminder_days) else {
            continue;
        };
        let needless = which == Reminder::Meeting && c.convened_at.is_none_or(|at| at >= moment);
        if now < moment || needless {
            continue;
        }
        let mut tx = db.begin().await?;
        if claim(&mut tx, c.id, which.code(), c.at).await?
            && let Some(m) = queries::get(&mut *tx, c.id).await?
            && which.still_due(&m)
        {
            which.write(&mut tx, site, &m, c.at).await?;
            reminded += 1;
        }
        tx.commit().await?;
    }
    Ok(reminded)
}

/// The reminders before meetings that are due at `now`.
pub async fn send_meeting_reminders(
    db: &PgPool,
    site: &Site,
    now: OffsetDateTime,
) -> sqlx::Result<usize> {
    send_due(db, site, now, Reminder::Meeting).await
}

/// The reminders of proposal deadlines that are due at `now`.
pub async fn send_deadline_reminders(
    db: &PgPool,
    site: &Site,
    now: OffsetDateTime,
) -> sqlx::Result<usize> {
    send_due(db, site, now, Reminder::Deadline).await
}

async fn deadline_reminder(
    conn: &mut PgConnection,
    site: &Site,
    m: &Meeting,
    deadline: OffsetDateTime,
) -> sqlx::Result<usize> {
    // Who may propose: the members' accounts (not the secretariat's).
    let sql = accounts_where!(
        "acc.role IN ('social_partner', 'cabinet')
         AND meeting_internals_visible(account_reader(acc, $2), m)"
    );
    let accounts = accounts(conn, sql, m.id).await?;
    let day = dutch::nl_date(dutch::brussels(m.starts_at).date());
    let subject = format!(
        "Agendapunten voorstellen tot {}: {}, {day}",
        short(deadline),
        m.body_name
    );
    let first = format!(
        "Agendapunten voor de vergadering van {} van {} worden verwacht tot {}.",
        m.body_name,
        dutch::nl_datetime(m.starts_at),
        dutch::nl_datetime(deadline)
    );
    let link = site.link("/agendapunten/nieuw");
    let letter = Letter::short(subject, first, ("Een agendapunt voorstellen", link));
    mail::notify::to_each(conn, None, site, accounts, Kind::DeadlineReminder, letter).await
}

/// "7 december 12.00 uur"
fn short(t: OffsetDateTime) -> String {
    let local = dutch::brussels(t);
    format!(
        "{} {} {}.{:02} uur",
        local.day(),
        dutch::nl_month(local.month()),
        local.hour(),
        local.minute()
    )
}
