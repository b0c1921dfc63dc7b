//! The agreement editor of the secretariat and the follow-up of agreements
//! by cabinets and the secretariat.

use axum::http::StatusCode;

use crate::harness::{Client, Page, TestApp};
use vesoc::auth::Role;

pub(crate) const SEEDED: &str = "/akkoorden/iedereen-aan-boord-2019";
pub(crate) const EDITOR: &str = "/beheer/akkoorden/iedereen-aan-boord-2019";

pub(crate) async fn line_id(app: &TestApp, title: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM action_line WHERE title = $1")
        .bind(title)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The version the editor shows now, as a browser would send it along.
pub(crate) async fn version(c: &mut Client, editor: &str) -> String {
    c.get(editor)
        .await
        .attr("input[name=version]", "value")
        .unwrap()
}

pub(crate) fn assert_redirect(page: &Page, prefix: &str) {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let to = page.location().unwrap_or_default();
    assert!(to.starts_with(prefix), "{to} does not start with {prefix}");
}

/// One h1, headings in order, a label for every field.
fn assert_accessible(page: &Page, what: &str) {
    assert_eq!(page.select("h1").len(), 1, "{what}: one h1");
    let html = scraper::Html::parse_document(&page.body);
    let sel = scraper::Selector::parse("main h1, main h2, main h3, main h4").unwrap();
    let mut last = 0;
    for h in html.select(&sel) {
        let level: u32 = h.value().name()[1..].parse().unwrap();
        assert!(level <= last + 1, "{what}: h{level} after h{last}");
        last = level;
    }
    let fields = scraper::Selector::parse("input:not([type=hidden]), select, textarea").unwrap();
    for f in html.select(&fields) {
        let id = f.value().attr("id").unwrap();
        assert_eq!(
            page.select(&format!("label[for={id}]")).len(),
            1,
            "{what}: label for {id}"
        );
    }
    assert!(!page.body.contains("style="), "{what}: no inline style");
    assert!(!page.body.contains("<script"), "{what}: no script");
}

#[tokio::test]
async fn the_secretariat_records_an_agreement_and_publishes_it() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let mut public = app.client();
    let vesoc = app
        .id("SELECT id FROM body WHERE slug = 'vesoc-overleg'")
        .await;

    let form = serv.get("/beheer/akkoorden/nieuw").await;
    assert_eq!(form.status, StatusCode::OK);
    assert_accessible(&form, "new agreement");
    // No formal meeting exists yet: the select says so.
    assert_eq!(
        form.select("#meeting_id option"),
        vec!["Er zijn nog geen formele vergaderingen"]
    );

    let vesoc = vesoc.to_string();
    let created = serv
        .post_form(
            "/beheer/akkoorden",
            &[
                ("title", "Werkbaar werk voor iedereen"),
                ("subtitle", "Een proefakkoord"),
                ("kind_label", "VESOC-akkoord"),
                ("body_id", &vesoc),
                ("concluded_on", ""),
                ("meeting_id", ""),
                ("period_from", "2025"),
                ("period_until", "2029"),
                (
                    "commitments",
                    "1. De partners overleggen geregeld.\n\n2. Zij volgen de\nuitvoering op.",
                ),
            ],
        )
        .await;
    assert_redirect(
        &created,
        "/beheer/akkoorden/werkbaar-werk-voor-iedereen-2025?",
    );
    let editor = "/beheer/akkoorden/werkbaar-werk-voor-iedereen-2025";
    let public_url = "/akkoorden/werkbaar-werk-voor-iedereen-2025";

    // A draft: hidden from the public, visible to signed-in users.
    assert_eq!(public.get(public_url).await.status, StatusCode::NOT_FOUND);
    assert!(
        !public
            .get("/akkoorden")
            .await
            .text()
            .contains("Werkbaar werk voor iedereen")
    );
    let page = serv.get(editor).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_accessible(&page, "editor");
    assert!(page.text().contains("ontwerp"));

    // A goal with a measurable target.
    let v = version(&mut serv, editor).await;
    let goal = serv
        .post_form(
            &format!("{editor}/doelstellingen"),
            &[
                ("text", "Meer mensen aan het werk."),
                ("target_value", "120.000"),
                ("target_unit", "personen"),
                ("baseline_value", "2.900.000"),
                ("baseline_on", "2025-01-01"),
                ("deadline", "2029-12-31"),
                ("version", &v),
            ],
        )
        .await;
    assert_redirect(&goal, editor);
    let v = version(&mut serv, editor).await;
    serv.post_form(
        &format!("{editor}/doelstellingen"),
        &[
            ("text", "Een werkzaamheidsgraad van 80 %."),
            ("target_value", "80"),
            ("target_unit", "%"),
            ("version", &v),
        ],
    )
    .await;

    // A tree of three levels: a theme, a. under it, i. under that.
    let v = version(&mut serv, editor).await;
    let theme = serv
        .post_form(
            &format!("{editor}/actielijnen"),
            &[("title", "Werkbaar werk"), ("version", &v)],
        )
        .await;
    assert_redirect(&theme, editor);
    let theme_id = line_id(&app, "Werkbaar werk").await.to_string();
    let v = version(&mut serv, editor).await;
    serv.post_form(
        &format!("{editor}/actielijnen"),
        &[
            ("title", "Begeleiding op maat"),
            ("parent_id", &theme_id),
            ("version", &v),
        ],
    )
    .await;
    let a_id = line_id(&app, "Begeleiding op maat").await.to_string();
    for title in [
        "Coaching op de werkvloer",
        "Opleiding van ervaren werknemers",
    ] {
        let v = version(&mut serv, editor).await;
        let p = serv
            .post_form(
                &format!("{editor}/actielijnen"),
                &[("title", title), ("parent_id", &a_id), ("version", &v)],
            )
            .await;
        assert_redirect(&p, editor);
    }
    // A sibling inserted right after a. becomes b.
    let v = version(&mut serv, editor).await;
    let form = serv
        .get(&format!("{editor}/actielijnen/nieuw?na={a_id}"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert_accessible(&form, "new action line");
    assert!(form.text().contains("na a. “Begeleiding op maat”"));
    serv.post_form(
        &format!("{editor}/actielijnen"),
        &[
            ("title", "Loopbaanbeleid"),
            ("after_id", &a_id),
            ("version", &v),
        ],
    )
    .await;

    // Signatories from the register, capacity as written.
    for (person, org, side, capacity) in [
        (
            "jan-jambon",
            "vlaamse-regering",
            "government",
            "Minister-president van de Vlaamse Regering",
        ),
        ("danny-van-assche", "unizo", "social-partners", "Voor UNIZO"),
    ] {
        let person = app.slug_id("person", person).await;
        let org = app.slug_id("organisation", org).await;
        let v = version(&mut serv, editor).await;
        let p = serv
            .post_form(
                &format!("{editor}/ondertekenaars"),
                &[
                    ("person_id", &person),
                    ("organisation_id", &org),
                    ("side", side),
                    ("capacity", capacity),
                    ("version", &v),
                ],
            )
            .await;
        assert_redirect(&p, editor);
    }

    // Publish: now the public reads it.
    let v = version(&mut serv, editor).await;
    let published = serv
        .post_form(&format!("{editor}/publiceren"), &[("version", &v)])
        .await;
    assert_redirect(&published, editor);
    let page = public.get(public_url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.select("h1"), vec!["Werkbaar werk voor iedereen"]);
    assert_eq!(
        page.select("ol.commitments > li"),
        vec![
            "De partners overleggen geregeld.",
            "Zij volgen de uitvoering op."
        ]
    );
    assert_eq!(
        page.select("ul.goals .target"),
        vec!["Streefwaarde 120.000 personen", "Streefwaarde 80%"]
    );
    assert!(
        page.text()
            .contains("Tegen 31 december 2029. Uitgangswaarde 2.900.000 (op 1 januari 2025).")
    );
    assert_eq!(
        page.select("ul.tree > li.depth-0 > .line-title"),
        vec!["Werkbaar werk"]
    );
    assert_eq!(page.select("li.depth-1 > .line-label"), vec!["a.", "b."]);
    assert_eq!(
        page.select("li.depth-1:first-child > ul > li.depth-2"),
        vec![
            "i. Coaching op de werkvloer",
            "ii. Opleiding van ervaren werknemers"
        ]
    );
    assert_eq!(
        page.select("li.depth-1:nth-child(2) > .line-title"),
        vec!["Loopbaanbeleid"]
    );
    assert!(page.text().contains("Voor UNIZO, Danny Van Assche"));
    assert!(page.text().contains("Periode 2025–2029"));
    assert_eq!(page.select(".signatories li").len(), 2);
    assert!(
        public
            .get("/akkoorden")
            .await
            .text()
            .contains("Werkbaar werk voor iedereen")
    );

    // Every write was logged, in its own transaction.
    let logged = app.count("SELECT count(*) FROM audit_log WHERE entity IN ('agreement', 'goal', 'action_line', 'signatory')",
    )
    .await;
    assert_eq!(logged, 1 + 2 + 5 + 2 + 1);
}

#[tokio::test]
async fn action_lines_move_up_and_down_and_keep_their_labels_in_order() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let bestuur = line_id(&app, "Goed bestuur van arbeidsmarktbeleid").await;

    let v = version(&mut serv, EDITOR).await;
    let moved = serv
        .post_form(
            &format!("{EDITOR}/actielijnen/{bestuur}/omhoog"),
            &[("version", &v)],
        )
        .await;
    assert_redirect(&moved, EDITOR);
    let page = app.client().get(SEEDED).await;
    let first_theme = "ul.tree > li.depth-0:first-child > ul > li.depth-1";
    assert_eq!(
        page.select(&format!("{first_theme} > .line-title")),
        vec![
            "Goed bestuur van arbeidsmarktbeleid",
            "Meervoudig en breed participatie- en activeringsbeleid"
        ]
    );
    assert_eq!(
        page.select(&format!("{first_theme} > .line-label")),
        vec!["a.", "b."]
    );
    // Its children came along.
    assert_eq!(
        page.select(&format!("{first_theme}:first-child > ul > li"))
            .len(),
        4
    );

    // Already first: refused, nothing changes.
    let v = version(&mut serv, EDITOR).await;
    let refused = serv
        .post_form(
            &format!("{EDITOR}/actielijnen/{bestuur}/omhoog"),
            &[("version", &v)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("staat al bovenaan"));

    // And back down: the document's order again.
    let v = version(&mut serv, EDITOR).await;
    serv.post_form(
        &format!("{EDITOR}/actielijnen/{bestuur}/omlaag"),
        &[("version", &v)],
    )
    .await;
    let page = app.client().get(SEEDED).await;
    assert_eq!(
        page.select(&format!("{first_theme} > .line-title")),
        vec![
            "Meervoudig en breed participatie- en activeringsbeleid",
            "Goed bestuur van arbeidsmarktbeleid"
        ]
    );

    // The editor offers no "up" on a first line and no "down" on a last one.
    let editor = serv.get(EDITOR).await;
    let first = line_id(&app, "Iedereen aan het werk").await;
    assert!(
        editor
            .select(&format!(
                "#lijn-{first} > .line-row form[action$='/omhoog']"
            ))
            .is_empty()
    );
    assert_eq!(
        editor
            .select(&format!(
                "#lijn-{first} > .line-row form[action$='/omlaag']"
            ))
            .len(),
        1
    );

    // Only a leaf can be deleted; its siblings are relabelled.
    let v = version(&mut serv, EDITOR).await;
    let refused = serv
        .post_form(
            &format!("{EDITOR}/actielijnen/{bestuur}/verwijderen"),
            &[("version", &v)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT count(*) FROM action_line").await, 28);
    let leaf = line_id(&app, "Evaluatie van activeringsmaatregelen").await;
    let v = version(&mut serv, EDITOR).await;
    let deleted = serv
        .post_form(
            &format!("{EDITOR}/actielijnen/{leaf}/verwijderen"),
            &[("version", &v)],
        )
        .await;
    assert_redirect(&deleted, EDITOR);
    assert_eq!(app.count("SELECT count(*) FROM action_line").await, 27);
    let page = app.client().get(SEEDED).await;
    assert_eq!(
        page.select(&format!("{first_theme}:nth-child(2) > ul > li")),
        vec![
            "i. Een sterke arbeidsmarktregie vanuit VDAB in samenwerking met de lokale besturen en andere actoren",
            "ii. Verbeterde arbeidsmarktmonitoring",
            "iii. Financieel onderbouwd VDAB managementplan"
        ]
    );
}

#[tokio::test]
async fn the_seeded_agreement_reads_the_same_after_saving_it_unchanged_in_the_editor() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let before = app.client().get(SEEDED).await.text();

    let editor = serv.get(EDITOR).await;
    assert_eq!(editor.status, StatusCode::OK);
    let value = |css: &str| editor.attr(css, "value").unwrap_or_default();
    let commitments = editor.select("textarea#commitments").join("");
    let html = scraper::Html::parse_document(&editor.body);
    let raw_commitments: String = html
        .select(&scraper::Selector::parse("textarea#commitments").unwrap())
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(commitments.contains("minstens 2 x per jaar"));
    let body = editor.attr("#body_id option[selected]", "value").unwrap();
    let introduction: String = html
        .select(&scraper::Selector::parse("textarea#introduction").unwrap())
        .next()
        .unwrap()
        .text()
        .collect();
    let saved = serv
        .post_form(
            EDITOR,
            &[
                ("title", &value("#title")),
                ("subtitle", &value("#subtitle")),
                ("kind_label", &value("#kind_label")),
                ("body_id", &body),
                ("concluded_on", &value("#concluded_on")),
                ("meeting_id", ""),
                ("period_from", &value("#period_from")),
                ("period_until", &value("#period_until")),
                ("commitments", &raw_commitments),
                ("introduction", &introduction),
                ("version", &value("input[name=version]")),
            ],
        )
        .await;
    assert_redirect(&saved, EDITOR);
    let after = app.client().get(SEEDED).await;
    assert_eq!(after.text(), before);
    assert_eq!(
        app.count("SELECT count(*) FROM agreement WHERE concluded_on IS NOT NULL")
            .await,
        0,
        "an unknown date stays unknown"
    );
    assert_eq!(
        app.id("SELECT version::bigint FROM agreement").await,
        2,
        "the save was one change"
    );
}

#[tokio::test]
async fn a_version_conflict_keeps_what_was_typed_and_overwrites_nothing() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let seen = version(&mut serv, EDITOR).await;
    let body = app
        .id("SELECT id FROM body WHERE slug = 'vesoc-overleg'")
        .await
        .to_string();
    let edit = |title: &'static str, v: String| {
        let body = body.clone();
        (title, v, body)
    };
    // A colleague saves first, from the same version.
    let (t, v, b) = edit("Eerste titel", seen.clone());
    let first = serv
        .post_form(EDITOR, &[("title", t), ("body_id", &b), ("version", &v)])
        .await;
    assert_redirect(&first, EDITOR);
    // The second save, from the version both saw, is refused.
    let (t, v, b) = edit("Tweede titel", seen.clone());
    let second = serv
        .post_form(EDITOR, &[("title", t), ("body_id", &b), ("version", &v)])
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(
        second.attr("input#title", "value").as_deref(),
        Some("Tweede titel")
    );
    assert!(second.text().contains("intussen gewijzigd"));
    let title: String = sqlx::query_scalar("SELECT title FROM agreement")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(title, "Eerste titel");

    // The same holds for a part of the agreement: a goal typed on a stale page.
    let goal = serv
        .post_form(
            &format!("{EDITOR}/doelstellingen"),
            &[("text", "Een nieuwe doelstelling"), ("version", &seen)],
        )
        .await;
    assert_eq!(goal.status, StatusCode::CONFLICT);
    assert_eq!(
        goal.select("textarea#text"),
        vec!["Een nieuwe doelstelling"]
    );
    assert_eq!(app.count("SELECT count(*) FROM goal").await, 4);
    // A stale "up" button moves nothing.
    let line = line_id(&app, "Goed bestuur van arbeidsmarktbeleid").await;
    let moved = serv
        .post_form(
            &format!("{EDITOR}/actielijnen/{line}/omhoog"),
            &[("version", &seen)],
        )
        .await;
    assert_eq!(moved.status, StatusCode::CONFLICT);
    assert_eq!(
        app.id("SELECT position::bigint FROM action_line WHERE title = 'Goed bestuur van arbeidsmarktbeleid'"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn bad_input_gets_dutch_messages_keeps_what_was_typed_and_stores_nothing() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let audit_before = app.count("SELECT count(*) FROM audit_log").await;

    let page = serv
        .post_form(
            "/beheer/akkoorden",
            &[
                ("title", "   "),
                ("subtitle", "Mijn ondertitel"),
                ("body_id", "999999"),
                ("concluded_on", "2024-02-30"),
                ("meeting_id", "abc"),
                ("period_from", "twintig"),
                ("commitments", "Eerste engagement"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.select("#title-fout"),
        vec!["Vul de titel van het akkoord in."]
    );
    assert_eq!(page.attr("#title", "aria-invalid").as_deref(), Some("true"));
    assert!(page.select("#concluded_on-fout")[0].contains("JJJJ-MM-DD"));
    assert!(page.select("#period_from-fout")[0].contains("jaartal"));
    assert!(!page.select("#body_id-fout").is_empty());
    assert!(!page.select("#meeting_id-fout").is_empty());
    assert_eq!(
        page.attr("#subtitle", "value").as_deref(),
        Some("Mijn ondertitel")
    );
    assert_eq!(
        page.attr("#concluded_on", "value").as_deref(),
        Some("2024-02-30")
    );
    assert_eq!(
        page.select("textarea#commitments"),
        vec!["Eerste engagement"]
    );
    assert_eq!(app.count("SELECT count(*) FROM agreement").await, 1);

    // A title far too long.
    let long = "x".repeat(301);
    let vesoc = app
        .id("SELECT id FROM body WHERE slug = 'vesoc-overleg'")
        .await
        .to_string();
    let page = serv
        .post_form(
            "/beheer/akkoorden",
            &[("title", &long), ("body_id", &vesoc)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.select("#title-fout")[0].contains("300"));

    // Goals: numbers as typed in Dutch, a unit with every target.
    let v = version(&mut serv, EDITOR).await;
    let page = serv
        .post_form(
            &format!("{EDITOR}/doelstellingen"),
            &[
                ("text", "Meer mensen aan het werk"),
                ("target_value", "80.5"),
                ("baseline_value", "veel"),
                ("deadline", "morgen"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.select("#target_value-fout")[0].contains("komma"));
    assert!(!page.select("#baseline_value-fout").is_empty());
    assert!(!page.select("#deadline-fout").is_empty());
    assert_eq!(page.attr("#target_value", "value").as_deref(), Some("80.5"));
    let page = serv
        .post_form(
            &format!("{EDITOR}/doelstellingen"),
            &[("text", "Iets"), ("target_value", "80"), ("version", &v)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.select("#target_unit-fout")[0].contains("eenheid"));
    assert_eq!(app.count("SELECT count(*) FROM goal").await, 4);

    // Action lines: an empty title, an unknown competence, an unknown place.
    let page = serv
        .post_form(
            &format!("{EDITOR}/actielijnen"),
            &[("title", ""), ("competence", "999999"), ("version", &v)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!page.select("#title-fout").is_empty());
    assert!(!page.select("#competences-fout").is_empty());
    let page = serv
        .post_form(
            &format!("{EDITOR}/actielijnen"),
            &[("title", "Iets"), ("parent_id", "999999"), ("version", &v)],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.count("SELECT count(*) FROM action_line").await, 28);

    // Signatories: someone who already signed, nothing chosen.
    let jambon = app
        .id("SELECT id FROM person WHERE slug = 'jan-jambon'")
        .await
        .to_string();
    let gov = app
        .id("SELECT id FROM organisation WHERE slug = 'vlaamse-regering'")
        .await
        .to_string();
    let page = serv
        .post_form(
            &format!("{EDITOR}/ondertekenaars"),
            &[
                ("person_id", &jambon),
                ("organisation_id", &gov),
                ("side", "government"),
                ("capacity", "Minister-president"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.select("#person_id-fout")[0].contains("al bij de ondertekenaars"));
    assert_eq!(
        page.attr("#capacity", "value").as_deref(),
        Some("Minister-president")
    );
    let page = serv
        .post_form(&format!("{EDITOR}/ondertekenaars"), &[("version", &v)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.select(".field-error").len(), 4);
    assert_eq!(app.count("SELECT count(*) FROM signatory").await, 11);

    // Nothing was written, not even to the audit log.
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log").await,
        audit_before
    );
    assert_eq!(app.id("SELECT version::bigint FROM agreement").await, 1);

    // Unknown ids and addresses: a Dutch 404.
    let other_line = line_id(&app, "Iedereen digitaal").await;
    for path in [
        "/beheer/akkoorden/onbekend".to_string(),
        format!("{EDITOR}/actielijnen/999999"),
        format!("{EDITOR}/actielijnen/abc"),
        format!("{EDITOR}/doelstellingen/999999"),
        format!("{EDITOR}/actielijnen/nieuw?onder=999999"),
        "/opvolging/actielijnen/999999".to_string(),
        "/opvolging/actielijnen/abc".to_string(),
        "/opvolging/doelstellingen/999999".to_string(),
        format!("/beheer/akkoorden/onbekend/actielijnen/{other_line}"),
    ] {
        let page = serv.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.select("h1"), vec!["Pagina niet gevonden"], "{path}");
    }
}

#[tokio::test]
async fn follow_up_shows_the_latest_status_and_the_history_newest_first() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let line = line_id(&app, "Kwalitatief werkplekleren").await;
    let url = format!("/opvolging/actielijnen/{line}");

    let form = serv.get(&url).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_accessible(&form, "follow-up");
    for (date, status, note) in [
        ("2024-01-10", "ongoing", "Het overleg is gestart."),
        ("2025-03-01", "delayed", "De regeling wacht op advies."),
        ("2024-06-01", "ongoing", ""),
    ] {
        let p = serv
            .post_form(
                &url,
                &[("recorded_on", date), ("status", status), ("note", note)],
            )
            .await;
        assert_redirect(&p, &url);
    }
    // The same entry twice (a double click): refused, kept, not stored.
    let twice = serv
        .post_form(
            &url,
            &[
                ("recorded_on", "2025-03-01"),
                ("status", "delayed"),
                ("note", "De regeling wacht op advies."),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.text().contains("al geregistreerd"));
    // A date in the future, no status: messages, what was typed stays.
    let bad = serv
        .post_form(
            &url,
            &[
                ("recorded_on", "2999-01-01"),
                ("status", "klaar"),
                ("note", "Mijn nota"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.select("#recorded_on-fout")[0].contains("toekomst"));
    assert_eq!(bad.select("#status-fout"), vec!["Kies een status."]);
    assert_eq!(bad.select("textarea#note"), vec!["Mijn nota"]);
    assert_eq!(app.count("SELECT count(*) FROM follow_up").await, 3);

    // The public sees the latest status and the history, newest first.
    let page = app.client().get(SEEDED).await;
    let node = format!("#actielijn-{line}");
    assert_eq!(page.select(&format!("{node} > .badge")), vec!["vertraagd"]);
    assert_eq!(
        page.select(&format!("{node} details summary")),
        vec!["Opvolging (3)"]
    );
    assert_eq!(
        page.select(&format!("{node} details .date")),
        vec!["1 maart 2025", "1 juni 2024", "10 januari 2024"]
    );
    assert!(
        page.select(&format!("{node} details li"))[0]
            .contains("vertraagd · secretariaat (SERV) De regeling wacht op advies.")
    );
    // No staff names in public.
    assert!(!page.text().contains("Test secretariaat"));
    // Lines without follow-up show neither badge nor history.
    assert_eq!(page.select("ul.tree li[id^=actielijn] > .badge").len(), 1);
    assert_eq!(page.select("ul.tree details").len(), 1);
    assert!(
        page.select(".follow-up-link").is_empty(),
        "not for the public"
    );
}

#[tokio::test]
async fn a_cabinet_follows_up_within_its_ministers_competences_only() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let mut cabinet = app.signed_in(Role::Cabinet).await;
    let theme = line_id(&app, "Iedereen aan het werk").await;
    let inside = line_id(&app, "Kwalitatief werkplekleren").await;
    let outside = line_id(&app, "Participatie aan levenslang leren verhogen").await;
    let werk = app
        .id("SELECT id FROM competence WHERE name = 'Werk'")
        .await
        .to_string();

    // The secretariat links the theme to the competence Werk.
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
    assert!(serv.get(EDITOR).await.text().contains("bevoegdheid: Werk"));

    // Crevits held Werk only during the 2019–2024 legislature: not today.
    let entry = [
        ("recorded_on", "2026-01-15"),
        ("status", "ongoing"),
        ("note", "Het kabinet meldt vooruitgang."),
    ];
    let url_in = format!("/opvolging/actielijnen/{inside}");
    assert_eq!(cabinet.get(&url_in).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        cabinet.post_form(&url_in, &entry).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.count("SELECT count(*) FROM follow_up").await, 0);

    app.crevits_holds_today("Werk").await;
    // Inside: a line below the linked theme.
    let form = cabinet.get(&url_in).await;
    assert_eq!(form.status, StatusCode::OK);
    let posted = cabinet.post_form(&url_in, &entry).await;
    assert_redirect(&posted, &url_in);
    assert_eq!(app.count("SELECT count(*) FROM follow_up").await, 1);

    // Outside: refused, and nothing stored.
    let url_out = format!("/opvolging/actielijnen/{outside}");
    assert_eq!(cabinet.get(&url_out).await.status, StatusCode::FORBIDDEN);
    let refused = cabinet.post_form(&url_out, &entry).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.select("h1"), vec!["Geen toegang"]);
    assert_eq!(app.count("SELECT count(*) FROM follow_up").await, 1);

    // On the agreement page the form is offered only where it may be used:
    // the theme and everything below it (2 + 12 + 4 lines).
    let page = cabinet.get(SEEDED).await;
    let links = page.select(".follow-up-link");
    assert_eq!(links.len(), 19);
    let html = scraper::Html::parse_document(&page.body);
    let sel = scraper::Selector::parse(".follow-up-link").unwrap();
    let hrefs: Vec<&str> = html
        .select(&sel)
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(hrefs.contains(&url_in.as_str()));
    assert!(!hrefs.contains(&url_out.as_str()));
    // Who recorded it, as the public sees it.
    let public = app.client().get(SEEDED).await;
    assert!(
        public
            .text()
            .contains("kabinet Hilde Crevits Het kabinet meldt vooruitgang.")
    );
    // The secretariat may follow up everywhere.
    assert_eq!(serv.get(&url_out).await.status, StatusCode::OK);
}

#[tokio::test]
async fn measured_values_appear_as_an_accessible_chart_against_the_target() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let goal = app.id("SELECT id FROM goal WHERE position = 1").await;
    let url = format!("/opvolging/doelstellingen/{goal}");
    let form = serv.get(&url).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_accessible(&form, "measurement");
    for (date, value) in [("2021-12-31", "35.000"), ("2022-12-31", "61.500")] {
        let p = serv
            .post_form(
                &url,
                &[("measured_on", date), ("value", value), ("note", "")],
            )
            .await;
        assert_redirect(&p, &url);
    }
    let twice = serv
        .post_form(&url, &[("measured_on", "2022-12-31"), ("value", "62.000")])
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.select("#measured_on-fout")[0].contains("al een meetwaarde"));
    assert_eq!(twice.attr("#value", "value").as_deref(), Some("62.000"));
    let bad = serv
        .post_form(&url, &[("measured_on", "2023-12-31"), ("value", "veel")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT count(*) FROM goal_measurement").await, 2);

    let page = app.client().get(SEEDED).await;
    assert_accessible(&page, "agreement with follow-up");
    let chart = format!("#doelstelling-{goal} svg[role=img]");
    let title = page.select(&format!("{chart} title"));
    assert_eq!(
        title,
        vec![
            "Gemeten waarden: 31 december 2021: 35.000; 31 december 2022: 61.500. Streefwaarde: 120.000 Vlamingen extra aan het werk."
        ]
    );
    assert_eq!(page.select(&format!("{chart} rect")).len(), 2);
    assert!(
        page.select(&format!("{chart} text"))
            .contains(&"streefwaarde 120.000".to_string())
    );
    assert_eq!(
        page.select(&format!("#doelstelling-{goal} table.measurements tbody tr")),
        vec!["31 december 2021 35.000", "31 december 2022 61.500"]
    );
    // Goals without measurements have no chart.
    assert_eq!(page.select("svg").len(), 1);
}
