//! The second factor: required set-up, sign-in with a code or a recovery
//! code, replay, throttling, and an administrator's reset.

use axum::http::StatusCode;

use crate::harness::{Client, PASSWORD, TestApp, client_for, router_with};
use vesoc::auth::{Role, totp};
use vesoc::config::ServeConfig;

/// The application as configured by default: admins and the secretariat
/// must use a second factor.
fn strict(app: &TestApp) -> Client {
    client_for(router_with(app.db.clone(), ServeConfig::default()))
}

async fn sign_in(c: &mut Client, email: &str) -> crate::harness::Page {
    c.sign_in(email, PASSWORD).await
}

/// Sets up the second factor through the pages, as a user with an app
/// would; returns the secret and the recovery codes shown.
async fn enrol(c: &mut Client) -> (Vec<u8>, Vec<String>) {
    let page = c.get("/account/tweestaps").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.attr("img.qr", "src")
            .unwrap()
            .starts_with("data:image/svg+xml;base64,")
    );
    let key = page.select("code.copy").pop().unwrap();
    let secret = totp_rs::Secret::try_from_base32(&key)
        .unwrap()
        .as_bytes()
        .to_vec();
    // A wrong code first: refused, nothing stored.
    let p = c
        .post_form(
            "/account/tweestaps",
            &[("code", "000000"), ("current", PASSWORD)],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = totp::code_at(&secret, totp::now());
    let p = c
        .post_form(
            "/account/tweestaps",
            &[("code", &code), ("current", PASSWORD)],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text());
    let codes = p.select("ul.codes code");
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

#[tokio::test]
async fn a_required_second_factor_is_set_up_before_anything_else() {
    let app = TestApp::seeded().await;
    app.account(Role::Secretariat, "serv@test.vesoc.be").await;
    let mut c = strict(&app);
    let p = sign_in(&mut c, "serv@test.vesoc.be").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    for path in [
        "/",
        "/vergaderingen",
        "/account",
        "/beheer/vergaderingen/nieuw",
    ] {
        let p = c.get(path).await;
        assert_eq!(p.location(), Some("/account/tweestaps"), "{path}");
    }
    let setup = c.get("/account/tweestaps").await;
    assert!(
        setup
            .text()
            .contains("Voor uw rol is tweestapsverificatie verplicht")
    );
    enrol(&mut c).await;
    assert_eq!(
        c.get("/beheer/vergaderingen/nieuw").await.status,
        StatusCode::OK
    );
    // A social partner is not required to, and is not sent there.
    let mut partner = strict(&app);
    app.account(Role::SocialPartner, "acv@test.vesoc.be").await;
    sign_in(&mut partner, "acv@test.vesoc.be").await;
    assert_eq!(partner.get("/account").await.status, StatusCode::OK);
}

#[tokio::test]
async fn signing_in_asks_for_a_code_accepts_each_code_once_and_recovery_codes_once() {
    let app = TestApp::seeded().await;
    app.account(Role::Admin, "beheer@test.vesoc.be").await;
    let mut c = strict(&app);
    sign_in(&mut c, "beheer@test.vesoc.be").await;
    let (secret, recovery) = enrol(&mut c).await;
    c.post_form("/afmelden", &[]).await;

    // Password alone: not signed in yet.
    let p = sign_in(&mut c, "beheer@test.vesoc.be").await;
    assert_eq!(p.location(), Some("/aanmelden/code"));
    assert_eq!(
        c.get("/beheer/accounts").await.status,
        StatusCode::SEE_OTHER
    );
    let p = c.post_form("/aanmelden/code", &[("code", "123456")]).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.text().contains("klopt niet"));
    // The code of the current step was already used to set it up: a fresh
    // step is needed. Take the next step's code (one step of skew allowed).
    let next = totp::code_at(&secret, totp::now() + 30);
    let p = c.post_form("/aanmelden/code", &[("code", &next)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.text());
    assert_eq!(c.get("/beheer/accounts").await.status, StatusCode::OK);
    c.post_form("/afmelden", &[]).await;

    // The same code again: refused (RFC 6238 §5.2).
    sign_in(&mut c, "beheer@test.vesoc.be").await;
    let p = c.post_form("/aanmelden/code", &[("code", &next)]).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    // A recovery code works, once, however it is typed.
    let typed = recovery[0].to_uppercase().replace('-', " ");
    let p = c.post_form("/aanmelden/code", &[("code", &typed)]).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    c.post_form("/afmelden", &[]).await;
    sign_in(&mut c, "beheer@test.vesoc.be").await;
    let p = c
        .post_form("/aanmelden/code", &[("code", &recovery[0])])
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    let used = app
        .count("SELECT count(*) FROM recovery_code WHERE used_at IS NOT NULL")
        .await;
    assert_eq!(used, 1);
    // The secret is stored, the codes only as hashes.
    let plain = app
        .count(&format!(
            "SELECT count(*) FROM recovery_code WHERE encode(code_hash, 'escape') LIKE '%{}%'",
            recovery[1]
        ))
        .await;
    assert_eq!(plain, 0);
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_passwords() {
    let app = TestApp::seeded().await;
    app.account(Role::Admin, "beheer@test.vesoc.be").await;
    let mut c = strict(&app);
    sign_in(&mut c, "beheer@test.vesoc.be").await;
    let (secret, _) = enrol(&mut c).await;
    c.post_form("/afmelden", &[]).await;
    sign_in(&mut c, "beheer@test.vesoc.be").await;
    for _ in 0..4 {
        let p = c.post_form("/aanmelden/code", &[("code", "000000")]).await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
        assert!(p.text().contains("klopt niet"), "{}", p.text());
    }
    // The fifth wrong code ends the password step.
    let p = c.post_form("/aanmelden/code", &[("code", "000000")]).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(
        p.text().contains("vijf keer een foute code"),
        "{}",
        p.text()
    );
    // Five failures of this login from this browser: the password waits
    // too, even the right one.
    let p = sign_in(&mut c, "beheer@test.vesoc.be").await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    let good = totp::code_at(&secret, totp::now() + 30);
    let p = c.post_form("/aanmelden/code", &[("code", &good)]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        c.get("/beheer/accounts").await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_admin_resets_a_lost_second_factor_and_the_sessions_end() {
    let app = TestApp::seeded().await;
    app.account(Role::Secretariat, "serv@test.vesoc.be").await;
    let mut staff = strict(&app);
    sign_in(&mut staff, "serv@test.vesoc.be").await;
    enrol(&mut staff).await;
    assert_eq!(app.count("SELECT count(*) FROM account_totp").await, 1);
    let id: i64 = sqlx::query_scalar("SELECT id FROM account WHERE email = 'serv@test.vesoc.be'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    // The admin signs in on the lenient app (no second factor needed there).
    let mut admin = app.signed_in(Role::Admin).await;
    let p = admin
        .post_form(&format!("/beheer/accounts/{id}/tweestaps"), &[])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT count(*) FROM account_totp").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM recovery_code").await, 0);
    assert_eq!(
        staff.get("/vergaderingen").await.status,
        StatusCode::OK,
        "public page, signed out"
    );
    assert_eq!(
        staff.get("/account/tweestaps").await.status,
        StatusCode::SEE_OTHER,
        "the session ended"
    );
    let p = sign_in(&mut staff, "serv@test.vesoc.be").await;
    assert_eq!(p.location(), Some("/"), "no code asked: set up again");
    assert_eq!(
        staff.get("/account").await.location(),
        Some("/account/tweestaps")
    );
    assert!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'reset_second_factor'")
            .await
            == 1
    );
}

#[tokio::test]
async fn the_code_step_without_a_password_step_says_so() {
    let app = TestApp::seeded().await;
    let mut c = strict(&app);
    let p = c.get("/aanmelden/code").await;
    assert!(p.text().contains("Meld u opnieuw aan"));
    let p = c.post_form("/aanmelden/code", &[("code", "123456")]).await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
}

/// An attacker who has the password, on a browser of their own, changes
/// address for every code: after five wrong codes the password step is
/// over, and the next code is not even looked at.
#[tokio::test]
async fn five_wrong_codes_send_the_password_step_back_to_the_start() {
    let app = TestApp::seeded().await;
    app.account(Role::Admin, "beheer@test.vesoc.be").await;
    let mut owner = strict(&app);
    sign_in(&mut owner, "beheer@test.vesoc.be").await;
    let (secret, _) = enrol(&mut owner).await;

    let mut attacker = strict(&app);
    attacker.addr = "10.9.0.1:5000".parse().unwrap();
    let p = sign_in(&mut attacker, "beheer@test.vesoc.be").await;
    assert_eq!(p.location(), Some("/aanmelden/code"));
    for i in 1..=5 {
        attacker.addr = format!("10.9.1.{i}:5000").parse().unwrap();
        let p = attacker
            .post_form("/aanmelden/code", &[("code", "000000")])
            .await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "code {i}");
        assert_eq!(p.headers.get("cache-control").unwrap(), "no-store");
        if i < 5 {
            assert!(p.text().contains("klopt niet"), "code {i}: {}", p.text());
        } else {
            assert!(
                p.text()
                    .contains("U typte vijf keer een foute code: de aanmelding begint opnieuw"),
                "{}",
                p.text()
            );
            assert!(p.select("input#code").is_empty(), "no code form any more");
        }
    }
    attacker.addr = "10.9.2.1:5000".parse().unwrap();
    let good = totp::code_at(&secret, totp::now() + 30);
    let p = attacker
        .post_form("/aanmelden/code", &[("code", &good)])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    assert!(p.text().contains("Meld u opnieuw aan"));
    assert_eq!(
        attacker.get("/beheer/accounts").await.status,
        StatusCode::SEE_OTHER
    );
    // The wrong codes count like wrong passwords, and are logged.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM login_attempt
             WHERE login = 'beheer@test.vesoc.be' AND NOT succeeded"
        )
        .await,
        5
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_log
             WHERE action = 'sign_in_failed' AND after->>'step' = 'code'"
        )
        .await,
        5
    );
}

