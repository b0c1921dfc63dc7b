//! What convening a meeting of 40 invitees costs, and how fast the outbox
//! drains to an SMTP server: `cargo bench --bench outbox`.
//!
//! On a private PostgreSQL cluster of its own (durable commits, as a real
//! server), with the seeded VESOC data, a meeting of the working group with
//! 12 agenda items (3 confidential) and 40 invitees of 8 organisations:
//!
//! - **convening**: the convocations of the 40 invitees written in one
//!   transaction (`convocation::write`: per invitee its agenda, answer link,
//!   text, HTML and iCalendar invitation), next to the same transaction
//!   writing 40 fixed messages (`mail::enqueue` only): the ratio is what
//!   rendering and the per-reader agenda add;
//! - **draining**: the sender delivers every message to the in-process SMTP
//!   sink of the tests (one SMTP conversation per message, as in
//!   production), next to writing them as files (no SMTP server).
//!
//! Rounds run side by side, alternating, so the machine's noise falls on
//! both; the median of each is printed.

#![allow(clippy::unwrap_used)]

#[path = "../tests/it/smtp_sink.rs"]
#[allow(dead_code)]
mod smtp_sink;

use std::time::{Duration, Instant};

use sqlx::{Connection, Executor, PgConnection};
use vesoc::db::cluster::{Durability, PrivateCluster};
use vesoc::db::{MIGRATOR, pool_options, seed};
use vesoc::mail::{Outgoing, Recipient, Sender, Site, Transport};
use vesoc::meetings::convocation::{self, Occasion};

