//! Work no request asks for: every minute, each instance sends the
//! reminders that have come due and writes the day's digests. Each step
//! claims what it sends in the database (a reminder's `meeting_mailing`
//! key, the digest entries' row locks), so several instances send each
//! message once.

use std::time::Duration;

use sqlx::PgPool;
use time::OffsetDateTime;

use crate::mail::Site;
use crate::meetings::notices;

/// One round at `now`: what was sent, for the log and the tests.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub meeting_reminders: usize,
    pub deadline_reminders: usize,
    pub digests: usize,
}

/// Each step on its own: one that fails is logged and does not keep the
/// others from running; the error is the first one met.
pub async fn round(db: &PgPool, site: &Site, now: OffsetDateTime) -> sqlx::Result<Round> {
    let mut failed = None;
    let mut step = |name: &str, r: sqlx::Result<usize>| match r {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!("jobs: {name}: {e}");
            failed.get_or_insert(e);
            0
        }
    };
    let round = Round {
        meeting_reminders: step(
            "meeting reminders",
            notices::send_meeting_reminders(db, site, now).await,
        ),
        deadline_reminders: step(
            "deadline reminders",
            notices::send_deadline_reminders(db, site, now).await,
        ),
        digests: step(
            "digests",
            crate::mail::notify::write_digests(db, site, now).await,
        ),
    };
    match failed {
        Some(e) => Err(e),
        None => Ok(round),
    }
}

/// Runs a round every minute until the task is aborted; a failed round is
/// logged and tried again the next minute.
pub async fn run(db: PgPool, site: Site) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match round(&db, &site, OffsetDateTime::now_utc()).await {
            Ok(r) if r != Round::default() => tracing::info!(?r, "jobs"),
            Ok(_) => {}
            Err(e) => tracing::warn!("jobs: {e}"),
        }
        if let Err(e) = crate::cache::stored::tidy(&db).await {
            tracing::warn!("jobs: read models: {e}");
        }
    }
}
