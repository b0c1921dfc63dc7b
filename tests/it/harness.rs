//! The test harness: a real PostgreSQL for every test.
//!
//! Without `DATABASE_URL` the tests start (or reuse) a private cluster under
//! the system's temporary folder; with it, they use that server. Either way,
//! every test gets a fresh database cloned from a template that was migrated
//! (and, for `seeded()`, seeded) once per schema version.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use scraper::{Html, Selector};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection, PgExecutor, PgPool};
use tokio::sync::OnceCell;
use tower::ServiceExt;

use vesoc::app::build;
use vesoc::auth::Role;
use vesoc::base::AppState;
use vesoc::config::ServeConfig;
use vesoc::db::cluster::{Durability, PrivateCluster};
use vesoc::db::{MIGRATOR, pool_options, seed};

pub const PASSWORD: &str = "een lange testzin voor vesoc";

struct Setup {
    admin: PgConnectOptions,
    empty: String,
    seeded: String,
}

static SETUP: OnceCell<Setup> = OnceCell::const_new();

async fn setup() -> &'static Setup {
    SETUP
        .get_or_init(|| async {
            let admin = match std::env::var("DATABASE_URL") {
                Ok(url) => url.parse::<PgConnectOptions>().expect("DATABASE_URL"),
                Err(_) => {
                    let base = std::env::temp_dir().join("vesoc-test-cluster");
                    let cluster = tokio::task::spawn_blocking(move || {
                        PrivateCluster::ensure(&base, Durability::Unsafe)
                    })
                    .await
                    .expect("join")
                    .expect("private PostgreSQL cluster for the tests");
                    cluster.connect_options("postgres")
                }
            };
            // One template per schema and seed version, shared by every test
            // process: named by a hash of both.
            let mut hash = Sha256::new();
            for m in MIGRATOR.iter() {
                hash.update(&m.checksum);
            }
            hash.update(include_str!("../../src/db/seed.rs"));
            let hash: String = hash.finalize()[..6]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let empty = format!("vesoc_tpl_empty_{hash}");
            let seeded = format!("vesoc_tpl_seeded_{hash}");
            make_template(&admin, &empty, false).await;
            make_template(&admin, &seeded, true).await;
            Setup {
                admin,
                empty,
                seeded,
            }
        })
        .await
}

async fn make_template(admin: &PgConnectOptions, name: &str, seeded: bool) {
    let mut conn = PgConnection::connect_with(admin).await.expect("connect");
    // Serialise template creation across test processes.
    sqlx::query("SELECT pg_advisory_lock(727274)")
        .execute(&mut conn)
        .await
        .expect("lock");
    let ready: Option<bool> =
        sqlx::query_scalar("SELECT datistemplate FROM pg_database WHERE datname = $1")
            .bind(name)
            .fetch_optional(&mut conn)
            .await
            .expect("lookup");
    if ready != Some(true) {
        conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
            .await
            .expect("drop stale template");
        conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .expect("create template");
        let pool = pool_options()
            .connect_with(admin.clone().database(name))
            .await
            .expect("connect template");
        MIGRATOR.run(&pool).await.expect("migrate");
        if seeded {
            seed::seed(&pool).await.expect("seed");
        }
        pool.close().await;
        conn.execute(format!("ALTER DATABASE \"{name}\" IS_TEMPLATE true").as_str())
            .await
            .expect("mark template");
    }
    sqlx::query("SELECT pg_advisory_unlock(727274)")
        .execute(&mut conn)
        .await
        .expect("unlock");
}

/// A fresh database and the application on top of it.
pub struct TestApp {
    pub db: PgPool,
    pub router: Router,
    name: String,
    admin: PgConnectOptions,
}

impl TestApp {
    /// Migrated, no data.
    pub async fn empty() -> TestApp {
        let s = setup().await;
        TestApp::from_template(&s.empty, &s.admin).await
    }

    /// Migrated and seeded with the VESOC data.
    pub async fn seeded() -> TestApp {
        let s = setup().await;
        TestApp::from_template(&s.seeded, &s.admin).await
    }

