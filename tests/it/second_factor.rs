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
        .post_form("/account/tweestaps", &[("code", "000000")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = totp::code_at(&secret, totp::now());
    let p = c.post_form("/account/tweestaps", &[("code", &code)]).await;
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
    for _ in 0..5 {
        let p = c.post_form("/aanmelden/code", &[("code", "000000")]).await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    }
    let good = totp::code_at(&secret, totp::now() + 30);
    let p = c.post_form("/aanmelden/code", &[("code", &good)]).await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
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
