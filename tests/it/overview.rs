//! The yearly overview and search.

use axum::http::{StatusCode, header};

use crate::harness::{Client, Page, TestApp};
use vesoc::auth::Role;

fn enc(q: &str) -> String {
    form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(&app.db).await.unwrap();
}

async fn set_status(app: &TestApp, meeting: i64, status: &str) {
    sqlx::query(
        "UPDATE meeting SET status = $2::meeting_status,
                cancel_reason = CASE WHEN $2 = 'cancelled' THEN 'ziekte' END
         WHERE id = $1",
    )
    .bind(meeting)
    .bind(status)
    .execute(&app.db)
    .await
    .unwrap();
}

/// An agenda item on a meeting (or none), proposed by an organisation
/// (slug) or a minister (slug) or neither.
#[expect(clippy::too_many_arguments)]
async fn item(
    app: &TestApp,
    body: &str,
    meeting: Option<i64>,
    org: Option<&str>,
    minister: Option<&str>,
    status: &str,
    outcome: Option<&str>,
    title: &str,
    explanation: &str,
    confidential: bool,
) -> i64 {
    sqlx::query_scalar(
        // Accepted and dealt-with items get the next place on the meeting's
        // agenda, as accepting one does; deferred ones keep the meeting only.
        "INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id, proposer_minister_id,
                                  title, explanation, kind, status, outcome, confidential, position)
         VALUES ((SELECT id FROM body WHERE slug = $1), $2,
                 (SELECT id FROM organisation WHERE slug = $3),
                 (SELECT id FROM person WHERE slug = $4),
                 $5, $6, 'discussion', $7::agenda_item_status, $8::agenda_outcome, $9,
                 CASE WHEN $2::bigint IS NOT NULL AND $7 IN ('accepted', 'dealt_with')
                      THEN (SELECT coalesce(max(position), 0) + 1 FROM agenda_item
                            WHERE meeting_id = $2) END)
         RETURNING id",
    )
    .bind(body)
    .bind(meeting)
    .bind(org)
    .bind(minister)
    .bind(title)
    .bind(explanation)
    .bind(status)
    .bind(outcome)
    .bind(confidential)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn agreement(
    app: &TestApp,
    slug: &str,
    title: &str,
    intro: &str,
    concluded: &str,
    published: bool,
) {
    sqlx::query(
        "INSERT INTO agreement (slug, body_id, title, introduction, concluded_on, status, published_at)
         VALUES ($1, (SELECT id FROM body WHERE slug = 'vesoc-overleg'), $2, $3, $4::date,
                 CASE WHEN $5 THEN 'published' ELSE 'draft' END::agreement_status,
                 CASE WHEN $5 THEN now() END)",
    )
    .bind(slug)
    .bind(title)
    .bind(intro)
    .bind(concluded)
    .bind(published)
    .execute(&app.db)
    .await
    .unwrap();
}

