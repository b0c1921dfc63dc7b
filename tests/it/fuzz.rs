//! Property-based tests of every form handler: generated bodies (random
//! fields and values, invalid UTF-8, 100,000-character fields, duplicate
//! keys, wrong content types) never produce a 5xx or a panic, and a refused
//! request stores nothing (every write leaves an audit row, so a refused
//! request may add none).
//!
//! `VESOC_FUZZ_CASES` sets the number of bodies per handler (default 200,
//! for `cargo test`); `VESOC_FUZZ_SHARDS` the number of workers (default:
//! the number of cores), each with its own database and signed-in clients,
//! taking parts of the work (a handler, up to 1,000 bodies) from one queue.
//! The full run, 10,000 bodies per handler in a release build, is
//! `scripts/fuzz.sh`; it prints what each handler answered.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::authz::{concrete, samples};
use crate::harness::{Client, TestApp};
use vesoc::auth::Role;
use vesoc::auth::access::{Access, RouteSpec};

/// Field names the forms use, so that generated bodies reach the checks
/// behind the parsing, not only the parser.
const FIELDS: &[&str] = &[
    "email",
    "display_name",
    "role",
    "organisation_id",
    "minister_id",
    "person_id",
    "version",
    "body_id",
    "kind",
    "date",
    "start",
    "end",
    "location",
    "online_url",
    "notes",
    "reason",
    "naar",
    "reden",
    "text",
    "approved_on",
    "code",
    "current",
    "new",
    "repeat",
    "password",
    "terug",
    "title",
    "explanation",
    "meeting_id",
    "confidential",
    "competence",
    "competences",
    "subtitle",
    "introduction",
    "label",
    "target_value",
    "target_unit",
    "deadline",
    "status",
    "note",
    "valid_from",
    "valid_until",
    "given_name",
    "family_name",
    "seat_count",
    "capacity",
    "side",
    "outcome",
    "decision_text",
    "item",
    "direction",
    "answer",
    "comment",
    "value",
    "measured_on",
];

const VALUES: &[&str] = &[
    "",
    "0",
    "-1",
    "1",
    "2",
    "99999999999999999999",
    "1e9",
    "NaN",
    "2024-02-30",
    "2020-01-01",
    "25:61",
    "10:00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u{0}",
    "https://example.be",
    "javascript:alert(1)",
    "admin",
    "secretariat",
    "formal",
    "working_group",
    "cancelled",
    "held",
    "convened",
    "present",
    "represented",
    "on",
    "true",
    "\u{202e}gnp.exe",
    "é",
    "💼",
];

#[derive(Debug, Clone)]
enum Body {
    Form {
        fields: Vec<(String, String)>,
        with_token: bool,
    },
    Raw {
        bytes: Vec<u8>,
        content_type: &'static str,
    },
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(FIELDS).prop_map(str::to_string),
        1 => "[a-z_\\[\\]]{1,12}",
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(VALUES).prop_map(str::to_string),
        4 => ".{0,40}",
        1 => Just("x".repeat(100_000)),
    ]
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        8 => (prop::collection::vec((key(), value()), 0..10), prop::bool::weighted(0.95))
            .prop_map(|(fields, with_token)| Body::Form { fields, with_token }),
        1 => (
            prop::collection::vec(any::<u8>(), 0..3000),
            prop::sample::select(vec![
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=zz",
                "application/json",
                "text/plain",
            ]),
        )
            .prop_map(|(bytes, content_type)| Body::Raw { bytes, content_type }),
    ]
}

