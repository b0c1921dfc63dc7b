//! Agenda items: proposals, review, the agenda builder, the printable agenda.

use axum::http::StatusCode;

use crate::harness::{Client, Page, TestApp};
use vesoc::auth::Role;

async fn propose(c: &mut Client, body: &str, title: &str, extra: &[(&str, &str)]) -> Page {
    let mut fields = vec![
        ("title", title),
        ("explanation", "Waarom dit op de agenda moet."),
        ("kind", "discussion"),
        ("body_id", body),
    ];
    fields.extend_from_slice(extra);
    c.post_form("/agendapunten", &fields).await
}

async fn status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status::text FROM agenda_item WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn review(
    app: &TestApp,
    c: &mut Client,
    id: i64,
    besluit: &str,
    meeting: &str,
    comment: &str,
) -> Page {
    let v = app.version("agenda_item", id).await;
    c.post_form(
        &format!("/agendapunten/{id}/beoordelen"),
        &[
            ("besluit", besluit),
            ("meeting_id", meeting),
            ("comment", comment),
            ("version", &v),
        ],
    )
    .await
}

/// How most tests begin: the seeded app, a social partner and the
/// secretariat signed in, the working group (its id as a form sends it)
/// and a meeting of it at `starts`.
async fn start(starts: &str) -> (TestApp, Client, Client, String, i64) {
    let app = TestApp::seeded().await;
    let partner = app.signed_in(Role::SocialPartner).await;
    let staff = app.signed_in(Role::Secretariat).await;
    let wg = app.slug_id("body", "vesoc-werkgroep").await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", starts)
        .await;
    (app, partner, staff, wg, meeting)
}

