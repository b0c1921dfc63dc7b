//! Operations: a database that goes away and comes back, health endpoints,
//! backup and restore.

use std::time::{Duration, Instant};

use axum::http::StatusCode;

use crate::harness::{PASSWORD, TestApp, client_for, router_for, router_with};
use vesoc::auth::Role;
use vesoc::db::cluster::{Durability, PrivateCluster, find_bin_dir};
use vesoc::db::{MIGRATOR, backup, create_database_if_missing, pool_options};

/// A cluster of its own, so that stopping it disturbs no other test.
#[tokio::test]
async fn pages_answer_503_while_the_database_is_down_and_recover_without_a_restart() {
    let dir = std::env::temp_dir().join(format!("vesoc-outage-{}", uuid::Uuid::new_v4().simple()));
    let base = dir.clone();
    let cluster =
        tokio::task::spawn_blocking(move || PrivateCluster::ensure(&base, Durability::Unsafe))
            .await
            .unwrap()
            .unwrap();
    create_database_if_missing(&cluster.connect_options("postgres"), "vesoc")
        .await
        .unwrap();
    let pool = pool_options()
        .connect_with(cluster.connect_options("vesoc"))
        .await
        .unwrap();
    MIGRATOR.run(&pool).await.unwrap();
    let mut c = client_for(router_for(pool.clone()));
    assert_eq!(c.get("/organen").await.status, StatusCode::OK);
    assert_eq!(c.get("/health/ready").await.status, StatusCode::OK);

    let cluster = tokio::task::spawn_blocking(move || cluster.stop().map(|()| cluster))
        .await
        .unwrap()
        .unwrap();
    let started = Instant::now();
    let page = c.get("/organen").await;
    let took = started.elapsed();
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.select("h1"), vec!["Tijdelijk niet beschikbaar"]);
    assert!(page.headers.get("content-security-policy").is_some());
    // Bounded by the pool's acquire timeout (2 s), with room for a busy machine.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(c.get("/health/live").await.status, StatusCode::OK);
    assert_eq!(
        c.get("/health/ready").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );

    // Back: the same pool, the same router, the next request succeeds.
    let base = dir.clone();
    let again =
        tokio::task::spawn_blocking(move || PrivateCluster::ensure(&base, Durability::Unsafe))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(c.get("/organen").await.status, StatusCode::OK);
    assert_eq!(c.get("/health/ready").await.status, StatusCode::OK);
    drop(cluster);
    pool.close().await;
    tokio::task::spawn_blocking(move || again.stop())
        .await
        .unwrap()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Row counts and a checksum of every table.
async fn fingerprint(app: &TestApp) -> Vec<(String, i64, String)> {
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_schema::text, table_name::text FROM information_schema.tables
         WHERE table_schema IN ('public', 'tower_sessions') AND table_type = 'BASE TABLE'
         ORDER BY 1, 2",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let mut out = Vec::new();
    for (schema, table) in tables {
        // Names from the catalogue, not from users.
        let (n, sum): (i64, Option<String>) = sqlx::query_as(&format!(
            "SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM \"{schema}\".\"{table}\" t"
        ))
        .fetch_one(&app.db)
        .await
        .unwrap();
        out.push((format!("{schema}.{table}"), n, sum.unwrap_or_default()));
    }
    out
}

#[tokio::test]
async fn a_backup_restores_into_an_empty_database_with_every_row() {
    let app = TestApp::seeded().await;
    // Activity: accounts, a session, a meeting with minutes, the audit log.
    let mut staff = app.signed_in(Role::Secretariat).await;
    app.signed_in(Role::SocialPartner).await;
    let id = app
        .meeting("vesoc-werkgroep", "working_group", "2021-03-10 10:00+01")
        .await;
    staff
        .post_form(
            &format!("/vergaderingen/{id}/verslag"),
            &[("text", "Verslag met één accent"), ("version", "0")],
        )
        .await;
    let before = fingerprint(&app).await;
    assert!(
        before
            .iter()
            .any(|(t, n, _)| t == "public.minutes" && *n == 1)
    );

    let file = std::env::temp_dir().join(format!(
        "vesoc-backup-{}.dump",
        uuid::Uuid::new_v4().simple()
    ));
    let bin = find_bin_dir().unwrap();
    let (b, from, f) = (bin.clone(), app.conninfo(), file.clone());
    tokio::task::spawn_blocking(move || backup::backup(&b, &from, &f))
        .await
        .unwrap()
        .unwrap();

    let restored = TestApp::empty().await;
    let (b, to, f) = (bin, restored.conninfo(), file.clone());
    tokio::task::spawn_blocking(move || backup::restore(&b, &to, &f))
        .await
        .unwrap()
        .unwrap();
    let _ = std::fs::remove_file(&file);

    assert_eq!(fingerprint(&restored).await, before);
    assert_eq!(
        restored
            .count("SELECT count(*) FROM _sqlx_migrations")
            .await,
        i64::try_from(MIGRATOR.iter().count()).unwrap()
    );
    for role in ["secretariat", "social-partner"] {
        let mut c = restored.client();
        let page = c.sign_in(&format!("{role}@test.vesoc.be"), PASSWORD).await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{role} signs in on the restored database"
        );
    }
    let page = restored
        .client()
        .get("/organen/vesoc-overleg?op=2020-01-01")
        .await;
    assert!(page.text().contains("Jan Jambon"));
}