    async fn from_template(template: &str, admin: &PgConnectOptions) -> TestApp {
        let name = format!("vesoc_t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect_with(admin).await.expect("connect");
        conn.execute(format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"").as_str())
            .await
            .expect("create test database");
        conn.close().await.ok();
        let db = pool_options()
            .max_connections(4)
            .connect_with(admin.clone().database(&name))
            .await
            .expect("connect test database");
        let router = router_for(db.clone());
        TestApp {
            db,
            router,
            name,
            admin: admin.clone(),
        }
    }

    /// How pg_dump and pg_restore reach this test database.
    pub fn conninfo(&self) -> String {
        if let Ok(url) = std::env::var("DATABASE_URL") {
            let (base, query) = url
                .split_once('?')
                .map_or((url.as_str(), ""), |(b, q)| (b, q));
            let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            return format!("{server}/{}{query}", self.name);
        }
        let host = self
            .admin
            .get_socket()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| self.admin.get_host().to_string());
        format!(
            "host='{host}' port={} user={} dbname={}",
            self.admin.get_port(),
            self.admin.get_username(),
            self.name
        )
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: Vec::new(),
            addr: SocketAddr::from(([127, 0, 0, 1], 40000)),
        }
    }

    /// Creates an account with a password, acting for a fitting
    /// organisation or minister of the seed.
    pub async fn account(&self, role: Role, email: &str) -> i64 {
        // Every test account has the same password: hashed once per test
        // process, as argon2 is slow on purpose.
        static HASH: OnceCell<String> = OnceCell::const_new();
        let hash = HASH
            .get_or_init(|| async {
                vesoc::auth::password::hash(PASSWORD.to_string())
                    .await
                    .expect("hash")
            })
            .await;
        let (org, minister): (Option<&str>, Option<&str>) = match role {
            Role::SocialPartner => (Some("acv"), None),
            Role::Cabinet => (Some("vlaamse-regering"), Some("hilde-crevits")),
            Role::Secretariat => (Some("serv"), None),
            Role::Admin => (None, None),
        };
        sqlx::query_scalar(
            "INSERT INTO account (email, display_name, role, organisation_id, minister_id, password_hash)
             VALUES ($1, $2, $3,
                     (SELECT id FROM organisation WHERE slug = $4),
                     (SELECT id FROM person WHERE slug = $5), $6)
             RETURNING id",
        )
        .bind(email)
        .bind(format!("Test {}", role.label()))
        .bind(role)
        .bind(org)
        .bind(minister)
        .bind(hash)
        .fetch_one(&self.db)
        .await
        .expect("insert account")
    }

    /// A client signed in with a new account of `role`.
    pub async fn signed_in(&self, role: Role) -> Client {
        let email = format!("{}@test.vesoc.be", role.code().replace('_', "-"));
        self.account(role, &email).await;
        let mut client = self.client();
        let res = client.sign_in(&email, PASSWORD).await;
        assert_eq!(
            res.status,
            StatusCode::SEE_OTHER,
            "sign-in as {role:?}: {}",
            res.text()
        );
        client
    }

    /// A new account of `role` acting for the organisation and minister
    /// with these slugs (`None`: for none).
    pub async fn account_as(
        &self,
        role: Role,
        email: &str,
        organisation: Option<&str>,
        minister: Option<&str>,
    ) -> i64 {
        let id = self.account(role, email).await;
        sqlx::query(
            "UPDATE account SET organisation_id = (SELECT id FROM organisation WHERE slug = $2),
                                minister_id = (SELECT id FROM person WHERE slug = $3)
             WHERE id = $1",
        )
        .bind(id)
        .bind(organisation)
        .bind(minister)
        .execute(&self.db)
        .await
        .expect("set organisation and minister");
        id
    }

    /// A client signed in with [`TestApp::account_as`].
    pub async fn signed_in_as(
        &self,
        role: Role,
        email: &str,
        organisation: Option<&str>,
        minister: Option<&str>,
    ) -> Client {
        self.account_as(role, email, organisation, minister).await;
        let mut client = self.client();
        let res = client.sign_in(email, PASSWORD).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "sign-in as {email}");
        client
    }

    /// A client signed in as a social partner of the organisation `slug`
    /// (a new account, `{slug}@test.vesoc.be`).
    pub async fn partner_of(&self, organisation: &str) -> Client {
        let email = format!("{organisation}@test.vesoc.be");
        self.signed_in_as(Role::SocialPartner, &email, Some(organisation), None)
            .await
    }

    /// Gives Hilde Crevits (the minister of the test cabinet) the
    /// competence today; the seeded ones ended with the 2019–2024
    /// legislature.
    pub async fn crevits_holds_today(&self, competence: &str) {
        sqlx::query(
            "INSERT INTO minister_competence (person_id, competence_id, valid_from)
             SELECT p.id, c.id, DATE '2026-01-01' FROM person p, competence c
             WHERE p.slug = 'hilde-crevits' AND c.name = $1",
        )
        .bind(competence)
        .execute(&self.db)
        .await
        .expect("a competence for Hilde Crevits");
    }

    /// A meeting of a body, two hours from `starts` (e.g. "2026-06-10 10:00+02").
    pub async fn meeting(&self, body: &str, kind: &str, starts: &str) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO meeting (body_id, kind, starts_at, ends_at, location)
             SELECT id, $2::meeting_kind, $3::timestamptz, $3::timestamptz + interval '2 hours', 'SERV, Brussel'
             FROM body WHERE slug = $1 RETURNING id",
        )
        .bind(body)
        .bind(kind)
        .bind(starts)
        .fetch_one(&self.db)
        .await
        .expect("insert meeting")
    }

    /// An agenda item written straight into the database (see [`Item`]).
    pub async fn item(&self, item: Item<'_>) -> i64 {
        let (next, at) = match item.place {
            Place::None => (false, None),
            Place::Next => (true, None),
            Place::At(n) => (false, Some(n)),
        };
        sqlx::query_scalar(
            "INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id,
                                      proposer_minister_id, title, explanation, kind, status,
                                      answer, outcome, confidential, embargo_until, position,
                                      number)
             VALUES ((SELECT id FROM body WHERE slug = $1), $2,
                     (SELECT id FROM organisation WHERE slug = $3),
                     (SELECT id FROM person WHERE slug = $4),
                     $5, $6, $7::agenda_item_kind, $8::agenda_item_status, $9,
                     $10::agenda_outcome, $11, now() + $12::interval,
                     CASE WHEN $13 THEN (SELECT coalesce(max(position), 0) + 1 FROM agenda_item
                                         WHERE meeting_id = $2)
                          ELSE $14 END,
                     $14::text)
             RETURNING id",
        )
        .bind(item.body)
        .bind(item.meeting)
        .bind(item.organisation)
        .bind(item.minister)
        .bind(item.title)
        .bind(item.explanation)
        .bind(item.kind)
        .bind(item.status)
        .bind(item.answer)
        .bind(item.outcome)
        .bind(item.confidential)
        .bind(item.release)
        .bind(next)
        .bind(at)
        .fetch_one(&self.db)
        .await
        .expect("insert agenda item")
    }

    /// A document of the agenda item `item`, as an upload stores it (the
    /// five bytes `stuk.`, plain text); its id.
    pub async fn document(&self, item: i64, name: &str, confidential: bool) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO document (agenda_item_id, filename, content_type, size_bytes, sha256,
                                   content, confidential)
             VALUES ($1, $2, 'text/plain; charset=utf-8', 5, sha256('stuk.'::bytea),
                     'stuk.'::bytea, $3)
             RETURNING id",
        )
        .bind(item)
        .bind(name)
        .bind(confidential)
        .fetch_one(&self.db)
        .await
        .expect("insert document")
    }

    /// The person `slug` of the composition, made with `name` (given,
    /// family) and `email` when there is none yet; its id.
    pub async fn person(
        &self,
        slug: &str,
        (given, family): (&str, &str),
        email: Option<&str>,
    ) -> i64 {
        sqlx::query_scalar(
            "WITH new AS (INSERT INTO person (slug, given_name, family_name, email)
                          VALUES ($1, $2, $3, $4) ON CONFLICT (slug) DO NOTHING RETURNING id)
             SELECT id FROM new UNION ALL SELECT id FROM person WHERE slug = $1",
        )
        .bind(slug)
        .bind(given)
        .bind(family)
        .bind(email)
        .fetch_one(&self.db)
        .await
        .expect("person")
    }

    /// Makes `account` the person `person` of the composition: invited to
    /// a meeting, the account gets the person's convocations, and its mail
    /// choices hold for the person's address too.
    pub async fn is_person(&self, account: i64, person: i64) {
        sqlx::query("UPDATE account SET person_id = $2 WHERE id = $1")
            .bind(account)
            .bind(person)
            .execute(&self.db)
            .await
            .expect("link account and person");
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.db)
            .await
            .expect(sql)
    }

    /// The id the query `sql` selects (one row, one `bigint`).
    pub async fn id(&self, sql: &str) -> i64 {
        self.count(sql).await
    }

    /// The id of the row of `table` (`body`, `person`, `organisation`…)
    /// with this slug, as a form sends it.
    pub async fn slug_id(&self, table: &str, slug: &str) -> String {
        let sql = format!("SELECT id FROM {table} WHERE slug = $1");
        let id: i64 = sqlx::query_scalar(&sql)
            .bind(slug)
            .fetch_one(&self.db)
            .await
            .expect(&sql);
        id.to_string()
    }

    /// The version of record `id` in `table` (`meeting`, `agenda_item`)
    /// now, as a form would send it along.
    pub async fn version(&self, table: &str, id: i64) -> String {
        let sql = format!("SELECT version FROM {table} WHERE id = $1");
        let v: i32 = sqlx::query_scalar(&sql)
            .bind(id)
            .fetch_one(&self.db)
            .await
            .expect(&sql);
        v.to_string()
    }
}

