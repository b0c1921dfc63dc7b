//! The schema, the seed and the public pages.

use axum::http::StatusCode;

use crate::harness::TestApp;
use vesoc::db::{MIGRATOR, seed};

/// Row counts of every table in the public schema, as one comparable list.
/// The rows per table; not the change log of the read models, which logs
/// every writing statement, also one that changed nothing, nor its list of
/// watched tables (written by its migration).
async fn table_counts(app: &TestApp) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
           AND table_name NOT IN ('_sqlx_migrations', 'table_change', 'watched_table')
         ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let mut counts = Vec::new();
    for t in tables {
        // Table names come from the catalogue, not from users.
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{t}\""))
            .fetch_one(&app.db)
            .await
            .unwrap();
        counts.push((t, n));
    }
    counts
}

#[tokio::test]
async fn migrations_bring_an_empty_database_to_the_schema_and_run_again_changes_nothing() {
    let app = TestApp::empty().await;
    let tables = table_counts(&app).await;
    for expected in [
        "organisation",
        "person",
        "body",
        "membership",
        "minister_competence",
        "meeting",
        "meeting_participant",
        "minutes",
        "agenda_item",
        "document",
        "agreement",
        "goal",
        "action_line",
        "signatory",
        "follow_up",
        "account",
        "audit_log",
        "one_time_token",
    ] {
        assert!(
            tables.iter().any(|(t, _)| t == expected),
            "table {expected} missing"
        );
    }
    assert!(
        tables.iter().all(|(_, n)| *n == 0),
        "an empty database has no rows: {tables:?}"
    );
    let applied = app.count("SELECT count(*) FROM _sqlx_migrations").await;
    MIGRATOR.run(&app.db).await.unwrap();
    assert_eq!(
        app.count("SELECT count(*) FROM _sqlx_migrations").await,
        applied
    );
    assert_eq!(table_counts(&app).await, tables);
}

#[tokio::test]
async fn seeding_twice_gives_the_same_rows() {
    let app = TestApp::empty().await;
    let added = seed::seed(&app.db).await.unwrap();
    assert!(
        added > 50,
        "the first seed adds the documents' data ({added} rows)"
    );
    let first = table_counts(&app).await;
    let digest = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM (
                    SELECT row(m.*)::text AS t FROM membership m
                    UNION ALL SELECT row(a.*)::text FROM action_line a
                    UNION ALL SELECT row(s.*)::text FROM signatory s) x",
            )
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let before = digest(&app).await;
    assert_eq!(
        seed::seed(&app.db).await.unwrap(),
        0,
        "nothing is added the second time"
    );
    assert_eq!(table_counts(&app).await, first);
    assert_eq!(digest(&app).await, before);
    // The first seed was logged once; the second, which changed nothing, not.
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'seed'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_seed_holds_the_documents_and_nothing_invented() {
    let app = TestApp::seeded().await;
    assert_eq!(app.count("SELECT count(*) FROM body").await, 2);
    assert_eq!(app.count("SELECT count(*) FROM organisation").await, 11);
    // 4 ministers, 7 social-partner signatories, 3 SERV contact persons.
    assert_eq!(app.count("SELECT count(*) FROM person").await, 14);
    assert_eq!(app.count("SELECT count(*) FROM signatory").await, 11);
    assert_eq!(app.count("SELECT count(*) FROM action_line").await, 28);
    assert_eq!(
        app.count("SELECT count(*) FROM agreement_commitment").await,
        3
    );
    assert_eq!(app.count("SELECT count(*) FROM goal").await, 4);
    // The document gives no date of signature: none is made up.
    assert_eq!(
        app.count("SELECT count(*) FROM agreement WHERE concluded_on IS NOT NULL")
            .await,
        0
    );
    // No meetings are invented either.
    assert_eq!(app.count("SELECT count(*) FROM meeting").await, 0);
    // The rule: 16 social-partner seats, 4 ministers.
    assert_eq!(
        app.count("SELECT sum(seat_count) FROM seat_rule r JOIN body b ON b.id = r.body_id WHERE b.slug = 'vesoc-overleg' AND side = 'social_partners'").await,
        16
    );
}

