//! Memory of the meeting pack: `cargo bench --bench pack`.
//!
//! On a private PostgreSQL cluster of its own, a meeting with 50 agenda
//! items of one 5 MiB document each (made in the database, so that they
//! never pass through this process before the request). The pack
//! (`/vergaderingen/{id}/agenda/pakket.zip`, 250 MiB) is asked of the
//! application in this process and read chunk by chunk, as a client would.
//! Printed, for a pack of 10 and of 50 documents side by side: the bytes
//! received, and how far this process's peak resident memory (`VmHWM`,
//! reset before each through `/proc/self/clear_refs`) rose above what it
//! held before: a streamed pack costs about the same whatever its size.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use sqlx::{Connection, Executor, PgConnection};
use tower::ServiceExt;
use vesoc::config::{RoleList, ServeConfig};
use vesoc::db::cluster::{Durability, PrivateCluster};
use vesoc::db::{MIGRATOR, pool_options, seed};

const DOCUMENTS: i32 = 50;
const MIB: i32 = 5;

/// A line of `/proc/self/status` in MiB (`VmHWM`, `VmRSS`).
fn memory_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| {
            v.trim_start_matches(':')
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Starts counting the peak anew from what is resident now.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A meeting with `documents` agenda items of one 5 MiB document each,
/// made by PostgreSQL (hex-decoded md5s).
async fn meeting_with(db: &sqlx::PgPool, documents: i32) -> i64 {
    let meeting: i64 = sqlx::query_scalar(
        "INSERT INTO meeting (body_id, kind, starts_at, ends_at, location)
         SELECT id, 'working_group', now() + interval '20 days', now() + interval '20 days 2 hours', 'SERV'
         FROM body WHERE slug = 'vesoc-werkgroep' RETURNING id",
    )
    .fetch_one(db)
    .await
    .unwrap();
    sqlx::query(
        "WITH items AS (
             INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id, title, kind,
                                      status, position, number)
             SELECT m.body_id, m.id, (SELECT id FROM organisation WHERE slug = 'acv'),
                    'Punt ' || n, 'discussion', 'accepted', n, n::text
             FROM meeting m, generate_series(1, $2) n WHERE m.id = $1 RETURNING id, position)
         INSERT INTO document (agenda_item_id, filename, content_type, size_bytes, sha256, content)
         SELECT i.id, 'stuk-' || i.position || '.bin', 'application/octet-stream', length(c), sha256(c), c
         FROM items i
         CROSS JOIN LATERAL (SELECT decode(repeat(md5(i.position::text), $3 * 65536), 'hex') AS c) x",
    )
    .bind(meeting)
    .bind(documents)
    .bind(MIB)
    .execute(db)
    .await
    .unwrap();
    meeting
}

#[tokio::main]
async fn main() {
    let base = std::env::temp_dir().join("vesoc-bench-pack");
    let cluster =
        tokio::task::spawn_blocking(move || PrivateCluster::ensure(&base, Durability::Unsafe))
            .await
            .unwrap()
            .expect("a private PostgreSQL cluster");
    let admin = cluster.connect_options("postgres");
    let mut conn = PgConnection::connect_with(&admin).await.unwrap();
    conn.execute("DROP DATABASE IF EXISTS vesoc_bench_pack WITH (FORCE)")
        .await
        .unwrap();
    conn.execute("CREATE DATABASE vesoc_bench_pack")
        .await
        .unwrap();
    let db = pool_options()
        .connect_with(admin.clone().database("vesoc_bench_pack"))
        .await
        .unwrap();
    MIGRATOR.run(&db).await.unwrap();
    seed::seed(&db).await.unwrap();
    let config = ServeConfig {
        require_second_factor: RoleList::default(),
        page_cache: false,
        ..ServeConfig::default()
    };
    let app = vesoc::app::build(vesoc::base::AppState::new(db.clone(), config));
    println!("meeting packs of documents of {MIB} MiB, side by side:");
    for documents in [10, DOCUMENTS] {
        let meeting = meeting_with(&db, documents).await;
        let mut request = Request::get(format!("/vergaderingen/{meeting}/agenda/pakket.zip"))
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                40000,
            ))));
        reset_peak();
        let before = memory_mib("VmRSS");
        let response = app.clone().oneshot(request).await.unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        let mut body = response.into_body();
        let mut received: u64 = 0;
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.unwrap().into_data() {
                received += data.len() as u64;
            }
        }
        let peak = memory_mib("VmHWM");
        let size = received as f64 / 1024.0 / 1024.0;
        println!(
            "  {documents:>2} documents: {size:6.1} MiB streamed; resident {before:.1} MiB, peak {peak:.1} MiB: +{:.1} MiB ({:.1} % of the archive)",
            peak - before,
            100.0 * (peak - before) / size
        );
    }
    db.close().await;
    conn.execute("DROP DATABASE vesoc_bench_pack WITH (FORCE)")
        .await
        .unwrap();
}
