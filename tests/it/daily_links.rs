//! Daily work: links people can use (full addresses, a copy button), the
//! e-mail address filled in after setting a password, refusals that say
//! why, and the editor showing which action lines no cabinet can follow up.

use axum::http::{Method, StatusCode, header};

use crate::agreements::{EDITOR, SEEDED, assert_redirect, line_id, version};
use crate::harness::{Client, PASSWORD, Page, TestApp, client_for, router_with};
use vesoc::auth::Role;
use vesoc::config::ServeConfig;

/// Posts a form as `post_form` does, with extra request headers (Host,
/// X-Forwarded-Proto).
async fn post_with(
    c: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Page {
    let token = c.csrf_token().await;
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("_csrf", &token)
        .extend_pairs(fields)
        .finish();
    c.request_with_headers(Method::POST, path, Some(body), headers)
        .await
}

const NEW_ACCOUNT: [(&str, &str); 3] = [
    ("email", "nieuw@test.vesoc.be"),
    ("display_name", "Nieuwe medewerker"),
    ("role", "secretariat"),
];

/// The one-time link as the page shows it: the address, and the value of
/// the read-only field to copy it from.
fn shown_link(page: &Page) -> (String, String) {
    let code = page.select(".link-box code.copy").pop().expect("the link");
    let field = page
        .attr(".link-box input#wachtwoordlink[readonly]", "value")
        .expect("a read-only field with the link");
    (code, field)
}

fn path_of(address: &str) -> &str {
    let after_scheme = address.split_once("://").map_or(address, |(_, rest)| rest);
    &after_scheme[after_scheme.find('/').unwrap()..]
}

#[tokio::test]
async fn the_one_time_link_is_a_full_address_with_a_copy_button() {
    let app = TestApp::seeded().await;
    let mut admin = app.signed_in(Role::Admin).await;
    let host = [("host", "vesoc.example.be:8443")];
    let page = post_with(&mut admin, "/beheer/accounts", &NEW_ACCOUNT, &host).await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.text());
    let (code, field) = shown_link(&page);
    assert!(
        code.starts_with("http://vesoc.example.be:8443/wachtwoord-instellen/"),
        "{code}"
    );
    assert_eq!(field, code);
    // The field has a label; the copy button waits for the script.
    assert_eq!(
        page.select("label[for=wachtwoordlink]"),
        vec!["Link om door te geven"]
    );
    assert_eq!(
        page.attr("button[data-copy=wachtwoordlink]", "hidden"),
        Some(String::new())
    );
    assert_eq!(
        page.attr("script[src='/static/copy.js']", "defer"),
        Some(String::new())
    );
    // The address works.
    let mut user = app.client();
    let form = user.get(path_of(&code)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("nieuw@test.vesoc.be"));

    // A new link for the same account: a full address too.
    let account: i64 = app
        .count("SELECT id FROM account WHERE email = 'nieuw@test.vesoc.be'")
        .await;
    let again = post_with(
        &mut admin,
        &format!("/beheer/accounts/{account}/herstellink"),
        &[],
        &host,
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    let (code2, _) = shown_link(&again);
    assert!(code2.starts_with("http://vesoc.example.be:8443/wachtwoord-instellen/"));
    assert_ne!(code, code2);
}

#[tokio::test]
async fn a_host_that_is_no_host_gives_the_path_only() {
    let app = TestApp::seeded().await;
    let mut admin = app.signed_in(Role::Admin).await;
    let bad = [("host", "evil.be/\"><b>x</b>")];
    let page = post_with(&mut admin, "/beheer/accounts", &NEW_ACCOUNT, &bad).await;
    assert_eq!(page.status, StatusCode::CREATED);
    let (code, field) = shown_link(&page);
    assert!(code.starts_with("/wachtwoord-instellen/"), "{code}");
    assert_eq!(field, code);
    assert!(!page.body.contains("evil.be"));
}

/// An instance with its own configuration on the test database.
async fn instance(app: &TestApp, config: ServeConfig) -> Client {
    let router = router_with(
        app.db.clone(),
        ServeConfig {
            require_second_factor: vesoc::config::RoleList::default(),
            page_cache: false,
            ..config
        },
    );
    client_for(router)
}

#[tokio::test]
async fn the_public_url_or_a_trusted_proxy_decides_the_origin() {
    let app = TestApp::seeded().await;
    app.account(Role::Admin, "beheer@test.vesoc.be").await;

    let public_url = ServeConfig {
        public_url: Some("https://vesoc.serv.be".to_string()),
        ..ServeConfig::default()
    };
    let mut admin = instance(&app, public_url).await;
    admin.sign_in("beheer@test.vesoc.be", PASSWORD).await;
    let host = [("host", "127.0.0.1:3000")];
    let page = post_with(&mut admin, "/beheer/accounts", &NEW_ACCOUNT, &host).await;
    let (code, _) = shown_link(&page);
    assert!(
        code.starts_with("https://vesoc.serv.be/wachtwoord-instellen/"),
        "{code}"
    );

    // Behind a trusted proxy that says the request came over https.
    let proxied = ServeConfig {
        trust_proxy: true,
        ..ServeConfig::default()
    };
    let mut admin = instance(&app, proxied).await;
    admin.sign_in("beheer@test.vesoc.be", PASSWORD).await;
    let headers = [("host", "vesoc.example.be"), ("x-forwarded-proto", "https")];
    let fields = [
        ("email", "tweede@test.vesoc.be"),
        ("display_name", "Tweede"),
        ("role", "secretariat"),
    ];
    let page = post_with(&mut admin, "/beheer/accounts", &fields, &headers).await;
    let (code, _) = shown_link(&page);
    assert!(
        code.starts_with("https://vesoc.example.be/wachtwoord-instellen/"),
        "{code}"
    );

    // Without trust, the header of a client is not believed.
    let mut admin = app.signed_in(Role::Admin).await;
    let fields = [
        ("email", "derde@test.vesoc.be"),
        ("display_name", "Derde"),
        ("role", "secretariat"),
    ];
    let page = post_with(&mut admin, "/beheer/accounts", &fields, &headers).await;
    let (code, _) = shown_link(&page);
    assert!(code.starts_with("http://vesoc.example.be/"), "{code}");
}

#[tokio::test]
async fn the_personal_calendar_is_a_full_address_and_a_webcal_link() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let host = [("host", "vesoc.example.be")];
    let page = post_with(&mut partner, "/account/kalender", &[], &host).await;
    assert_eq!(page.status, StatusCode::OK);
    let code = page.select(".link-box code.copy").pop().unwrap();
    assert!(
        code.starts_with("http://vesoc.example.be/kalender/persoonlijk/") && code.ends_with(".ics"),
        "{code}"
    );
    assert_eq!(
        page.attr(".link-box input#agendalink[readonly]", "value"),
        Some(code.clone())
    );
    assert_eq!(page.select("label[for=agendalink]").len(), 1);
    let webcal = page.attr(".link-box a[href^='webcal://']", "href").unwrap();
    assert_eq!(webcal, code.replacen("http://", "webcal://", 1));
    assert_eq!(
        page.select(".link-box a[href^='webcal://']"),
        vec!["Openen in uw agenda-programma"]
    );
    assert!(page.attr("script[src='/static/copy.js']", "src").is_some());
    let feed = app.client().get(path_of(&code)).await;
    assert_eq!(feed.status, StatusCode::OK);
}