/// An agenda item as a test writes it with [`TestApp::item`]: by default
/// ACV's discussion item for the working group, submitted, on no meeting;
/// the builder's methods say what differs.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub title: &'a str,
    pub explanation: &'a str,
    /// the body's slug
    pub body: &'a str,
    /// the proposer: an organisation's slug, and for a cabinet's item the
    /// minister's
    pub organisation: Option<&'a str>,
    pub minister: Option<&'a str>,
    pub kind: &'a str,
    pub status: &'a str,
    pub meeting: Option<i64>,
    pub place: Place,
    pub confidential: bool,
    /// the release time, as an interval from now (`"3 seconds"`, `"-1 day"`)
    pub release: Option<&'a str>,
    /// the secretariat's answer (a rejection's reason)
    pub answer: Option<&'a str>,
    /// what the meeting did with an item dealt with (`"noted"`…)
    pub outcome: Option<&'a str>,
}

/// Where an item stands on its meeting's agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Nowhere: a proposal, or a deferred item that keeps its meeting.
    None,
    /// After the last item of the meeting, without a number yet.
    Next,
    /// At this place, numbered so, as a sent agenda is.
    At(i32),
}

impl<'a> Item<'a> {
    /// ACV's proposal `title` for the working group: a discussion item,
    /// submitted, on no meeting.
    pub fn proposal(title: &'a str) -> Self {
        Item {
            title,
            explanation: "",
            body: "vesoc-werkgroep",
            organisation: Some("acv"),
            minister: None,
            kind: "discussion",
            status: "submitted",
            meeting: None,
            place: Place::None,
            confidential: false,
            release: None,
            answer: None,
            outcome: None,
        }
    }