#[tokio::test]
async fn the_overlap_constraint_refuses_a_double_membership() {
    let app = TestApp::seeded().await;
    let insert = |from: &'static str, until: &'static str, role: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query(
                "INSERT INTO membership (body_id, person_id, organisation_id, role, side, valid_from, valid_until)
                 SELECT b.id, p.id, o.id, $3::membership_role, 'government', $1::date, $2::date
                 FROM body b, person p, organisation o
                 WHERE b.slug = 'vesoc-overleg' AND p.slug = 'jan-jambon' AND o.slug = 'vlaamse-regering'",
            )
            .bind(from)
            .bind(until)
            .bind(role)
            .execute(&db)
            .await
        }
    };
    // Jan Jambon chairs from 2019-10-02 to 2024-09-30: a second chair
    // mandate inside that period is refused by the database itself.
    let err = insert("2021-01-01", "2021-12-31", "chair")
        .await
        .unwrap_err();
    assert_eq!(
        vesoc::base::error::violated_constraint(&err),
        Some("membership_no_overlap")
    );
    // Touching on the last day is an overlap too (periods are inclusive).
    let err = insert("2024-09-30", "2025-01-01", "chair")
        .await
        .unwrap_err();
    assert_eq!(
        vesoc::base::error::violated_constraint(&err),
        Some("membership_no_overlap")
    );
    // The day after is fine, and so is another role in the same period.
    insert("2024-10-01", "2024-12-31", "chair").await.unwrap();
    insert("2021-01-01", "2021-12-31", "member").await.unwrap();
}

#[tokio::test]
async fn the_composition_on_a_past_date_shows_the_2019_mandates_and_the_chair() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let page = c.get("/organen/vesoc-overleg?op=2020-01-01").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("Samenstelling op 1 januari 2020"), "{text}");
    let chair = page.select("tr.chair th");
    assert_eq!(chair.len(), 1);
    assert!(
        chair[0].starts_with("Jan Jambon Minister-president"),
        "{chair:?}"
    );
    assert_eq!(page.select("tr.chair .badge"), vec!["voorzitter"]);
    let government = page.select("section.side-government tbody th");
    assert_eq!(
        government,
        vec![
            "Jan Jambon Minister-president van de Vlaamse Regering en Vlaams minister van Buitenlandse Zaken, Cultuur, ICT en Facilitair Management",
            "Hilde Crevits Vice minister-president en Vlaams minister van Economie, Innovatie, Werk, Sociale economie en Landbouw",
            "Bart Somers Vice minister-president en Vlaams minister van Binnenlands Bestuur, Bestuurszaken, Inburgering en Gelijke Kansen",
            "Ben Weyts Vice minister-president en Vlaams minister van Onderwijs, Sport, Dierenwelzijn en Vlaamse Rand",
        ]
    );
    let partners = page.select("section.side-social-partners tbody tr:not(.open) th");
    assert_eq!(partners.len(), 7);
    for name in [
        "Danny Van Assche",
        "Ann Vermorgen",
        "Hans Maertens",
        "Caroline Copers",
        "Sonja De Becker",
        "Ingrid Lieten",
        "Gert Truyens",
    ] {
        assert!(partners.iter().any(|p| p == name), "{name} in {partners:?}");
    }
    // 16 seats, 7 named: 9 open.
    assert_eq!(
        page.select("section.side-social-partners tr.open th"),
        vec!["9 open zetels"]
    );
    // The advisory seats are named by function, not by person.
    assert_eq!(page.select("section.side-advisory tr.open").len(), 4);
    assert!(page.text().contains("Pieter Kerremans, Helga Coppen"));
    // The date field keeps the chosen date.
    assert_eq!(
        page.attr("input#op", "value").as_deref(),
        Some("2020-01-01")
    );
}

