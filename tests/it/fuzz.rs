//! Property-based tests of every form handler: generated bodies (random
//! fields and values, invalid UTF-8, 100,000-character fields, duplicate
//! keys, wrong content types) never produce a 5xx or a panic, and a refused
//! request stores nothing (every write leaves an audit row, so the audit
//! log must not grow).
//!
//! `VESOC_FUZZ_CASES` sets the number of bodies per handler. The default,
//! 200, keeps `cargo test` within a few minutes on two cores (about 3 ms a
//! case, 80 handlers); the full run of 10,000 per handler takes about an
//! hour: `VESOC_FUZZ_CASES=10000 cargo test --test it fuzz`.

use std::sync::Mutex;

use axum::http::{Method, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::authz::{concrete, samples};
use crate::harness::{Client, TestApp};
use vesoc::auth::Role;
use vesoc::auth::access::Access;

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

/// Writes, as the audit log records them. A refused sign-in is logged on
/// purpose (a security event), and changes nothing else.
const WRITES: &str = "SELECT count(*) FROM audit_log WHERE action <> 'sign_in_failed'";

fn cases() -> u32 {
    std::env::var("VESOC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// The role a handler is tried as: one that passes its permission check.
fn role_for(access: Access) -> Option<Role> {
    match access {
        Access::Public | Access::Anonymous => None,
        Access::SignedIn => Some(Role::Secretariat),
        Access::Roles(roles) => roles.last().copied(),
    }
}

#[test]
fn every_form_handler_survives_generated_bodies() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
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

    let routes: Vec<_> = vesoc::app::route_table()
        .into_iter()
        // Signing out would end the client's session for the cases after it.
        .filter(|r| r.method == Method::POST && r.path != "/afmelden")
        .collect();
    assert!(routes.len() > 30, "the form handlers: {}", routes.len());

    for route in &routes {
        let role = role_for(route.access);
        let (_, client, token) = clients.iter().find(|(r, _, _)| *r == role).unwrap();
        let path = concrete(route.path, &samples, role);
        let mut runner = TestRunner::new(Config {
            cases: cases(),
            failure_persistence: None,
            ..Config::default()
        });
        // The number of writes so far, carried from case to case: one
        // count per case instead of two.
        let writes = Mutex::new(rt.block_on(app.count(WRITES)));
        let result = runner.run(&body(), |body| {
            rt.block_on(async {
                let before = *writes.lock().unwrap();
                let mut client = client.lock().await;
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
                let page = client
                    .request_bytes(Method::POST, &path, content_type, bytes)
                    .await;
                if page.status.is_server_error() {
                    return Err(TestCaseError::fail(format!(
                        "{path}: {} for {body:?}",
                        page.status
                    )));
                }
                let after = app.count(WRITES).await;
                *writes.lock().unwrap() = after;
                if page.status.is_client_error() && after != before {
                    return Err(TestCaseError::fail(format!(
                        "{path}: refused with {} but wrote {} audit rows",
                        page.status,
                        after - before
                    )));
                }
                Ok(())
            })
        });
        if let Err(e) = result {
            panic!("{} {}: {e}", route.method, route.path);
        }
    }
    // The clients are still who they were (nothing signed them out).
    rt.block_on(async {
        let (_, client, _) = &clients[2];
        let page = client.lock().await.get("/account").await;
        assert_eq!(page.status, StatusCode::OK);
    });
    drop(clients);
    drop(app);
}