/// Twelve wrong codes at once on one session, each from its own address:
/// only five are checked; the others are refused before any check.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_codes_on_one_session_are_counted_before_any_is_checked() {
    let app = TestApp::seeded().await;
    app.account(Role::Admin, "beheer@test.vesoc.be").await;
    let mut owner = strict(&app);
    sign_in(&mut owner, "beheer@test.vesoc.be").await;
    let (secret, _) = enrol(&mut owner).await;

    let mut attacker = strict(&app);
    attacker.addr = "10.8.0.1:5000".parse().unwrap();
    sign_in(&mut attacker, "beheer@test.vesoc.be").await;
    let token = attacker.csrf_token().await;
    let mut tries = tokio::task::JoinSet::new();
    for i in 0..12 {
        let mut c = attacker.clone();
        c.addr = format!("10.8.1.{i}:5000").parse().unwrap();
        let token = token.clone();
        tries.spawn(async move {
            c.post_raw("/aanmelden/code", &[("_csrf", &token), ("code", "000000")])
                .await
        });
    }
    let pages = tries.join_all().await;
    let evaluated = app
        .count("SELECT count(*) FROM login_attempt WHERE pending_id IS NOT NULL")
        .await;
    assert_eq!(evaluated, 5, "codes checked");
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE after->>'step' = 'code'")
            .await,
        5
    );
    let wrong = pages
        .iter()
        .filter(|p| p.text().contains("klopt niet"))
        .count();
    assert_eq!(wrong, 4, "the fifth wrong code starts over");
    // Every other try is refused unchecked: mostly told to start over; one
    // that arrives after the pending step was dropped (its session renewed)
    // is refused as a stale form or as having no code step.
    for p in &pages {
        let refused = [
            StatusCode::UNAUTHORIZED,
            StatusCode::BAD_REQUEST,
            StatusCode::FORBIDDEN,
            StatusCode::TOO_MANY_REQUESTS,
        ];
        assert!(refused.contains(&p.status), "{}: {}", p.status, p.text());
    }
    let start_over = pages
        .iter()
        .filter(|p| p.text().contains("vijf keer een foute code"))
        .count();
    assert!(start_over >= 1, "the fifth wrong code starts over");
    // And the right code comes too late.
    let good = totp::code_at(&secret, totp::now() + 30);
    let p = attacker
        .post_form("/aanmelden/code", &[("code", &good)])
        .await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
}

