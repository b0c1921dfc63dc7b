//! Accounts, sign-in, sessions, CSRF, throttling and the audit log.

use axum::http::StatusCode;

use crate::harness::{PASSWORD, TestApp};
use vesoc::accounts::queries;
use vesoc::auth::Role;

async fn audit_actions(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn signing_in_and_out() {
    let app = TestApp::seeded().await;
    app.account(Role::Cabinet, "kabinet@test.vesoc.be").await;
    let mut c = app.client();
    let page = c.sign_in("Kabinet@Test.vesoc.be ", PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let me = c.get("/account").await;
    assert_eq!(me.status, StatusCode::OK);
    let who = me.select("header.site .who .me");
    assert_eq!(who, vec!["Test kabinet kabinet · kabinet Hilde Crevits"]);
    assert_eq!(me.headers.get("cache-control").unwrap(), "no-store");
    let out = c.post_form("/afmelden", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = c.get("/account").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location(), Some("/aanmelden?terug=%2Faccount"));
    let actions = audit_actions(&app).await;
    assert!(
        actions.ends_with(&["sign_in".to_string(), "sign_out".to_string()]),
        "{actions:?}"
    );
}

#[tokio::test]
async fn unknown_login_and_wrong_password_get_the_same_answer() {
    let app = TestApp::seeded().await;
    app.account(Role::Secretariat, "serv@test.vesoc.be").await;
    let mut c = app.client();
    let wrong = c
        .sign_in("serv@test.vesoc.be", "niet het goede wachtwoord")
        .await;
    let unknown = c
        .sign_in("niemand@test.vesoc.be", "niet het goede wachtwoord")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(
        wrong.select(".error-summary"),
        unknown.select(".error-summary")
    );
    // What was typed stays in the form, except the password.
    assert_eq!(
        unknown.attr("input#email", "value").as_deref(),
        Some("niemand@test.vesoc.be")
    );
    assert_eq!(unknown.attr("input#password", "value"), None);
    // A disabled account answers the same.
    sqlx::query("UPDATE account SET disabled_at = now()")
        .execute(&app.db)
        .await
        .unwrap();
    let disabled = c.sign_in("serv@test.vesoc.be", PASSWORD).await;
    assert_eq!(disabled.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        disabled.select(".error-summary"),
        wrong.select(".error-summary")
    );
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in() {
    let app = TestApp::seeded().await;
    app.account(Role::Secretariat, "serv@test.vesoc.be").await;
    let mut c = app.client();
    let form = c.get("/aanmelden").await;
    assert!(form.csrf().is_some());
    let before = c
        .session_cookie()
        .map(str::to_string)
        .expect("a session for the form's token");
    c.sign_in("serv@test.vesoc.be", PASSWORD).await;
    let after = c.session_cookie().map(str::to_string).unwrap();
    assert_ne!(before, after);
    // The old id no longer signs anyone in.
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM tower_sessions.session WHERE id = '{}'",
            before.split('=').nth(1).unwrap()
        ))
        .await,
        0
    );
}