    /// Proposed by the organisation `slug`.
    pub fn by(self, organisation: &'a str) -> Self {
        Item {
            organisation: Some(organisation),
            ..self
        }
    }

    /// Proposed by the cabinet of the minister `slug`.
    pub fn by_minister(self, minister: &'a str) -> Self {
        Item {
            organisation: Some("vlaamse-regering"),
            minister: Some(minister),
            ..self
        }
    }

    pub fn status(self, status: &'a str) -> Self {
        Item { status, ..self }
    }

    pub fn kind(self, kind: &'a str) -> Self {
        Item { kind, ..self }
    }

    pub fn explanation(self, explanation: &'a str) -> Self {
        Item {
            explanation,
            ..self
        }
    }

    /// For `meeting` (wished for, or deferred to), without a place on its
    /// agenda.
    pub fn for_meeting(self, meeting: i64) -> Self {
        Item {
            meeting: Some(meeting),
            ..self
        }
    }

    /// Accepted onto the agenda of `meeting`, at `place`.
    pub fn on_agenda(self, meeting: i64, place: Place) -> Self {
        Item {
            meeting: Some(meeting),
            place,
            status: "accepted",
            ..self
        }
    }

    pub fn confidential(self, confidential: bool) -> Self {
        Item {
            confidential,
            ..self
        }
    }

