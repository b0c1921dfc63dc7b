//! "Mijn werk": the start page of each role shows what is waiting, and only
//! what the reader may see.

use axum::http::StatusCode;

use crate::harness::{Item, Place, TestApp};
use vesoc::auth::Role;

fn in_a_week() -> String {
    let d = time::OffsetDateTime::now_utc() + time::Duration::days(7);
    format!(
        "{:04}-{:02}-{:02} 10:00+01",
        d.year(),
        u8::from(d.month()),
        d.day()
    )
}

#[tokio::test]
async fn signing_in_leads_to_the_start_page_and_anonymous_visitors_are_sent_to_sign_in() {
    let app = TestApp::seeded().await;
    let anonymous = app.client().get("/mijn-werk").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().unwrap().starts_with("/aanmelden"));

    app.account(Role::SocialPartner, "acv@werk.vesoc.be").await;
    // Straight to the sign-in form: the form goes on to the start page.
    let mut c = app.client();
    let form = c.get("/aanmelden").await;
    assert_eq!(
        form.attr("input[name=terug]", "value").as_deref(),
        Some("/mijn-werk")
    );
    let token = form.csrf().unwrap();
    let signed_in = c
        .post_raw(
            "/aanmelden",
            &[
                ("_csrf", &token),
                ("email", "acv@werk.vesoc.be"),
                ("password", crate::harness::PASSWORD),
                ("terug", "/mijn-werk"),
            ],
        )
        .await;
    assert_eq!(signed_in.location(), Some("/mijn-werk"));
    let page = c.get("/mijn-werk").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.select("h1"), vec!["Mijn werk"]);
    assert_eq!(
        page.attr("nav.work a[aria-current=page]", "href")
            .as_deref(),
        Some("/mijn-werk")
    );
}

#[tokio::test]
async fn the_secretariat_sees_what_to_review_and_where_each_meeting_stands() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", &in_a_week())
        .await;
    app.item(Item::proposal("Voorstel van ACV over opleiding"))
        .await;
    app.item(
        Item::proposal("Voorstel in behandeling")
            .by("voka")
            .status("in_review"),
    )
    .await;
    app.item(
        Item::proposal("Voorstel dat is ingetrokken")
            .by("voka")
            .status("withdrawn"),
    )
    .await;
    app.item(Item::proposal("Punt op de agenda").on_agenda(meeting, Place::Next))
        .await;

    let mut serv = app.signed_in(Role::Secretariat).await;
    let page = serv.get("/mijn-werk").await;
    assert_eq!(page.status, StatusCode::OK);
    let review = page.select("#te-beoordelen ~ ul li a");
    assert_eq!(
        review,
        vec!["Voorstel van ACV over opleiding", "Voorstel in behandeling"]
    );
    assert_eq!(page.select("#te-beoordelen .badge"), vec!["2"]);

    // The meeting's checklist: an agenda, nobody invited, not convened.
    let card = format!("a[href='/vergaderingen/{meeting}']");
    assert!(page.attr(&card, "href").is_some(), "{}", page.text());
    let done = page.select("ol.checklist li.done");
    let todo = page.select("ol.checklist li.todo");
    assert!(
        done.iter().any(|s| s.starts_with("klaar: Agenda")),
        "{done:?}"
    );
    assert!(
        todo.iter()
            .any(|s| s.contains("Uitnodigingen") && s.contains("nog niemand uitgenodigd")),
        "{todo:?}"
    );
    assert!(
        todo.iter().any(|s| s.contains("Bijeengeroepen")),
        "{todo:?}"
    );

    // Convened with an invitation: those steps are done.
    sqlx::query("UPDATE meeting SET status = 'convened' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO meeting_participant (meeting_id, person_id, reason)
         SELECT $1, id, 'added' FROM person ORDER BY id LIMIT 1",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    let done = serv.get("/mijn-werk").await.select("ol.checklist li.done");
    assert!(done.iter().any(|s| s.contains("Uitnodigingen")), "{done:?}");
    assert!(
        done.iter().any(|s| s.contains("Bijeengeroepen")),
        "{done:?}"
    );
}

#[tokio::test]
async fn a_social_partner_sees_its_proposals_and_the_agendas_of_its_bodies_only() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", &in_a_week())
        .await;
    app.item(Item::proposal("Eigen voorstel van ACV").status("returned"))
        .await;
    app.item(Item::proposal("Voorstel van VOKA").by("voka"))
        .await;
    app.item(Item::proposal("Afgehandeld voorstel van ACV").status("withdrawn"))
        .await;
    app.item(
        Item::proposal("Openbaar agendapunt")
            .by("voka")
            .on_agenda(meeting, Place::Next),
    )
    .await;
    app.item(
        Item::proposal("Vertrouwelijk agendapunt")
            .by("voka")
            .on_agenda(meeting, Place::Next)
            .confidential(true),
    )
    .await;

    let mut acv = app.partner_of("acv").await;
    let page = acv.get("/mijn-werk").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.select("#voorstellen ~ ul li > a"),
        vec!["Eigen voorstel van ACV"]
    );
    let text = page.text();
    assert!(
        !text.contains("Voorstel van VOKA"),
        "another organisation's proposal"
    );
    // ACV sits in the working group: the agenda, confidential items too.
    assert!(text.contains("Openbaar agendapunt"), "{text}");
    assert!(text.contains("Vertrouwelijk agendapunt"), "{text}");
    assert!(
        page.select("ol.checklist li").is_empty(),
        "the checklist is the secretariat's"
    );

    // An organisation that sits in no body sees neither the meeting nor its agenda.
    let mut outsider = app.partner_of("dkb").await;
    let page = outsider.get("/mijn-werk").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(!text.contains("Vertrouwelijk agendapunt"), "{text}");
    assert!(
        page.attr(&format!("a[href='/vergaderingen/{meeting}']"), "href")
            .is_none()
    );
}

