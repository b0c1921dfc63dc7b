//! Read models (src/cache/stored.rs): a public page's model is stored in
//! PostgreSQL once per change of the tables it reads, served from there
//! with one query, never stale, and bounded by the data (not by what
//! visitors ask for).

use axum::http::StatusCode;
use sqlx::postgres::PgPoolOptions;

use crate::harness::{Item, Place, TestApp, client_for, router_for};
use crate::performance::count_queries;
use vesoc::auth::Role;
use vesoc::cache::stored::Kind;

async fn models(app: &TestApp, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM read_model WHERE kind = $1")
        .bind(kind)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The public composition on a date: stored once for all the days it stays
/// the same, served with one query, and built anew after any change.
#[tokio::test]
async fn the_composition_is_stored_per_period_and_follows_changes() {
    let app = TestApp::seeded().await;
    let mut visitor = app.client();
    let path = "/organen/vesoc-overleg?op=2020-03-01";
    let first = visitor.get(path).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(models(&app, "composition").await, 1);

    // Served from the stored model: one query, the same page.
    let (again, queries) = count_queries(visitor.get(path)).await;
    assert_eq!(queries, 1, "one read of the stored model");
    assert_eq!(again.body, first.body);

    // The jobs fold the change log (one row per table after): the sums stay,
    // so the model stays fresh.
    assert!(
        app.count("SELECT count(*) FROM table_change WHERE xact IS NOT NULL")
            .await
            > 0
    );
    vesoc::cache::stored::tidy(&app.db).await.unwrap();
    assert_eq!(
        app.count("SELECT count(*) FROM table_change WHERE xact IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) - count(DISTINCT table_name) FROM table_change")
            .await,
        0
    );
    let (_, queries) = count_queries(visitor.get(path)).await;
    assert_eq!(queries, 1, "folding the log made the model stale");

    // A day in the same period reads the same model; one outside it, another.
    let (from, until): (time::Date, time::Date) =
        sqlx::query_as("SELECT valid_from, valid_until FROM read_model WHERE kind = 'composition'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(
        from <= time::macros::date!(2020 - 03 - 01) && until > time::macros::date!(2020 - 03 - 01)
    );
    let last = until.previous_day().unwrap();
    let (same, queries) =
        count_queries(visitor.get(&format!("/organen/vesoc-overleg?op={last}"))).await;
    assert_eq!(same.status, StatusCode::OK, "{last}: {}", same.body);
    assert_eq!(queries, 1, "{last} is in the stored period {from}..{until}");
    assert_eq!(models(&app, "composition").await, 1);
    let before = from.previous_day().unwrap();
    assert_eq!(
        visitor
            .get(&format!("/organen/vesoc-overleg?op={before}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(models(&app, "composition").await, 2);

    // A member of the working group on that date is renamed (straight in the
    // database, as psql would): the next visitor sees the new name.
    let person: i64 = app
        .id("SELECT m.person_id FROM membership m JOIN body b ON b.id = m.body_id
             WHERE b.slug = 'vesoc-overleg' AND m.superseded_at IS NULL
               AND m.valid_from <= '2020-03-01' AND coalesce(m.valid_until, 'infinity') >= '2020-03-01'
             ORDER BY m.id LIMIT 1")
        .await;
    sqlx::query("UPDATE person SET family_name = 'Herdoopt' WHERE id = $1")
        .bind(person)
        .execute(&app.db)
        .await
        .unwrap();
    let renamed = visitor.get(path).await;
    assert!(
        renamed.body.contains("Herdoopt"),
        "the stored model was stale"
    );

    // A write to a table the composition does not read leaves it in place.
    let stored_before: i64 = app
        .count("SELECT built_from FROM read_model WHERE kind = 'composition' AND valid_from <= '2020-03-01' ORDER BY valid_from DESC LIMIT 1")
        .await;
    sqlx::query("UPDATE meeting SET status = status")
        .execute(&app.db)
        .await
        .unwrap();
    let (_, queries) = count_queries(visitor.get(path)).await;
    assert_eq!(queries, 1, "a meeting's change made the composition stale");
    let stored_after: i64 = app
        .count("SELECT built_from FROM read_model WHERE kind = 'composition' AND valid_from <= '2020-03-01' ORDER BY valid_from DESC LIMIT 1")
        .await;
    assert_eq!(stored_before, stored_after);
}

/// However many dates visitors ask for, the composition's models are as
/// many as its periods: a hundred days of one period are one model.
/// Every lookup reads the whole change log, so a reader that finds it long
/// folds it (in the background), not only the jobs once a minute; the
/// models stay fresh through the fold.
#[tokio::test]
async fn readers_fold_a_long_change_log() {
    let app = TestApp::seeded().await;
    let mut visitor = app.client();
    let path = "/organen/vesoc-overleg?op=2020-03-01";
    assert_eq!(visitor.get(path).await.status, StatusCode::OK);
    vesoc::cache::stored::tidy(&app.db).await.unwrap();
    // A hundred writing transactions to a table the composition does not
    // read: a row each in the log.
    for _ in 0..100 {
        sqlx::query("UPDATE minutes SET status = status WHERE false")
            .execute(&app.db)
            .await
            .unwrap();
    }
    let unfolded = "SELECT count(*) FROM table_change WHERE xact IS NOT NULL";
    assert_eq!(app.count(unfolded).await, 100);
    let page = visitor.get(path).await;
    assert_eq!(page.status, StatusCode::OK);
    let start = std::time::Instant::now();
    while app.count(unfolded).await > 0 {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(2),
            "the log was not folded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // The sums stayed: still the stored model, one read. (One request
    // first: the fold's task may log its query after its commit, and
    // would be counted with the request's.)
    assert_eq!(visitor.get(path).await.status, StatusCode::OK);
    let (again, queries) = count_queries(visitor.get(path)).await;
    assert_eq!(queries, 1, "folding the log made the model stale");
    assert_eq!(again.body, page.body);
}

#[tokio::test]
async fn asking_for_many_dates_stores_one_model_per_period() {
    let app = TestApp::seeded().await;
    let mut visitor = app.client();
    let start = time::macros::date!(2021 - 01 - 01);
    for n in 0..100 {
        let day = start + time::Duration::days(n);
        let page = visitor
            .get(&format!("/organen/vesoc-overleg?op={day}"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let periods: i64 = app
        .count(
            "SELECT count(DISTINCT d) FROM membership m JOIN body b ON b.id = m.body_id,
                    LATERAL (VALUES (m.valid_from), (m.valid_until + 1)) v(d)
             WHERE b.slug = 'vesoc-overleg' AND m.superseded_at IS NULL
               AND d > '2021-01-01' AND d < '2021-04-11'",
        )
        .await;
    assert_eq!(models(&app, "composition").await, periods + 1);
}

/// Each kind names every table its build reads: the page is built by a
/// role that may read only those tables (and the read models), so a table
/// read but not named is refused by PostgreSQL and the page fails. A table
/// not named would never make the model stale.
#[tokio::test]
async fn read_models_name_every_table_they_read() {
    let app = TestApp::seeded().await;
    everything_an_agreement_shows(&app).await;
    let held: i64 = app
        .id("SELECT id FROM meeting WHERE status = 'held' ORDER BY id DESC LIMIT 1")
        .await;
    // A coming meeting: its agenda's standing item lists the open action
    // point of the held one.
    let coming = app
        .meeting("vesoc-overleg", "formal", "2099-03-10 10:00+01")
        .await;
    sqlx::query("UPDATE meeting SET status = 'convened' WHERE id = $1")
        .bind(coming)
        .execute(&app.db)
        .await
        .unwrap();
    let kinds: [(&Kind, String); 8] = [
        (
            &vesoc::composition::COMPOSITION,
            "/organen/vesoc-overleg?op=2020-03-01".into(),
        ),
        (&vesoc::home::HOME, "/".into()),
        (
            &vesoc::meetings::CALENDAR,
            "/vergaderingen?jaar=2020".into(),
        ),
        (&vesoc::overview::OVERVIEW, "/jaaroverzicht/2020".into()),
        (
            &vesoc::agreements::AGREEMENT,
            "/akkoorden/iedereen-aan-boord-2019".into(),
        ),
        (&vesoc::search::SEARCH, "/zoeken?q=iedereen".into()),
        (&vesoc::meetings::MEETING, format!("/vergaderingen/{held}")),
        (
            &vesoc::meetings::MEETING,
            format!("/vergaderingen/{coming}"),
        ),
    ];
    for (kind, path) in kinds {
        assert_watched(&app, kind).await;
        assert_eq!(
            built_by_reader_of(&app, kind.name, kind.tables, &path, None).await,
            StatusCode::OK,
            "{}: the build reads a table it does not name",
            kind.name
        );
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM read_model WHERE kind = $1")
            .bind(kind.name)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert!(stored > 0, "{}: nothing stored", kind.name);
        // What was stored reads back: the page costs that one read. (A
        // model that cannot be decoded is built afresh every time.)
        let (page, queries) = count_queries(app.client().get(&path)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            queries, 1,
            "{}: the stored model was not read back",
            kind.name
        );
    }

    // The signed-in readers' models: the member's meeting page and the
    // secretariat's pages. Their request also reads the session.
    let member = app.partner_of("acv").await;
    let staff = app.signed_in(Role::Secretariat).await;
    app.item(Item::proposal("Een voorstel zonder document").kind("decision"))
        .await;
    let signed_in: [(&Kind, String, &crate::harness::Client); 8] = [
        (
            &vesoc::meetings::MEETING,
            format!("/vergaderingen/{held}"),
            &member,
        ),
        (
            &vesoc::meetings::MEETING,
            format!("/vergaderingen/{coming}"),
            &member,
        ),
        (&vesoc::agenda::QUEUE, "/beheer/agendapunten".into(), &staff),
        (
            &vesoc::agenda::BUILDER,
            format!("/vergaderingen/{coming}/agenda"),
            &staff,
        ),
        (
            &vesoc::agenda::BUILDER,
            format!("/vergaderingen/{held}/agenda"),
            &staff,
        ),
        (
            &vesoc::composition::editor::EDITOR,
            "/beheer/organen/vesoc-overleg".into(),
            &staff,
        ),
        (
            &vesoc::agreements::agreement::EDITOR,
            "/beheer/akkoorden/iedereen-aan-boord-2019".into(),
            &staff,
        ),
        (
            &vesoc::composition::registry::PEOPLE,
            "/beheer/personen".into(),
            &staff,
        ),
    ];
    for (kind, path, client) in signed_in {
        assert_watched(&app, kind).await;
        assert_eq!(
            built_by_reader_of(&app, kind.name, kind.tables, &path, Some(client)).await,
            StatusCode::OK,
            "{} ({path}): the build reads a table it does not name",
            kind.name
        );
        let built = last_built(&app, kind.name).await;
        assert!(built.is_some(), "{}: nothing stored", kind.name);
        let page = client.on(router_for(app.db.clone())).get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            last_built(&app, kind.name).await,
            built,
            "{}: the stored model was not read back",
            kind.name
        );
    }
    // The check itself: one table short, the composition cannot be built.
    sqlx::query("DELETE FROM read_model")
        .execute(&app.db)
        .await
        .unwrap();
    let short: Vec<&str> = vesoc::composition::COMPOSITION
        .tables
        .iter()
        .copied()
        .filter(|t| *t != "person")
        .collect();
    assert_ne!(
        built_by_reader_of(
            &app,
            "composition",
            &short,
            "/organen/vesoc-overleg?op=2020-03-01",
            None
        )
        .await,
        StatusCode::OK
    );
}

/// The 2019 agreement with all its page can show: a follow-up entry by a
/// cabinet, a measurement, a public meeting's item that dealt with it and
/// an action point on one of its lines, with a note.
async fn everything_an_agreement_shows(app: &TestApp) {
    let cabinet = app.account(Role::Cabinet, "kabinet@vlaanderen.be").await;
    let line: i64 = app
        .id(
            "SELECT l.id FROM action_line l JOIN agreement a ON a.id = l.agreement_id
             WHERE a.slug = 'iedereen-aan-boord-2019' ORDER BY l.id LIMIT 1",
        )
        .await;
    let meeting = app
        .meeting("vesoc-overleg", "formal", "2020-03-10 10:00+01")
        .await;
    sqlx::query("UPDATE meeting SET status = 'held' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    let item = app
        .item(Item {
            body: "vesoc-overleg",
            meeting: Some(meeting),
            place: Place::At(1),
            status: "dealt_with",
            outcome: Some("decided"),
            ..Item::proposal("Opvolging van Iedereen aan boord")
        })
        .await;
    for sql in [
        "UPDATE agenda_item SET agreement_id = (SELECT id FROM agreement
                                                WHERE slug = 'iedereen-aan-boord-2019')
         WHERE id = $1",
        "INSERT INTO action_point (agenda_item_id, what, assignee_secretariat, due_on, action_line_id)
         VALUES ($1, 'Cijfers verzamelen', true, '2020-06-01', $2)",
        "INSERT INTO action_point_note (action_point_id, step, text, account_id)
         SELECT id, 'note', 'De cijfers komen eraan.', $3 FROM action_point WHERE agenda_item_id = $1",
        "INSERT INTO follow_up (action_line_id, recorded_on, status, note, author_id)
         VALUES ($2, '2020-05-01', 'ongoing', 'Loopt.', $3)",
        "INSERT INTO goal_measurement (goal_id, measured_on, value)
         SELECT g.id, '2020-12-31', 40000 FROM goal g JOIN agreement a ON a.id = g.agreement_id
         WHERE a.slug = 'iedereen-aan-boord-2019' ORDER BY g.position LIMIT 1",
    ] {
        sqlx::query(sql)
            .bind(item)
            .bind(line)
            .bind(cabinet)
            .execute(&app.db)
            .await
            .unwrap();
    }
    let page = app.client().get("/akkoorden/iedereen-aan-boord-2019").await;
    for shown in [
        "Opvolging van Iedereen aan boord",
        "Cijfers verzamelen",
        "Loopt.",
    ] {
        assert!(
            page.body.contains(shown),
            "the agreement page shows {shown}"
        );
    }
    sqlx::query("DELETE FROM read_model")
        .execute(&app.db)
        .await
        .unwrap();
}

/// When the newest model of a kind was built.
/// Every table the kind reads has its bit in the change log's masks: a
/// table without one counts every change (never stale, but rebuilt for
/// writes it does not read).
async fn assert_watched(app: &TestApp, kind: &Kind) {
    let unwatched: Vec<String> = sqlx::query_scalar(
        "SELECT t FROM unnest($1::text[]) t
         WHERE NOT EXISTS (SELECT 1 FROM watched_table w WHERE w.name = t)",
    )
    .bind(kind.tables)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(
        unwatched.is_empty(),
        "{}: {unwatched:?} not in watched_table",
        kind.name
    );
}

async fn last_built(app: &TestApp, kind: &str) -> Option<time::OffsetDateTime> {
    sqlx::query_scalar("SELECT max(built_at) FROM read_model WHERE kind = $1")
        .bind(kind)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The status of `path` served by the application on a connection whose
/// role may read only `tables` and the read models; with `client`, in its
/// session, which may also read the columns a session's account is read
/// from (`auth::session_user`; only those, so that a kind reading more of
/// `person`, `organisation` or `agenda_item` must still name them).
async fn built_by_reader_of(
    app: &TestApp,
    name: &str,
    tables: &[&str],
    path: &str,
    client: Option<&crate::harness::Client>,
) -> StatusCode {
    let role = format!(
        "vesoc_read_{}_{}",
        name.replace(' ', "_"),
        uuid::Uuid::new_v4().simple()
    );
    let mut grants = vec![
        format!("CREATE ROLE {role}"),
        format!("GRANT SELECT ON table_change, watched_table TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON read_model TO {role}"),
    ];
    if client.is_some() {
        grants.extend([
            format!("GRANT USAGE ON SCHEMA tower_sessions TO {role}"),
            format!("GRANT SELECT, INSERT, UPDATE, DELETE ON tower_sessions.session TO {role}"),
            format!(
                "GRANT SELECT (id, email, display_name, role, organisation_id, minister_id,
                               person_id, disabled_at, security_stamp) ON account TO {role}"
            ),
            format!("GRANT SELECT (account_id) ON account_totp TO {role}"),
            format!("GRANT SELECT (id, name) ON organisation TO {role}"),
            format!("GRANT SELECT (id, given_name, family_name) ON person TO {role}"),
            // The secretariat's badge (`work_waiting`), read with the account.
            format!("GRANT SELECT (status) ON agenda_item TO {role}"),
        ]);
    }
    for t in tables {
        grants.push(format!("GRANT SELECT ON {t} TO {role}"));
    }
    for g in &grants {
        sqlx::query(g).execute(&app.db).await.unwrap();
    }
    let set_role = format!("SET ROLE {role}");
    let options = app.db.connect_options().as_ref().clone();
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .after_connect(move |conn, _| {
            let set_role = set_role.clone();
            Box::pin(async move {
                sqlx::Executor::execute(&mut *conn, set_role.as_str()).await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .unwrap();
    let router = router_for(pool.clone());
    let status = match client {
        Some(c) => c.on(router).get(path).await.status,
        None => client_for(router).get(path).await.status,
    };
    pool.close().await;
    for cleanup in [format!("DROP OWNED BY {role}"), format!("DROP ROLE {role}")] {
        sqlx::query(&cleanup).execute(&app.db).await.unwrap();
    }
    status
}

/// Searches are keyed by what visitors type: however many different ones
/// come, at most `most` are kept, the most recent.
#[tokio::test]
async fn searches_keep_only_the_most_recent_models() {
    let app = TestApp::seeded().await;
    let most = vesoc::search::SEARCH.most.unwrap();
    // As if `most` searches had been stored a while ago.
    sqlx::query(
        "INSERT INTO read_model (kind, key, valid_from, valid_until, built_by, built_from, body, built_at)
         SELECT 'search', 'oud ' || n, '0001-01-01', '9999-12-31', 'x', 0, '\\x00', now() - interval '1 hour'
         FROM generate_series(1, $1) n",
    )
    .bind(most)
    .execute(&app.db)
    .await
    .unwrap();
    let mut visitor = app.client();
    for q in ["iedereen", "boord"] {
        let page = visitor.get(&format!("/zoeken?q={q}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Iedereen aan boord"), "{q}");
    }
    assert_eq!(models(&app, "search").await, most);
    let kept: i64 = app
        .count("SELECT count(*) FROM read_model WHERE kind = 'search' AND key IN ('iedereen', 'boord')")
        .await;
    assert_eq!(kept, 2, "the newest searches are kept");
    // And served from there: one query.
    let (_, queries) = count_queries(visitor.get("/zoeken?q=boord")).await;
    assert_eq!(queries, 1);
}

/// After a change, every open connection asks for the page at once: one of
/// them builds the model, the others wait for it and take what it built,
/// without reading it back (with memory caches off too, as on a
/// `--page-cache=false` instance). The build is held up by a lock on a
/// table it reads, so that all the requests are under way before it ends.
#[tokio::test]
async fn many_requests_for_a_stale_model_build_it_once() {
    let app = TestApp::seeded().await;
    // A short change log: no reader folds it meanwhile (a query more).
    app.count("SELECT fold_table_changes()").await;
    let path = "/organen/vesoc-overleg?op=2020-03-01";
    const N: usize = 8;

    // The lock, on another thread with its own connection: its queries are
    // not the requests' (the count is per thread). It waits until a build
    // waits for it, gives the other requests time to reach the gate, and
    // says how many backends waited for it then.
    let options = app.db.connect_options().as_ref().clone();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            use sqlx::Connection;
            let mut holder = sqlx::PgConnection::connect_with(&options).await.unwrap();
            let mut watcher = sqlx::PgConnection::connect_with(&options).await.unwrap();
            let mut tx = holder.begin().await.unwrap();
            sqlx::query("LOCK TABLE membership IN ACCESS EXCLUSIVE MODE")
                .execute(&mut *tx)
                .await
                .unwrap();
            locked_tx.send(()).unwrap();
            let waiting = || {
                sqlx::query_scalar::<_, i64>(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE wait_event_type = 'Lock' AND datname = current_database()",
                )
            };
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while waiting().fetch_one(&mut watcher).await.unwrap() == 0 {
                assert!(
                    std::time::Instant::now() < deadline,
                    "no build waited for the lock"
                );
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let builds = waiting().fetch_one(&mut watcher).await.unwrap();
            tx.rollback().await.unwrap();
            builds
        })
    });
    locked_rx.recv().unwrap();

    let clients: Vec<_> = (0..N).map(|_| app.client()).collect();
    let (pages, queries) = count_queries(futures_util::future::join_all(
        clients
            .into_iter()
            .map(|mut c| async move { c.get(path).await }),
    ))
    .await;
    let builds = holder.join().unwrap();
    assert_eq!(builds, 1, "while all asked, one build read the tables");
    assert!(pages.iter().all(|p| p.status == StatusCode::OK));
    assert!(pages.iter().all(|p| p.body == pages[0].body));
    // The tables' bits, read once by a new instance; one build (the
    // lookup, three queries and the store); every other request its
    // lookup, and nothing after the wait. Read back, it would be one more
    // each; eight builds would be forty.
    assert_eq!(queries, 1 + 5 + (N - 1), "{queries} queries");
    assert_eq!(models(&app, "composition").await, 1);
}