/// New recovery codes and turning the second factor off check a password
/// and a code: throttled and logged like the code step of signing in.
#[tokio::test]
async fn the_second_factor_checks_on_the_account_page_are_throttled_and_logged() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::SocialPartner).await;
    let (secret, recovery) = enrol(&mut c).await;
    let codes_before = app
        .count("SELECT count(*) FROM recovery_code WHERE used_at IS NULL")
        .await;
    for (current, code, message) in [
        (
            "fout wachtwoord 1",
            recovery[0].as_str(),
            "huidige wachtwoord klopt niet",
        ),
        (
            "fout wachtwoord 2",
            recovery[0].as_str(),
            "huidige wachtwoord klopt niet",
        ),
        (PASSWORD, "000000", "code klopt niet"),
        (PASSWORD, "111111", "code klopt niet"),
        (PASSWORD, "abcd-efgh-jkmn", "code klopt niet"),
    ] {
        let p = c
            .post_form(
                "/account/tweestaps/herstelcodes",
                &[("current", current), ("code", code)],
            )
            .await;
        assert_eq!(
            p.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{current} {code}"
        );
        assert!(p.text().contains(message), "{}", p.text());
    }
    // Now even the right password and code wait, on both forms.
    let good = totp::code_at(&secret, totp::now() + 30);
    for path in [
        "/account/tweestaps/herstelcodes",
        "/account/tweestaps/uitschakelen",
    ] {
        let p = c
            .post_form(path, &[("current", PASSWORD), ("code", &good)])
            .await;
        assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
        assert!(p.text().contains("Wacht een kwartier"), "{}", p.text());
    }
    assert_eq!(app.count("SELECT count(*) FROM account_totp").await, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM recovery_code WHERE used_at IS NULL")
            .await,
        codes_before,
        "no recovery code used or replaced"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'second_factor_check_failed'")
            .await,
        5
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'new_recovery_codes'")
            .await,
        0
    );
}