/// 2021: the (in)formal VESOC met twice (a cancelled third does not count),
/// the working group twice (one at 00:30 on 1 January, Brussels time) with
/// one more planned; one published agreement and one draft; five agenda
/// items dealt with and one only accepted.
async fn fixture_2021(app: &TestApp) {
    let formal = app
        .meeting("vesoc-overleg", "formal", "2021-03-10 10:00+01")
        .await;
    let informal = app
        .meeting("vesoc-overleg", "informal", "2021-06-10 10:00+02")
        .await;
    let cancelled = app
        .meeting("vesoc-overleg", "informal", "2021-09-01 10:00+02")
        .await;
    let new_year = app
        .meeting("vesoc-werkgroep", "working_group", "2020-12-31 23:30+00")
        .await;
    let wg = app
        .meeting("vesoc-werkgroep", "working_group", "2021-02-01 10:00+01")
        .await;
    let planned = app
        .meeting("vesoc-werkgroep", "working_group", "2021-12-01 10:00+01")
        .await;
    // 2020 in Brussels: not counted for 2021
    let old = app
        .meeting("vesoc-werkgroep", "working_group", "2020-12-31 22:30+00")
        .await;
    for m in [formal, informal, new_year, wg, old] {
        set_status(app, m, "held").await;
    }
    set_status(app, cancelled, "cancelled").await;
    let _ = planned;
    agreement(
        app,
        "akkoord-2021",
        "Akkoord over opleiding 2021",
        "",
        "2021-05-01",
        true,
    )
    .await;
    agreement(
        app,
        "ontwerp-2021",
        "Ontwerpakkoord 2021",
        "",
        "2021-07-01",
        false,
    )
    .await;
    agreement(
        app,
        "akkoord-2020",
        "Akkoord van 2020",
        "",
        "2020-12-31",
        true,
    )
    .await;
    let o = Some(formal);
    item(
        app,
        "vesoc-overleg",
        o,
        Some("voka"),
        None,
        "dealt_with",
        Some("decided"),
        "a",
        "",
        false,
    )
    .await;
    item(
        app,
        "vesoc-overleg",
        o,
        Some("acv"),
        None,
        "dealt_with",
        Some("noted"),
        "b",
        "",
        true,
    )
    .await;
    let w = Some(wg);
    item(
        app,
        "vesoc-werkgroep",
        w,
        None,
        Some("hilde-crevits"),
        "dealt_with",
        Some("discussed"),
        "c",
        "",
        false,
    )
    .await;
    item(
        app,
        "vesoc-werkgroep",
        w,
        Some("vlaamse-regering"),
        None,
        "dealt_with",
        Some("decided"),
        "d",
        "",
        false,
    )
    .await;
    item(
        app,
        "vesoc-werkgroep",
        w,
        None,
        None,
        "dealt_with",
        None,
        "e",
        "",
        false,
    )
    .await;
    item(
        app,
        "vesoc-werkgroep",
        Some(planned),
        Some("acv"),
        None,
        "accepted",
        None,
        "f",
        "",
        false,
    )
    .await;
}

#[tokio::test]
async fn the_yearly_overview_counts_a_year() {
    let app = TestApp::seeded().await;
    fixture_2021(&app).await;
    let mut public = app.client();
    let page = public.get("/jaaroverzicht/2021").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(page.select("h1"), vec!["Jaaroverzicht 2021"]);
    let rows = page.select("table.meetings-count tbody tr");
    assert!(
        rows.contains(&"(In)formeel VESOC-overleg formeel VESOC-overleg 1 0 0".to_string())
            || rows
                .iter()
                .any(|r| r.ends_with("formeel VESOC-overleg 1 0 0")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.ends_with("informeel VESOC-overleg 1 1 0")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.ends_with("VESOC-werkgroep 2 0 1")),
        "{rows:?}"
    );
    // published agreements only, for the public
    assert_eq!(
        page.select(".agreements-concluded li a"),
        vec!["Akkoord over opleiding 2021"]
    );
    let items = page.select("table.items-count tbody tr");
    assert_eq!(
        items,
        vec![
            "sociale partners 1 0 1 0 2",
            "Vlaamse Regering 0 1 1 0 2",
            "secretariaat 0 0 0 1 1",
            "totaal 1 1 2 1 5",
        ]
    );
    assert!(
        page.text().contains("Engagement gehaald: ja."),
        "{}",
        page.text()
    );
    assert!(page.text().contains("2 keer samen"));
    // links to the neighbouring years
    assert_eq!(
        page.attr("a[rel=prev]", "href").as_deref(),
        Some("/jaaroverzicht/2020")
    );
    assert_eq!(
        page.attr("a[rel=next]", "href").as_deref(),
        Some("/jaaroverzicht/2022")
    );

    // the secretariat also sees the draft
    let mut staff = app.signed_in(Role::Secretariat).await;
    let page = staff.get("/jaaroverzicht/2021").await;
    assert_eq!(
        page.select(".agreements-concluded li a"),
        vec!["Akkoord over opleiding 2021", "Ontwerpakkoord 2021"]
    );
}

