//! The meeting pack streams: a pack of 50 documents of 5 MiB (250 MiB) is
//! read chunk by chunk through the application in this process while its
//! resident memory is watched; it stays far below the archive's size. (The
//! benchmark `cargo bench --bench pack` prints the figures side by side.)

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::harness::TestApp;

/// This process's resident memory, in MiB.
fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

#[tokio::test]
async fn a_pack_of_250_mib_streams_within_bounded_memory() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2026-12-20 10:00+01")
        .await;
    // 50 items of one 5 MiB document each, made by PostgreSQL: they never
    // pass through this process before the request.
    sqlx::query(
        "WITH items AS (
             INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id, title, kind,
                                      status, position, number)
             SELECT m.body_id, m.id, (SELECT id FROM organisation WHERE slug = 'acv'),
                    'Punt ' || n, 'discussion', 'accepted', n, n::text
             FROM meeting m, generate_series(1, 50) n WHERE m.id = $1 RETURNING id, position)
         INSERT INTO document (agenda_item_id, filename, content_type, size_bytes, sha256, content)
         SELECT i.id, 'stuk-' || i.position || '.bin', 'application/octet-stream', length(c),
                sha256(c), c
         FROM items i
         CROSS JOIN LATERAL (SELECT decode(repeat(md5(i.position::text), 5 * 65536), 'hex') AS c) x",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    let mut request = Request::get(format!("/vergaderingen/{meeting}/agenda/pakket.zip"))
        .body(Body::empty())
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    let before = rss_mib();
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let mut body = response.into_body();
    let (mut received, mut peak) = (0u64, before);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            received += data.len() as u64;
            peak = peak.max(rss_mib());
        }
    }
    assert!(received > 250 * 1024 * 1024, "{received} bytes");
    // A pack built in memory would hold 250 MiB; streamed it holds about
    // one document (other tests run alongside: a wide margin).
    let grown = peak.saturating_sub(before);
    assert!(
        grown < 100,
        "resident memory rose by {grown} MiB for a 250 MiB pack"
    );
}