#[tokio::test]
async fn throttling_per_login_and_address_and_per_address_never_locks_the_owner_out() {
    let app = TestApp::seeded().await;
    app.account(Role::Secretariat, "serv@test.vesoc.be").await;
    app.account(Role::Cabinet, "kabinet@test.vesoc.be").await;
    let mut attacker = app.client();
    attacker.addr = "10.1.1.1:5000".parse().unwrap();
    for _ in 0..5 {
        let p = attacker
            .sign_in("serv@test.vesoc.be", "fout wachtwoord!!")
            .await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    }
    // That login from that address waits, even with the right password.
    let p = attacker.sign_in("serv@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.text().contains("Te veel mislukte aanmeldpogingen"));
    // The owner, elsewhere, is not locked out by someone else's failures.
    let mut owner = app.client();
    owner.addr = "10.2.2.2:5000".parse().unwrap();
    let p = owner.sign_in("serv@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    // Trying many logins from one address (password spraying): after 20
    // failures in all, that address waits for every login.
    for i in 0..15 {
        let p = attacker
            .sign_in(&format!("iemand{i}@test.vesoc.be"), "fout wachtwoord!!")
            .await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "try {i}");
    }
    let p = attacker.sign_in("kabinet@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    // Another address is not affected.
    let mut colleague = app.client();
    colleague.addr = "10.3.3.3:5000".parse().unwrap();
    let p = colleague.sign_in("kabinet@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    // The window passes.
    sqlx::query("UPDATE login_attempt SET at = at - interval '16 minutes'")
        .execute(&app.db)
        .await
        .unwrap();
    let p = attacker.sign_in("serv@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn csrf_is_checked_on_every_post() {
    let app = TestApp::seeded().await;
    let mut admin = app.signed_in(Role::Admin).await;
    let fields = [
        ("email", "nieuw@test.vesoc.be"),
        ("display_name", "Nieuw"),
        ("role", "secretariat"),
    ];
    // No token.
    let p = admin.post_raw("/beheer/accounts", &fields).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(p.select("h1"), vec!["Formulier verlopen"]);
    // A forged token.
    let mut forged = vec![("_csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")];
    forged.extend_from_slice(&fields);
    let p = admin.post_raw("/beheer/accounts", &forged).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // Another session's token.
    let mut other = app.client();
    let theirs = other.csrf_token().await;
    let mut stolen = vec![("_csrf", theirs.as_str())];
    stolen.extend_from_slice(&fields);
    let p = admin.post_raw("/beheer/accounts", &stolen).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT count(*) FROM account WHERE email = 'nieuw@test.vesoc.be'")
            .await,
        0
    );
    // With its own token it works.
    let p = admin.post_form("/beheer/accounts", &fields).await;
    assert_eq!(p.status, StatusCode::CREATED);
    // Sign-out is a POST too: no token, no sign-out.
    let p = admin.post_raw("/afmelden", &[]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.get("/beheer/accounts").await.status, StatusCode::OK);
}

#[test]
fn password_rules() {
    use vesoc::auth::password::weakness;
    assert!(weakness("kort", "a@b.be").is_some());
    assert!(weakness("elf tekens!", "a@b.be").is_some());
    assert!(
        weakness("qwertyuiop123", "a@b.be").is_some(),
        "a common password"
    );
    assert!(
        weakness("Wachtwoord1234", "a@b.be").is_some(),
        "common, whatever the case"
    );
    assert!(
        weakness("pieterjanssens-2026", "pieterjanssens@serv.be").is_some(),
        "contains the login"
    );
    assert!(weakness("aaaaaaaaaaaaaaaa", "a@b.be").is_some());
    assert!(weakness(&"x".repeat(300), "a@b.be").is_some());
    assert_eq!(weakness("paars konijn drinkt koffie", "a@b.be"), None);
}

#[tokio::test]
async fn passwords_are_argon2id_and_never_shown() {
    let app = TestApp::seeded().await;
    app.account(Role::Secretariat, "serv@test.vesoc.be").await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM account")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    let mut admin = app.signed_in(Role::Admin).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM account WHERE email = 'serv@test.vesoc.be'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let page = admin.get(&format!("/beheer/accounts/{id}")).await;
    assert!(!page.body.contains("argon2"));
    let log = admin.get("/beheer/logboek").await;
    assert!(!log.body.contains("argon2"));
    let in_log = app.count("SELECT count(*) FROM audit_log WHERE coalesce(before::text, '') || coalesce(after::text, '') LIKE '%argon2%'").await;
    assert_eq!(in_log, 0);
}

#[tokio::test]
async fn an_admin_creates_an_account_and_the_user_sets_a_password_with_the_link() {
    let app = TestApp::seeded().await;
    let mut admin = app.signed_in(Role::Admin).await;
    let acv: i64 = sqlx::query_scalar("SELECT id FROM organisation WHERE slug = 'acv'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let page = admin
        .post_form(
            "/beheer/accounts",
            &[
                ("email", "Medewerker@ACV.be"),
                ("display_name", "Medewerker ACV"),
                ("role", "social_partner"),
                ("organisation_id", &acv.to_string()),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CREATED);
    let link = page
        .select(".link-box code")
        .pop()
        .expect("the one-time link is shown");
    assert!(link.starts_with("/wachtwoord-instellen/"));

    let mut user = app.client();
    let form = user.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("medewerker@acv.be"));
    // Refused: too short; the account keeps no password.
    let p = user
        .post_form(&link, &[("new", "kort"), ("repeat", "kort")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.text().contains("minstens 12 tekens"));
    assert_eq!(app.count("SELECT count(*) FROM account WHERE email = 'medewerker@acv.be' AND password_hash IS NULL").await, 1);
    let good = "groene tram naar de haven";
    let p = user
        .post_form(&link, &[("new", good), ("repeat", good)])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    // Single use.
    let again = user.get(&link).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.text().contains("ongeldig, verlopen of al gebruikt"));
    let p = user
        .post_form(
            &link,
            &[
                ("new", "nog een andere lange zin"),
                ("repeat", "nog een andere lange zin"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    // And the password works.
    let p = user.sign_in("medewerker@acv.be", good).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let me = user.get("/account").await;
    assert!(me.text().contains("ACV"));
    assert!(me.text().contains("sociale partner"));
}

#[tokio::test]
async fn one_time_links_expire_after_seven_days_and_a_new_link_replaces_the_old() {
    let app = TestApp::seeded().await;
    let id = app.account(Role::Secretariat, "serv@test.vesoc.be").await;
    let mut tx = app.db.begin().await.unwrap();
    let first = queries::issue_token(&mut tx, None, id).await.unwrap();
    tx.commit().await.unwrap();
    let valid_days: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM expires_at - created_at)::float8 / 86400 FROM one_time_token",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!((valid_days - 7.0).abs() < 0.01);
    let mut tx = app.db.begin().await.unwrap();
    let second = queries::issue_token(&mut tx, None, id).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = app.client();
    assert_eq!(
        c.get(&format!("/wachtwoord-instellen/{first}"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        c.get(&format!("/wachtwoord-instellen/{second}"))
            .await
            .status,
        StatusCode::OK
    );
    sqlx::query("UPDATE one_time_token SET created_at = created_at - interval '8 days', expires_at = expires_at - interval '8 days'")
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        c.get(&format!("/wachtwoord-instellen/{second}"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // Only hashes are stored.
    assert_eq!(app.count(&format!("SELECT count(*) FROM one_time_token WHERE encode(token_hash, 'escape') LIKE '%{second}%'")).await, 0);
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_at_once() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    assert_eq!(partner.get("/account").await.status, StatusCode::OK);
    let id: i64 = sqlx::query_scalar("SELECT id FROM account WHERE role = 'social_partner'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mut admin = app.signed_in(Role::Admin).await;
    let p = admin
        .post_form(&format!("/beheer/accounts/{id}/uitschakelen"), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = partner.get("/account").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "signed out");
    let p = partner
        .sign_in("social-partner@test.vesoc.be", PASSWORD)
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    // Enabled again, the account can sign in.
    admin
        .post_form(&format!("/beheer/accounts/{id}/inschakelen"), &[])
        .await;
    let p = partner
        .sign_in("social-partner@test.vesoc.be", PASSWORD)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    // An admin cannot lock themselves out.
    let own: i64 = sqlx::query_scalar("SELECT id FROM account WHERE role = 'admin'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let p = admin
        .post_form(&format!("/beheer/accounts/{own}/uitschakelen"), &[])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_role_change_ends_the_sessions_and_a_stale_form_is_refused() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM account WHERE role = 'social_partner'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let mut admin = app.signed_in(Role::Admin).await;
    let form = admin.get(&format!("/beheer/accounts/{id}")).await;
    let version = form.attr("input[name=version]", "value").unwrap();
    let p = admin
        .post_form(
            &format!("/beheer/accounts/{id}"),
            &[
                ("email", "social-partner@test.vesoc.be"),
                ("display_name", "Nu secretariaat"),
                ("role", "secretariat"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(
        partner.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "the old session ended"
    );
    // The same version again: someone saved in between. Nothing is overwritten.
    let p = admin
        .post_form(
            &format!("/beheer/accounts/{id}"),
            &[
                ("email", "social-partner@test.vesoc.be"),
                ("display_name", "Oude invoer"),
                ("role", "admin"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.text().contains("intussen gewijzigd"));
    assert_eq!(
        p.attr("input#display_name", "value").as_deref(),
        Some("Oude invoer"),
        "the typed input is kept"
    );
    let name: String = sqlx::query_scalar("SELECT display_name FROM account WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(name, "Nu secretariaat");
}

#[tokio::test]
async fn bad_account_forms_keep_what_was_typed_and_store_nothing() {
    let app = TestApp::seeded().await;
    let mut admin = app.signed_in(Role::Admin).await;
    let before = app.count("SELECT count(*) FROM account").await;
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[
                ("email", "geen-adres"),
                ("display_name", "X"),
                ("role", "secretariat"),
            ],
            "geldig e-mailadres",
        ),
        (
            &[
                ("email", "a@b.be"),
                ("display_name", "  "),
                ("role", "secretariat"),
            ],
            "Vul een naam in",
        ),
        (
            &[
                ("email", "a@b.be"),
                ("display_name", "X"),
                ("role", "koning"),
            ],
            "Kies een rol",
        ),
        (
            &[
                ("email", "a@b.be"),
                ("display_name", "X"),
                ("role", "social_partner"),
            ],
            "kies ze",
        ),
        (
            &[
                ("email", "a@b.be"),
                ("display_name", "X"),
                ("role", "cabinet"),
            ],
            "kies die",
        ),
        (
            &[
                ("email", "a@b.be"),
                ("display_name", "X"),
                ("role", "social_partner"),
                ("organisation_id", "999999"),
            ],
            "uit de lijst",
        ),
        (
            &[
                ("email", "a@b.be"),
                ("display_name", "X"),
                ("role", "secretariat"),
                ("person_id", "abc"),
            ],
            "uit de lijst",
        ),
        (
            &[
                ("email", "admin@test.vesoc.be"),
                ("display_name", "Dubbel"),
                ("role", "secretariat"),
            ],
            "bestaat al",
        ),
    ];
    for (fields, message) in cases {
        let p = admin.post_form("/beheer/accounts", fields).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(p.text().contains(message), "{fields:?}: {}", p.text());
        let typed = fields.iter().find(|(k, _)| *k == "display_name").unwrap().1;
        assert_eq!(
            p.attr("input#display_name", "value").as_deref(),
            Some(typed)
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM account").await, before);
}

#[tokio::test]
async fn changing_ones_password_ends_other_sessions_but_keeps_this_one() {
    let app = TestApp::seeded().await;
    let mut here = app.signed_in(Role::Secretariat).await;
    let mut there = app.client();
    there.sign_in("secretariat@test.vesoc.be", PASSWORD).await;
    assert_eq!(there.get("/account").await.status, StatusCode::OK);
    let p = here
        .post_form(
            "/account/wachtwoord",
            &[("current", "fout"), ("new", "x"), ("repeat", "x")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.text().contains("huidige wachtwoord klopt niet"));
    let new = "zeven zwanen zwemmen zuidwaarts";
    let p = here
        .post_form(
            "/account/wachtwoord",
            &[("current", PASSWORD), ("new", new), ("repeat", new)],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(here.get("/account").await.status, StatusCode::OK);
    assert_eq!(there.get("/account").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        there.sign_in("secretariat@test.vesoc.be", new).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_like_signing_in() {
    let app = TestApp::seeded().await;
    let mut here = app.signed_in(Role::SocialPartner).await;
    let new = "zeven zwanen zwemmen zuidwaarts";
    for guess in 1..=5 {
        let p = here
            .post_form(
                "/account/wachtwoord",
                &[
                    ("current", &format!("gok {guess}")),
                    ("new", new),
                    ("repeat", new),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "guess {guess}");
        assert!(p.text().contains("huidige wachtwoord klopt niet"));
    }
    // Now even the right one waits: nothing is changed.
    let p = here
        .post_form(
            "/account/wachtwoord",
            &[("current", PASSWORD), ("new", new), ("repeat", new)],
        )
        .await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.text().contains("Wacht een kwartier"), "{}", p.text());
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_log WHERE action = 'change_password'
             OR action = 'change_password_failed'"
        )
        .await,
        5,
        "five failures logged, no change"
    );
    // Signing in with that login from that address waits too; from
    // another address it does not.
    let mut same_place = app.client();
    let p = same_place
        .sign_in("social-partner@test.vesoc.be", PASSWORD)
        .await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    let mut elsewhere = app.client();
    elsewhere.addr = "10.4.4.4:5000".parse().unwrap();
    let p = elsewhere
        .sign_in("social-partner@test.vesoc.be", PASSWORD)
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn sign_in_returns_to_where_the_visitor_was_and_only_to_this_site() {
    let app = TestApp::seeded().await;
    app.account(Role::Admin, "beheer@test.vesoc.be").await;
    let mut c = app.client();
    let p = c.get("/beheer/logboek?actie=seed").await;
    assert_eq!(
        p.location(),
        Some("/aanmelden?terug=%2Fbeheer%2Flogboek%3Factie%3Dseed")
    );
    let form = c.get(p.location().unwrap()).await;
    assert_eq!(
        form.attr("input[name=terug]", "value").as_deref(),
        Some("/beheer/logboek?actie=seed")
    );
    let token = form.csrf().unwrap();
    let p = c
        .post_raw(
            "/aanmelden",
            &[
                ("_csrf", &token),
                ("email", "beheer@test.vesoc.be"),
                ("password", PASSWORD),
                ("terug", "/beheer/logboek?actie=seed"),
            ],
        )
        .await;
    assert_eq!(p.location(), Some("/beheer/logboek?actie=seed"));
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let mut c = app.client();
        let form = c.get("/aanmelden").await;
        let token = form.csrf().unwrap();
        let p = c
            .post_raw(
                "/aanmelden",
                &[
                    ("_csrf", &token),
                    ("email", "beheer@test.vesoc.be"),
                    ("password", PASSWORD),
                    ("terug", evil),
                ],
            )
            .await;
        assert_eq!(p.location(), Some("/mijn-werk"), "{evil}");
    }
}

#[tokio::test]
async fn every_kind_of_write_leaves_a_row_in_the_audit_log() {
    let app = TestApp::seeded().await;
    let mut admin = app.signed_in(Role::Admin).await;
    let p = admin
        .post_form(
            "/beheer/accounts",
            &[
                ("email", "nieuw@test.vesoc.be"),
                ("display_name", "Nieuw"),
                ("role", "secretariat"),
            ],
        )
        .await;
    let link = p.select(".link-box code").pop().unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM account WHERE email = 'nieuw@test.vesoc.be'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    admin
        .post_form(
            &format!("/beheer/accounts/{id}"),
            &[
                ("email", "nieuw@test.vesoc.be"),
                ("display_name", "Hernoemd"),
                ("role", "secretariat"),
                ("version", "1"),
            ],
        )
        .await;
    admin
        .post_form(&format!("/beheer/accounts/{id}/herstellink"), &[])
        .await;
    admin
        .post_form(&format!("/beheer/accounts/{id}/uitschakelen"), &[])
        .await;
    admin
        .post_form(&format!("/beheer/accounts/{id}/inschakelen"), &[])
        .await;
    let p = admin
        .post_form(&format!("/beheer/accounts/{id}/herstellink"), &[])
        .await;
    let link2 = p.select(".link-box code").pop().unwrap();
    assert_ne!(link, link2);
    let mut user = app.client();
    let pw = "een vers en lang wachtwoord";
    user.post_form(&link2, &[("new", pw), ("repeat", pw)]).await;
    user.sign_in("nieuw@test.vesoc.be", "fout fout fout fout")
        .await;
    user.sign_in("nieuw@test.vesoc.be", pw).await;
    let pw2 = "en nog een ander lang wachtwoord";
    user.post_form(
        "/account/wachtwoord",
        &[("current", pw), ("new", pw2), ("repeat", pw2)],
    )
    .await;
    user.post_form("/afmelden", &[]).await;

    type Row = (
        String,
        Option<i64>,
        Option<serde_json::Value>,
        Option<serde_json::Value>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT action, account_id, before, after FROM audit_log WHERE entity IN ('account', 'session') ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    for expected in [
        "create",
        "issue_password_link",
        "update",
        "disable",
        "enable",
        "set_password_by_link",
        "sign_in_failed",
        "sign_in",
        "change_password",
        "sign_out",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    let update = rows.iter().find(|r| r.0 == "update").unwrap();
    assert_eq!(update.2.as_ref().unwrap()["display_name"], "Nieuw");
    assert_eq!(update.3.as_ref().unwrap()["display_name"], "Hernoemd");
    // The admin browses and filters it.
    let page = admin.get("/beheer/logboek?actie=disable").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.select("table.audit tbody tr").len(), 1);
    let page = admin.get("/beheer/logboek?van=gisteren").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.text().contains("JJJJ-MM-DD"));
    assert_eq!(page.attr("input#van", "value").as_deref(), Some("gisteren"));
}

#[tokio::test]
async fn create_admin_from_the_command_line_checks_its_input() {
    let app = TestApp::empty().await;
    assert!(
        queries::create_admin(
            &app.db,
            "geen adres",
            "Beheer",
            "een lang genoeg wachtwoord".into()
        )
        .await
        .is_err()
    );
    assert!(
        queries::create_admin(&app.db, "beheer@serv.be", "Beheer", "kort".into())
            .await
            .is_err()
    );
    let id = queries::create_admin(
        &app.db,
        "Beheer@SERV.be",
        "Beheer",
        "een lang genoeg wachtwoord".into(),
    )
    .await
    .unwrap();
    let dup = queries::create_admin(
        &app.db,
        "beheer@serv.be",
        "Ander",
        "een lang genoeg wachtwoord".into(),
    )
    .await;
    assert_eq!(
        dup.unwrap_err(),
        "Er bestaat al een account voor beheer@serv.be."
    );
    let role: Role = sqlx::query_scalar("SELECT role FROM account WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(role, Role::Admin);
    let mut c = app.client();
    assert_eq!(
        c.sign_in("beheer@serv.be", "een lang genoeg wachtwoord")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

/// OWASP's device cookies: an attacker spread over many addresses waits
/// after ten failures an hour; the owner, on a browser that signed in
/// before, does not wait for the attacker's failures.
#[tokio::test]
async fn an_attacker_with_many_addresses_waits_but_the_owner_on_a_known_browser_does_not() {
    let app = TestApp::seeded().await;
    app.account(Role::Secretariat, "serv@test.vesoc.be").await;
    let mut owner = app.client();
    owner.addr = "10.5.0.1:5000".parse().unwrap();
    let p = owner.sign_in("serv@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let token = owner.cookie("vesoc-device").unwrap().to_string();
    // Stored as a hash only.
    assert_eq!(app.count("SELECT count(*) FROM known_device").await, 1);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM known_device WHERE encode(token_hash, 'escape') LIKE '%{token}%'"
        ))
        .await,
        0
    );
    owner.post_form("/afmelden", &[]).await;
    assert!(
        owner.cookie("vesoc-device").is_some(),
        "kept after sign-out"
    );

    // One wrong guess from each of ten addresses.
    for i in 0..10 {
        let mut attacker = app.client();
        attacker.addr = format!("10.6.0.{i}:5000").parse().unwrap();
        let p = attacker
            .sign_in("serv@test.vesoc.be", &format!("gok nummer {i}"))
            .await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "guess {i}");
    }
    // An eleventh address waits, even with the right password; so does a
    // forged device cookie.
    let mut attacker = app.client();
    attacker.addr = "10.6.1.1:5000".parse().unwrap();
    let p = attacker.sign_in("serv@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        p.text()
            .contains("gebruik een browser waarmee u zich hier eerder aanmeldde"),
        "{}",
        p.text()
    );
    attacker.set_cookie("vesoc-device", &"A".repeat(43));
    let p = attacker.sign_in("serv@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    // An unknown login is slowed the same way: nothing tells it apart.
    for i in 0..10 {
        let mut a = app.client();
        a.addr = format!("10.6.2.{i}:5000").parse().unwrap();
        a.sign_in("niemand@test.vesoc.be", "gok").await;
    }
    let p = attacker.sign_in("niemand@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);

    // The owner, on their known browser, from yet another address: in.
    owner.addr = "10.5.0.2:5000".parse().unwrap();
    let p = owner.sign_in("serv@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.text());
    assert_eq!(
        owner.cookie("vesoc-device"),
        Some(token.as_str()),
        "same cookie"
    );
    // A known browser has a limit of its own: five wrong passwords.
    owner.post_form("/afmelden", &[]).await;
    for _ in 0..5 {
        let p = owner.sign_in("serv@test.vesoc.be", "verkeerd typen").await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    }
    let p = owner.sign_in("serv@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);

    // The account-wide window is an hour.
    sqlx::query("UPDATE login_attempt SET at = at - interval '61 minutes'")
        .execute(&app.db)
        .await
        .unwrap();
    let p = attacker.sign_in("serv@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_device_cookie_is_http_only_lax_and_secure_over_https() {
    let app = TestApp::seeded().await;
    app.account(Role::Cabinet, "kabinet@test.vesoc.be").await;
    let cookie_of = |p: &crate::harness::Page, name: &str| {
        p.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|v| v.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} cookie"))
    };
    let mut c = app.client();
    let p = c.sign_in("kabinet@test.vesoc.be", PASSWORD).await;
    let set = cookie_of(&p, "vesoc-device");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=31536000"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.contains("Secure"), "{set}");

    let secure = crate::harness::router_with(
        app.db.clone(),
        vesoc::config::ServeConfig {
            secure_cookies: true,
            require_second_factor: vesoc::config::RoleList::default(),
            page_cache: false,
            ..vesoc::config::ServeConfig::default()
        },
    );
    let mut c = crate::harness::client_for(secure);
    let p = c.sign_in("kabinet@test.vesoc.be", PASSWORD).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let set = cookie_of(&p, "__Host-vesoc-device");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.contains("Domain"), "{set}");
}

/// Twenty wrong passwords at once for one login from one address: five
/// are checked, fifteen wait, and no more than five failures are counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_passwords_are_counted_before_any_is_checked() {
    let app = TestApp::seeded().await;
    app.account(Role::Secretariat, "serv@test.vesoc.be").await;
    let mut tries = tokio::task::JoinSet::new();
    for i in 0..20 {
        let mut c = app.client();
        let token = c.get("/aanmelden").await.csrf().unwrap();
        tries.spawn(async move {
            c.post_raw(
                "/aanmelden",
                &[
                    ("_csrf", token.as_str()),
                    ("email", "serv@test.vesoc.be"),
                    ("password", &format!("gok {i}")),
                    ("terug", "/"),
                ],
            )
            .await
            .status
        });
    }
    let statuses = tries.join_all().await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let waited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, waited), (5, 15), "{statuses:?}");
    assert_eq!(
        app.count("SELECT count(*) FROM login_attempt WHERE NOT succeeded")
            .await,
        5
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed'")
            .await,
        5
    );
}

/// At most as many argon2 hashes (19 MiB each) run at once as there are
/// hashers (by default the processors), however many sign-ins arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_hashes_run_a_few_at_a_time() {
    use vesoc::auth::password;
    let mut hashes = tokio::task::JoinSet::new();
    for i in 0..24 {
        hashes.spawn(password::verify(format!("gok {i}"), None));
    }
    for result in hashes.join_all().await {
        assert!(!result.unwrap());
    }
    // Process-wide: the other tests' hashes count too, and stay within it.
    assert!(password::peak_parallel() >= 1);
    assert!(
        password::peak_parallel() <= password::parallelism(),
        "{} hashes ran at once, {} allowed",
        password::peak_parallel(),
        password::parallelism()
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_the_other_sessions_and_keeps_this_one() {
    let app = TestApp::seeded().await;
    let mut here = app.signed_in(Role::Cabinet).await;
    let mut there = app.client();
    there.sign_in("cabinet@test.vesoc.be", PASSWORD).await;
    assert_eq!(there.get("/account").await.status, StatusCode::OK);
    let me = here.get("/account").await;
    assert!(
        me.select("form[action='/account/overal-afmelden'] button")
            .contains(&"Overal afmelden".to_string())
    );
    let before = here.session_cookie().unwrap().to_string();
    let p = here.post_form("/account/overal-afmelden", &[]).await;
    assert_eq!(p.location(), Some("/account?afgemeld=1"));
    assert_ne!(here.session_cookie().unwrap(), before, "a new session id");
    let me = here.get("/account?afgemeld=1").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.text().contains("U bent overal afgemeld, behalve hier"));
    assert_eq!(there.get("/account").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'sign_out_everywhere'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_new_password_link_revokes_the_calendar_links() {
    let app = TestApp::seeded().await;
    let id = app.account(Role::SocialPartner, "acv@test.vesoc.be").await;
    let mut tx = app.db.begin().await.unwrap();
    let token = vesoc::accounts::new_calendar_token(&mut tx, id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut calendar = app.client();
    let feed = format!("/kalender/persoonlijk/{token}.ics");
    assert_eq!(calendar.get(&feed).await.status, StatusCode::OK);
    let mut admin = app.signed_in(Role::Admin).await;
    let p = admin
        .post_form(&format!("/beheer/accounts/{id}/herstellink"), &[])
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(
        p.text()
            .contains("persoonlijke agendalink van dit account is ingetrokken")
    );
    assert_eq!(calendar.get(&feed).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'revoke_calendar_link'")
            .await,
        1
    );
}