#[tokio::test]
async fn the_twice_a_year_verdict() {
    let app = TestApp::seeded().await;
    fixture_2021(&app).await;
    let once = app
        .meeting("vesoc-overleg", "informal", "2022-05-01 10:00+02")
        .await;
    set_status(&app, once, "held").await;
    let mut c = app.client();
    let verdict = |p: &Page| p.select("p.verdict strong").join("");
    assert_eq!(
        verdict(&c.get("/jaaroverzicht/2021").await),
        "Engagement gehaald: ja."
    );
    assert_eq!(
        verdict(&c.get("/jaaroverzicht/2022").await),
        "Engagement gehaald: nee."
    );
    // A year without any recorded meeting is not "not met": the data say
    // nothing either way.
    let empty = c.get("/jaaroverzicht/2023").await;
    assert_eq!(verdict(&empty), "Geen vergaderingen geregistreerd.");
    assert!(!empty.text().contains("Engagement gehaald: nee"));
    assert!(empty.text().contains("geen vergaderingen geregistreerd"));
    assert_eq!(
        verdict(&c.get("/jaaroverzicht/2018").await),
        "Engagement gehaald: niet van toepassing."
    );
    assert_eq!(
        verdict(&c.get("/jaaroverzicht/2025").await),
        "Engagement gehaald: niet van toepassing."
    );
    // the current year by default
    let page = c.get("/jaaroverzicht").await;
    assert_eq!(page.status, StatusCode::OK);
    let year = vesoc::base::dutch::today().year();
    assert_eq!(page.select("h1"), vec![format!("Jaaroverzicht {year}")]);
}

#[tokio::test]
async fn the_yearly_overview_as_csv() {
    let app = TestApp::seeded().await;
    fixture_2021(&app).await;
    let mut c = app.client();
    for path in ["/jaaroverzicht/2021.csv", "/jaaroverzicht/2021?formaat=csv"] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(
            page.headers.get(header::CONTENT_TYPE).unwrap(),
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            page.headers.get(header::CONTENT_DISPOSITION).unwrap(),
            "attachment; filename=\"vesoc-jaaroverzicht-2021.csv\""
        );
        let body = &page.body;
        assert!(body.starts_with('\u{feff}'), "a byte-order mark");
        assert!(
            body.contains("\"VESOC-jaaroverzicht\";\"2021\"\r\n"),
            "{body}"
        );
        assert!(
            body.contains("\"VESOC-werkgroep\";\"VESOC-werkgroep\";\"2\";\"0\";\"1\"\r\n"),
            "{body}"
        );
        assert!(body.contains("\"ja\";\"2\"\r\n"), "{body}");
        assert!(body.contains("\"Akkoord over opleiding 2021\";\"2021-05-01\";\"gepubliceerd\""));
        assert!(!body.contains("Ontwerpakkoord"), "no drafts for the public");
        assert!(body.contains("\"sociale partners\";\"1\";\"0\";\"1\";\"0\";\"2\"\r\n"));
        assert!(body.contains("\"totaal\";\"1\";\"1\";\"2\";\"1\";\"5\"\r\n"));
    }
}

#[tokio::test]
async fn a_bad_year_gets_a_dutch_message() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    for path in [
        "/jaaroverzicht/abc",
        "/jaaroverzicht/99999",
        "/jaaroverzicht/1200",
        "/jaaroverzicht/2021.pdf",
        "/jaaroverzicht/%27%22%3Cb%3E",
    ] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(page.select("h1"), vec!["Ongeldige aanvraag"], "{path}");
        assert!(
            page.text().contains("geen geldig jaar"),
            "{path}: {}",
            page.text()
        );
        assert!(!page.body.contains("<b>"), "{path}");
    }
    let mut staff = app.signed_in(Role::Secretariat).await;
    let page = staff.get("/jaaroverzicht/2021.csv").await;
    assert_eq!(page.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let page = c.get("/jaaroverzicht/2021?formaat=pdf").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.text().contains("Dit formaat bestaat niet"));
}

// --- search ---

async fn search(c: &mut Client, q: &str) -> Page {
    c.get(&format!("/zoeken?q={}", enc(q))).await
}