/// Audit rows written after the row `$1` (the newest one seen before the
/// request), as the log records writes, and the newest row now. A refused
/// sign-in, a wrong current password on the password form, and a wrong
/// password or code on the second-factor page are logged on purpose
/// (security events), and change nothing else. Reading only the rows after `$1` keeps each case as cheap at the
/// 10,000th body as at the first: a count of the whole log grows with every
/// accepted body.
const WRITES: &str =
    "SELECT count(*) FILTER (WHERE action NOT IN ('sign_in_failed', 'change_password_failed',
                                                  'second_factor_check_failed')),
            coalesce(max(id), $1)
                      FROM audit_log WHERE id > $1";

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// The role a handler is tried as: one that passes its permission check.
fn role_for(access: Access) -> Option<Role> {
    match access {
        Access::Public | Access::Anonymous => None,
        Access::SignedIn => Some(Role::Secretariat),
        Access::Roles(roles) => roles.last().copied(),
    }
}

/// Bodies a worker posts to one handler in one go. A handler's bodies are
/// split in parts of this size, so that a slow handler (changing one's
/// password runs argon2 on every body) spreads over the workers instead of
/// keeping one busy long after the others are done.
const PART: u32 = 1000;

/// What a handler answered to (part of) its generated bodies.
#[derive(Default)]
struct Outcome {
    bodies: u32,
    took: Duration,
    /// Of which in the requests and in the audit check; the rest is
    /// generating the bodies.
    requesting: Duration,
    checking: Duration,
    statuses: BTreeMap<u16, u32>,
}

impl Outcome {
    fn add(&mut self, other: Outcome) {
        self.bodies += other.bodies;
        self.took += other.took;
        self.requesting += other.requesting;
        self.checking += other.checking;
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_default() += n;
        }
    }
}

#[test]
fn every_form_handler_survives_generated_bodies() {
    let cases = u32::try_from(env_number("VESOC_FUZZ_CASES", 200)).unwrap();
    let routes: Vec<RouteSpec> = vesoc::app::route_table()
        .into_iter()
        // Signing out would end the client's session for the cases after it.
        // Signing out (here or everywhere else) gives the session a new
        // CSRF token: the client's later bodies would all be refused.
        .filter(|r| {
            r.method == Method::POST
                && r.path != "/afmelden"
                && r.path != "/account/overal-afmelden"
        })
        .collect();
    assert!(routes.len() > 30, "the form handlers: {}", routes.len());
    // Every handler's first part, then every handler's second, and so on.
    let mut work = Vec::new();
    for first in (0..cases).step_by(PART as usize) {
        for route in 0..routes.len() {
            work.push((route, PART.min(cases - first)));
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let shards = env_number("VESOC_FUZZ_SHARDS", cores).min(work.len());

    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Vec<_> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..shards)
            .map(|_| s.spawn(|| shard(&routes, &work, &next, &failed)))
            .collect();
        workers.into_iter().map(|w| w.join()).collect()
    });
    let mut outcomes: Vec<Outcome> = routes.iter().map(|_| Outcome::default()).collect();
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(Ok(done)) => {
                for (route, outcome) in done {
                    outcomes[route].add(outcome);
                }
            }
            Ok(Err(failure)) => failures.push(failure),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    for (route, o) in routes.iter().zip(&outcomes) {
        let statuses: Vec<String> = o
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect();
        eprintln!(
            "{} {}: {} bodies in {:.1} s (requests {:.1} s, audit check {:.1} s); {}",
            route.method,
            route.path,
            o.bodies,
            o.took.as_secs_f64(),
            o.requesting.as_secs_f64(),
            o.checking.as_secs_f64(),
            statuses.join(", ")
        );
    }
    let total: u32 = outcomes.iter().map(|o| o.bodies).sum();
    eprintln!(
        "fuzz: {} handlers, {cases} bodies each, {total} bodies, {shards} workers, {:.0} s",
        routes.len(),
        started.elapsed().as_secs_f64()
    );
    for (route, o) in routes.iter().zip(&outcomes) {
        assert_eq!(o.bodies, cases, "{} {}", route.method, route.path);
    }
}

