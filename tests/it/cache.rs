//! What an instance keeps in memory (src/cache/): anonymous pages come from
//! memory until a write, on any instance, empties every instance's cache
//! through PostgreSQL's NOTIFY; conditional requests get 304; signed-in
//! users never get a shared page, but their sessions, accounts and page
//! data come from memory until a change, and a sign-out through one
//! instance reaches the others; visitors asking at once wait for one
//! render; with the listening connection gone, nothing is served from
//! memory.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode, header};
use sqlx::Connection;

use crate::harness::{Client, Item, Place, TestApp, client_for};
use vesoc::app::build;
use vesoc::auth::Role;
use vesoc::base::AppState;
use vesoc::config::{RoleList, ServeConfig};

const BODY: &str = "/organen/vesoc-werkgroep";

pub(crate) fn instance(app: &TestApp) -> AppState {
    AppState::new(
        app.db.clone(),
        ServeConfig {
            require_second_factor: RoleList::default(),
            ..ServeConfig::default()
        },
    )
}

pub(crate) async fn until_live(state: &AppState) {
    let start = Instant::now();
    while !state.cache.is_live() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the cache never started listening"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn source(page: &crate::harness::Page) -> Option<&str> {
    page.headers.get("x-cache").and_then(|v| v.to_str().ok())
}

/// Requests `path` until it comes from the cache.
async fn cached(client: &mut Client, path: &str) -> crate::harness::Page {
    for _ in 0..3 {
        let page = client.get(path).await;
        assert_eq!(page.status, StatusCode::OK);
        if source(&page) == Some("hit") {
            return page;
        }
    }
    panic!("{path} never came from the cache");
}