#[tokio::test]
async fn the_copy_script_is_served_from_static() {
    let app = TestApp::seeded().await;
    let script = app.client().get("/static/copy.js").await;
    assert_eq!(script.status, StatusCode::OK);
    let kind = script.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(kind.contains("javascript"), "{kind}");
    assert!(script.body.contains("data-copy"));
}

#[tokio::test]
async fn after_setting_a_password_the_sign_in_form_has_the_address() {
    let app = TestApp::seeded().await;
    let mut admin = app.signed_in(Role::Admin).await;
    let fields = [
        ("email", "Nieuw+Kabinet@Test.vesoc.be"),
        ("display_name", "Nieuw"),
        ("role", "secretariat"),
    ];
    let page = admin.post_form("/beheer/accounts", &fields).await;
    let (link, _) = shown_link(&page);
    let mut user = app.client();
    user.get(&link).await;
    let password = "een vers en lang wachtwoord";
    let set = user
        .post_form(&link, &[("new", password), ("repeat", password)])
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    let to = set.location().unwrap().to_string();
    assert!(to.starts_with("/aanmelden?ingesteld=1&"), "{to}");
    let form = user.get(&to).await;
    assert_eq!(
        form.attr("input#email", "value").as_deref(),
        Some("nieuw+kabinet@test.vesoc.be")
    );
    assert!(form.text().contains("Uw wachtwoord is ingesteld."));
    let signed_in = user.sign_in("nieuw+kabinet@test.vesoc.be", password).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_address_in_the_sign_in_link_cannot_inject_markup() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let evil = "/aanmelden?ingesteld=1&email=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E%40x.be";
    let page = c.get(evil).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert"));
    assert_eq!(
        page.attr("input#email", "value").as_deref(),
        Some("\"><script>alert(1)</script>@x.be")
    );
    // Not an address: not filled in.
    let page = c.get("/aanmelden?email=geen-adres").await;
    assert_eq!(page.attr("input#email", "value").as_deref(), Some(""));
}

fn assert_refused(page: &Page, reason: &str) {
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.select("h1"), vec!["Geen toegang"]);
    assert!(page.text().contains(reason), "{}", page.text());
}

