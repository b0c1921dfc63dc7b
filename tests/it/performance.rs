//! Queries per page: a public page costs at most three SQL queries, however
//! much history the database holds (no N+1), and the signed-in meeting page
//! costs the same number of queries on a small and a large history.
//!
//! How queries are counted: sqlx reports every statement it executes as a
//! `tracing` event with target `sqlx::query` (one per `execute`/`fetch_*`,
//! the session store's included). A global subscriber counts them for the
//! thread that asked (a thread-local flag). `#[tokio::test]` runs the
//! request, the handler and the pool's connection work on that one thread,
//! so the count is exactly the page's queries, unaffected by other tests
//! running in parallel. PostgreSQL's own counters were the alternative:
//! `pg_stat_statements` needs `shared_preload_libraries` (a restart of the
//! shared test cluster) and `pg_stat_database.xact_commit` is flushed by
//! each backend on its own schedule in PostgreSQL 15 (`pg_stat_force_next_flush()`
//! only flushes the calling backend), so it lags for the pool's connections.

use std::cell::Cell;
use std::sync::Once;

use axum::http::StatusCode;
use tracing_subscriber::layer::{Context, SubscriberExt};

use crate::harness::{Client, TestApp, router_with};
use vesoc::auth::Role;
use vesoc::config::{RoleList, ServeConfig};
use vesoc::db::generate::{Options, generate};

thread_local! {
    /// The count of the request being measured on this thread, if any.
    static COUNTING: Cell<Option<usize>> = const { Cell::new(None) };
}

/// A global subscriber, installed once: a thread-local one (`set_default`)
/// lost events when other threads changed tracing's per-callsite interest
/// cache at the same time.
struct QueryCounter;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for QueryCounter {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" || COUNTING.get().is_none() {
            return;
        }
        // A new connection is set up (src/db/mod.rs) and sqlx looks up its
        // types in the catalog once: costs of the connection, not the page.
        let mut sql = Statement::default();
        event.record(&mut sql);
        if !sql.0.contains("pg_catalog.") && !sql.0.contains("SET plan_cache_mode") {
            COUNTING.set(COUNTING.get().map(|n| n + 1));
        }
    }
}

fn install_counter() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(QueryCounter);
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
    });
}

#[derive(Default)]
struct Statement(String);

impl tracing::field::Visit for Statement {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "db.statement" || field.name() == "summary" {
            self.0.push_str(&format!("{value:?}"));
        }
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "db.statement" || field.name() == "summary" {
            self.0.push_str(value);
        }
    }
}

/// The queries one request costs, after earlier requests have warmed the
/// caches of every pooled connection (type lookups, prepared statements).
pub(crate) async fn queries(client: &mut Client, path: &str) -> usize {
    for _ in 0..12 {
        let warm = client.get(path).await;
        assert_eq!(warm.status, StatusCode::OK, "{path}: {}", warm.text());
    }
    let (page, count) = count_queries(client.get(path)).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    count
}

/// What `work` returns, and the SQL queries it made (on this thread: the
/// tasks it spawns on a `#[tokio::test]` runtime count too).
pub(crate) async fn count_queries<T>(work: impl std::future::Future<Output = T>) -> (T, usize) {
    install_counter();
    COUNTING.set(Some(0));
    let out = work.await;
    (out, COUNTING.take().unwrap_or_default())
}