/// One worker: its own database and signed-in clients, taking parts of the
/// work from the shared queue until it is empty (or another worker failed).
fn shard(
    routes: &[RouteSpec],
    work: &[(usize, u32)],
    next: &AtomicUsize,
    failed: &AtomicBool,
) -> Result<Vec<(usize, Outcome)>, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (app, samples) = rt.block_on(async {
        let app = TestApp::seeded().await;
        let samples = samples(&app).await;
        (app, samples)
    });
    let mut clients: Vec<(Option<Role>, tokio::sync::Mutex<Client>, String)> = Vec::new();
    for role in [
        None,
        Some(Role::Admin),
        Some(Role::Secretariat),
        Some(Role::Cabinet),
        Some(Role::SocialPartner),
    ] {
        let mut client = rt.block_on(async {
            match role {
                None => app.client(),
                Some(r) => app.signed_in(r).await,
            }
        });
        let token = rt.block_on(client.csrf_token());
        clients.push((role, tokio::sync::Mutex::new(client), token));
    }
    // The newest audit row, carried from case to case: one query per case.
    let seen = Cell::new(rt.block_on(writes_after(&app, 0)).1);

    let mut outcomes = Vec::new();
    while !failed.load(Ordering::Relaxed) {
        let Some(&(index, cases)) = work.get(next.fetch_add(1, Ordering::Relaxed)) else {
            break;
        };
        let route = &routes[index];
        let role = role_for(route.access);
        let (_, client, token) = clients.iter().find(|(r, _, _)| *r == role).unwrap();
        let path = concrete(route.path, &samples, role);
        let statuses = RefCell::new(BTreeMap::new());
        let bodies = Cell::new(0);
        let requesting = Cell::new(Duration::ZERO);
        let checking = Cell::new(Duration::ZERO);
        let started = Instant::now();
        // A random seed per part: the parts are different bodies.
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let result = runner.run(&body(), |body| {
            rt.block_on(async {
                let (bytes, content_type): (Vec<u8>, &str) = match &body {
                    Body::Form { fields, with_token } => {
                        let mut s = form_urlencoded::Serializer::new(String::new());
                        if *with_token {
                            s.append_pair("_csrf", token);
                        }
                        s.extend_pairs(fields);
                        (s.finish().into_bytes(), "application/x-www-form-urlencoded")
                    }
                    Body::Raw {
                        bytes,
                        content_type,
                    } => (bytes.clone(), content_type),
                };
                let t = Instant::now();
                let status = client
                    .lock()
                    .await
                    .request_bytes(Method::POST, &path, content_type, bytes)
                    .await
                    .status;
                requesting.set(requesting.get() + t.elapsed());
                bodies.set(bodies.get() + 1);
                *statuses.borrow_mut().entry(status.as_u16()).or_insert(0) += 1;
                if status.is_server_error() {
                    return Err(TestCaseError::fail(format!(
                        "{path}: {status} for {body:?}"
                    )));
                }
                let t = Instant::now();
                let (written, newest) = writes_after(&app, seen.get()).await;
                checking.set(checking.get() + t.elapsed());
                seen.set(newest);
                if status.is_client_error() && written != 0 {
                    return Err(TestCaseError::fail(format!(
                        "{path}: refused with {status} but wrote {written} audit rows"
                    )));
                }
                Ok(())
            })
        });
        if let Err(e) = result {
            failed.store(true, Ordering::Relaxed);
            return Err(format!("{} {}: {e}", route.method, route.path));
        }
        outcomes.push((
            index,
            Outcome {
                bodies: bodies.get(),
                took: started.elapsed(),
                requesting: requesting.get(),
                checking: checking.get(),
                statuses: statuses.into_inner(),
            },
        ));
    }
    // The clients are still who they were (nothing signed them out).
    rt.block_on(async {
        let (_, client, _) = &clients[2];
        let page = client.lock().await.get("/account").await;
        assert_eq!(page.status, StatusCode::OK);
    });
    drop(clients);
    drop(app);
    Ok(outcomes)
}

/// Audit rows that count as writes after row `after`, and the newest row.
async fn writes_after(app: &TestApp, after: i64) -> (i64, i64) {
    sqlx::query_as(WRITES)
        .bind(after)
        .fetch_one(&app.db)
        .await
        .unwrap()
}