#[tokio::test]
async fn a_refused_page_says_whom_it_is_for() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    assert_refused(
        &partner.get(EDITOR).await,
        "Deze pagina is voor het secretariaat. U bent aangemeld met een account van een sociale partner.",
    );
    let line = line_id(&app, "Kwalitatief werkplekleren").await;
    assert_refused(
        &partner.get(&format!("/opvolging/actielijnen/{line}")).await,
        "Deze pagina is voor kabinetten en het secretariaat.",
    );
    let mut serv = app.signed_in(Role::Secretariat).await;
    assert_refused(
        &serv.get("/beheer/accounts").await,
        "Deze pagina is voor beheerders.",
    );
    // A refused form post says it too, and stores nothing.
    let refused = post_with(&mut serv, "/beheer/accounts", &NEW_ACCOUNT, &[]).await;
    assert_refused(&refused, "Deze pagina is voor beheerders.");
    assert_eq!(
        app.count("SELECT count(*) FROM account WHERE email = 'nieuw@test.vesoc.be'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_cabinet_outside_its_competences_reads_why_and_the_editor_shows_the_gaps() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let mut cabinet = app.signed_in(Role::Cabinet).await;
    let theme = line_id(&app, "Iedereen aan het werk").await;
    let inside = line_id(&app, "Kwalitatief werkplekleren").await;
    let outside = line_id(&app, "Participatie aan levenslang leren verhogen").await;
    let outside_url = format!("/opvolging/actielijnen/{outside}");
    let why = "Deze actielijn valt niet onder de bevoegdheden van minister Hilde Crevits vandaag. \
               Het secretariaat koppelt actielijnen aan bevoegdheden in de akkoordeditor.";

    // Nothing linked yet: every line is marked in the editor, and the
    // cabinet reads on the agreement page why it can follow up nothing.
    let editor = serv.get(EDITOR).await;
    let lines = editor.select("ul.editor-tree li").len();
    assert!(lines > 20);
    assert_eq!(editor.select(".line-unlinked").len(), lines);
    assert!(
        editor.select(&format!("#lijn-{inside} > .line-row .line-unlinked"))[0]
            .contains("geen bevoegdheid gekoppeld")
    );
    assert!(editor.text().contains(&format!(
        "{lines} actielijnen hebben geen bevoegdheid gekoppeld"
    )));
    let agreement = cabinet.get(SEEDED).await;
    let said = agreement.select("#geen-opvolging");
    assert_eq!(said.len(), 1);
    assert!(said[0].contains(
        "geen enkele actielijn is gekoppeld aan de bevoegdheden van minister Hilde Crevits"
    ));
    assert!(said[0].contains("akkoordeditor"));
    assert!(
        serv.get(SEEDED).await.select("#geen-opvolging").is_empty(),
        "the secretariat follows up everything"
    );

    // The secretariat links the theme to Werk, which Crevits holds today.
    app.crevits_holds_today("Werk").await;
    let werk = app
        .id("SELECT id FROM competence WHERE name = 'Werk'")
        .await
        .to_string();
    let v = version(&mut serv, EDITOR).await;
    let linked = serv
        .post_form(
            &format!("{EDITOR}/actielijnen/{theme}"),
            &[
                ("title", "Iedereen aan het werk"),
                ("competence", &werk),
                ("version", &v),
            ],
        )
        .await;
    assert_redirect(&linked, EDITOR);
    let editor = serv.get(EDITOR).await;
    let row = |id: i64| format!("#lijn-{id} > .line-row");
    assert!(editor.select(&row(theme))[0].contains("bevoegdheid: Werk"));
    assert!(editor.select(&row(inside))[0].contains("bevoegdheid van de bovenliggende actielijn"));
    assert!(!editor.select(&row(inside))[0].contains("geen bevoegdheid gekoppeld"));
    assert!(editor.select(&row(outside))[0].contains("geen bevoegdheid gekoppeld"));
    assert_eq!(editor.select(".line-unlinked").len(), lines - 19);
    // The form of a line below says what it inherits; the theme's form
    // says nothing above it is linked.
    let form = serv.get(&format!("{EDITOR}/actielijnen/{inside}")).await;
    assert_eq!(
        form.select("#geerfd"),
        vec!["Via de bovenliggende actielijn al gekoppeld: Werk."]
    );
    let form = serv
        .get(&format!("{EDITOR}/actielijnen/nieuw?onder={inside}"))
        .await;
    assert!(form.select("#geerfd")[0].contains("Werk"));
    let form = serv.get(&format!("{EDITOR}/actielijnen/{theme}")).await;
    assert!(form.select("#geerfd")[0].contains("Geen bovenliggende actielijn"));

    // Outside the competence: refused with the reason, nothing stored.
    assert_refused(&cabinet.get(&outside_url).await, why);
    let entry = [
        ("recorded_on", "2026-01-15"),
        ("status", "ongoing"),
        ("note", "Buiten de bevoegdheid."),
    ];
    assert_refused(&cabinet.post_form(&outside_url, &entry).await, why);
    assert_eq!(app.count("SELECT count(*) FROM follow_up").await, 0);
    // The agreement page no longer says the cabinet can follow up nothing.
    assert!(
        cabinet
            .get(SEEDED)
            .await
            .select("#geen-opvolging")
            .is_empty()
    );
}