fn titles(page: &Page, group: &str) -> Vec<String> {
    page.select(&format!("#groep-{group} ~ ol li h3"))
}

#[tokio::test]
async fn search_uses_the_dutch_stemmer() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    // "werkzaamheid" is in a goal of the 2019 agreement
    let page = search(&mut c, "werkzaamheid").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        titles(&page, "akkoorden"),
        vec!["Iedereen aan boord – samen voor meer mensen aan de slag"]
    );
    assert!(
        page.select("p.snippet mark")
            .contains(&"werkzaamheid".to_string())
    );
    // singular finds plural: the introduction says "doelstellingen"
    let page = search(&mut c, "doelstelling").await;
    assert_eq!(titles(&page, "akkoorden").len(), 1);
    assert!(
        page.select("p.snippet mark")
            .contains(&"doelstellingen".to_string())
    );
    // the Dutch stemmer does not split compounds: "leren" does not find
    // "werkplekleren", nor "activering" "activeringsbeleid"
    let page = search(&mut c, "werkplekleren").await;
    assert!(
        page.select("#groep-actielijnen ~ ol li p.snippet")
            .iter()
            .any(|s| s == "Kwalitatief werkplekleren")
    );
    let page = search(&mut c, "leren").await;
    assert!(!page.text().contains("werkplekleren"));
    let page = search(&mut c, "activeringsbeleid").await;
    assert!(!titles(&page, "actielijnen").is_empty());
    let page = search(&mut c, "activering").await;
    assert!(!page.text().contains("activeringsbeleid"));
    // people, by name and by function
    let page = search(&mut c, "Crevits").await;
    assert_eq!(titles(&page, "personen"), vec!["Hilde Crevits"]);
}

#[tokio::test]
async fn search_ranks_and_escapes() {
    let app = TestApp::seeded().await;
    agreement(
        &app,
        "sluipwesp-b",
        "Ander akkoord",
        "Hier komt de sluipwesp één keer voor.",
        "2022-01-01",
        true,
    )
    .await;
    agreement(
        &app,
        "sluipwesp-a",
        "<script>alert(1)</script> Sluipwesp",
        "Over de sluipwesp, sluipwespen en nog eens de sluipwesp.",
        "2021-01-01",
        true,
    )
    .await;
    agreement(
        &app,
        "sluipwesp-c",
        "Geheim ontwerp",
        "Een sluipwesp in ontwerp.",
        "2021-01-01",
        false,
    )
    .await;
    let mut c = app.client();
    let page = search(&mut c, "sluipwesp").await;
    // the title weighs most
    assert_eq!(
        titles(&page, "akkoorden"),
        vec!["<script>alert(1)</script> Sluipwesp", "Ander akkoord"]
    );
    assert!(!page.body.contains("<script"), "escaped");
    assert!(
        page.body.contains("&lt;script&gt;") || page.body.contains("&#60;script&#62;"),
        "escaped, not dropped"
    );
    assert!(
        page.select("p.snippet mark")
            .iter()
            .all(|m| m.to_lowercase().starts_with("sluipwesp"))
    );
    assert!(
        !page.text().contains("Geheim ontwerp"),
        "drafts only for signed-in users"
    );
    let mut staff = app.signed_in(Role::SocialPartner).await;
    let page = search(&mut staff, "sluipwesp").await;
    assert!(titles(&page, "akkoorden").contains(&"Geheim ontwerp".to_string()));
}