#[tokio::test]
async fn the_composition_today_shows_the_2019_seats_as_open() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let page = c.get("/organen/vesoc-overleg").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Samenstelling vandaag"));
    assert!(page.select("tr.chair").is_empty());
    assert!(!page.text().contains("Jan Jambon"));
    assert_eq!(
        page.select("section.side-government tr.open th"),
        vec!["4 open zetels"]
    );
    assert_eq!(
        page.select("section.side-social-partners tr.open th"),
        vec!["16 open zetels"]
    );
    // The day after the legislature ended, nobody; its last day, everybody.
    let after = c.get("/organen/vesoc-overleg?op=2024-10-01").await;
    assert!(!after.text().contains("Jan Jambon"));
    let last = c.get("/organen/vesoc-overleg?op=2024-09-30").await;
    assert!(last.text().contains("Jan Jambon"));
}

#[tokio::test]
async fn the_working_group_page_shows_its_rules_and_contact() {
    let app = TestApp::seeded().await;
    let page = app.client().get("/organen/vesoc-werkgroep").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("in principe maandelijks"), "{text}");
    assert!(
        text.contains("Een vertegenwoordiger van de minister-president zit de vergadering voor")
    );
    assert!(text.contains("Sandra Hellings"));
    assert!(text.contains("kabinetten van de VESOC-ministers, kabinet Werk"));
}

#[tokio::test]
async fn a_malformed_date_gets_a_dutch_message_and_keeps_what_was_typed() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    for bad in [
        "2020-13-01",
        "gisteren",
        "2023-02-29",
        "2020-01-01%27%20OR%201=1",
    ] {
        let page = c.get(&format!("/organen/vesoc-overleg?op={bad}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
        let error = page.select("#op-fout");
        assert_eq!(error.len(), 1, "{bad}");
        assert!(error[0].contains("geen geldige datum"), "{error:?}");
        let typed = page.attr("input#op", "value").unwrap();
        assert_eq!(typed, urlencoding_decode(bad));
    }
}

fn urlencoding_decode(s: &str) -> String {
    form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

#[tokio::test]
async fn the_agreement_reads_as_in_the_document() {
    let app = TestApp::seeded().await;
    let page = app.client().get("/akkoorden/iedereen-aan-boord-2019").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.select("h1"),
        vec!["Iedereen aan boord – samen voor meer mensen aan de slag"]
    );
    assert_eq!(
        page.select(".subtitle"),
        vec!["120 000 mensen extra aan het werk"]
    );
    assert_eq!(page.select("ol.commitments > li").len(), 3);
    let goals = page.select("ul.goals .target");
    assert_eq!(
        goals,
        vec![
            "Streefwaarde 120.000 Vlamingen extra aan het werk",
            "Streefwaarde 80% werkzaamheidsgraad"
        ]
    );
    let top: Vec<String> = page.select("ul.tree > li.depth-0 > .line-title");
    assert_eq!(
        top,
        vec![
            "Iedereen aan het werk",
            "Iedereen duurzaam aan het werk houden",
            "Excellent Onderwijs én ontwikkelen van levenslang leren",
            "Iedereen digitaal",
        ]
    );
    // The tree nests as in the document: a. has twelve points, b. four.
    assert_eq!(
        page.select("ul.tree > li.depth-0 > ul > li.depth-1").len(),
        8
    );
    let first_a =
        page.select("ul.tree > li.depth-0:first-child > ul > li.depth-1:first-child > ul > li");
    assert_eq!(first_a.len(), 12);
    assert_eq!(first_a[11], "xii. Kwalitatief werkplekleren");
    assert_eq!(page.select("li.depth-2").len(), 16);
    let labels = page.select(
        "ul.tree > li.depth-0:first-child > ul > li.depth-1:nth-child(2) > ul > li > .line-label",
    );
    assert_eq!(labels, vec!["i.", "ii.", "iii.", "iv."]);
    // Eleven signatories with the capacity as written.
    let text = page.text();
    assert!(text.contains("Jan Jambon Minister-president van de Vlaamse Regering en Vlaams minister van Buitenlandse Zaken, Cultuur, ICT en Facilitair Management"));
    assert!(text.contains("Voor ACLVB, Gert Truyens"));
    assert_eq!(page.select(".signatories li").len(), 11);
    assert!(text.contains("niet vermeld in het document"));
}

#[tokio::test]
async fn public_pages_show_the_seeded_data() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text().contains("(In)formeel VESOC-overleg"));
    assert!(home.text().contains("Iedereen aan boord"));
    assert!(home.text().contains("Er zijn geen vergaderingen gepland."));
    let bodies = c.get("/organen").await;
    assert_eq!(
        bodies.select("ul.cards h2"),
        vec!["(In)formeel VESOC-overleg", "VESOC-werkgroep"]
    );
    let list = c.get("/akkoorden").await;
    assert_eq!(list.select("ul.cards h2").len(), 1);
}

