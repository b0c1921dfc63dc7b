//! Composition management: the secretariat's editor, the public changes
//! view and CSV, and the open data, against a real PostgreSQL.

use axum::http::{StatusCode, header};
use serde_json::Value;

use crate::harness::{Client, TestApp};
use vesoc::auth::Role;

const VESOC: &str = "/organen/vesoc-overleg";
const EDITOR: &str = "/beheer/organen/vesoc-overleg";

async fn membership_of(app: &TestApp, person: &str) -> i64 {
    app.id(&format!(
        "SELECT m.id FROM membership m JOIN person p ON p.id = m.person_id
             WHERE p.slug = '{person}' AND m.superseded_at IS NULL ORDER BY m.id LIMIT 1"
    ))
    .await
}

/// Everything a failed form must leave alone.
async fn stored(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT count(*) FROM audit_log WHERE action <> 'sign_in'",
        "SELECT count(*) FROM membership",
        "SELECT count(*) FROM membership WHERE superseded_at IS NOT NULL",
        "SELECT count(*) FROM membership WHERE valid_until IS NULL",
        "SELECT count(*) FROM person",
        "SELECT count(*) FROM person_function",
        "SELECT count(*) FROM organisation",
        "SELECT count(*) FROM minister_competence",
        "SELECT count(*) FROM minister_competence WHERE valid_until IS NULL",
        "SELECT sum(version) FROM seat_rule",
        "SELECT sum(version) FROM person",
        "SELECT sum(version) FROM organisation",
    ] {
        out.push(app.count(sql).await);
    }
    out
}

fn government_rows(page: &crate::harness::Page) -> Vec<String> {
    page.select("section.side-government tbody tr:not(.open) th")
}