#[tokio::test]
async fn bad_queries_get_a_dutch_message() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let page = c.get("/zoeken").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.select("h1"), vec!["Zoeken"]);
    assert!(page.select("section.search-group").is_empty());
    assert_eq!(page.select("label[for=q]").len(), 1);
    // the header's search box, on every page, with a (visually hidden) label
    let home = c.get("/").await;
    assert_eq!(
        home.attr("form.site-search", "action").as_deref(),
        Some("/zoeken")
    );
    assert_eq!(
        home.select("label[for=site-zoeken]"),
        vec!["Zoeken op de site"]
    );
    assert_eq!(
        home.select("nav a[href='/jaaroverzicht']"),
        vec!["Jaaroverzicht"]
    );
    let page = search(&mut c, "   ").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.select("section.search-group").is_empty());

    let long = "werk ".repeat(200);
    let page = search(&mut c, &long).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.text().contains("te lang"), "{}", page.text());

    for odd in [
        "&|!:*()'\"\\",
        "de",
        "!!!",
        "'",
        "\"",
        "a & b | !c:*",
        "\u{0}werk",
        "-",
        "or",
    ] {
        let page = search(&mut c, odd).await;
        assert!(!page.status.is_server_error(), "{odd:?}: {}", page.status);
        assert_eq!(page.select("h1"), vec!["Zoeken"], "{odd:?}");
    }
    let page = search(&mut c, "&|!:*()'\"\\").await;
    assert!(page.text().contains("geen woorden om op te zoeken"));
    let page = c.get("/zoeken?q=%ff%fe").await;
    assert!(!page.status.is_server_error());
}

#[tokio::test]
async fn confidential_agenda_items_stay_hidden() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-overleg", "informal", "2026-06-10 10:00+02")
        .await;
    item(
        &app,
        "vesoc-overleg",
        Some(meeting),
        Some("voka"),
        None,
        "accepted",
        None,
        "Geheime herstructurering",
        "De vertrouwelijke zwaluwstaart-cijfers.",
        true,
    )
    .await;
    item(
        &app,
        "vesoc-overleg",
        Some(meeting),
        Some("acv"),
        None,
        "accepted",
        None,
        "Openbare toelichting",
        "Over de zwaluwstaart, openbaar.",
        false,
    )
    .await;
    // a confidential proposal of VOKA, not yet on an agenda
    item(
        &app,
        "vesoc-werkgroep",
        None,
        Some("voka"),
        None,
        "submitted",
        None,
        "Voorstel koolmees",
        "Vertrouwelijk voorstel over de zwaluwstaart.",
        true,
    )
    .await;

    let mut public = app.client();
    let page = search(&mut public, "zwaluwstaart").await;
    assert_eq!(titles(&page, "agendapunten"), vec!["Openbare toelichting"]);
    for secret in [
        "Geheime",
        "herstructurering",
        "vertrouwelijke",
        "koolmees",
        "Vertrouwelijk voorstel",
    ] {
        assert!(!page.body.contains(secret), "{secret} leaked to the public");
    }

    // another organisation, not in the body: only the public item
    exec(
        &app,
        "INSERT INTO organisation (slug, name, short_name, kind)
         VALUES ('testorg', 'Testorganisatie', 'TO', 'administration')",
    )
    .await;
    let mut other = app.partner_of("testorg").await;
    let page = search(&mut other, "zwaluwstaart").await;
    assert_eq!(titles(&page, "agendapunten"), vec!["Openbare toelichting"]);
    assert!(!page.body.contains("herstructurering"));
    assert!(!page.body.contains("koolmees"));

    // ACV proposes too, but VOKA's proposal is not ACV's to see
    let mut acv = app.signed_in(Role::SocialPartner).await;
    let page = search(&mut acv, "koolmees").await;
    assert!(titles(&page, "agendapunten").is_empty());
    assert!(!page.body.contains("Voorstel koolmees"));

    // the secretariat sees all three
    let mut staff = app.signed_in(Role::Secretariat).await;
    let page = search(&mut staff, "zwaluwstaart").await;
    let mut found = titles(&page, "agendapunten");
    found.sort();
    assert_eq!(
        found,
        vec![
            "Geheime herstructurering",
            "Openbare toelichting",
            "Voorstel koolmees"
        ]
    );
    assert!(page.text().contains("vertrouwelijk"));

    // VOKA sees its own proposal
    let mut voka = app.partner_of("voka").await;
    let page = search(&mut voka, "koolmees").await;
    assert_eq!(titles(&page, "agendapunten"), vec!["Voorstel koolmees"]);

    // after its embargo, a confidential item is public
    exec(
        &app,
        "UPDATE agenda_item SET embargo_until = now() - interval '1 day'
         WHERE title = 'Geheime herstructurering'",
    )
    .await;
    let page = search(&mut public, "zwaluwstaart").await;
    assert_eq!(titles(&page, "agendapunten").len(), 2);
}