    /// Released `interval` from now (a negative one: released already).
    pub fn release(self, interval: &'a str) -> Self {
        Item {
            release: Some(interval),
            ..self
        }
    }

    pub fn answer(self, answer: &'a str) -> Self {
        Item {
            answer: Some(answer),
            ..self
        }
    }

    pub fn outcome(self, outcome: &'a str) -> Self {
        Item {
            outcome: Some(outcome),
            ..self
        }
    }
}

/// Invites the person `person` to `meeting`, for the organisation
/// `organisation` (a slug) or none, for `reason` (`composition`, `added`…);
/// an invitation that is there already stays as it is. In a transaction
/// or on the pool alike.
pub async fn invite(
    db: impl PgExecutor<'_>,
    meeting: i64,
    person: i64,
    organisation: Option<&str>,
    reason: &str,
) {
    sqlx::query(
        "INSERT INTO meeting_participant (meeting_id, person_id, organisation_id, reason)
         VALUES ($1, $2, (SELECT id FROM organisation WHERE slug = $3), $4::invitation_reason)
         ON CONFLICT DO NOTHING",
    )
    .bind(meeting)
    .bind(person)
    .bind(organisation)
    .bind(reason)
    .execute(db)
    .await
    .expect("invite");
}

/// What a message knows of the site in the tests: links to
/// `https://vesoc.test`, sent by `vesoc@serv.be`.
pub fn site() -> vesoc::mail::Site {
    vesoc::mail::Site {
        base_url: "https://vesoc.test".into(),
        sender: "vesoc@serv.be".into(),
    }
}

/// The events of an iCalendar text, each as its properties by name.
pub fn ics_events(ics: &str) -> Vec<std::collections::HashMap<String, String>> {
    let reader = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let mut out = Vec::new();
    for cal in reader {
        for e in cal.expect("a valid calendar").events {
            out.push(
                e.properties
                    .into_iter()
                    .map(|p| (p.name, p.value.unwrap_or_default()))
                    .collect(),
            );
        }
    }
    out
}

/// The application on top of any pool, without the second-factor
/// requirement (tests of the second factor set it themselves) and without
/// the page cache: tests that write straight into the database would
/// otherwise race the change notification. tests/it/cache.rs tests the
/// cache, with instances of its own.
pub fn router_for(db: PgPool) -> Router {
    router_with(
        db,
        ServeConfig {
            require_second_factor: vesoc::config::RoleList::default(),
            page_cache: false,
            ..ServeConfig::default()
        },
    )
}

pub fn router_with(db: PgPool, config: ServeConfig) -> Router {
    build(AppState::new(db, config))
}

/// A client for a router that is not a `TestApp`'s.
pub fn client_for(router: Router) -> Client {
    Client {
        router,
        cookies: Vec::new(),
        addr: SocketAddr::from(([127, 0, 0, 1], 40000)),
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let name = self.name.clone();
        let admin = self.admin.clone();
        // Drop is synchronous and may run inside a runtime: use a thread of
        // its own with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut c) = PgConnection::connect_with(&admin).await {
                    let _ = c
                        .execute(
                            format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str(),
                        )
                        .await;
                }
            });
        })
        .join();
    }
}