#[tokio::test]
async fn a_new_government_takes_office_in_one_step() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    let crevits = app.slug_id("person", "hilde-crevits").await;
    let jambon = app.slug_id("person", "jan-jambon").await;
    let government = app.slug_id("organisation", "vlaamse-regering").await;
    let page = c
        .post_form(
            &format!("{EDITOR}/regeringswissel"),
            &[
                ("date", "2022-01-01"),
                ("organisation_id", &government),
                ("person_0", &crevits),
                ("role_0", "chair"),
                ("title_0", ""),
                ("person_1", &jambon),
                ("role_1", "member"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(
        page.location(),
        Some("/beheer/organen/vesoc-overleg?melding=regering")
    );

    // The day before: the four ministers of 2019, Jan Jambon in the chair.
    let before = c.get(&format!("{VESOC}?op=2021-12-31")).await;
    assert_eq!(government_rows(&before).len(), 4);
    assert!(before.select("tr.chair th")[0].starts_with("Jan Jambon"));
    // The day itself and after: the new government only.
    for day in ["2022-01-01", "2023-06-30"] {
        let on = c.get(&format!("{VESOC}?op={day}")).await;
        let rows = government_rows(&on);
        assert_eq!(rows, vec!["Hilde Crevits", "Jan Jambon"], "{day}");
        assert_eq!(on.select("tr.chair th"), vec!["Hilde Crevits"], "{day}");
    }
    // The old mandates end on the last day of the old government; social
    // partners are untouched.
    assert_eq!(
        app.count(
            "SELECT count(*) FROM membership WHERE side = 'government' AND valid_until = '2021-12-31'"
        )
        .await,
        4
    );
    assert_eq!(
        app.count(
            "SELECT count(*) FROM membership WHERE side = 'social_partners' AND valid_until = '2024-09-30'"
        )
        .await,
        7
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'government_change'")
            .await,
        1
    );

    // The changes view tells the story.
    let changes = c
        .get(&format!(
            "{VESOC}/wijzigingen?van=2021-12-01&tot=2022-01-31"
        ))
        .await;
    assert_eq!(changes.status, StatusCode::OK);
    let roles = changes.select("tr.change-role");
    assert_eq!(roles.len(), 2, "{roles:?}");
    assert!(
        roles
            .iter()
            .any(|r| r.contains("Hilde Crevits") && r.contains("lid → voorzitter"))
    );
    assert!(
        roles
            .iter()
            .any(|r| r.contains("Jan Jambon") && r.contains("voorzitter → lid"))
    );
    let left = changes.select("tr.change-left th");
    assert_eq!(left, vec!["Bart Somers", "Ben Weyts"]);
    assert!(changes.select("tr.change-left td")[0].contains("31 december 2021"));
    assert!(changes.select("tr.change-joined").is_empty());
}

#[tokio::test]
async fn a_government_change_that_clashes_is_refused_whole() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    let before = stored(&app).await;
    let government = app.slug_id("organisation", "vlaamse-regering").await;
    // The 2019 mandates start on 2019-10-02: a government taking office that
    // day would have to end them before they began.
    let weyts = app.slug_id("person", "ben-weyts").await;
    let page = c
        .post_form(
            &format!("{EDITOR}/regeringswissel"),
            &[
                ("date", "2019-10-02"),
                ("organisation_id", &government),
                ("person_0", &weyts),
                ("role_0", "chair"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.select("#g-date-fout")[0].contains("heeft al een mandaat aan regeringszijde"));
    assert_eq!(page.attr("#g-date", "value").as_deref(), Some("2019-10-02"));
    assert_eq!(
        page.attr("#g-person_0 option[selected]", "value")
            .as_deref(),
        Some(weyts.as_str())
    );
    // No members at all.
    let page = c
        .post_form(
            &format!("{EDITOR}/regeringswissel"),
            &[("date", "2022-01-01"), ("organisation_id", &government)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text()
            .contains("Vul minstens één lid van de nieuwe regering in.")
    );
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn a_member_is_replaced_and_the_composition_changes_on_that_day() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    // A new person for the test, made through the register.
    let page = c
        .post_form(
            "/beheer/personen",
            &[("given_name", "Testa"), ("family_name", "Opvolger")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        Some("/beheer/personen/testa-opvolger?melding=opgeslagen")
    );
    let new = app.slug_id("person", "testa-opvolger").await;
    let unizo = app.slug_id("organisation", "unizo").await;
    let old = membership_of(&app, "danny-van-assche").await.to_string();
    let page = c
        .post_form(
            &format!("{EDITOR}/mandaten"),
            &[
                ("person_id", &new),
                ("organisation_id", &unizo),
                ("role", "member"),
                ("side", "social-partners"),
                ("valid_from", "2021-03-01"),
                ("replaces_id", &old),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let names =
        |p: &crate::harness::Page| p.select("section.side-social-partners tbody tr:not(.open) th");
    let before = c.get(&format!("{VESOC}?op=2021-02-28")).await;
    assert!(names(&before).contains(&"Danny Van Assche".to_string()));
    assert!(!names(&before).contains(&"Testa Opvolger".to_string()));
    for day in ["2021-03-01", "2021-03-02"] {
        let on = c.get(&format!("{VESOC}?op={day}")).await;
        assert!(
            !names(&on).contains(&"Danny Van Assche".to_string()),
            "{day}"
        );
        assert!(names(&on).contains(&"Testa Opvolger".to_string()), "{day}");
        assert_eq!(names(&on).len(), 7);
    }
    // And a substitute for the newcomer.
    let substitute = app.slug_id("person", "ann-vermorgen").await;
    let acv = app.slug_id("organisation", "acv").await;
    let newcomer = membership_of(&app, "testa-opvolger").await.to_string();
    let page = c
        .post_form(
            &format!("{EDITOR}/mandaten"),
            &[
                ("person_id", &substitute),
                ("organisation_id", &acv),
                ("role", "substitute"),
                ("side", "social-partners"),
                ("valid_from", "2021-04-01"),
                ("substitute_for_id", &newcomer),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let on = c.get(&format!("{VESOC}?op=2021-04-01")).await;
    assert!(on.text().contains("plaatsvervanger voor Testa Opvolger"));
}

#[tokio::test]
async fn an_overlapping_membership_is_refused_with_a_clear_message() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    let before = stored(&app).await;
    let jambon = app.slug_id("person", "jan-jambon").await;
    let government = app.slug_id("organisation", "vlaamse-regering").await;
    let page = c
        .post_form(
            &format!("{EDITOR}/mandaten"),
            &[
                ("person_id", &jambon),
                ("organisation_id", &government),
                ("role", "chair"),
                ("side", "government"),
                ("function_title", "Minister-president"),
                ("valid_from", "2021-01-01"),
                ("valid_until", "2021-12-31"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = page.select("#m-valid_from-fout");
    assert_eq!(error.len(), 1);
    assert!(
        error[0].contains("al een mandaat met dezelfde rol"),
        "{error:?}"
    );
    assert_eq!(
        page.attr("#m-valid_from", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        page.attr("#m-valid_from", "value").as_deref(),
        Some("2021-01-01")
    );
    assert_eq!(
        page.attr("#m-valid_until", "value").as_deref(),
        Some("2021-12-31")
    );
    assert_eq!(
        page.attr("#m-function_title", "value").as_deref(),
        Some("Minister-president")
    );
    assert_eq!(
        page.attr("#m-role option[selected]", "value").as_deref(),
        Some("chair")
    );
    assert_eq!(stored(&app).await, before);
}

#[tokio::test]
async fn a_correction_replaces_a_wrong_record_and_says_why() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    let wrong = membership_of(&app, "gert-truyens").await;
    let path = format!("{EDITOR}/mandaten/{wrong}");
    let page = c.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let version = page
        .attr("#correctie-form input[name=version]", "value")
        .unwrap();
    let gert = app.slug_id("person", "gert-truyens").await;
    let aclvb = app.slug_id("organisation", "aclvb").await;
    let fields = [
        ("person_id", gert.as_str()),
        ("organisation_id", aclvb.as_str()),
        ("role", "member"),
        ("side", "social-partners"),
        ("valid_from", "2019-11-01"),
        ("valid_until", "2024-09-30"),
        ("version", version.as_str()),
        ("note", "Test: begindatum verkeerd overgenomen."),
    ];
    let page = c.post_form(&format!("{path}/correctie"), &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let corrected: i64 = app
        .id(&format!(
            "SELECT id FROM membership WHERE corrects_id = {wrong}"
        ))
        .await;
    assert_eq!(
        page.location(),
        Some(format!("{EDITOR}/mandaten/{corrected}?melding=correctie").as_str())
    );
    // The wrong record stays, marked, and no longer counts.
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM membership WHERE id = {wrong} AND superseded_at IS NOT NULL
               AND superseded_note LIKE 'Gecorrigeerd: Test: begindatum%'"
        ))
        .await,
        1
    );
    let early = c.get(&format!("{VESOC}?op=2019-10-15")).await;
    assert!(!early.text().contains("Gert Truyens"));
    let later = c.get(&format!("{VESOC}?op=2019-11-01")).await;
    assert_eq!(
        later
            .select("section.side-social-partners tbody th")
            .iter()
            .filter(|t| *t == "Gert Truyens")
            .count(),
        1
    );
    let new_page = c.get(&format!("{EDITOR}/mandaten/{corrected}")).await;
    assert!(
        new_page
            .text()
            .contains("Test: begindatum verkeerd overgenomen.")
    );
    let old_page = c.get(&path).await;
    assert!(old_page.select(".state")[0].starts_with("telt niet mee"));
    // The stale form, sent again, is refused and changes nothing.
    let before = stored(&app).await;
    let page = c.post_form(&format!("{path}/correctie"), &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored(&app).await, before);
    // The editor's history lists both.
    let editor = c.get(EDITOR).await;
    assert!(
        editor
            .select("table.history tr.muted th")
            .contains(&"Gert Truyens".to_string())
    );
    // Open data marks the wrong one deleted.
    let json = get_json(&mut c, &format!("/api/oparl/membership/{wrong}")).await;
    assert_eq!(json["deleted"], true);
}

#[tokio::test]
async fn a_member_leaves_and_a_withdrawn_record_stops_counting() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    let unizo = app.slug_id("organisation", "unizo").await;
    let danny = app.slug_id("person", "danny-van-assche").await;
    // An open-ended mandate in the working group, then a departure.
    let page = c
        .post_form(
            "/beheer/organen/vesoc-werkgroep/mandaten",
            &[
                ("person_id", &danny),
                ("organisation_id", &unizo),
                ("role", "member"),
                ("side", "social-partners"),
                ("valid_from", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let id = app.id("SELECT max(id) FROM membership").await;
    let path = format!("/beheer/organen/vesoc-werkgroep/mandaten/{id}");
    let version = c
        .get(&path)
        .await
        .attr("#einde-form input[name=version]", "value")
        .unwrap();
    let page = c
        .post_form(
            &format!("{path}/einde"),
            &[("valid_until", "2019-12-31"), ("version", &version)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.select("#e-valid_until-fout")[0].contains("kan niet vroeger vallen"));
    let page = c
        .post_form(
            &format!("{path}/einde"),
            &[("valid_until", "2020-06-30"), ("version", &version)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let wg = "/organen/vesoc-werkgroep";
    assert!(
        c.get(&format!("{wg}?op=2020-06-30"))
            .await
            .text()
            .contains("Danny Van Assche")
    );
    assert!(
        !c.get(&format!("{wg}?op=2020-07-01"))
            .await
            .text()
            .contains("Danny Van Assche")
    );
    // A second departure with the old version is a conflict.
    let page = c
        .post_form(
            &format!("{path}/einde"),
            &[("valid_until", "2020-07-31"), ("version", &version)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Withdrawn: gone from the composition, kept in the history.
    let version = c
        .get(&path)
        .await
        .attr("#intrekken-form input[name=version]", "value")
        .unwrap();
    let page = c
        .post_form(
            &format!("{path}/intrekken"),
            &[("note", "Test: nooit aangesteld."), ("version", &version)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        !c.get(&format!("{wg}?op=2020-03-01"))
            .await
            .text()
            .contains("Danny Van Assche")
    );
    assert_eq!(
        app.count(&format!("SELECT count(*) FROM membership WHERE id = {id} AND superseded_note = 'Test: nooit aangesteld.'")).await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM audit_log WHERE entity = 'membership' AND entity_id = '{id}'"
        ))
        .await,
        3
    );
}

#[tokio::test]
async fn the_rule_warnings_show_for_the_secretariat_only() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    let page = c.get(&format!("{VESOC}?op=2020-01-01")).await;
    let warnings = page.select("ul.warnings li");
    assert!(
        warnings.contains(&"9 van de 16 zetels van de sociale partners zijn niet ingevuld (leden van de Vlaamse sociale partners).".to_string()),
        "{warnings:?}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("voorzitter")),
        "{warnings:?}"
    );
    assert_eq!(
        page.attr("a[href='/beheer/organen/vesoc-overleg']", "class")
            .as_deref(),
        Some("button")
    );
    // Today nobody sits: no chair.
    let today = c.get(VESOC).await;
    assert!(
        today
            .select("ul.warnings li")
            .contains(&"Er is geen voorzitter op deze datum.".to_string())
    );
    // The public and other roles do not see the checks.
    for mut other in [app.client(), app.signed_in(Role::Cabinet).await] {
        let page = other.get(&format!("{VESOC}?op=2020-01-01")).await;
        assert!(page.select("ul.warnings").is_empty());
        assert!(
            page.select("a[href='/beheer/organen/vesoc-overleg']")
                .is_empty()
        );
    }
    // The rules are data: three government seats make four ministers too many.
    // (They have their own part of the editor.)
    let editor = c.get(&format!("{EDITOR}/zetels")).await;
    let version = editor
        .attr("form[action$='/zetels/1'] input[name=version]", "value")
        .unwrap();
    let page = c
        .post_form(
            &format!("{EDITOR}/zetels/1"),
            &[
                ("seat_count", "3"),
                ("label", "VESOC-ministers"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = c.get(&format!("{EDITOR}?op=2020-01-01")).await;
    assert!(
        page.select("ul.warnings li").contains(
            &"Vlaamse Regering: meer leden dan zetels (4 leden voor 3 zetels).".to_string()
        ),
        "{:?}",
        page.select("ul.warnings li")
    );
    // The same stale version again: refused, typed input kept.
    let page = c
        .post_form(
            &format!("{EDITOR}/zetels/1"),
            &[
                ("seat_count", "5"),
                ("label", "Ministers"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(page.attr("#r1-seat_count", "value").as_deref(), Some("5"));
    assert_eq!(
        app.count("SELECT seat_count::bigint FROM seat_rule WHERE id = 1")
            .await,
        3
    );
}

async fn get_json(c: &mut Client, path: &str) -> Value {
    let page = c.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    assert!(
        page.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"),
        "{path}"
    );
    serde_json::from_str(&page.body).unwrap()
}

#[tokio::test]
async fn open_data_follows_oparl() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let system = get_json(&mut c, "/api/oparl").await;
    assert_eq!(system["type"], "https://schema.oparl.org/1.1/System");
    assert_eq!(system["body"], "http://localhost/api/oparl/body");

    let bodies = get_json(&mut c, "/api/oparl/body").await;
    assert_eq!(bodies["data"].as_array().unwrap().len(), 2);
    let body = &bodies["data"][0];
    assert_eq!(body["id"], "http://localhost/api/oparl/body/vesoc-overleg");
    assert_eq!(body["type"], "https://schema.oparl.org/1.1/Body");
    for key in [
        "name",
        "created",
        "modified",
        "organization",
        "person",
        "meeting",
    ] {
        assert!(body.get(key).is_some(), "Body.{key}");
    }

    // Memberships: the OParl field names, paginated with links.next.
    let page1 = get_json(&mut c, "/api/oparl/membership?limit=5").await;
    assert_eq!(page1["data"].as_array().unwrap().len(), 5);
    assert_eq!(page1["pagination"]["totalElements"], 11);
    assert_eq!(page1["pagination"]["totalPages"], 3);
    let next = page1["links"]["next"].as_str().unwrap();
    assert_eq!(next, "http://localhost/api/oparl/membership?limit=5&page=2");
    let page3 = get_json(&mut c, "/api/oparl/membership?limit=5&page=3").await;
    assert_eq!(page3["data"].as_array().unwrap().len(), 1);
    assert!(page3["links"].get("next").is_none());
    let chair = &page1["data"][0];
    assert_eq!(chair["type"], "https://schema.oparl.org/1.1/Membership");
    assert_eq!(
        chair["person"],
        "http://localhost/api/oparl/person/jan-jambon"
    );
    assert_eq!(
        chair["organization"],
        "http://localhost/api/oparl/gremium/vesoc-overleg"
    );
    assert_eq!(
        chair["onBehalfOf"],
        "http://localhost/api/oparl/organization/vlaamse-regering"
    );
    assert_eq!(chair["role"], "voorzitter");
    assert_eq!(chair["votingRight"], true);
    assert_eq!(chair["startDate"], "2019-10-02");
    assert_eq!(chair["endDate"], "2024-09-30");
    assert_eq!(chair["deleted"], false);
    assert!(chair["created"].as_str().unwrap().contains('T'));
    assert!(chair["modified"].as_str().is_some());
    // Every id dereferences to the same object.
    let same = get_json(&mut c, "/api/oparl/membership/1").await;
    assert_eq!(&same, chair);
    let gremium = get_json(&mut c, "/api/oparl/gremium/vesoc-overleg").await;
    assert_eq!(gremium["organizationType"], "Gremium");

    // People: public functions, embedded memberships, never account data.
    app.account(Role::Cabinet, "kabinet@test.vesoc.be").await;
    let person = get_json(&mut c, "/api/oparl/person/hilde-crevits").await;
    assert_eq!(person["type"], "https://schema.oparl.org/1.1/Person");
    assert_eq!(person["familyName"], "Crevits");
    assert_eq!(person["givenName"], "Hilde");
    assert!(
        person["status"][0]
            .as_str()
            .unwrap()
            .starts_with("Vice minister-president")
    );
    assert_eq!(person["membership"].as_array().unwrap().len(), 1);
    let people = c.get("/api/oparl/person").await.body;
    assert!(!people.contains("test.vesoc.be") && !people.contains("email"));
    // In the list too, each person's body is that of their own mandates.
    let people: serde_json::Value = serde_json::from_str(&people).unwrap();
    for p in people["data"].as_array().unwrap() {
        let body = p["body"].as_str().map(|u| u.rsplit('/').next().unwrap());
        let first = p["membership"].as_array().unwrap().first();
        let own = first.map(|m| {
            m["organization"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
        });
        assert_eq!(body, own, "{}", p["id"]);
    }
    assert_eq!(
        get_json(&mut c, "/api/oparl/paper/iedereen-aan-boord-2019").await["type"],
        "https://schema.oparl.org/1.1/Paper"
    );
    assert_eq!(
        get_json(&mut c, "/api/oparl/body/vesoc-werkgroep").await["type"],
        "https://schema.oparl.org/1.1/Body"
    );

    let orgs = get_json(&mut c, "/api/oparl/organization").await;
    assert_eq!(orgs["pagination"]["totalElements"], 13);
    let acv = get_json(&mut c, "/api/oparl/organization/acv").await;
    assert_eq!(acv["classification"], "vakbond");
    let paper = get_json(&mut c, "/api/oparl/paper").await;
    assert_eq!(
        paper["data"][0]["type"],
        "https://schema.oparl.org/1.1/Paper"
    );
    let meetings = get_json(&mut c, "/api/oparl/meeting").await;
    assert_eq!(meetings["data"].as_array().unwrap().len(), 0);

    // modified_since filters; a bad one is refused.
    let none = get_json(
        &mut c,
        "/api/oparl/membership?modified_since=2999-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(none["data"].as_array().unwrap().len(), 0);
    assert_eq!(
        c.get("/api/oparl/membership?modified_since=gisteren")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        c.get("/api/oparl/membership/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/api/oparl/person/niemand").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_composition_on_a_date_as_csv() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let page = c
        .get(&format!("{VESOC}/samenstelling.csv?op=2020-01-01"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.headers[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        page.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"vesoc-overleg-samenstelling-2020-01-01.csv\""
    );
    let lines: Vec<&str> = page.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "zijde;naam;organisatie;rol;plaatsvervanger voor;functie;vanaf;tot en met"
    );
    assert_eq!(lines.len(), 12);
    assert!(lines[1].starts_with("\"Vlaamse Regering\";\"Jan Jambon\";\"Vlaamse Regering\";\"voorzitter\";\"\";\"Minister-president"));
    assert!(lines[1].ends_with(";\"2019-10-02\";\"2024-09-30\""));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"Gert Truyens\";\"ACLVB\";\"lid\""))
    );
    // After the legislature: only the header.
    let after = c
        .get(&format!("{VESOC}/samenstelling.csv?op=2024-10-01"))
        .await;
    assert_eq!(after.body.lines().count(), 1);
    assert_eq!(
        c.get(&format!("{VESOC}/samenstelling.csv?op=morgen"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        c.get("/organen/bestaat-niet/samenstelling.csv")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_changes_view_checks_its_dates() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let page = c
        .get(&format!(
            "{VESOC}/wijzigingen?van=2019-10-01&tot=2019-10-31"
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.select("tr.change-joined").len(), 11);
    assert!(page.select("tr.change-joined td")[0].contains("2 oktober 2019"));
    let page = c
        .get(&format!(
            "{VESOC}/wijzigingen?van=2024-09-01&tot=2024-12-31"
        ))
        .await;
    assert_eq!(page.select("tr.change-left").len(), 11);
    let page = c
        .get(&format!(
            "{VESOC}/wijzigingen?van=2020-13-01&tot=2021-01-01"
        ))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.select("#van-fout")[0].contains("geen geldige datum"));
    assert_eq!(page.attr("#van", "value").as_deref(), Some("2020-13-01"));
    let page = c
        .get(&format!(
            "{VESOC}/wijzigingen?van=2021-01-01&tot=2020-01-01"
        ))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.select("#tot-fout")[0].contains("vóór de begindatum"));
    assert_eq!(
        c.get("/organen/bestaat-niet/wijzigingen").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_register_of_people_organisations_and_competences() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    let list = c.get("/beheer/personen").await;
    assert!(
        list.select("table.people th")
            .contains(&"Jan Jambon".to_string())
    );
    // A public function and a competence with a period.
    let page = c
        .post_form(
            "/beheer/personen/jan-jambon/functies",
            &[("title", "Test: functie"), ("valid_from", "2024-10-01")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = c
        .post_form(
            "/beheer/personen/jan-jambon/bevoegdheden",
            &[
                ("competence", "Test-bevoegdheid"),
                ("valid_from", "2024-10-01"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let person = c.get("/beheer/personen/jan-jambon").await;
    assert!(
        person
            .select("ul.functions li")
            .iter()
            .any(|f| f.starts_with("Test: functie"))
    );
    assert!(
        person
            .select("ul.portfolio .competence")
            .contains(&"Test-bevoegdheid".to_string())
    );
    // Overlapping the same competence is refused with a message.
    let before = stored(&app).await;
    let page = c
        .post_form(
            "/beheer/personen/jan-jambon/bevoegdheden",
            &[
                ("competence", "Test-bevoegdheid"),
                ("valid_from", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.select("#b-valid_from-fout")[0].contains("al in (een deel van) deze periode"));
    assert_eq!(
        page.attr("#b-competence", "value").as_deref(),
        Some("Test-bevoegdheid")
    );
    assert_eq!(stored(&app).await, before);
    // Ended, then it no longer has an end form.
    let id = app.id("SELECT mc.id FROM minister_competence mc JOIN competence c ON c.id = mc.competence_id WHERE c.name = 'Test-bevoegdheid'").await;
    let page = c
        .post_form(
            &format!("/beheer/personen/jan-jambon/bevoegdheden/{id}/einde"),
            &[("valid_until", "2024-12-31")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count(&format!("SELECT count(*) FROM minister_competence WHERE id = {id} AND valid_until = '2024-12-31'")).await, 1);

    // Organisations: create, then an edit from a stale form is a conflict.
    let page = c
        .post_form(
            "/beheer/organisaties",
            &[
                ("name", "Testorganisatie"),
                ("short_name", "TO"),
                ("kind", "employers"),
                ("website", "https://example.org"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        Some("/beheer/organisaties/to?melding=opgeslagen")
    );
    let form = c.get("/beheer/organisaties/to").await;
    let version = form.attr("input[name=version]", "value").unwrap();
    let edit = [
        ("name", "Testorganisatie vzw"),
        ("short_name", "TO"),
        ("kind", "employers"),
        ("website", ""),
        ("version", version.as_str()),
    ];
    assert_eq!(
        c.post_form("/beheer/organisaties/to", &edit).await.status,
        StatusCode::SEE_OTHER
    );
    let page = c.post_form("/beheer/organisaties/to", &edit).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(
        page.attr("#name", "value").as_deref(),
        Some("Testorganisatie vzw")
    );
    assert!(
        c.get("/beheer/organisaties")
            .await
            .text()
            .contains("Testorganisatie vzw")
    );
    assert_eq!(
        c.get("/beheer/personen/niemand").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/beheer/organisaties/niets").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(&format!("{EDITOR}/mandaten/999999")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(&format!("{EDITOR}/mandaten/abc")).await.status,
        StatusCode::NOT_FOUND
    );
}

/// path, fields, the error's id, the field that keeps the input, the value typed
type Case<'a> = (String, Vec<(&'a str, &'a str)>, &'a str, &'a str, &'a str);

#[tokio::test]
async fn bad_input_on_every_form_keeps_what_was_typed_and_stores_nothing() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    let long = "x".repeat(301);
    let m = membership_of(&app, "hans-maertens").await;
    // An open-ended mandate (test data) for the departure form.
    let open: i64 = app
        .id(
            "INSERT INTO membership (body_id, person_id, organisation_id, role, side, valid_from)
         SELECT b.id, p.id, o.id, 'member', 'social_partners', '2020-01-01'
         FROM body b, person p, organisation o
         WHERE b.slug = 'vesoc-werkgroep' AND p.slug = 'hans-maertens' AND o.slug = 'voka'
         RETURNING id",
        )
        .await;
    let mp = format!("/beheer/organen/vesoc-werkgroep/mandaten/{open}");
    let jambon = app.slug_id("person", "jan-jambon").await;
    let cases: Vec<Case> = vec![
        // path, fields, field id with the error, field id that keeps the input, typed value
        (
            "/beheer/personen".into(),
            vec![("given_name", "Jan"), ("family_name", "  ")],
            "#family_name-fout",
            "#given_name",
            "Jan",
        ),
        (
            "/beheer/personen/jan-jambon".into(),
            vec![
                ("given_name", &long),
                ("family_name", "Jambon"),
                ("version", "1"),
            ],
            "#given_name-fout",
            "#given_name",
            &long,
        ),
        (
            "/beheer/personen/jan-jambon/functies".into(),
            vec![("title", "Minister"), ("valid_from", "2020-02-30")],
            "#f-valid_from-fout",
            "#f-valid_from",
            "2020-02-30",
        ),
        (
            "/beheer/personen/jan-jambon/bevoegdheden".into(),
            vec![("competence", "Werk"), ("valid_from", "")],
            "#b-valid_from-fout",
            "#b-competence",
            "Werk",
        ),
        (
            "/beheer/organisaties".into(),
            vec![
                ("name", "X"),
                ("short_name", "X"),
                ("kind", "employers"),
                ("website", "javascript:alert(1)"),
            ],
            "#website-fout",
            "#website",
            "javascript:alert(1)",
        ),
        (
            "/beheer/organisaties/acv".into(),
            vec![
                ("name", "ACV"),
                ("short_name", "ACV"),
                ("kind", "sekte"),
                ("version", "1"),
            ],
            "#kind-fout",
            "#name",
            "ACV",
        ),
        (
            format!("{EDITOR}/mandaten"),
            vec![
                ("person_id", &jambon),
                ("organisation_id", "999999"),
                ("role", "member"),
                ("side", "government"),
                ("valid_from", "2020-01-01"),
            ],
            "#m-organisation_id-fout",
            "#m-valid_from",
            "2020-01-01",
        ),
        (
            format!("{EDITOR}/mandaten"),
            vec![
                ("person_id", &jambon),
                ("role", "substitute"),
                ("side", "government"),
                ("valid_from", "1-1-2020"),
            ],
            "#m-valid_from-fout",
            "#m-valid_from",
            "1-1-2020",
        ),
        (
            format!("{EDITOR}/regeringswissel"),
            vec![
                ("date", "2022-02-30"),
                ("person_0", &jambon),
                ("role_0", "chair"),
            ],
            "#g-date-fout",
            "#g-date",
            "2022-02-30",
        ),
        (
            format!("{EDITOR}/zetels/2"),
            vec![
                ("seat_count", "zestien"),
                ("label", "leden"),
                ("version", "1"),
            ],
            "#r2-seat_count-fout",
            "#r2-seat_count",
            "zestien",
        ),
        (
            format!("{mp}/einde"),
            vec![("valid_until", "morgen"), ("version", "1")],
            "#e-valid_until-fout",
            "#e-valid_until",
            "morgen",
        ),
        (
            format!("{mp}/correctie"),
            vec![
                ("person_id", &jambon),
                ("organisation_id", "1"),
                ("role", "member"),
                ("side", "government"),
                ("valid_from", "2019-10-02"),
                ("note", ""),
                ("version", "1"),
            ],
            "#c-note-fout",
            "#c-valid_from",
            "2019-10-02",
        ),
        (
            format!("{mp}/intrekken"),
            vec![("note", "   "), ("version", "1")],
            "#w-note-fout",
            "#w-note",
            "",
        ),
    ];
    let before = stored(&app).await;
    for (path, fields, error, kept, value) in &cases {
        let page = c.post_form(path, fields).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            page.text()
        );
        assert_eq!(page.select(error).len(), 1, "{path}: {error}");
        let field = error.trim_end_matches("-fout");
        assert_eq!(
            page.attr(field, "aria-invalid").as_deref(),
            Some("true"),
            "{path}: {field}"
        );
        let shown = page
            .attr(kept, "value")
            .unwrap_or_else(|| page.select(kept).join(""));
        assert_eq!(shown, *value, "{path}: {kept}");
    }
    assert_eq!(stored(&app).await, before);
    // Unknown ids in the path: 404, nothing stored.
    assert_eq!(
        c.post_form(&format!("{EDITOR}/zetels/999"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.post_form("/beheer/organen/niets/mandaten", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.post_form("/beheer/personen/niemand/functies", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // A membership of the other body is not found under this one.
    assert_eq!(
        c.get(&format!("/beheer/organen/vesoc-werkgroep/mandaten/{m}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(stored(&app).await, before);
}