#[tokio::test]
async fn drafts_are_hidden_from_the_public() {
    let app = TestApp::seeded().await;
    sqlx::query("UPDATE agreement SET status = 'draft', published_at = NULL")
        .execute(&app.db)
        .await
        .unwrap();
    let mut anonymous = app.client();
    assert_eq!(
        anonymous
            .get("/akkoorden/iedereen-aan-boord-2019")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        anonymous
            .get("/akkoorden")
            .await
            .select("ul.cards h2")
            .is_empty()
    );
    let mut staff = app.signed_in(vesoc::auth::Role::Secretariat).await;
    let page = staff.get("/akkoorden/iedereen-aan-boord-2019").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("ontwerp, niet gepubliceerd"));
}

#[tokio::test]
async fn unknown_pages_and_ids_give_a_dutch_404() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    for path in [
        "/bestaat-niet",
        "/organen/onbekend",
        "/akkoorden/onbekend",
        "/organen/vesoc-overleg/extra",
    ] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.select("h1"), vec!["Pagina niet gevonden"], "{path}");
        assert!(page.body.contains("lang=\"nl-BE\""));
    }
    // A method the route does not have: a Dutch page too, not axum's plain text.
    let page = c.post_form("/organen", &[]).await;
    assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(page.select("h1"), vec!["Niet toegelaten"]);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    for path in [
        "/",
        "/bestaat-niet",
        "/static/vesoc.css",
        "/organen/vesoc-overleg?op=fout",
    ] {
        let page = c.get(path).await;
        let csp = page
            .headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"),
            "{path}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(
            page.headers.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert!(page.headers.get("referrer-policy").is_some(), "{path}");
        assert!(
            page.headers.get("strict-transport-security").is_none(),
            "no HSTS over plain http"
        );
    }
    let css = c.get("/static/vesoc.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

#[tokio::test]
async fn pages_are_valid_enough_html5_with_landmarks_and_ordered_headings() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    for path in [
        "/",
        "/organen",
        "/organen/vesoc-overleg?op=2020-01-01",
        "/akkoorden",
        "/akkoorden/iedereen-aan-boord-2019",
        "/aanmelden",
    ] {
        let page = c.get(path).await;
        assert!(page.body.starts_with("<!doctype html>"), "{path}");
        assert_eq!(page.select("main").len(), 1, "{path}");
        assert_eq!(page.select("header.site").len(), 1, "{path}");
        assert_eq!(page.select("h1").len(), 1, "{path}: one h1");
        // Headings never skip a level going down.
        let html = scraper::Html::parse_document(&page.body);
        let sel = scraper::Selector::parse("main h1, main h2, main h3, main h4").unwrap();
        let mut last = 0;
        for h in html.select(&sel) {
            let level: u32 = h.value().name()[1..].parse().unwrap();
            assert!(level <= last + 1, "{path}: h{level} after h{last}");
            last = level;
        }
        // Every form field has a label.
        let fields =
            scraper::Selector::parse("input:not([type=hidden]):not([hidden]), select, textarea")
                .unwrap();
        for f in html.select(&fields) {
            let id = f
                .value()
                .attr("id")
                .unwrap_or_else(|| panic!("{path}: field without id"));
            assert_eq!(
                page.select(&format!("label[for={id}]")).len(),
                1,
                "{path}: label for {id}"
            );
        }
    }
}