#[tokio::test]
async fn restoring_a_missing_file_says_so() {
    let app = TestApp::empty().await;
    let bin = find_bin_dir().unwrap();
    let err = backup::restore(
        &bin,
        &app.conninfo(),
        std::path::Path::new("/nonexistent/backup.dump"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("bestaat niet"));
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_counts_and_otherwise_not() {
    let app = TestApp::seeded().await;
    let attempt = |router: axum::Router| async move {
        let mut c = client_for(router);
        let form = c.get("/aanmelden").await;
        let token = form.csrf().unwrap();
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("_csrf", token.as_str()),
                ("email", "x@y.be"),
                ("password", "fout"),
            ])
            .finish();
        c.request_with_headers(
            axum::http::Method::POST,
            "/aanmelden",
            Some(body),
            &[("x-forwarded-for", "203.0.113.9, 198.51.100.7")],
        )
        .await
    };
    let trusting = vesoc::config::ServeConfig {
        trust_proxy: true,
        ..Default::default()
    };
    attempt(router_with(app.db.clone(), trusting)).await;
    attempt(router_for(app.db.clone())).await;
    let addresses: Vec<String> =
        sqlx::query_scalar("SELECT address FROM login_attempt ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    // The proxy's own entry (the last) when trusted; the peer otherwise,
    // whatever the header claims.
    assert_eq!(addresses, vec!["198.51.100.7", "127.0.0.1"]);
}

/// Reads one HTTP/1.1 response (status line, headers, a Content-Length
/// body) from a raw connection.
async fn read_response(stream: &mut tokio::net::TcpStream) -> (u16, String) {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed mid-response: {buf:?}");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).into_owned();
        let Some(head_end) = text.find("\r\n\r\n") else {
            continue;
        };
        let length: usize = text[..head_end]
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().unwrap())
            })
            .expect("a Content-Length");
        if buf.len() >= head_end + 4 + length {
            let status = text[9..12].parse().unwrap();
            return (status, text[head_end + 4..].to_string());
        }
    }
}

/// What a client sees on a connection it opens: `None` when the
/// connection is refused, reset or closed without an answer.
async fn try_request(addr: std::net::SocketAddr) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
    s.write_all(b"GET /health/live HTTP/1.1\r\nHost: vesoc\r\n\r\n")
        .await
        .ok()?;
    let mut buf = [0u8; 64];
    match tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await {
        Ok(Ok(n)) if n > 0 => Some(String::from_utf8_lossy(&buf[..n]).into_owned()),
        Ok(_) => None,
        Err(_) => Some("no answer, but the connection stayed open".to_string()),
    }
}