#[tokio::test]
async fn changing_the_second_factor_asks_for_the_password_and_ends_other_sessions() {
    let app = TestApp::seeded().await;
    let email = "social-partner@test.vesoc.be";
    let mut here = app.signed_in(Role::SocialPartner).await;
    let mut there = app.client();
    there.addr = "10.7.0.1:5000".parse().unwrap();
    assert_eq!(
        there.sign_in(email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    // On: without the right password, nothing happens.
    let page = here.get("/account/tweestaps").await;
    let key = page.select("code.copy").pop().unwrap();
    let secret = totp_rs::Secret::try_from_base32(&key)
        .unwrap()
        .as_bytes()
        .to_vec();
    let code = totp::code_at(&secret, totp::now());
    let p = here
        .post_form(
            "/account/tweestaps",
            &[("code", &code), ("current", "niet mijn wachtwoord")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.text().contains("huidige wachtwoord klopt niet"));
    assert_eq!(app.count("SELECT count(*) FROM account_totp").await, 0);
    assert_eq!(there.get("/account").await.status, StatusCode::OK);
    let (_, recovery) = enrol(&mut here).await;
    assert_eq!(here.get("/account").await.status, StatusCode::OK);
    assert_eq!(
        there.get("/account").await.status,
        StatusCode::SEE_OTHER,
        "the other session ended"
    );

    // New recovery codes.
    there.sign_in(email, PASSWORD).await;
    let p = there
        .post_form("/aanmelden/code", &[("code", &recovery[0])])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = here
        .post_form(
            "/account/tweestaps/herstelcodes",
            &[("current", "niet mijn wachtwoord"), ("code", &recovery[1])],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(there.get("/account").await.status, StatusCode::OK);
    let p = here
        .post_form(
            "/account/tweestaps/herstelcodes",
            &[("current", PASSWORD), ("code", &recovery[1])],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text());
    assert!(
        p.text()
            .contains("Andere sessies met dit account zijn afgemeld")
    );
    let fresh = p.select("ul.codes code");
    assert_eq!(fresh.len(), 10);
    assert_eq!(here.get("/account").await.status, StatusCode::OK);
    assert_eq!(there.get("/account").await.status, StatusCode::SEE_OTHER);

    // Off.
    there.sign_in(email, PASSWORD).await;
    let p = there
        .post_form("/aanmelden/code", &[("code", &fresh[0])])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let p = here
        .post_form(
            "/account/tweestaps/uitschakelen",
            &[("current", PASSWORD), ("code", &fresh[1])],
        )
        .await;
    assert_eq!(p.location(), Some("/account?tweestaps=uit"));
    let me = here.get("/account?tweestaps=uit").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.text().contains("Tweestapsverificatie staat uit"));
    assert_eq!(there.get("/account").await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT count(*) FROM account_totp").await, 0);
}

/// The sign-in form, the code form and the set-password page carry a
/// CSRF token or the link's secret: no browser or proxy cache keeps them.
#[tokio::test]
async fn pages_with_secrets_for_signed_out_visitors_are_not_stored() {
    let app = TestApp::seeded().await;
    let id = app.account(Role::Admin, "beheer@test.vesoc.be").await;
    let no_store = |p: &crate::harness::Page, what: &str| {
        assert_eq!(
            p.headers.get("cache-control").map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}"
        );
    };
    let mut c = strict(&app);
    no_store(&c.get("/aanmelden").await, "sign-in form");
    let p = c
        .sign_in("beheer@test.vesoc.be", "niet het wachtwoord")
        .await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    no_store(&p, "sign-in form with an error");
    sign_in(&mut c, "beheer@test.vesoc.be").await;
    enrol(&mut c).await;
    c.post_form("/afmelden", &[]).await;
    sign_in(&mut c, "beheer@test.vesoc.be").await;
    let p = c.get("/aanmelden/code").await;
    assert!(p.csrf().is_some());
    no_store(&p, "code form");
    let p = c.post_form("/aanmelden/code", &[("code", "000000")]).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    no_store(&p, "code form with an error");

    let mut tx = app.db.begin().await.unwrap();
    let token = vesoc::accounts::queries::issue_token(&mut tx, None, id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut visitor = app.client();
    let link = format!("/wachtwoord-instellen/{token}");
    let p = visitor.get(&link).await;
    assert_eq!(p.status, StatusCode::OK);
    no_store(&p, "set-password page");
    let p = visitor
        .post_form(&link, &[("new", "een zin"), ("repeat", "een andere zin")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_store(&p, "set-password page with an error");
    let p = visitor.get("/wachtwoord-instellen/ongeldig-geheim").await;
    assert_eq!(p.status, StatusCode::BAD_REQUEST);
    no_store(&p, "the refusal of a link that is not valid");
}