/// A seeded database with `years` of generated history, and the paths to
/// measure on it.
async fn with_history(years: i32) -> (TestApp, Vec<String>, String, String) {
    let mut app = TestApp::seeded().await;
    // What rendering costs: the page cache would answer from memory.
    app.router = router_with(
        app.db.clone(),
        ServeConfig {
            page_cache: false,
            require_second_factor: RoleList::default(),
            ..ServeConfig::default()
        },
    );
    generate(
        &app.db,
        &Options {
            years,
            seed: 7,
            force: false,
        },
    )
    .await
    .unwrap();
    // The busiest held meeting and agreement, so that a larger history
    // means larger pages.
    let meeting: i64 = app
        .count(
            "SELECT m.id FROM meeting m JOIN meeting_participant p ON p.meeting_id = m.id
             WHERE m.status = 'held' GROUP BY m.id ORDER BY count(*) DESC, m.id LIMIT 1",
        )
        .await;
    let agreement: String = sqlx::query_scalar(
        "SELECT a.slug FROM agreement a JOIN action_line l ON l.agreement_id = a.id
         WHERE a.status = 'published' GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let public = vec![
        "/".to_string(),
        "/organen".to_string(),
        "/organen/vesoc-overleg".to_string(),
        "/organen/vesoc-werkgroep?op=2024-03-01".to_string(),
        "/vergaderingen".to_string(),
        "/vergaderingen?jaar=2025&orgaan=vesoc-werkgroep".to_string(),
        format!("/vergaderingen/{meeting}"),
        "/akkoorden".to_string(),
        format!("/akkoorden/{agreement}"),
        "/zoeken?q=arbeidsmarkt".to_string(),
    ];
    // A public item of that meeting with the most documents: its own page.
    let item: i64 = app
        .count(&format!(
            "SELECT a.id FROM agenda_item a LEFT JOIN document d ON d.agenda_item_id = a.id
             WHERE a.meeting_id = {meeting} AND NOT a.confidential AND a.position IS NOT NULL
             GROUP BY a.id ORDER BY count(d.id) DESC, a.id LIMIT 1"
        ))
        .await;
    let item_page = format!("/punten/{item}");
    (app, public, format!("/vergaderingen/{meeting}"), item_page)
}

#[tokio::test]
async fn public_pages_cost_at_most_three_queries_whatever_the_history() {
    let (small, paths_small, member_small, item_small) = with_history(2).await;
    let (large, paths_large, member_large, item_large) = with_history(12).await;
    let members = (
        small.signed_in(Role::SocialPartner).await,
        large.signed_in(Role::SocialPartner).await,
    );
    let (mut member_s, mut member_l) = members;
    let mut report = Vec::new();
    let mut counts = Vec::new();
    for (ps, pl) in paths_small.iter().zip(&paths_large) {
        let s = queries(&mut small.client(), ps).await;
        let l = queries(&mut large.client(), pl).await;
        report.push(format!("{ps}: {s} / {pl}: {l}"));
        counts.push((s, l));
    }
    assert!(
        counts.iter().all(|&(s, l)| s <= 3 && l <= 3),
        "more than 3 queries: {report:#?}"
    );
    assert!(
        counts.iter().all(|&(s, l)| s == l),
        "the query count grows with the data: {report:#?}"
    );
    // Signed in, the session costs one query of its own (the session with
    // its account, `auth::session_and_user`); the page itself one: the
    // read of its stored model (the meeting with everything a member sees,
    // and the agenda). Independent of the data's size.
    let s = queries(&mut member_s, &member_small).await;
    let l = queries(&mut member_l, &member_large).await;
    report.push(format!("member {member_small}: {s} / {member_large}: {l}"));
    assert_eq!(
        s, l,
        "the member's meeting page grows with the data: {report:#?}"
    );
    assert!(s <= 2, "the member's meeting page: {report:#?}");
    // An agenda item's own page: the item, its documents, its timeline and
    // its action points (and the agreement it concerns, if any): more than
    // the three of a listing page, but as many for a large history.
    let s = queries(&mut small.client(), &item_small).await;
    let l = queries(&mut large.client(), &item_large).await;
    report.push(format!("{item_small}: {s} / {item_large}: {l}"));
    assert_eq!(s, l, "the item page grows with the data: {report:#?}");
    assert!(s <= 4, "the item page: {report:#?}");
    println!("{report:#?}");
}

#[tokio::test]
async fn the_generator_is_deterministic_and_refuses_a_second_run() {
    let a = TestApp::seeded().await;
    let b = TestApp::seeded().await;
    let options = Options {
        years: 2,
        seed: 11,
        force: false,
    };
    let summary_a = generate(&a.db, &options).await.unwrap();
    generate(&b.db, &options).await.unwrap();
    let fingerprint = "SELECT md5(string_agg(concat_ws('|', p.slug, p.given_name, m.role, m.valid_from,
                              m.valid_until, m.superseded_at IS NOT NULL), ',' ORDER BY p.slug, m.valid_from, m.role))
                       FROM membership m JOIN person p ON p.id = m.person_id";
    let fa: String = sqlx::query_scalar(fingerprint)
        .fetch_one(&a.db)
        .await
        .unwrap();
    let fb: String = sqlx::query_scalar(fingerprint)
        .fetch_one(&b.db)
        .await
        .unwrap();
    assert_eq!(fa, fb);
    assert!(summary_a.memberships > 0 && summary_a.agenda_items > 0);
    // Counted in the database: no overlap survived, the generated data are marked.
    assert_eq!(
        a.count(
            "SELECT count(*) FROM person WHERE slug LIKE 'gegenereerd-%'
               AND family_name NOT LIKE '%(gegenereerd)'"
        )
        .await,
        0
    );
    let again = generate(&a.db, &options).await;
    assert!(again.is_err(), "a second run must be refused");
}

