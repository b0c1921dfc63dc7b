//! The authorization matrix: every route of the router, for anonymous
//! visitors and each of the four roles.
//!
//! The routes come from the router's own table (`vesoc::app::route_table`),
//! so a new route is tested the moment it exists. `EXPECTED` is the
//! reviewed permission decision for each route: a route that is missing
//! here, or whose declared access differs, fails the test.

use axum::http::{Method, StatusCode};

use crate::harness::{Client, TestApp};
use vesoc::auth::Role;
use vesoc::auth::access::{Access, Decision};

/// Who may use what: the table of `design.md`, route by route.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("GET", "/", "public"),
    ("GET", "/organen", "public"),
    ("GET", "/organen/{slug}", "public"),
    ("GET", "/akkoorden", "public"),
    ("GET", "/akkoorden/{slug}", "public"),
    ("GET", "/aanmelden", "anonymous"),
    ("POST", "/aanmelden", "anonymous"),
    ("POST", "/afmelden", "signed-in"),
    ("GET", "/account", "signed-in"),
    ("GET", "/account/wachtwoord", "signed-in"),
    ("POST", "/account/wachtwoord", "signed-in"),
    ("GET", "/wachtwoord-instellen/{token}", "public"),
    ("POST", "/wachtwoord-instellen/{token}", "public"),
    ("GET", "/beheer/accounts", "admin"),
    ("GET", "/beheer/accounts/nieuw", "admin"),
    ("POST", "/beheer/accounts", "admin"),
    ("GET", "/beheer/accounts/{id}", "admin"),
    ("POST", "/beheer/accounts/{id}", "admin"),
    ("POST", "/beheer/accounts/{id}/uitschakelen", "admin"),
    ("POST", "/beheer/accounts/{id}/inschakelen", "admin"),
    ("POST", "/beheer/accounts/{id}/herstellink", "admin"),
    ("GET", "/beheer/logboek", "admin"),
    // agreements
    ("GET", "/beheer/akkoorden/nieuw", "secretariat"),
    ("POST", "/beheer/akkoorden", "secretariat"),
    ("GET", "/beheer/akkoorden/{slug}", "secretariat"),
    ("POST", "/beheer/akkoorden/{slug}", "secretariat"),
    ("POST", "/beheer/akkoorden/{slug}/publiceren", "secretariat"),
    (
        "GET",
        "/beheer/akkoorden/{slug}/doelstellingen/nieuw",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/doelstellingen",
        "secretariat",
    ),
    (
        "GET",
        "/beheer/akkoorden/{slug}/doelstellingen/{goal}",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/doelstellingen/{goal}",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/doelstellingen/{goal}/verwijderen",
        "secretariat",
    ),
    (
        "GET",
        "/beheer/akkoorden/{slug}/actielijnen/nieuw",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/actielijnen",
        "secretariat",
    ),
    (
        "GET",
        "/beheer/akkoorden/{slug}/actielijnen/{line}",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/actielijnen/{line}",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/actielijnen/{line}/omhoog",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/actielijnen/{line}/omlaag",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/actielijnen/{line}/verwijderen",
        "secretariat",
    ),
    (
        "GET",
        "/beheer/akkoorden/{slug}/ondertekenaars/nieuw",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/ondertekenaars",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/ondertekenaars/{signatory}/verwijderen",
        "secretariat",
    ),
    (
        "GET",
        "/opvolging/actielijnen/{line}",
        "cabinet+secretariat",
    ),
    (
        "POST",
        "/opvolging/actielijnen/{line}",
        "cabinet+secretariat",
    ),
    ("GET", "/opvolging/doelstellingen/{goal}", "secretariat"),
    ("POST", "/opvolging/doelstellingen/{goal}", "secretariat"),
];

fn access_name(access: Access) -> String {
    match access {
        Access::Public => "public".into(),
        Access::Anonymous => "anonymous".into(),
        Access::SignedIn => "signed-in".into(),
        Access::Roles(roles) => {
            let mut names: Vec<&str> = roles
                .iter()
                .map(|r| match r {
                    Role::Admin => "admin",
                    Role::Secretariat => "secretariat",
                    Role::Cabinet => "cabinet",
                    Role::SocialPartner => "social-partner",
                })
                .collect();
            names.sort_unstable();
            names.join("+")
        }
    }
}

#[test]
fn every_route_has_a_reviewed_permission_decision() {
    let table = vesoc::app::route_table();
    for route in &table {
        let expected = EXPECTED
            .iter()
            .find(|(m, p, _)| *m == route.method.as_str() && *p == route.path)
            .unwrap_or_else(|| {
                panic!(
                    "{} {} has no entry in EXPECTED: decide who may use it",
                    route.method, route.path
                )
            });
        assert_eq!(
            expected.2,
            access_name(route.access),
            "{} {}: declared access differs from the reviewed decision",
            route.method,
            route.path
        );
    }
    for (m, p, _) in EXPECTED {
        assert!(
            table
                .iter()
                .any(|r| r.method.as_str() == *m && r.path == *p),
            "{m} {p} is in EXPECTED but not in the router"
        );
    }
}

/// Records of the seeded database that routes with ids act upon.
struct Samples {
    account: i64,
    line: i64,
    goal: i64,
    signatory: i64,
}