#[tokio::test]
async fn a_meetings_place_is_searchable_for_members_only() {
    let app = TestApp::seeded().await;
    let id = app
        .meeting("vesoc-werkgroep", "working_group", "2026-06-10 10:00+02")
        .await;
    sqlx::query("UPDATE meeting SET location = 'Congrescentrum Vossenhol' WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    let mut public = app.client();
    let page = search(&mut public, "Vossenhol").await;
    assert!(titles(&page, "vergaderingen").is_empty());
    assert!(page.select("p.snippet").is_empty());
    let mut staff = app.signed_in(Role::Secretariat).await;
    let page = search(&mut staff, "Vossenhol").await;
    assert_eq!(titles(&page, "vergaderingen").len(), 1);
    assert_eq!(
        page.attr("#groep-vergaderingen ~ ol li h3 a", "href"),
        Some(format!("/vergaderingen/{id}"))
    );
    // the body's name is public
    let page = search(&mut public, "werkgroep").await;
    assert!(!titles(&page, "vergaderingen").is_empty());
}

/// A search and what it finds: (query, group, titles).
type Found<'a> = (&'a str, &'a str, &'a [&'a str]);

#[tokio::test]
async fn search_follows_edits_of_commitments_goals_and_functions() {
    // agreements and people are searched on a stored document that triggers
    // keep up to date: edits in the tables it is built from show at once
    let app = TestApp::seeded().await;
    agreement(
        &app,
        "zoekdocument",
        "Akkoord over zoekdocumenten",
        "Inleiding.",
        "2022-01-01",
        true,
    )
    .await;
    let mut c = app.client();
    assert!(titles(&search(&mut c, "kraanvogel").await, "akkoorden").is_empty());

    exec(
        &app,
        "INSERT INTO goal (agreement_id, position, text)
         SELECT id, 1, 'Meer kraanvogels op de werkvloer' FROM agreement WHERE slug = 'zoekdocument'",
    )
    .await;
    let page = search(&mut c, "kraanvogel").await;
    assert_eq!(
        titles(&page, "akkoorden"),
        vec!["Akkoord over zoekdocumenten"]
    );
    assert!(
        page.select("p.snippet mark")
            .contains(&"kraanvogels".to_string())
    );

    // Each edit, then what searches find.
    let steps: [(&str, &[Found]); 7] = [
        (
            "INSERT INTO agreement_commitment (agreement_id, position, text)
             SELECT id, 1, 'Wij steunen de ijsvogel' FROM agreement WHERE slug = 'zoekdocument'",
            &[("ijsvogel", "akkoorden", &["Akkoord over zoekdocumenten"])],
        ),
        (
            "UPDATE agreement SET title = 'Akkoord over de reiger' WHERE slug = 'zoekdocument'",
            &[("reiger", "akkoorden", &["Akkoord over de reiger"])],
        ),
        (
            "DELETE FROM goal WHERE text = 'Meer kraanvogels op de werkvloer'",
            &[
                ("kraanvogel", "akkoorden", &[]),
                ("ijsvogel", "akkoorden", &["Akkoord over de reiger"]),
            ],
        ),
        (
            "DELETE FROM agreement WHERE slug = 'zoekdocument'",
            &[("ijsvogel", "akkoorden", &[])],
        ),
        // a person's new function, and a new name
        (
            "INSERT INTO person_function (person_id, title)
             SELECT id, 'Voorzitter van de vogelwerkgroep' FROM person WHERE family_name = 'Crevits'",
            &[("vogelwerkgroep", "personen", &["Hilde Crevits"])],
        ),
        (
            "UPDATE person SET given_name = 'Hildegard' WHERE family_name = 'Crevits'",
            &[("Hildegard", "personen", &["Hildegard Crevits"])],
        ),
        (
            "DELETE FROM person_function WHERE title = 'Voorzitter van de vogelwerkgroep'",
            &[("vogelwerkgroep", "personen", &[])],
        ),
    ];
    for (sql, searches) in steps {
        exec(&app, sql).await;
        for (query, group, expected) in searches {
            assert_eq!(
                titles(&search(&mut c, query).await, group),
                *expected,
                "{query} after {sql}"
            );
        }
    }
}

#[tokio::test]
async fn search_groups_keep_their_order_and_limit() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-overleg", "informal", "2026-06-10 10:00+02")
        .await;
    for n in 0..30 {
        item(
            &app,
            "vesoc-overleg",
            Some(meeting),
            Some("acv"),
            None,
            "accepted",
            None,
            &format!("Boomklever {n}"),
            if n == 7 {
                "Boomklever, boomklever en nog eens boomklever."
            } else {
                "Over iets anders."
            },
            false,
        )
        .await;
    }
    let mut c = app.client();
    let page = search(&mut c, "boomklever").await;
    let found = titles(&page, "agendapunten");
    assert_eq!(found.len(), 25, "at most 25 hits of a kind");
    assert_eq!(found[0], "Boomklever 7", "the best ranked first");
    // then, at equal rank, the newest first
    assert_eq!(found[1], "Boomklever 29");
    assert_eq!(
        page.select("section.search-group h2"),
        vec!["Agendapunten (25)"]
    );
}

#[tokio::test]
async fn action_lines_are_found_by_their_title() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let page = search(&mut c, "werkplekleren").await;
    let found = titles(&page, "actielijnen");
    assert!(
        found
            .iter()
            .any(|t| t.starts_with("Actielijn ") && t.ends_with(": Kwalitatief werkplekleren")),
        "{found:?}"
    );
}