/// The benchmark's reference routes: absent unless asked for, and then
/// public for every role (they show nothing but "hello").
#[tokio::test]
async fn the_reference_routes_exist_only_when_asked_for_and_are_public() {
    let mut app = TestApp::seeded().await;
    for path in ["/bench/hello", "/bench/query"] {
        assert_eq!(app.client().get(path).await.status, StatusCode::NOT_FOUND);
    }
    app.router = router_with(
        app.db.clone(),
        ServeConfig {
            bench_routes: true,
            require_second_factor: RoleList::default(),
            ..ServeConfig::default()
        },
    );
    let mut clients = vec![app.client()];
    for role in Role::ALL {
        clients.push(app.signed_in(role).await);
    }
    for client in &mut clients {
        for path in ["/bench/hello", "/bench/query"] {
            let page = client.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(page.body.starts_with("hello"), "{path}: {}", page.body);
        }
    }
}

/// The long staff lists are shown a page at a time (issue 20: writing every
/// row on every request was most of what they cost): the review queue 50
/// proposals a page, oldest first; the composition editor's history 100
/// mandates a page, newest first. A page that does not exist is the first
/// or the last, never an error.
#[tokio::test]
async fn long_staff_lists_are_paged() {
    let app = TestApp::seeded().await;
    sqlx::query(
        "INSERT INTO agenda_item (body_id, proposer_organisation_id, title, kind, status, created_at)
         SELECT (SELECT id FROM body WHERE slug = 'vesoc-werkgroep'),
                (SELECT id FROM organisation WHERE slug = 'acv'),
                'Voorstel ' || lpad(n::text, 3, '0'), 'discussion', 'submitted',
                timestamptz '2026-01-01 10:00+01' + n * interval '1 hour'
         FROM generate_series(1, 120) AS n",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let mut staff = app.signed_in(Role::Secretariat).await;
    let rows = |page: &crate::harness::Page| page.select("table.queue tbody th a");

    let first = staff.get("/beheer/agendapunten").await;
    assert_eq!(first.status, StatusCode::OK);
    let titles = rows(&first);
    assert_eq!(titles.len(), 50);
    assert_eq!(titles[0], "Voorstel 001");
    assert!(first.text().contains("Voorstellen 1–50 van 120"));
    assert_eq!(
        first.attr("a[rel=next]", "href").as_deref(),
        Some("/beheer/agendapunten?pagina=2")
    );
    assert!(first.select("a[rel=prev]").is_empty());

    let last = staff.get("/beheer/agendapunten?pagina=3").await;
    let titles = rows(&last);
    assert_eq!(titles.len(), 20);
    assert_eq!(titles[19], "Voorstel 120");
    assert!(last.select("a[rel=next]").is_empty());
    for (asked, first_title) in [
        ("99", "Voorstel 101"),
        ("nul", "Voorstel 001"),
        ("-1", "Voorstel 001"),
    ] {
        let page = staff
            .get(&format!("/beheer/agendapunten?pagina={asked}"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{asked}");
        assert_eq!(rows(&page)[0], first_title, "{asked}");
    }

    // 150 ended mandates more in the working group's history.
    sqlx::raw_sql(
        "INSERT INTO person (slug, given_name, family_name)
         SELECT 'oud-lid-' || n, 'Oud', 'Lid ' || lpad(n::text, 3, '0')
         FROM generate_series(1, 150) AS n;
         INSERT INTO membership (body_id, person_id, organisation_id, role, side, valid_from,
                                 valid_until)
         SELECT (SELECT id FROM body WHERE slug = 'vesoc-werkgroep'), p.id,
                (SELECT id FROM organisation WHERE slug = 'acv'), 'member', 'social_partners',
                DATE '1990-01-01', DATE '1990-12-31'
         FROM person p WHERE p.slug LIKE 'oud-lid-%'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let total = app
        .count(
            "SELECT count(*) FROM membership
             WHERE body_id = (SELECT id FROM body WHERE slug = 'vesoc-werkgroep')",
        )
        .await;
    let editor = staff.get("/beheer/organen/vesoc-werkgroep").await;
    assert_eq!(editor.status, StatusCode::OK);
    assert_eq!(editor.select("table.history tbody tr").len(), 100);
    assert!(
        editor
            .text()
            .contains(&format!("Mandaten 1–100 van {total}")),
        "{total}"
    );
    let older = editor
        .attr("a[rel=next]", "href")
        .expect("a link to older mandates");
    assert!(older.contains("pagina=2"), "{older}");
    let page = staff.get(&older).await;
    let shown = page.select("table.history tbody tr").len() as i64;
    assert_eq!(shown, (total - 100).min(100));
    // Newest first: the last of the old mandates is on a later page.
    assert!(!editor.text().contains("Lid 150"));
    assert!(page.text().contains("Lid 150"));
}

/// A signed-in request reads its session and the account it names in one
/// query (`auth::session_and_user`), on an instance without memory caches
/// too; a session saved without the account beside it (before the
/// columns existed) reads the account on its own; and an account whose
/// stamp changed is not read with the session: the session ends.
#[tokio::test]
async fn a_session_is_read_with_its_account_in_one_query() {
    let mut app = TestApp::seeded().await;
    app.router = router_with(
        app.db.clone(),
        ServeConfig {
            bench_routes: true,
            page_cache: false,
            require_second_factor: RoleList::default(),
            ..ServeConfig::default()
        },
    );
    let mut clients = Vec::new();
    for role in [Role::Secretariat, Role::SocialPartner] {
        let mut client = app.signed_in(role).await;
        for _ in 0..3 {
            client.get("/bench/query").await;
        }
        let (page, n) = count_queries(client.get("/bench/query")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            n, 2,
            "{role:?}: the session with its account, then the route's"
        );
        let account = client.get("/account").await;
        assert_eq!(account.status, StatusCode::OK, "{role:?}: signed in");
        clients.push(client);
    }
    let mut partner = clients.pop().unwrap();

    sqlx::query("UPDATE tower_sessions.session SET account_id = NULL, security_stamp = NULL")
        .execute(&app.db)
        .await
        .unwrap();
    let (page, n) = count_queries(partner.get("/bench/query")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(n, 3, "the session, its account on its own, the route's");
    assert_eq!(partner.get("/account").await.status, StatusCode::OK);

    sqlx::query(
        "UPDATE account SET security_stamp = gen_random_uuid() WHERE role = 'social_partner'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let gone = partner.get("/account").await;
    assert_eq!(
        gone.status,
        StatusCode::SEE_OTHER,
        "a changed stamp ends the session"
    );
    let ended: i64 = app
        .count("SELECT count(*) FROM tower_sessions.session")
        .await;
    assert_eq!(ended, 1, "only the secretariat's session is left");
}

/// The work menu's badge (`work_waiting`) is read with every session of the
/// secretariat. PostgreSQL plans it with the query that reads it (a
/// set-returning SQL function of one SELECT is inlined): as PL/pgSQL, or as
/// a function it cannot inline, it would run as a call of its own on every
/// request (docs/performance.md, "Session 13").
#[tokio::test]
async fn the_work_badge_is_planned_with_the_query_that_reads_it() {
    let app = TestApp::empty().await;
    let plan: Vec<String> = sqlx::query_scalar(
        "EXPLAIN (VERBOSE) SELECT (SELECT n FROM work_waiting(
             ROW(true, true, NULL, NULL, current_date)::reader))",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let plan = plan.join("\n");
    assert!(
        plan.contains("public.agenda_item"),
        "counted in place: {plan}"
    );
    assert!(!plan.contains("Function Scan"), "not a call: {plan}");
}