#[tokio::test]
async fn a_cabinet_is_told_why_it_has_no_action_lines_and_finds_them_once_linked() {
    let app = TestApp::seeded().await;
    let mut cabinet = app.signed_in(Role::Cabinet).await;

    // The seeded competences ended with the 2019–2024 legislature.
    let page = cabinet.get("/mijn-werk").await;
    assert_eq!(page.status, StatusCode::OK);
    let why = page.text();
    assert!(
        why.contains("Uw minister heeft vandaag geen bevoegdheden"),
        "{why}"
    );
    assert!(page.select("a[href^='/opvolging/actielijnen/']").is_empty());

    // A competence today, no line linked to it: the other reason.
    app.crevits_holds_today("Werk").await;
    let why = cabinet.get("/mijn-werk").await.text();
    assert!(
        why.contains("Geen actielijn van een gepubliceerd akkoord is gekoppeld"),
        "{why}"
    );

    // Linked: the line and the lines below it, each with "add follow-up".
    sqlx::query(
        "INSERT INTO action_line_competence (action_line_id, competence_id)
         SELECT al.id, c.id FROM action_line al, competence c
         WHERE al.title = 'Iedereen aan het werk' AND c.name = 'Werk'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let page = cabinet.get("/mijn-werk").await;
    let links = page.select("a[href^='/opvolging/actielijnen/']");
    assert!(!links.is_empty());
    assert!(links.iter().all(|l| l == "Opvolging toevoegen"));
    let first = page
        .attr("a[href^='/opvolging/actielijnen/']", "href")
        .unwrap();
    assert_eq!(
        cabinet.get(&first).await.status,
        StatusCode::OK,
        "the link leads to a form the cabinet may use"
    );
}

#[tokio::test]
async fn an_administrator_sees_the_accounts_and_no_confidential_work() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", &in_a_week())
        .await;
    app.item(
        Item::proposal("Vertrouwelijk agendapunt")
            .by("voka")
            .on_agenda(meeting, Place::Next)
            .confidential(true),
    )
    .await;
    app.item(Item::proposal("Nieuw voorstel").by("voka")).await;
    let mut admin = app.signed_in(Role::Admin).await;
    let page = admin.get("/mijn-werk").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("1 actief account"), "{}", page.text());
    assert!(!page.text().contains("Vertrouwelijk agendapunt"));
    assert!(!page.text().contains("Nieuw voorstel"));
}

#[tokio::test]
async fn the_meeting_page_links_every_item_to_its_page_which_follows_the_items_rule() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", &in_a_week())
        .await;
    let public = app
        .item(
            Item::proposal("Openbaar punt over werk")
                .by("voka")
                .on_agenda(meeting, Place::Next),
        )
        .await;
    let secret = app
        .item(
            Item::proposal("Vertrouwelijk punt over lonen")
                .by("voka")
                .on_agenda(meeting, Place::Next)
                .confidential(true),
        )
        .await;
    sqlx::query("UPDATE agenda_item SET explanation = 'Waarom dit punt ertoe doet.' WHERE id = $1")
        .bind(secret)
        .execute(&app.db)
        .await
        .unwrap();

    let mut acv = app.partner_of("acv").await;
    let page = acv.get(&format!("/vergaderingen/{meeting}")).await;
    let link = format!("a[href='/punten/{secret}']");
    assert_eq!(page.select(&link), vec!["Vertrouwelijk punt over lonen"]);
    let item = acv.get(&format!("/punten/{secret}")).await;
    assert_eq!(item.status, StatusCode::OK);
    assert!(item.text().contains("Waarom dit punt ertoe doet."));

    // A visitor: the public item, not the confidential one.
    let mut visitor = app.client();
    assert_eq!(
        visitor.get(&format!("/punten/{public}")).await.status,
        StatusCode::OK
    );
    let refused = visitor.get(&format!("/punten/{secret}")).await;
    assert_eq!(
        refused.status,
        StatusCode::SEE_OTHER,
        "a visitor is asked to sign in"
    );
    let mut outsider = app.partner_of("dkb").await;
    assert_eq!(
        outsider.get(&format!("/punten/{secret}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        outsider.get("/punten/999999").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_work_menu_counts_the_proposals_waiting_for_the_secretariat() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    assert!(
        serv.get("/organen")
            .await
            .select("nav.work .count")
            .is_empty(),
        "nothing waits"
    );
    app.item(Item::proposal("Eerste voorstel")).await;
    app.item(
        Item::proposal("Tweede voorstel")
            .by("voka")
            .status("in_review"),
    )
    .await;
    app.item(
        Item::proposal("Teruggestuurd voorstel")
            .by("voka")
            .status("returned"),
    )
    .await;
    let page = serv.get("/organen").await;
    assert_eq!(page.select("nav.work .count"), vec!["2 voorstellen"]);
    let mut acv = app.partner_of("acv").await;
    assert!(
        acv.get("/organen")
            .await
            .select("nav.work .count")
            .is_empty()
    );
}