/// A browser: keeps its cookies (the session's, the device cookie), knows
/// the CSRF token of the last page that had one.
#[derive(Clone)]
pub struct Client {
    router: Router,
    /// `name=value`, one per cookie name.
    cookies: Vec<String>,
    pub addr: SocketAddr,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (downloads: ZIP, files).
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn text(&self) -> String {
        let html = Html::parse_document(&self.body);
        let main = Selector::parse("main").expect("selector");
        html.select(&main)
            .next()
            .map(|m| m.text().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The text of every element matching `css`, whitespace collapsed.
    pub fn select(&self, css: &str) -> Vec<String> {
        let html = Html::parse_document(&self.body);
        let sel = Selector::parse(css).expect("selector");
        html.select(&sel)
            .map(|e| {
                e.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The value of an attribute on the first element matching `css`.
    pub fn attr(&self, css: &str, attr: &str) -> Option<String> {
        let html = Html::parse_document(&self.body);
        let sel = Selector::parse(css).expect("selector");
        html.select(&sel)
            .next()
            .and_then(|e| e.value().attr(attr).map(str::to_string))
    }

    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// The id in the address this page sends the browser to, after
    /// `prefix` (`/agendapunten/` for `/agendapunten/12?melding=…`).
    pub fn redirect_id(&self, prefix: &str) -> i64 {
        let to = self
            .location()
            .unwrap_or_else(|| panic!("no redirect: {}", self.text()));
        to.strip_prefix(prefix)
            .and_then(|rest| rest.split('?').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("{to} is no {prefix}<id>"))
    }

    pub fn csrf(&self) -> Option<String> {
        self.attr("input[name=_csrf]", "value")
    }
}

impl Client {
    pub async fn request(&mut self, method: Method, path: &str, form: Option<String>) -> Page {
        self.request_with_headers(method, path, form, &[]).await
    }

    pub async fn request_with_headers(
        &mut self,
        method: Method,
        path: &str,
        form: Option<String>,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut req = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(c) = self.cookie_header() {
            req = req.header(header::COOKIE, c);
        }
        let body = match form {
            Some(f) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(f)
            }
            None => Body::empty(),
        };
        self.send(req.body(body).expect("request")).await
    }

    /// Sends any body with its own content type (uploads: multipart).
    pub async fn request_bytes(
        &mut self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Page {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type);
        if let Some(c) = self.cookie_header() {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).expect("request"))
            .await
    }

    async fn send(&mut self, mut req: Request<Body>) -> Page {
        req.extensions_mut().insert(ConnectInfo(self.addr));
        let res = self.router.clone().oneshot(req).await.expect("response");
        let status = res.status();
        let headers = res.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap_or_default();
            let pair = v.split(';').next().unwrap_or_default().to_string();
            let name = pair.split('=').next().unwrap_or_default().to_string();
            self.drop_cookie(&name);
            if !(v.contains("Max-Age=0") || pair.ends_with('=')) {
                self.cookies.push(pair);
            }
        }
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.request(Method::GET, path, None).await
    }

    /// Posts a form as a browser would: with the CSRF token of a page that
    /// carries one (fetched from `token_page`).
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields, with no CSRF token added.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.request(Method::POST, path, Some(body)).await
    }

    /// The session's CSRF token, as the sign-in form or the sign-out button
    /// of the layout carries it.
    pub async fn csrf_token(&mut self) -> String {
        // Whichever page this client may see: signed in, signed in but
        // setting up a second factor, between password and code, or not.
        for path in [
            "/account",
            "/account/tweestaps",
            "/aanmelden/code",
            "/aanmelden",
        ] {
            if let Some(t) = self.get(path).await.csrf() {
                return t;
            }
        }
        panic!("no page with a CSRF token for this client")
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        let page = self.get("/aanmelden").await;
        let token = page.csrf().expect("csrf on the sign-in page");
        self.post_raw(
            "/aanmelden",
            &[
                ("_csrf", &token),
                ("email", email),
                ("password", password),
                ("terug", "/"),
            ],
        )
        .await
    }

    /// The same browser (its cookies) on another instance.
    pub fn on(&self, router: Router) -> Client {
        Client {
            router,
            cookies: self.cookies.clone(),
            addr: self.addr,
        }
    }

    fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| self.cookies.join("; "))
    }

    /// The session cookie, as `name=value`.
    pub fn session_cookie(&self) -> Option<&str> {
        self.cookies
            .iter()
            .find(|c| c.starts_with("vesoc=") || c.starts_with("__Host-vesoc="))
            .map(String::as_str)
    }

    /// The value of a cookie this browser holds.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find_map(|c| c.strip_prefix(name)?.strip_prefix('='))
    }

    /// Sets a cookie as if the server had (a forged or copied one).
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.drop_cookie(name);
        self.cookies.push(format!("{name}={value}"));
    }

    /// Forgets a cookie, as a user clearing it (or another browser) would.
    pub fn drop_cookie(&mut self, name: &str) {
        self.cookies.retain(|c| c.split('=').next() != Some(name));
    }
}

/// `serve` on a port of its own, as `main` runs it: its address, the
/// sender that stops it (as SIGTERM does) and its task.
pub async fn serving(
    app: &TestApp,
    config: ServeConfig,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(vesoc::app::serve(
        app.db.clone(),
        config,
        listener,
        async move {
            let _ = stopped.await;
        },
    ));
    (addr, stop, server)
}