/// SIGTERM as `main` wires it (the shutdown future of `serve`): the request
/// in flight finishes, new connections get nothing, idle connections are
/// closed, and serve returns within the grace period although a slow client
/// never finishes its request head. Without that client serve returns as
/// soon as the request in flight is answered; with it, the grace period
/// (a short one here: 2 s instead of 30) ends the wait before the header
/// timeout (10 s) would.
#[tokio::test]
async fn a_stop_lets_the_request_in_flight_finish_and_ends_despite_slow_and_idle_clients() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    let app = TestApp::seeded().await;
    let grace = Duration::from_secs(2);
    let (addr, stop, server) = crate::harness::serving(
        &app,
        vesoc::config::ServeConfig {
            shutdown_grace: grace,
            ..Default::default()
        },
    )
    .await;

    // Idle: one answered request, then the connection is kept alive.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /health/live HTTP/1.1\r\nHost: vesoc\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(read_response(&mut idle).await.0, 200);

    // Silent: connected, nothing sent.
    let mut silent = TcpStream::connect(addr).await.unwrap();

    // Slow: half a request head, never finished.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /organen HTTP/1.1\r\nHost: vesoc\r\nUser-Ag")
        .await
        .unwrap();

    // In flight: the list of bodies waits for a lock this test holds.
    let mut lock = app.db.begin().await.unwrap();
    sqlx::query("LOCK TABLE body IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .unwrap();
    let mut busy = TcpStream::connect(addr).await.unwrap();
    busy.write_all(b"GET /organen HTTP/1.1\r\nHost: vesoc\r\n\r\n")
        .await
        .unwrap();
    let in_flight = tokio::spawn(async move { read_response(&mut busy).await });
    let waiting = "SELECT count(*) FROM pg_stat_activity
                   WHERE datname = current_database() AND wait_event_type = 'Lock'";
    let started = Instant::now();
    while app.count(waiting).await == 0 {
        assert!(started.elapsed() < Duration::from_secs(10), "never blocked");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    stop.send(()).unwrap();
    let signalled = Instant::now();
    // The server stops accepting at once; a little time for the accept
    // loop to see the signal.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(try_request(addr).await, None, "a new connection was served");
    // Connections with no request under way are closed at once.
    for (what, conn) in [("idle", &mut idle), ("silent", &mut silent)] {
        let mut rest = [0u8; 16];
        let closed = tokio::time::timeout(Duration::from_secs(1), conn.read(&mut rest)).await;
        assert!(
            matches!(closed, Ok(Ok(0) | Err(_))),
            "the {what} connection stays open: {closed:?}"
        );
    }
    assert!(
        !in_flight.is_finished(),
        "the request in flight did not wait"
    );

    lock.rollback().await.unwrap();
    let (status, body) = in_flight.await.unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("VESOC-werkgroep"), "{body}");

    // The slow client holds its connection open (hyper waits for the rest
    // of the head until the header timeout, 10 s by default); the grace
    // period ends serve first.
    tokio::time::timeout(grace + Duration::from_secs(3), server)
        .await
        .expect("serve ended within the grace period")
        .unwrap()
        .unwrap();
    let took = signalled.elapsed();
    assert!(
        took >= grace,
        "serve returned after {took:?}, before the grace period: what held it open?"
    );
    drop(slow);
}

/// A client that sends its request head byte by byte (slowloris) is cut
/// off after the header timeout; a prompt client on the same server is
/// served meanwhile, and the server stops without waiting for the grace
/// period.
#[tokio::test]
async fn a_request_head_that_never_ends_is_cut_off_after_the_header_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    let app = TestApp::seeded().await;
    let (addr, stop, server) = crate::harness::serving(
        &app,
        vesoc::config::ServeConfig {
            header_timeout: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(30),
            ..Default::default()
        },
    )
    .await;

    let mut slow = TcpStream::connect(addr).await.unwrap();
    let opened = Instant::now();
    // A byte every 200 ms: never a whole head.
    let mut closed = false;
    for byte in b"GET /organen HTTP/1.1\r\nHost: vesoc\r\nUser-Agent: traag traag traag".iter() {
        if slow.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        let mut rest = [0u8; 256];
        match tokio::time::timeout(Duration::from_millis(200), slow.read(&mut rest)).await {
            // Closed, with or without a 408 first.
            Ok(Ok(0) | Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(n)) => {
                let answer = String::from_utf8_lossy(&rest[..n]).into_owned();
                assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
            }
            Err(_) => {}
        }
        assert!(
            opened.elapsed() < Duration::from_secs(4),
            "the slow client is still connected after 4 s"
        );
    }
    assert!(
        closed,
        "the slow client finished its head before the timeout"
    );
    assert!(
        opened.elapsed() >= Duration::from_millis(900),
        "cut off too early"
    );
    // Others are served all along.
    assert!(
        try_request(addr)
            .await
            .is_some_and(|a| a.starts_with("HTTP/1.1 200")),
        "a prompt client was not served"
    );

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("serve ended without waiting for the grace period")
        .unwrap()
        .unwrap();
}