const INVITEES: usize = 40;
const ROUNDS: usize = 15;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let base = std::env::temp_dir().join("vesoc-bench-outbox");
    let cluster =
        tokio::task::spawn_blocking(move || PrivateCluster::ensure(&base, Durability::Safe))
            .await
            .unwrap()
            .expect("a private PostgreSQL cluster");
    let admin = cluster.connect_options("postgres");
    let mut conn = PgConnection::connect_with(&admin).await.unwrap();
    conn.execute("DROP DATABASE IF EXISTS vesoc_bench_outbox WITH (FORCE)")
        .await
        .unwrap();
    conn.execute("CREATE DATABASE vesoc_bench_outbox")
        .await
        .unwrap();
    let db = pool_options()
        .max_connections(4)
        .connect_with(admin.clone().database("vesoc_bench_outbox"))
        .await
        .unwrap();
    MIGRATOR.run(&db).await.unwrap();
    seed::seed(&db).await.unwrap();

    let meeting: i64 = sqlx::query_scalar(
        "INSERT INTO meeting (body_id, kind, starts_at, ends_at, location, status)
         SELECT id, 'working_group', now() + interval '20 days', now() + interval '20 days 2 hours',
                'SERV, Wetstraat 34-36, Brussel', 'convened'
         FROM body WHERE slug = 'vesoc-werkgroep' RETURNING id",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id, title, kind, status,
                                  position, confidential)
         SELECT m.body_id, m.id, (SELECT id FROM organisation WHERE slug = 'acv'),
                'Agendapunt ' || n || ' over loopbaanbeleid en opleiding', 'discussion', 'accepted',
                n, n % 4 = 0
         FROM meeting m, generate_series(1, 12) n WHERE m.id = $1",
    )
    .bind(meeting)
    .execute(&db)
    .await
    .unwrap();
    sqlx::query(
        "WITH orgs AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM organisation
                       WHERE kind IN ('employers', 'trade_union', 'government') LIMIT 8),
              people AS (INSERT INTO person (slug, given_name, family_name, email)
                         SELECT 'genodigde-' || n, 'Genodigde', 'Nummer ' || n,
                                'genodigde' || n || '@bench.vesoc.be'
                         FROM generate_series(1, $2) n RETURNING id, slug)
         INSERT INTO meeting_participant (meeting_id, person_id, organisation_id, reason)
         SELECT $1, p.id, o.id, 'composition'
         FROM people p JOIN orgs o ON o.k = 1 + (split_part(p.slug, '-', 2)::int % 8)",
    )
    .bind(meeting)
    .bind(INVITEES as i32)
    .execute(&db)
    .await
    .unwrap();
    let m = vesoc::meetings::queries::get(&db, meeting)
        .await
        .unwrap()
        .unwrap();
    let site = Site {
        base_url: "https://vesoc.example".into(),
        sender: "vesoc@serv.be".into(),
    };
    let fixed = Outgoing::new(
        "test",
        Recipient::new("genodigde@bench.vesoc.be", "Genodigde").unwrap(),
        "Uitnodiging",
        "Beste genodigde,\n\nU wordt uitgenodigd.\n".repeat(20),
    );

    // Warm up: plans cached, pages in memory.
    for _ in 0..2 {
        let mut tx = db.begin().await.unwrap();
        convocation::write(&mut tx, None, &m, Occasion::Convened, &site)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
    }

    let (mut convening, mut plain) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let mut tx = db.begin().await.unwrap();
        let written = convocation::write(&mut tx, None, &m, Occasion::Convened, &site)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        convening.push(t.elapsed());
        assert_eq!(written.messages, INVITEES);

        let t = Instant::now();
        let mut tx = db.begin().await.unwrap();
        for _ in 0..INVITEES {
            vesoc::mail::enqueue(&mut tx, None, &fixed).await.unwrap();
        }
        tx.commit().await.unwrap();
        plain.push(t.elapsed());
    }
    let (convening, plain) = (median(convening), median(plain));
    println!("convening {INVITEES} invitees (median of {ROUNDS} rounds):");
    println!(
        "  convocations written and committed: {} ({} per invitee)",
        ms(convening),
        ms(convening / INVITEES as u32)
    );
    println!(
        "  {INVITEES} fixed messages written and committed: {}",
        ms(plain)
    );
    println!(
        "  ratio: {:.1}× the fixed messages",
        convening.as_secs_f64() / plain.as_secs_f64()
    );

    // Draining: half of the messages to the SMTP sink, half as files,
    // alternating batches of one convening each.
    let sink = smtp_sink::Sink::start().await;
    let smtp = Sender::new(
        db.clone(),
        Transport::new(Some(&sink.url()), std::env::temp_dir()).unwrap(),
        "VESOC <vesoc@serv.be>",
    )
    .unwrap();
    let folder = tempfile_dir();
    let files = Sender::new(
        db.clone(),
        Transport::new(None, folder.clone()).unwrap(),
        "VESOC <vesoc@serv.be>",
    )
    .unwrap();
    sqlx::query("DELETE FROM mail_message")
        .execute(&db)
        .await
        .unwrap();
    let (mut to_smtp, mut to_files) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        for (sender, times) in [(&smtp, &mut to_smtp), (&files, &mut to_files)] {
            let mut tx = db.begin().await.unwrap();
            convocation::write(&mut tx, None, &m, Occasion::Convened, &site)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let t = Instant::now();
            let handled = sender.drain().await.unwrap();
            times.push(t.elapsed());
            assert_eq!(handled, INVITEES);
        }
    }
    assert_eq!(sink.received().len(), 5 * INVITEES);
    let rate = |d: Duration| INVITEES as f64 / d.as_secs_f64();
    let (to_smtp, to_files) = (median(to_smtp), median(to_files));
    println!("draining {INVITEES} convocations (median of 5 batches each):");
    println!(
        "  to the SMTP sink: {} ({:.0} messages/s)",
        ms(to_smtp),
        rate(to_smtp)
    );
    println!(
        "  as .eml files:    {} ({:.0} messages/s)",
        ms(to_files),
        rate(to_files)
    );
    println!(
        "  ratio: SMTP takes {:.1}× the time of files",
        to_smtp.as_secs_f64() / to_files.as_secs_f64()
    );
    std::fs::remove_dir_all(folder).ok();
    db.close().await;
    conn.execute("DROP DATABASE vesoc_bench_outbox WITH (FORCE)")
        .await
        .unwrap();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("vesoc-bench-mail-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