#[tokio::test]
async fn a_change_through_one_instance_shows_on_the_other_within_a_second() {
    let mut app = TestApp::seeded().await;
    let (_, b) = two_instances(&mut app).await;
    let mut visitor_b = client_for(build(b.clone()));
    let before = cached(&mut visitor_b, BODY).await;
    assert!(!before.body.contains("Danny Van Assche"));

    // The secretariat names a member of the working group through A.
    let mut staff_a = app.signed_in(Role::Secretariat).await;
    let person: i64 = app
        .count("SELECT id FROM person WHERE slug = 'danny-van-assche'")
        .await;
    let unizo: i64 = app
        .count("SELECT id FROM organisation WHERE slug = 'unizo'")
        .await;
    let saved = staff_a
        .post_form(
            "/beheer/organen/vesoc-werkgroep/mandaten",
            &[
                ("person_id", &person.to_string()),
                ("organisation_id", &unizo.to_string()),
                ("role", "member"),
                ("side", "social-partners"),
                ("valid_from", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    until_shown(&mut visitor_b, BODY, "Danny Van Assche").await;
    // And B caches the new page again.
    assert!(
        cached(&mut visitor_b, BODY)
            .await
            .body
            .contains("Danny Van Assche")
    );
}

#[tokio::test]
async fn visitors_asking_for_a_page_at_once_wait_for_one_render() {
    let mut app = TestApp::seeded().await;
    let a = one_instance(&mut app).await;
    for _ in 0..4 {
        assert_eq!(app.client().get(BODY).await.status, StatusCode::OK);
    }
    a.cache.invalidate();
    let (page, one) = crate::performance::count_queries(app.client().get(BODY)).await;
    assert_eq!(source(&page), Some("miss"));
    assert!(one > 0);

    // After a change, eight visitors at once: one renders, seven wait.
    a.cache.invalidate();
    let mut visitors = tokio::task::JoinSet::new();
    let work = async {
        for _ in 0..8 {
            let mut visitor = app.client();
            visitors.spawn(async move { visitor.get(BODY).await });
        }
        visitors.join_all().await
    };
    let (pages, eight) = crate::performance::count_queries(work).await;
    assert_eq!(eight, one, "the queries of one render");
    let mut sources: Vec<_> = pages.iter().map(|p| source(p).unwrap_or("-")).collect();
    sources.sort();
    assert_eq!(
        sources,
        ["hit", "hit", "hit", "hit", "hit", "hit", "hit", "miss"]
    );
    assert!(
        pages
            .iter()
            .all(|p| p.status == StatusCode::OK && p.body == page.body)
    );
}

#[tokio::test]
async fn a_conditional_request_gets_304_and_a_change_a_new_etag() {
    let mut app = TestApp::seeded().await;
    one_instance(&mut app).await;
    let mut visitor = app.client();
    let page = cached(&mut visitor, BODY).await;
    let etag = page.headers[header::ETAG].to_str().unwrap().to_string();
    let modified = page.headers[header::LAST_MODIFIED]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-cache");

    let again = visitor
        .request_with_headers(Method::GET, BODY, None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.headers[header::ETAG], etag.as_str());
    // The security headers are on the 304 too.
    assert!(again.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    let since = visitor
        .request_with_headers(Method::GET, BODY, None, &[("if-modified-since", &modified)])
        .await;
    assert_eq!(since.status, StatusCode::NOT_MODIFIED);

    // A change (here straight in the database, as psql would) gives the
    // page a new ETag: the old one gets the whole page.
    sqlx::query(
        "UPDATE body SET description = description || ' Gewijzigd.' WHERE slug = 'vesoc-werkgroep'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let start = Instant::now();
    loop {
        let page = visitor
            .request_with_headers(Method::GET, BODY, None, &[("if-none-match", &etag)])
            .await;
        if page.status == StatusCode::OK {
            assert!(page.body.contains("Gewijzigd."));
            assert_ne!(page.headers[header::ETAG], etag.as_str());
            break;
        }
        assert_eq!(page.status, StatusCode::NOT_MODIFIED);
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "the change never showed"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn signed_in_users_never_get_the_shared_page() {
    let mut app = TestApp::seeded().await;
    one_instance(&mut app).await;
    cached(&mut app.client(), BODY).await;
    let mut member = app.signed_in(Role::SocialPartner).await;
    let page = member.get(BODY).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(source(&page), None);
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert!(
        page.body.contains("Test sociale partner"),
        "the member's own header"
    );
    // Nor does the member's page end up in the cache for visitors.
    let visitor = app.client().get(BODY).await;
    assert!(!visitor.body.contains("Test sociale partner"));
    // The sign-in form sets a session cookie: never cached.
    let sign_in = app.client().get("/aanmelden").await;
    assert!(sign_in.headers.contains_key(header::SET_COOKIE));
    assert_eq!(source(&sign_in), None);
}

#[tokio::test]
async fn without_the_listening_connection_pages_are_rendered_every_time() {
    let mut app = TestApp::seeded().await;
    let a = one_instance(&mut app).await;
    let mut visitor = app.client();
    cached(&mut visitor, BODY).await;
    let mut member = app.signed_in(Role::SocialPartner).await;
    for _ in 0..3 {
        assert_eq!(member.get("/account").await.status, StatusCode::OK);
    }

    // The pool opens all its connections now (a page runs some queries
    // side by side), for none can be opened below.
    let warm = || sqlx::query("SELECT pg_sleep(0.05)").execute(&app.db);
    let (a1, a2, a3, a4) = tokio::join!(warm(), warm(), warm(), warm());
    for r in [a1, a2, a3, a4] {
        r.unwrap();
    }
    // No new connections to this database, then the listener's ends: it
    // cannot come back. The pool's connections stay.
    let db: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.db)
        .await
        .unwrap();
    // From another database: PostgreSQL refuses it for the current one.
    let other = app
        .db
        .connect_options()
        .as_ref()
        .clone()
        .database("postgres");
    let mut admin = sqlx::PgConnection::connect_with(&other).await.unwrap();
    sqlx::query(&format!("ALTER DATABASE \"{db}\" ALLOW_CONNECTIONS false"))
        .execute(&mut admin)
        .await
        .unwrap();
    let ended: i64 = app
        .count(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN%') t",
        )
        .await;
    assert_eq!(ended, 1, "the listening connection");
    let start = Instant::now();
    while a.cache.is_live() {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "the cache did not notice"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A change nobody is told about is on the very next page.
    sqlx::query(
        "UPDATE body SET description = description || ' Ongemeld.' WHERE slug = 'vesoc-werkgroep'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let page = visitor.get(BODY).await;
    assert!(
        page.body.contains("Ongemeld."),
        "{:?} {:?}",
        page.headers,
        page.select("main p")
    );
    assert_eq!(source(&page), None);
    // Nor is a session kept in memory: one ended unnoticed is ended.
    sqlx::query("DELETE FROM tower_sessions.session")
        .execute(&app.db)
        .await
        .unwrap();
    let page = member.get("/account").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());

    // Connections allowed again: the cache listens again and serves again.
    sqlx::query(&format!("ALTER DATABASE \"{db}\" ALLOW_CONNECTIONS true"))
        .execute(&mut admin)
        .await
        .unwrap();
    until_live(&a).await;
    assert!(cached(&mut visitor, BODY).await.body.contains("Ongemeld."));
}

/// Every table a page may show notifies its changes; the exceptions are
/// those no page shows. A new table without the trigger fails here.
#[tokio::test]
async fn every_table_notifies_its_changes() {
    let app = TestApp::empty().await;
    let silent: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r'
           AND NOT EXISTS (SELECT 1 FROM pg_trigger t
                           WHERE t.tgrelid = c.oid AND t.tgname = 'notify_change')
         ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        silent,
        [
            "_sqlx_migrations",
            "audit_log",
            "calendar_token",
            "known_device",
            "login_attempt",
            "mail_digest_entry",
            "mail_message",
            // read only by one's own (never cached) page of choices
            "mail_preference",
            "meeting_mailing",
            "one_time_token",
            // read models and the change log they are checked against
            "read_model",
            "recovery_code",
            "rsvp_link",
            "table_change",
            // the change log's bit per table
            "watched_table"
        ]
    );
    // And every table that notifies has its bit in the change log's masks
    // (migration …1700_change_masks): without one, a write to it would
    // count for every read model.
    let unwatched: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE t.tgname = 'notify_change'
           AND NOT EXISTS (SELECT 1 FROM watched_table w WHERE w.name = c.relname)
         ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(unwatched.is_empty(), "not in watched_table: {unwatched:?}");
}

/// Until `client`'s page at `path` shows `text` (a change made elsewhere);
/// fails after 1 s.
async fn until_shown(client: &mut Client, path: &str, text: &str) {
    let start = Instant::now();
    while !client.get(path).await.body.contains(text) {
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{path} still does not show {text:?} after 1 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Until `client` on `path` is sent to the sign-in page; fails after 1 s.
async fn until_signed_out(client: &mut Client, path: &str, what: &str) {
    let start = Instant::now();
    loop {
        let page = client.get(path).await;
        if page.status == StatusCode::SEE_OTHER {
            assert!(
                page.location().is_some_and(|l| l.starts_with("/aanmelden")),
                "{:?}",
                page.location()
            );
            return;
        }
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{what}: still signed in after 1 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// An instance, listening, serving `app.router`.
async fn one_instance(app: &mut TestApp) -> AppState {
    let a = instance(app);
    app.router = build(a.clone());
    until_live(&a).await;
    a
}

/// Two instances, both listening, A serving `app.router`.
async fn two_instances(app: &mut TestApp) -> (AppState, AppState) {
    let a = one_instance(app).await;
    let b = instance(app);
    until_live(&b).await;
    (a, b)
}

#[tokio::test]
async fn a_sign_out_through_one_instance_ends_the_session_on_the_other_within_a_second() {
    let mut app = TestApp::seeded().await;
    let (_, b) = two_instances(&mut app).await;
    let mut member_a = app.signed_in(Role::SocialPartner).await;
    let mut member_b = member_a.on(build(b.clone()));
    for _ in 0..3 {
        let page = member_b.get("/account").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Test sociale partner"));
    }

    let token = member_a.csrf_token().await;
    let out = member_a.post_raw("/afmelden", &[("_csrf", &token)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    until_signed_out(&mut member_b, "/account", "signed out through A").await;
}

#[tokio::test]
async fn sessions_and_accounts_come_from_memory_until_the_database_tells_of_a_change() {
    let mut app = TestApp::seeded().await;
    let (_, b) = two_instances(&mut app).await;
    let member = app.signed_in(Role::SocialPartner).await;
    let mut member_b = member.on(build(b.clone()));
    // The first request saves the session (it extends the idle timeout),
    // which tells every instance; after that, B keeps the copy it reads.
    assert_eq!(member_b.get("/account").await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(member_b.get("/account").await.status, StatusCode::OK);

    // With the session's notification switched off, B does not learn that
    // the session is gone: it is served from memory, not read each time.
    sqlx::query("ALTER TABLE tower_sessions.session DISABLE TRIGGER notify_session_change")
        .execute(&app.db)
        .await
        .unwrap();
    let row = sqlx::query_as::<_, (String, Vec<u8>, time::OffsetDateTime)>(
        "DELETE FROM tower_sessions.session RETURNING id, data, expiry_date",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(member_b.get("/account").await.status, StatusCode::OK);
    // Back as it was, and the notifications on again.
    sqlx::query("INSERT INTO tower_sessions.session (id, data, expiry_date) VALUES ($1, $2, $3)")
        .bind(&row.0)
        .bind(&row.1)
        .bind(row.2)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE tower_sessions.session ENABLE TRIGGER notify_session_change")
        .execute(&app.db)
        .await
        .unwrap();

    // Disabling the account (here with psql, not through vesoc) reaches B
    // through `vesoc_changed`: the account is read again, and refused.
    sqlx::query(
        "UPDATE account SET disabled_at = now() WHERE email = 'social-partner@test.vesoc.be'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    until_signed_out(&mut member_b, "/account", "account disabled").await;
}

#[tokio::test]
async fn a_member_s_meeting_page_comes_from_memory_and_shows_a_change_within_a_second() {
    let mut app = TestApp::seeded().await;
    let (_, b) = two_instances(&mut app).await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2026-06-10 10:00+02")
        .await;
    let path = format!("/vergaderingen/{meeting}");
    let member = app.signed_in(Role::SocialPartner).await;
    let mut member_b = member.on(build(b.clone()));
    let page = member_b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Test sociale partner"), "their own page");
    assert_eq!(source(&page), None, "never the shared page");
    // Session, account, meeting and agenda: all from memory.
    assert_eq!(crate::performance::queries(&mut member_b, &path).await, 0);

    sqlx::query("UPDATE meeting SET location = 'Zaal Ongemeld' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    until_shown(&mut member_b, &path, "Zaal Ongemeld").await;
}

#[tokio::test]
async fn signed_in_users_get_compositions_and_agreements_from_memory_until_a_change() {
    let mut app = TestApp::seeded().await;
    let (_, b) = two_instances(&mut app).await;
    let member = app.signed_in(Role::SocialPartner).await;
    let mut member_b = member.on(build(b.clone()));
    let agreement = "/akkoorden/iedereen-aan-boord-2019";
    for path in [BODY, agreement] {
        assert_eq!(
            crate::performance::queries(&mut member_b, path).await,
            0,
            "{path}"
        );
        let page = member_b.get(path).await;
        assert!(page.body.contains("Test sociale partner"), "their own page");
        assert_eq!(source(&page), None, "never the shared page");
    }
    // An unknown agreement is a 404 (and an error, which is not kept).
    let missing = member_b.get("/akkoorden/bestaat-nog-niet").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    sqlx::query("UPDATE agreement SET title = 'Iedereen aan boord, herzien' WHERE slug = 'iedereen-aan-boord-2019'")
        .execute(&app.db)
        .await
        .unwrap();
    until_shown(&mut member_b, agreement, "Iedereen aan boord, herzien").await;
}

#[tokio::test]
async fn the_host_is_part_of_a_page_s_key() {
    let mut app = TestApp::seeded().await;
    one_instance(&mut app).await;
    let mut visitor = app.client();
    let system = "/api/oparl";
    for _ in 0..3 {
        let forged = visitor
            .request_with_headers(Method::GET, system, None, &[("host", "evil.example")])
            .await;
        assert!(
            forged.body.contains("http://evil.example/api/oparl"),
            "{}",
            forged.body
        );
    }
    let page = visitor
        .request_with_headers(Method::GET, system, None, &[("host", "vesoc.test")])
        .await;
    assert!(
        page.body.contains("http://vesoc.test/api/oparl"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("evil.example"));
}

#[tokio::test]
async fn an_anonymous_post_does_not_empty_the_cache() {
    let mut app = TestApp::seeded().await;
    one_instance(&mut app).await;
    let mut visitor = app.client();
    cached(&mut visitor, BODY).await;
    // Someone without an account posts a form that is not refused: the
    // sign-out, which sends them to the sign-in page.
    let mut stranger = app.client();
    let token = stranger.csrf_token().await;
    let out = stranger.post_raw("/afmelden", &[("_csrf", &token)]).await;
    assert!(out.status.is_redirection(), "{}", out.status);
    assert_eq!(source(&visitor.get(BODY).await), Some("hit"));
    // A signed-in user's write does empty it.
    let mut member = app.signed_in(Role::SocialPartner).await;
    let token = member.csrf_token().await;
    member.post_raw("/afmelden", &[("_csrf", &token)]).await;
    assert_eq!(source(&visitor.get(BODY).await), Some("miss"));
}

/// A save of a session never inserts it: a session ended elsewhere, of which
/// an instance still holds a copy, does not come back when that instance
/// saves it (the session store's own save is an upsert).
#[tokio::test]
async fn saving_a_session_ended_elsewhere_does_not_bring_it_back() {
    use tower_sessions::SessionStore;
    use tower_sessions::session::{Id, Record};

    let app = TestApp::empty().await;
    let store = vesoc::cache::sessions::CachedStore::new(app.db.clone(), instance(&app).cache);
    let mut record = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    store.create(&mut record).await.unwrap();
    record.data.insert("seen".into(), serde_json::json!(1));
    store.save(&record).await.unwrap();
    let loaded = store.load(&record.id).await.unwrap().expect("saved");
    assert_eq!(loaded.data["seen"], 1);

    sqlx::query("DELETE FROM tower_sessions.session")
        .execute(&app.db)
        .await
        .unwrap();
    record.data.insert("seen".into(), serde_json::json!(2));
    store.save(&record).await.unwrap();
    assert_eq!(
        app.count("SELECT count(*) FROM tower_sessions.session")
            .await,
        0
    );
    assert!(store.load(&record.id).await.unwrap().is_none());
}

/// A confidential item with a release time a few seconds ahead: hidden
/// from a visitor on every page, from memory too, until that moment; then
/// shown everywhere with no write in between (issue 18).
#[tokio::test]
async fn a_release_time_shows_the_item_everywhere_at_that_moment_without_a_write() {
    let mut app = TestApp::seeded().await;
    one_instance(&mut app).await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2026-11-10 10:00+01")
        .await;
    let item = app
        .item(
            Item::proposal("Vrijgegeven ijsvogelnota")
                .on_agenda(meeting, Place::Next)
                .confidential(true)
                .release("3 seconds"),
        )
        .await;
    let release: time::OffsetDateTime =
        sqlx::query_scalar("SELECT embargo_until FROM agenda_item WHERE id = $1")
            .bind(item)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let mut visitor = app.client();
    let pages = [
        format!("/vergaderingen/{meeting}"),
        format!("/vergaderingen/{meeting}/agenda/afdrukken"),
        "/zoeken?q=ijsvogelnota".to_string(),
    ];
    for path in &pages {
        let page = cached(&mut visitor, path).await;
        assert!(
            !page.body.contains("Vrijgegeven ijsvogelnota"),
            "{path} before"
        );
    }
    assert_ne!(
        visitor.get(&format!("/punten/{item}")).await.status,
        StatusCode::OK
    );

    // The moment passes; nothing is written.
    let wait = release - time::OffsetDateTime::now_utc() + time::Duration::milliseconds(300);
    tokio::time::sleep(Duration::try_from(wait).unwrap_or_default()).await;
    for path in &pages {
        let start = Instant::now();
        loop {
            let page = visitor.get(path).await;
            if page.body.contains("Vrijgegeven ijsvogelnota") {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(1),
                "{path} still hides the released item"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert_eq!(
        visitor.get(&format!("/punten/{item}")).await.status,
        StatusCode::OK
    );
}
