//! The agenda's daily work: moving an item straight to a place, the next
//! step after a review, where the secretariat adds its own items, the
//! documents of a proposal, and the wording of the proposals list.

use axum::http::StatusCode;

use crate::harness::{Client, Page, TestApp};
use vesoc::auth::Role;

const WG: &str = "vesoc-werkgroep";

async fn propose(app: &TestApp, c: &mut Client, title: &str) -> i64 {
    let body = app.slug_id("body", WG).await;
    let page = c
        .post_form(
            "/agendapunten",
            &[("title", title), ("kind", "discussion"), ("body_id", &body)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    page.redirect_id("/agendapunten/")
}

async fn own_item(app: &TestApp, staff: &mut Client, meeting: i64, title: &str) -> i64 {
    let page = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/agenda/punt"),
            &[("title", title), ("kind", "information")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    sqlx::query_scalar("SELECT id FROM agenda_item WHERE title = $1")
        .bind(title)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn to_place(app: &TestApp, staff: &mut Client, meeting: i64, item: i64, place: &str) -> Page {
    let v = app.version("agenda_item", item).await;
    staff
        .post_form(
            &format!("/vergaderingen/{meeting}/agenda/plaats"),
            &[
                ("item_id", &item.to_string()),
                ("plaats", place),
                ("version", &v),
            ],
        )
        .await
}

/// The builder's entries: "number title".
async fn entries(staff: &mut Client, meeting: i64) -> Vec<String> {
    let page = staff.get(&format!("/vergaderingen/{meeting}/agenda")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.select("li.agenda-entry .entry-head")
        .iter()
        .map(|e| e.split(" ").take(2).collect::<Vec<_>>().join(" "))
        .collect()
}

async fn moves(app: &TestApp) -> i64 {
    app.count("SELECT count(*) FROM audit_log WHERE entity = 'agenda_item' AND action = 'move'")
        .await
}

#[tokio::test]
async fn an_item_moves_straight_to_a_chosen_place() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let m = app
        .meeting(WG, "working_group", "2027-03-10 10:00+01")
        .await;
    let mut ids = Vec::new();
    for t in ["Alfa", "Bravo", "Charlie", "Delta"] {
        ids.push(own_item(&app, &mut staff, m, t).await);
    }
    let (a, d) = (ids[0], ids[3]);

    // Each item has a number field for its place (1 to the number of
    // items), its own filled in, and the button.
    let page = staff.get(&format!("/vergaderingen/{m}/agenda")).await;
    let place = |attr| page.attr(&format!("#place-{d}"), attr);
    assert_eq!(place("type").as_deref(), Some("number"));
    assert_eq!(place("min").as_deref(), Some("1"));
    assert_eq!(place("max").as_deref(), Some("4"));
    assert_eq!(place("value").as_deref(), Some("4"));
    assert_eq!(
        page.select(&format!("label[for=place-{d}]")),
        vec!["Naar plaats (Delta)"]
    );
    assert!(
        page.select("button")
            .contains(&"Verplaatsen (Delta)".to_string())
    );
    // Up and down stay.
    assert!(
        page.select("button")
            .contains(&"Omhoog (Delta)".to_string())
    );
    assert!(page.select("button").contains(&"Omlaag (Alfa)".to_string()));

    // The last one first: the others shift down; numbers follow while planned.
    let page = to_place(&app, &mut staff, m, d, "1").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(
        entries(&mut staff, m).await,
        vec!["1 Delta", "2 Alfa", "3 Bravo", "4 Charlie"]
    );
    let after: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE action = 'move' AND entity = 'agenda_item' AND entity_id = $1",
    )
    .bind(d.to_string())
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(after["place"], 1);
    // And one from the top to the end.
    let page = to_place(&app, &mut staff, m, a, "4").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(
        entries(&mut staff, m).await,
        vec!["1 Delta", "2 Bravo", "3 Charlie", "4 Alfa"]
    );
    assert_eq!(moves(&app).await, 2);

    // A place that is not on the agenda: a Dutch error, nothing moves.
    for bad in ["0", "5", "abc", "", "-1"] {
        let page = to_place(&app, &mut staff, m, a, bad).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            page.text()
                .contains("Kies een plaats van 1 tot 4 op de agenda."),
            "{}",
            page.text()
        );
        // The field keeps what was typed (a number field sends "" for
        // "abc"; the server keeps what it got).
        assert_eq!(
            page.attr(&format!("#place-{a}"), "value").as_deref(),
            Some(bad),
            "{bad}"
        );
    }
    assert_eq!(
        entries(&mut staff, m).await,
        vec!["1 Delta", "2 Bravo", "3 Charlie", "4 Alfa"]
    );
    assert_eq!(moves(&app).await, 2);

    // A version seen before a change: refused, nothing moves.
    let page = staff
        .post_form(
            &format!("/vergaderingen/{m}/agenda/plaats"),
            &[
                ("item_id", &a.to_string()),
                ("plaats", "1"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.text());
    assert_eq!(moves(&app).await, 2);
    // An item of another agenda: not found.
    let other = app
        .meeting(WG, "working_group", "2027-04-10 10:00+02")
        .await;
    let page = to_place(&app, &mut staff, other, a, "1").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // Once the agenda was sent, the numbers stay with their items.
    sqlx::query("UPDATE meeting SET status = 'convened' WHERE id = $1")
        .bind(m)
        .execute(&app.db)
        .await
        .unwrap();
    let page = to_place(&app, &mut staff, m, a, "1").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(
        entries(&mut staff, m).await,
        vec!["4 Alfa", "1 Delta", "2 Bravo", "3 Charlie"]
    );
    assert_eq!(moves(&app).await, 3);
}

#[tokio::test]
async fn after_accepting_the_item_page_leads_to_the_agenda() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let m = app
        .meeting(WG, "working_group", "2027-03-10 10:00+01")
        .await;
    let id = propose(&app, &mut partner, "Duaal leren").await;
    let v = app.version("agenda_item", id).await;
    let page = staff
        .post_form(
            &format!("/agendapunten/{id}/beoordelen"),
            &[
                ("besluit", "accept"),
                ("meeting_id", &m.to_string()),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let shown = staff.get(page.location().unwrap()).await;
    let link = format!("a[href='/vergaderingen/{m}/agenda']");
    let text = shown.select(&link);
    assert_eq!(text.len(), 1, "{}", shown.body);
    assert!(
        text[0].starts_with("Naar de agenda van VESOC-werkgroep, "),
        "{text:?}"
    );
    // Only as the next step after the decision.
    let later = staff.get(&format!("/agendapunten/{id}")).await;
    assert!(later.select(&link).is_empty());

    // Decided without a meeting: a hint to choose one.
    let id = propose(&app, &mut partner, "Later te plannen").await;
    let v = app.version("agenda_item", id).await;
    let page = staff
        .post_form(
            &format!("/agendapunten/{id}/beoordelen"),
            &[("besluit", "defer"), ("meeting_id", ""), ("version", &v)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let shown = staff.get(page.location().unwrap()).await;
    assert!(
        shown
            .text()
            .contains("Dit punt staat nog op geen vergadering."),
        "{}",
        shown.text()
    );
    assert!(shown.attr("a[href='#beoordelen']", "href").is_some());
    assert!(shown.select("a[href$='/agenda']").is_empty());
}

#[tokio::test]
async fn the_review_queue_leads_to_the_secretariats_own_items() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let coming = app
        .meeting(WG, "working_group", "2027-03-10 10:00+01")
        .await;
    let past = app
        .meeting(WG, "working_group", "2026-06-10 10:00+02")
        .await;
    let page = staff.get("/beheer/agendapunten").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text()
            .contains("rechtstreeks op de agenda van een vergadering"),
        "{}",
        page.text()
    );
    let link = format!("/vergaderingen/{coming}/agenda#eigen-punt");
    let text = page.select(&format!("a[href='{link}']"));
    assert_eq!(text.len(), 1, "{}", page.body);
    assert!(
        text[0].starts_with("Agenda van VESOC-werkgroep"),
        "{text:?}"
    );
    let old = format!("/vergaderingen/{past}/agenda#eigen-punt");
    assert!(page.attr(&format!("a[href='{old}']"), "href").is_none());
    // The builder has the form the link points at.
    let builder = staff.get(&format!("/vergaderingen/{coming}/agenda")).await;
    assert_eq!(
        builder.select("h2#eigen-punt"),
        vec!["Punt van het secretariaat toevoegen"]
    );
}

#[tokio::test]
async fn documents_are_added_after_submitting() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let form = partner.get("/agendapunten/nieuw").await;
    assert!(
        form.text()
            .contains("Documenten voegt u toe na het indienen, op de pagina van het voorstel."),
        "{}",
        form.text()
    );
    let body = app.slug_id("body", WG).await;
    let page = partner
        .post_form(
            "/agendapunten",
            &[
                ("title", "Met bijlagen"),
                ("kind", "discussion"),
                ("body_id", &body),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let shown = partner.get(page.location().unwrap()).await;
    let notice = shown.select("p.notice");
    assert_eq!(notice.len(), 1);
    assert!(
        notice[0].contains("Voeg nu de documenten toe"),
        "{notice:?}"
    );
    // The link points at the upload form's file field.
    assert!(shown.attr("p.notice a[href='#document']", "href").is_some());
    assert_eq!(
        shown.attr("input#document", "type").as_deref(),
        Some("file")
    );
}

#[tokio::test]
async fn the_secretariats_list_is_named_for_it() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let page = staff.get("/agendapunten").await;
    assert_eq!(page.select("h1"), vec!["Voorstellen van het secretariaat"]);
    let page = partner.get("/agendapunten").await;
    assert_eq!(page.select("h1"), vec!["Mijn voorstellen"]);
    // The breadcrumb back to the list says the same.
    let page = staff.get("/agendapunten/nieuw").await;
    assert_eq!(
        page.select("nav.crumbs a[href='/agendapunten']"),
        vec!["Voorstellen van het secretariaat"]
    );
    let page = partner.get("/agendapunten/nieuw").await;
    assert_eq!(
        page.select("nav.crumbs a[href='/agendapunten']"),
        vec!["Mijn voorstellen"]
    );
}