impl Samples {
    /// The first goal, a leaf action line within the test cabinet's
    /// competences today, and a signatory of the seeded agreement. The
    /// seeded minister competences ended with the 2019–2024 legislature, so
    /// the test gives the cabinet's minister (Hilde Crevits) "Werk" again.
    async fn load(app: &TestApp, account: i64) -> Samples {
        let id = |sql: &'static str| {
            let db = app.db.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&db)
                    .await
                    .unwrap()
            }
        };
        let line =
            id("SELECT l.id FROM action_line l WHERE l.title = 'Kwalitatief werkplekleren'").await;
        sqlx::query(
            "INSERT INTO minister_competence (person_id, competence_id, valid_from)
             SELECT p.id, c.id, DATE '2026-01-01' FROM person p, competence c
             WHERE p.slug = 'hilde-crevits' AND c.name = 'Werk'",
        )
        .execute(&app.db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO action_line_competence (action_line_id, competence_id)
             SELECT $1, id FROM competence WHERE name = 'Werk'",
        )
        .bind(line)
        .execute(&app.db)
        .await
        .unwrap();
        Samples {
            account,
            line,
            goal: id("SELECT min(id) FROM goal").await,
            signatory: id("SELECT min(id) FROM signatory").await,
        }
    }
}

/// Fills in a route's path parameters with records that exist.
fn concrete(path: &str, samples: &Samples) -> String {
    path.replace("{slug}", slug_for(path))
        .replace("{id}", &samples.account.to_string())
        .replace("{line}", &samples.line.to_string())
        .replace("{goal}", &samples.goal.to_string())
        .replace("{signatory}", &samples.signatory.to_string())
        .replace("{token}", "ongeldige-link")
}

fn slug_for(path: &str) -> &'static str {
    if path.starts_with("/organen") {
        "vesoc-overleg"
    } else if path.starts_with("/akkoorden") || path.starts_with("/beheer/akkoorden") {
        "iedereen-aan-boord-2019"
    } else if path.contains("{slug}") {
        panic!("no sample value for {{slug}} in {path}: add one")
    } else {
        ""
    }
}

#[tokio::test]
async fn every_route_answers_each_role_as_decided() {
    let app = TestApp::seeded().await;
    // The records that admin actions on {id} act upon: not one of the
    // clients below, so no client loses its session midway.
    let target = app
        .account(Role::SocialPartner, "doelwit@test.vesoc.be")
        .await;
    let samples = Samples::load(&app, target).await;

    let mut clients: Vec<(Option<Role>, Client)> = vec![(None, app.client())];
    for role in Role::ALL {
        clients.push((Some(role), app.signed_in(role).await));
    }

    let mut table = vesoc::app::route_table();
    // Signing out last, so the other routes see a signed-in client.
    table.sort_by_key(|r| r.path == "/afmelden");

    for route in &table {
        {
            let path = concrete(route.path, &samples);
            for (role, client) in clients.iter_mut() {
                let expected = route.access.decide(*role);
                let page = if route.method == Method::GET {
                    client.get(&path).await
                } else {
                    client.post_form(&path, &[]).await
                };
                let who = format!("{role:?} {} {path}", route.method);
                match expected {
                    Decision::SignIn => {
                        assert_eq!(page.status, StatusCode::SEE_OTHER, "{who}");
                        let to = page.location().unwrap_or_default();
                        assert!(to.starts_with("/aanmelden"), "{who} → {to}");
                    }
                    Decision::Forbid => {
                        assert_eq!(page.status, StatusCode::FORBIDDEN, "{who}");
                        assert_eq!(page.select("h1"), vec!["Geen toegang"], "{who}");
                    }
                    Decision::GoHome => {
                        assert_eq!(page.status, StatusCode::SEE_OTHER, "{who}");
                        assert_eq!(page.location(), Some("/"), "{who}");
                    }
                    Decision::Allow => {
                        assert_ne!(page.status, StatusCode::FORBIDDEN, "{who}");
                        assert!(
                            !page
                                .location()
                                .unwrap_or_default()
                                .starts_with("/aanmelden"),
                            "{who}"
                        );
                        assert!(!page.status.is_server_error(), "{who}: {}", page.status);
                        if route.method == Method::GET {
                            let ok = page.status == StatusCode::OK
                                // an invalid one-time link is refused as such
                                || (path.contains("ongeldige-link") && page.status == StatusCode::BAD_REQUEST);
                            assert!(ok, "{who}: {}", page.status);
                        }
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn a_post_without_permission_changes_nothing() {
    let app = TestApp::seeded().await;
    let target = app
        .account(Role::SocialPartner, "doelwit@test.vesoc.be")
        .await;
    let before = app.count("SELECT count(*) FROM audit_log").await;
    for role in [Role::Secretariat, Role::Cabinet, Role::SocialPartner] {
        let mut c = app.signed_in(role).await;
        let after_sign_in = app.count("SELECT count(*) FROM audit_log").await;
        let page = c
            .post_form(&format!("/beheer/accounts/{target}/uitschakelen"), &[])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let page = c
            .post_form(
                "/beheer/accounts",
                &[
                    ("email", "x@y.be"),
                    ("display_name", "X"),
                    ("role", "admin"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.count("SELECT count(*) FROM audit_log").await,
            after_sign_in
        );
    }
    assert!(app.count("SELECT count(*) FROM audit_log").await > before);
    assert_eq!(
        app.count("SELECT count(*) FROM account WHERE disabled_at IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM account WHERE email = 'x@y.be'")
            .await,
        0
    );
}