async fn events(app: &TestApp, id: i64) -> Vec<(Option<String>, String)> {
    sqlx::query_as(
        "SELECT from_status::text, to_status::text FROM agenda_item_event WHERE agenda_item_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn submit_accept_order_and_record_the_outcome() {
    let (app, mut partner, mut staff, wg, meeting) = start("2026-06-10 10:00+02").await;
    let onderwijs = app
        .id("SELECT id FROM competence WHERE name = 'Onderwijs'")
        .await
        .to_string();

    let form = partner.get("/agendapunten/nieuw").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.select("button[type=submit]")
            .contains(&"Indienen".to_string())
    );

    let page = propose(
        &mut partner,
        &wg,
        "Duaal leren in de zorg",
        &[
            ("competence", &onderwijs),
            ("meeting_id", &meeting.to_string()),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let id = page.redirect_id("/agendapunten/");
    assert_eq!(status(&app, id).await, "submitted");
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM agenda_item_competence WHERE agenda_item_id = {id}"
        ))
        .await,
        1
    );
    let mine = partner.get("/agendapunten").await;
    assert!(
        mine.text().contains("Duaal leren in de zorg"),
        "{}",
        mine.text()
    );
    assert!(mine.text().contains("ingediend"));
    let queue = staff.get("/beheer/agendapunten").await;
    assert!(queue.text().contains("Duaal leren in de zorg"));
    assert!(queue.text().contains("ACV"), "{}", queue.text());

    // Accepting needs a meeting.
    let page = review(&app, &mut staff, id, "accept", "", "").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("Kies de vergadering"));
    assert_eq!(status(&app, id).await, "submitted");
    let page = review(&app, &mut staff, id, "accept", &meeting.to_string(), "").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(status(&app, id).await, "accepted");

    // The secretariat's own item goes at the end.
    let page = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/agenda/punt"),
            &[
                (
                    "title",
                    "Goedkeuring van het verslag van de vorige vergadering",
                ),
                ("kind", "decision"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let builder = staff.get(&format!("/vergaderingen/{meeting}/agenda")).await;
    assert_eq!(builder.status, StatusCode::OK);
    assert_eq!(
        builder.select("li.agenda-entry .line-label"),
        vec!["1", "2"]
    );
    let own: i64 = sqlx::query_scalar("SELECT id FROM agenda_item WHERE title LIKE 'Goedkeuring%'")
        .fetch_one(&app.db)
        .await
        .unwrap();

    // Move the minutes up: numbers follow the order while the meeting is planned.
    let page = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/agenda/verplaatsen"),
            &[("item_id", &own.to_string()), ("richting", "op")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let builder = staff.get(&format!("/vergaderingen/{meeting}/agenda")).await;
    let entries = builder.select("li.agenda-entry .entry-head");
    assert!(entries[0].starts_with("1 Goedkeuring"), "{entries:?}");
    assert!(entries[1].starts_with("2 Duaal leren"), "{entries:?}");

    // Once convened, numbers stay put.
    sqlx::query("UPDATE meeting SET status = 'convened' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    staff
        .post_form(
            &format!("/vergaderingen/{meeting}/agenda/verplaatsen"),
            &[("item_id", &id.to_string()), ("richting", "op")],
        )
        .await;
    let builder = staff.get(&format!("/vergaderingen/{meeting}/agenda")).await;
    let entries = builder.select("li.agenda-entry .entry-head");
    assert!(entries[0].starts_with("2 Duaal leren"), "{entries:?}");
    assert!(entries[1].starts_with("1 Goedkeuring"), "{entries:?}");

    // The meeting page shows the agenda with numbers.
    let shown = partner.get(&format!("/vergaderingen/{meeting}")).await;
    assert_eq!(shown.select("ol.agenda li .line-label"), vec!["2", "1"]);

    // Outcome: a decision needs its text.
    let v = app.version("agenda_item", id).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/agenda/afhandelen"),
            &[
                ("item_id", &id.to_string()),
                ("outcome", "decided"),
                ("decision_text", " "),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("Vul de tekst van de beslissing in"));
    assert_eq!(status(&app, id).await, "accepted");
    let page = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/agenda/afhandelen"),
            &[
                ("item_id", &id.to_string()),
                ("outcome", "decided"),
                ("decision_text", "De werkgroep werkt een voorstel uit."),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(status(&app, id).await, "dealt_with");
    assert_eq!(
        events(&app, id).await,
        vec![
            (None, "submitted".into()),
            (Some("submitted".into()), "accepted".into()),
            (Some("accepted".into()), "dealt_with".into()),
        ]
    );
    let item = partner.get(&format!("/agendapunten/{id}")).await;
    assert_eq!(item.status, StatusCode::OK);
    let history = item.select("ol.history li");
    assert_eq!(history.len(), 3, "{history:?}");
    assert!(history[2].contains("behandeld"));
    // The decision itself reaches the members with the minutes
    // (`decision_visible`): not yet.
    assert!(!item.text().contains("De werkgroep werkt een voorstel uit."));
    sqlx::query("INSERT INTO minutes (meeting_id, text, status) VALUES ($1, 'Verslag.', 'sent')")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    let item = partner.get(&format!("/agendapunten/{id}")).await;
    assert!(item.text().contains("De werkgroep werkt een voorstel uit."));
    assert!(
        app.count(&format!(
            "SELECT count(*) FROM audit_log WHERE entity = 'agenda_item' AND entity_id = '{id}'"
        ))
        .await
            >= 3
    );
}

#[tokio::test]
async fn a_rejected_proposal_shows_the_reason_to_the_proposer() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let wg = app.slug_id("body", "vesoc-werkgroep").await;
    let id = propose(&mut partner, &wg, "Een punt te veel", &[])
        .await
        .redirect_id("/agendapunten/");
    let page = review(&app, &mut staff, id, "reject", "", "  ").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("Geef de reden"));
    assert_eq!(status(&app, id).await, "submitted");
    let page = review(
        &app,
        &mut staff,
        id,
        "reject",
        "",
        "Dit hoort thuis in de SERV-raad.",
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, "rejected");
    let mine = partner.get("/agendapunten").await;
    assert!(
        mine.select("td.answer")
            .contains(&"Dit hoort thuis in de SERV-raad.".to_string())
    );
    assert!(mine.text().contains("afgewezen"));
    let item = partner.get(&format!("/agendapunten/{id}")).await;
    assert!(item.text().contains("Dit hoort thuis in de SERV-raad."));
    // Decided once: a second decision is refused.
    let page = review(&app, &mut staff, id, "return", "", "toch nog iets").await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(status(&app, id).await, "rejected");
}

#[tokio::test]
async fn a_proposer_withdraws_a_proposal() {
    let app = TestApp::seeded().await;
    let mut cabinet = app.signed_in(Role::Cabinet).await;
    let wg = app.slug_id("body", "vesoc-werkgroep").await;
    let page = propose(&mut cabinet, &wg, "Onderwijsbeleid en arbeidsmarkt", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let id = page.redirect_id("/agendapunten/");
    let item = cabinet.get(&format!("/agendapunten/{id}")).await;
    assert!(
        item.text().contains("kabinet Hilde Crevits"),
        "{}",
        item.text()
    );
    let v = app.version("agenda_item", id).await;
    let page = cabinet
        .post_form(&format!("/agendapunten/{id}/intrekken"), &[("version", &v)])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, "withdrawn");
    // No way back, and nothing to edit.
    let v = app.version("agenda_item", id).await;
    let page = cabinet
        .post_form(&format!("/agendapunten/{id}/intrekken"), &[("version", &v)])
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.text().contains("kan niet meer ingetrokken worden"));
    let page = cabinet.get(&format!("/agendapunten/{id}/bewerken")).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(
        events(&app, id).await.last().unwrap().1,
        "withdrawn".to_string()
    );
}

#[tokio::test]
async fn returned_for_changes_then_resubmitted() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let wg = app.slug_id("body", "vesoc-werkgroep").await;
    let id = propose(&mut partner, &wg, "Opleidingsincentives", &[])
        .await
        .redirect_id("/agendapunten/");
    // Taken into review, the proposal is no longer the proposer's to change.
    let page = review(&app, &mut staff, id, "review", "", "").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, "in_review");
    let form = partner.get(&format!("/agendapunten/{id}/bewerken")).await;
    assert_eq!(form.status, StatusCode::CONFLICT);
    let page = review(
        &app,
        &mut staff,
        id,
        "return",
        "",
        "Voeg de cijfers van 2025 toe.",
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, "returned");
    let item = partner.get(&format!("/agendapunten/{id}")).await;
    assert!(item.text().contains("Voeg de cijfers van 2025 toe."));
    let form = partner.get(&format!("/agendapunten/{id}/bewerken")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        form.attr("#title", "value").as_deref(),
        Some("Opleidingsincentives")
    );
    assert!(
        form.select("button[type=submit]")
            .contains(&"Opnieuw indienen".to_string())
    );
    let v = app.version("agenda_item", id).await;
    let page = partner
        .post_form(
            &format!("/agendapunten/{id}/bewerken"),
            &[
                ("title", "Opleidingsincentives, met de cijfers van 2025"),
                ("explanation", "Nu met cijfers."),
                ("kind", "decision"),
                ("body_id", &wg),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(status(&app, id).await, "submitted");
    assert_eq!(
        events(&app, id).await,
        vec![
            (None, "submitted".into()),
            (Some("submitted".into()), "in_review".into()),
            (Some("in_review".into()), "returned".into()),
            (Some("returned".into()), "submitted".into()),
        ]
    );
    let queue = staff.get("/beheer/agendapunten").await;
    assert!(queue.text().contains("met de cijfers van 2025"));
}

#[tokio::test]
async fn deferral_and_carry_over() {
    let (app, mut partner, mut staff, wg, m1) = start("2026-06-10 10:00+02").await;
    let m2 = app
        .meeting("vesoc-werkgroep", "working_group", "2026-07-08 10:00+02")
        .await;
    let id = propose(&mut partner, &wg, "Loopbaanbegeleiding", &[])
        .await
        .redirect_id("/agendapunten/");
    // Deferred without a meeting: still waiting in the queue.
    let page = review(
        &app,
        &mut staff,
        id,
        "defer",
        "",
        "Eerst het advies afwachten.",
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, id).await, "deferred");
    let queue = staff.get("/beheer/agendapunten").await;
    assert!(queue.text().contains("Loopbaanbegeleiding"));
    assert!(
        partner
            .get("/agendapunten")
            .await
            .text()
            .contains("uitgesteld")
    );
    let page = review(&app, &mut staff, id, "accept", &m1.to_string(), "").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    // Carried over: only to a later meeting of the same body.
    let v = app.version("agenda_item", id).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{m1}/agenda/doorschuiven"),
            &[
                ("item_id", &id.to_string()),
                ("meeting_id", &m1.to_string()),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("Kies een latere vergadering"));
    let page = staff
        .post_form(
            &format!("/vergaderingen/{m1}/agenda/doorschuiven"),
            &[
                ("item_id", &id.to_string()),
                ("meeting_id", &m2.to_string()),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(status(&app, id).await, "deferred");
    let copy: (i64, String, Option<String>) = sqlx::query_as(
        "SELECT id, status::text, number FROM agenda_item WHERE carried_over_from_id = $1 AND meeting_id = $2",
    )
    .bind(id)
    .bind(m2)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(copy.1, "accepted");
    assert_eq!(copy.2.as_deref(), Some("1"));
    let b1 = staff.get(&format!("/vergaderingen/{m1}/agenda")).await;
    assert!(!b1.text().contains("Loopbaanbegeleiding"));
    let b2 = staff.get(&format!("/vergaderingen/{m2}/agenda")).await;
    assert!(b2.text().contains("Loopbaanbegeleiding"));
    // The proposer sees where it went.
    let item = partner.get(&format!("/agendapunten/{id}")).await;
    assert!(
        item.text()
            .contains("Doorgeschoven naar de vergadering van"),
        "{}",
        item.text()
    );
}

#[tokio::test]
async fn proposers_see_only_their_own_items() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let mut cabinet = app.signed_in(Role::Cabinet).await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let wg = app.slug_id("body", "vesoc-werkgroep").await;
    let id = propose(&mut partner, &wg, "Enkel voor ACV", &[])
        .await
        .redirect_id("/agendapunten/");
    assert_eq!(
        cabinet.get(&format!("/agendapunten/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        cabinet
            .get(&format!("/agendapunten/{id}/bewerken"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let v = app.version("agenda_item", id).await;
    assert_eq!(
        cabinet
            .post_form(&format!("/agendapunten/{id}/intrekken"), &[("version", &v)])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !cabinet
            .get("/agendapunten")
            .await
            .text()
            .contains("Enkel voor ACV")
    );
    assert_eq!(status(&app, id).await, "submitted");
    assert_eq!(
        partner.get("/agendapunten/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        partner.get("/agendapunten/abc").await.status,
        StatusCode::NOT_FOUND
    );
    // The secretariat reviews every item, but does not edit someone else's.
    assert_eq!(
        staff.get(&format!("/agendapunten/{id}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        staff
            .get(&format!("/agendapunten/{id}/bewerken"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn confidential_items_stay_off_the_public_agenda() {
    let (app, mut partner, mut staff, wg, m) = start("2026-06-10 10:00+02").await;
    let open = propose(&mut partner, &wg, "Openbaar punt", &[])
        .await
        .redirect_id("/agendapunten/");
    let secret = propose(
        &mut partner,
        &wg,
        "Geheime loonnorm",
        &[("confidential", "1")],
    )
    .await
    .redirect_id("/agendapunten/");
    for id in [open, secret] {
        let page = review(&app, &mut staff, id, "accept", &m.to_string(), "").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    let mut public = app.client();
    for path in [
        format!("/vergaderingen/{m}"),
        format!("/vergaderingen/{m}/agenda/afdrukken"),
    ] {
        let page = public.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("Openbaar punt"), "{path}");
        assert!(!page.body.contains("Geheime loonnorm"), "{path}");
        let inside = staff.get(&path).await;
        assert!(inside.text().contains("Geheime loonnorm"), "{path}");
    }
    let print = staff
        .get(&format!("/vergaderingen/{m}/agenda/afdrukken"))
        .await;
    assert_eq!(
        print.select("table.print-agenda tbody tr td.number"),
        vec!["1", "2"]
    );
    assert!(print.text().contains("ACV"));
    assert!(print.text().contains("ter bespreking"));
}

#[tokio::test]
async fn a_stale_version_is_refused_and_overwrites_nothing() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let wg = app.slug_id("body", "vesoc-werkgroep").await;
    let id = propose(&mut partner, &wg, "Eerste titel", &[])
        .await
        .redirect_id("/agendapunten/");
    let stale = app.version("agenda_item", id).await;
    let page = partner
        .post_form(
            &format!("/agendapunten/{id}/bewerken"),
            &[
                ("title", "Tweede titel"),
                ("kind", "information"),
                ("body_id", &wg),
                ("version", &stale),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = partner
        .post_form(
            &format!("/agendapunten/{id}/bewerken"),
            &[
                ("title", "Derde titel"),
                ("kind", "information"),
                ("body_id", &wg),
                ("version", &stale),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.text().contains("intussen gewijzigd"));
    assert_eq!(page.attr("#title", "value").as_deref(), Some("Derde titel"));
    let title: String = sqlx::query_scalar("SELECT title FROM agenda_item WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(title, "Tweede titel");
    // The secretariat deciding on what it saw before the change.
    let page = staff
        .post_form(
            &format!("/agendapunten/{id}/beoordelen"),
            &[
                ("besluit", "reject"),
                ("comment", "Nee."),
                ("version", &stale),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.text().contains("Nee."));
    assert_eq!(status(&app, id).await, "submitted");
}

#[tokio::test]
async fn bad_input_is_explained_and_nothing_is_stored() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let before = app.count("SELECT count(*) FROM agenda_item").await;
    let page = partner
        .post_form(
            "/agendapunten",
            &[
                ("title", "   "),
                ("explanation", "Mijn uitleg blijft staan"),
                ("kind", "verzoek"),
                ("body_id", "abc"),
                ("meeting_id", "12345678"),
                ("competence", "999999"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = page.select(".field-error");
    assert!(
        errors.contains(&"Vul een titel in.".to_string()),
        "{errors:?}"
    );
    assert!(
        errors.contains(&"Kies een orgaan.".to_string()),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("ter informatie")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("geplande vergadering")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("bevoegdheden")),
        "{errors:?}"
    );
    assert!(page.text().contains("Mijn uitleg blijft staan"));
    let wg = app.slug_id("body", "vesoc-werkgroep").await;
    let long = "x".repeat(301);
    let page = propose(&mut partner, &wg, &long, &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("hoogstens 300 tekens"));
    assert_eq!(app.count("SELECT count(*) FROM agenda_item").await, before);
    // Unknown decision, unknown direction: refused, never a 500.
    let id = propose(&mut partner, &wg, "Goed punt", &[])
        .await
        .redirect_id("/agendapunten/");
    let mut staff = app.signed_in(Role::Secretariat).await;
    let page = review(&app, &mut staff, id, "wegwerken", "", "").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(status(&app, id).await, "submitted");
    let m = app
        .meeting("vesoc-werkgroep", "working_group", "2026-06-10 10:00+02")
        .await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{m}/agenda/verplaatsen"),
            &[("item_id", &id.to_string()), ("richting", "zijwaarts")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let page = staff
        .post_form(
            &format!("/vergaderingen/{m}/agenda/punt"),
            &[("title", ""), ("kind", "decision")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("Vul een titel in."));
}

#[tokio::test]
async fn a_proposal_starts_from_the_meeting_page() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let m = app
        .meeting("vesoc-werkgroep", "working_group", "2026-06-10 10:00+02")
        .await;
    let page = partner.get(&format!("/vergaderingen/{m}")).await;
    let link = format!("/agendapunten/nieuw?vergadering={m}");
    assert_eq!(
        page.attr(&format!("a[href='{link}']"), "href").as_deref(),
        Some(link.as_str())
    );
    let form = partner.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        form.attr("#meeting_id option[selected]", "value"),
        Some(m.to_string())
    );
    // Nobody who is not signed in is offered it.
    let public = app.client().get(&format!("/vergaderingen/{m}")).await;
    assert!(public.attr(&format!("a[href='{link}']"), "href").is_none());
}

#[tokio::test]
async fn every_agenda_page_has_one_heading_and_labelled_fields() {
    let (app, mut partner, mut staff, wg, m) = start("2026-06-10 10:00+02").await;
    let id = propose(&mut partner, &wg, "Een punt", &[])
        .await
        .redirect_id("/agendapunten/");
    review(&app, &mut staff, id, "accept", &m.to_string(), "").await;
    let own = propose(&mut partner, &wg, "Nog een punt", &[])
        .await
        .redirect_id("/agendapunten/");
    for (c, path) in [
        (false, "/agendapunten".to_string()),
        (false, "/agendapunten/nieuw".to_string()),
        (false, format!("/agendapunten/{own}")),
        (false, format!("/agendapunten/{own}/bewerken")),
        (true, "/beheer/agendapunten".to_string()),
        (true, format!("/agendapunten/{own}")),
        (true, format!("/vergaderingen/{m}/agenda")),
        (true, format!("/vergaderingen/{m}/agenda/afdrukken")),
    ] {
        let page = if c {
            staff.get(&path).await
        } else {
            partner.get(&path).await
        };
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(page.select("h1").len(), 1, "{path}");
        assert!(!page.body.contains("<script"), "{path}");
        assert!(!page.body.contains("style="), "{path}");
        // Every visible select and textarea has a label.
        let html = scraper::Html::parse_document(&page.body);
        let fields = scraper::Selector::parse(
            "main select[id], main textarea[id], main input[type=text][id]",
        )
        .unwrap();
        for f in html.select(&fields) {
            let id = f.value().attr("id").unwrap();
            assert!(
                page.attr(&format!("label[for='{id}']"), "for").is_some(),
                "{path}: #{id} has no label"
            );
        }
    }
}

#[tokio::test]
async fn an_item_concerns_an_agreement_and_the_agreement_lists_where_it_was_discussed() {
    let (app, mut partner, mut staff, wg, m) = start("2026-06-10 10:00+02").await;
    let agreement = app.slug_id("agreement", "iedereen-aan-boord-2019").await;
    let form = partner.get("/agendapunten/nieuw").await;
    assert!(
        form.select("#agreement_id option")
            .iter()
            .any(|o| o.contains("Iedereen aan boord")),
        "the agreements are the choices"
    );
    let concerning = [("agreement_id", agreement.as_str())];
    let open = (propose(
        &mut partner,
        &wg,
        "Opvolging van de engagementen",
        &concerning,
    )
    .await)
        .redirect_id("/agendapunten/");
    let secret = propose(
        &mut partner,
        &wg,
        "Vertrouwelijke stand van zaken",
        &[("agreement_id", agreement.as_str()), ("confidential", "1")],
    )
    .await
    .redirect_id("/agendapunten/");
    for id in [open, secret] {
        let page = review(&app, &mut staff, id, "accept", &m.to_string(), "").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    // The item's page names the agreement, for everyone who sees the item.
    let item = app.client().get(&format!("/punten/{open}")).await;
    assert_eq!(item.status, StatusCode::OK);
    assert_eq!(
        item.attr("a[href='/akkoorden/iedereen-aan-boord-2019']", "href")
            .as_deref(),
        Some("/akkoorden/iedereen-aan-boord-2019")
    );
    // The agreement's page lists the items that dealt with it: the
    // confidential one only for the members of its body.
    let path = "/akkoorden/iedereen-aan-boord-2019";
    let public = app.client().get(path).await;
    assert!(public.text().contains("Besproken op"), "{}", public.text());
    assert!(public.text().contains("Opvolging van de engagementen"));
    assert!(!public.body.contains("Vertrouwelijke stand van zaken"));
    let member = partner.get(path).await;
    assert!(member.text().contains("Vertrouwelijke stand van zaken"));
    let outsider = app.signed_in(Role::Cabinet).await.get(path).await;
    assert!(outsider.text().contains("Opvolging van de engagementen"));
    // Open data: the public item's consultation, and the paper lists it.
    let mut c = app.client();
    let consultation = c.get(&format!("/api/oparl/consultation/{open}")).await;
    assert_eq!(consultation.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&consultation.body).unwrap();
    assert!(
        v["paper"]
            .as_str()
            .unwrap()
            .ends_with("/api/oparl/paper/iedereen-aan-boord-2019")
    );
    assert!(
        v["agendaItem"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/agendaitem/{open}"))
    );
    assert_eq!(
        c.get(&format!("/api/oparl/consultation/{secret}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let paper = c.get("/api/oparl/paper/iedereen-aan-boord-2019").await;
    let paper: serde_json::Value = serde_json::from_str(&paper.body).unwrap();
    let listed: Vec<&str> = paper["consultation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["agendaItem"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].ends_with(&format!("/agendaitem/{open}")));
}

#[tokio::test]
async fn an_unknown_agreement_is_refused_in_dutch_and_the_form_keeps_what_was_typed() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let wg = app.slug_id("body", "vesoc-werkgroep").await;
    let before = app.count("SELECT count(*) FROM agenda_item").await;
    for bad in ["999999", "geen getal"] {
        let page = propose(
            &mut partner,
            &wg,
            "Een punt met een vreemd akkoord",
            &[("agreement_id", bad)],
        )
        .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            page.text()
                .contains("Kies een akkoord uit de lijst, of laat het veld leeg."),
            "{}",
            page.text()
        );
        assert_eq!(
            page.attr("#title", "value").as_deref(),
            Some("Een punt met een vreemd akkoord")
        );
        assert_eq!(
            page.attr("#agreement_id", "aria-invalid").as_deref(),
            Some("true")
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM agenda_item").await, before);
}

#[tokio::test]
async fn the_timeline_shows_the_whole_path_in_order_and_only_what_the_reader_may_see() {
    let (app, mut partner, mut staff, wg, m) = start("2026-11-10 10:00+01").await;
    let id = propose(&mut partner, &wg, "Loopbaanbegeleiding voor iedereen", &[])
        .await
        .redirect_id("/agendapunten/");
    let page = review(&app, &mut staff, id, "return", "", "Graag een nota erbij.").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let v = app.version("agenda_item", id).await;
    let page = partner
        .post_form(
            &format!("/agendapunten/{id}/bewerken"),
            &[
                ("title", "Loopbaanbegeleiding voor iedereen"),
                ("explanation", "Met nota."),
                ("kind", "discussion"),
                ("body_id", &wg),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let page = review(&app, &mut staff, id, "accept", &m.to_string(), "").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    // Version A listed it; the meeting dealt with it; the minutes are approved.
    sqlx::query(
        "WITH v AS (INSERT INTO agenda_version (meeting_id, letter, starts_at, ends_at, location,
                                                invitees)
                    SELECT id, 'A', starts_at, ends_at, location, meeting_invitation_list(id)
                    FROM meeting WHERE id = $1 RETURNING id)
         INSERT INTO agenda_version_item (version_id, agenda_item_id, position, number, title, kind, confidential)
         SELECT v.id, $2, 1, '1', 'Loopbaanbegeleiding voor iedereen', 'discussion', false FROM v",
    )
    .bind(m)
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query("UPDATE meeting SET starts_at = now() - interval '1 day', ends_at = now() - interval '22 hours' WHERE id = $1")
        .bind(m)
        .execute(&app.db)
        .await
        .unwrap();
    let v = app.version("agenda_item", id).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{m}/agenda/afhandelen"),
            &[
                ("item_id", &id.to_string()),
                ("outcome", "decided"),
                ("decision_text", "Een werkgroep maakt een plan."),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());

    // The proposer's page: every step, in order, the secretariat's comment too.
    let own = partner.get(&format!("/agendapunten/{id}")).await;
    let steps = own.select("ol.history li");
    let order = [
        "ingediend",
        "teruggestuurd",
        "Graag een nota erbij.",
        "ingediend",
        "aanvaard",
        "versie A",
        "behandeld",
    ];
    let joined = steps.join(" | ");
    let mut from = 0;
    for word in order {
        let at = joined[from..]
            .find(word)
            .unwrap_or_else(|| panic!("{word:?} not after position {from} in {joined}"));
        from += at + word.len();
    }
    // The public: the milestones, not the review; the decision only once
    // the minutes are approved.
    let mut public = app.client();
    let page = public.get(&format!("/punten/{id}")).await;
    let steps = page.select("ol.history li").join(" | ");
    assert!(steps.contains("Voorgesteld door ACV"), "{steps}");
    assert!(steps.contains("versie A"), "{steps}");
    assert!(!steps.contains("Graag een nota erbij."), "{steps}");
    assert!(!steps.contains("teruggestuurd"), "{steps}");
    assert!(!steps.contains("beslist"), "{steps}");
    sqlx::query(
        "INSERT INTO minutes (meeting_id, text, status, approved_on) VALUES ($1, 'Verslag.', 'approved', current_date)",
    )
    .bind(m)
    .execute(&app.db)
    .await
    .unwrap();
    let page = public.get(&format!("/punten/{id}")).await;
    let steps = page.select("ol.history li").join(" | ");
    assert!(steps.contains("Behandeld: beslist"), "{steps}");
    assert!(
        steps.contains("Verslag van de vergadering goedgekeurd"),
        "{steps}"
    );
}