#[tokio::test]
async fn a_person_found_links_to_a_day_on_which_they_sit() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let link = |p: &Page| p.attr("#groep-personen ~ ol li h3 a", "href").unwrap();
    // The 2019 mandates ended: the last day of the latest one, not today
    // (when nobody is named).
    let page = search(&mut c, "Crevits").await;
    let href = link(&page);
    assert!(
        href.starts_with("/organen/") && href.ends_with("?op=2024-09-30"),
        "{href}"
    );
    let on = c.get(&href).await;
    assert!(on.text().contains("Hilde Crevits"), "she sits on that day");
    // Sitting today: today's composition.
    sqlx::query(
        "INSERT INTO membership (body_id, person_id, organisation_id, role, side, valid_from)
         SELECT b.id, p.id, o.id, 'member', 'government', current_date - 10
         FROM body b, person p, organisation o
         WHERE b.slug = 'vesoc-overleg' AND p.slug = 'hilde-crevits'
           AND o.slug = 'vlaamse-regering'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let page = search(&mut c, "Crevits").await;
    assert_eq!(link(&page), "/organen/vesoc-overleg");
}

#[tokio::test]
async fn a_meeting_shows_its_kind_only_when_it_is_not_the_body_name() {
    let app = TestApp::seeded().await;
    app.meeting("vesoc-werkgroep", "working_group", "2030-05-01 10:00+02")
        .await;
    app.meeting("vesoc-overleg", "informal", "2030-05-02 10:00+02")
        .await;
    let mut c = app.client();
    for path in ["/vergaderingen?jaar=2030", "/"] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let text = page.text();
        assert!(text.contains("VESOC-werkgroep"), "{path}");
        assert!(
            !text.contains("VESOC-werkgroep · VESOC-werkgroep"),
            "{path}: {text}"
        );
        assert!(text.contains("informeel VESOC-overleg"), "{path}");
    }
    // The year's list: the body's name above, its kind below only if other.
    let page = c.get("/vergaderingen?jaar=2030").await;
    let metas = page.select("li.meeting .meta");
    assert_eq!(metas.len(), 2, "{metas:?}");
    assert!(!metas[0].contains("VESOC-werkgroep"), "{metas:?}");
    assert!(metas[1].contains("informeel VESOC-overleg"), "{metas:?}");
}
