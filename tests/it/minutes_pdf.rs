//! The minutes and the decision list as PDF (issue 19): what Debian's
//! `pdftotext` reads in them, for whom, as their life goes on. The same
//! rules as the pages decide: `minutes_visible` for the minutes,
//! `decision_visible` for each decision.

use axum::http::StatusCode;
use vesoc::auth::Role;

use crate::agenda_pdf::{pdf, text_of};
use crate::harness::{Client, TestApp};
use crate::minutes::{acv_invitee, approve, held_meeting, minutes_version, section};

/// Writes both items' sections (summary, decided, text), the general part
/// and an action point for ACV on the public item; a conflict of interest
/// of the invitee on the confidential one.
async fn written(app: &TestApp, staff: &mut Client) -> (i64, i64, i64) {
    let (meeting, public, secret) = held_meeting(app).await;
    let person = acv_invitee(app, meeting).await;
    for (item, summary, decision) in [
        (
            public,
            "De sociale partners steunen het voorstel.\n\nACV vraagt een evaluatie na een jaar.",
            "De werkgroep keurt het voorstel goed.",
        ),
        (
            secret,
            "Vertrouwelijke bespreking.",
            "De loonnorm blijft geheim.",
        ),
    ] {
        let fields = [
            ("summary", summary),
            ("outcome", "decided"),
            ("decision_text", decision),
        ];
        let page = section(app, staff, meeting, item, &fields).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    }
    let general = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/verslag"),
            &[
                ("text", "De voorzitter opent de vergadering om 10 uur."),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(general.status, StatusCode::SEE_OTHER, "{}", general.text());
    sqlx::query(
        "INSERT INTO action_point (agenda_item_id, what, assignee_organisation_id, due_on)
         VALUES ($1, 'Evaluatie voorbereiden', (SELECT id FROM organisation WHERE slug = 'acv'),
                 DATE '2099-06-30')",
    )
    .bind(public)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO conflict_of_interest (agenda_item_id, person_id, reason)
         VALUES ($1, $2, 'bestuurder van een betrokken vzw')",
    )
    .bind(secret)
    .bind(person)
    .execute(&app.db)
    .await
    .unwrap();
    (meeting, public, secret)
}

#[tokio::test]
async fn the_minutes_pdf_follows_the_minutes_life_and_reader() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let (meeting, _, secret) = written(&app, &mut staff).await;
    let path = format!("/vergaderingen/{meeting}/verslag.pdf");
    let mut member = app.signed_in(Role::SocialPartner).await;
    let mut admin = app.signed_in(Role::Admin).await;

    // A draft: the secretariat's only.
    let page = staff.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["cache-control"], "private, no-store");
    assert_eq!(
        page.headers["content-disposition"],
        format!("inline; filename=\"verslag-vergadering-{meeting}.pdf\"").as_str()
    );
    let text = text_of(&page.bytes);
    for expected in [
        "VESOC · Vlaams Economisch Sociaal Overlegcomité",
        "Verslag",
        "VESOC-werkgroep",
        "Ontwerp, nog niet verstuurd.",
        "Algemeen deel",
        "Aanwezig:",
        "(ACV)",
        "De voorzitter opent de vergadering om 10 uur.",
        "1. Duaal leren in de zorg",
        "ter beslissing · ingediend door ACV",
        "De sociale partners steunen het voorstel.",
        "ACV vraagt een evaluatie na een jaar.",
        "Beslist: De werkgroep keurt het voorstel goed.",
        "Actiepunten",
        "Evaluatie voorbereiden — ACV, tegen 30 juni 2099 (open)",
        "2. Geheime loonnorm",
        "vertrouwelijk",
        "neemt niet deel aan de bespreking van dit punt (bestuurder van een betrokken vzw).",
        "De loonnorm blijft geheim.",
        "Pagina 1 van",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in\n{text}");
    }
    let raw = String::from_utf8_lossy(&page.bytes);
    assert!(raw.contains("/Lang(nl-BE)"), "no /Lang nl-BE");
    assert!(raw.contains("/Outlines"), "no bookmarks");
    assert_eq!(member.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(admin.get(&path).await.status, StatusCode::NOT_FOUND);
    let visitor = app.client().get(&path).await;
    assert!(
        visitor
            .location()
            .unwrap_or_default()
            .starts_with("/aanmelden"),
        "{:?}",
        visitor.status
    );

    // Sent for comments: the members read it, decisions and all (they sit
    // in the body, the confidential item too).
    let v = minutes_version(&app, meeting).await;
    let sent = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/verslag/versturen"),
            &[("comments_until", "2099-01-31"), ("version", &v)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    let text = text_of(&pdf(&mut member, &path).await);
    assert!(
        text.contains("ter opmerkingen verstuurd: opmerkingen tot en met 31 januari 2099"),
        "{text}"
    );
    assert!(
        text.contains("Beslist: De werkgroep keurt het voorstel goed."),
        "{text}"
    );
    assert!(text.contains("De loonnorm blijft geheim."), "{text}");
    assert!(text.contains("SERV") && text.contains("Plaats"), "{text}");

    // Approved and corrected: the corrected text, and the correction with
    // its reason and the old text.
    approve(&app, &mut staff, meeting).await;
    let secret_id = secret.to_string();
    let corrected = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/verslag/verbeteren"),
            &[
                ("part", secret_id.as_str()),
                ("field", "summary"),
                ("text", "Een verbeterde vertrouwelijke bespreking."),
                ("reason", "Tikfout in de samenvatting"),
            ],
        )
        .await;
    assert_eq!(
        corrected.status,
        StatusCode::SEE_OTHER,
        "{}",
        corrected.text()
    );
    let text = text_of(&pdf(&mut member, &path).await);
    for expected in [
        "Goedgekeurd op 1 december 2026.",
        "Een verbeterde vertrouwelijke bespreking.",
        "Correcties",
        "Punt 2. Geheime loonnorm, de samenvatting",
        "Reden: Tikfout in de samenvatting",
        "Vorige tekst: Vertrouwelijke bespreking.",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in\n{text}");
    }
    // Approved minutes are still the members': an administrator sits in
    // no body.
    assert_eq!(admin.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'minutes_pdf.download'")
            .await,
        3
    );
    let unknown = staff.get("/vergaderingen/999999/verslag.pdf").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_decision_list_pdf_shows_the_decisions_the_reader_may_see() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let (meeting, _, _) = written(&app, &mut staff).await;
    let path = format!("/vergaderingen/{meeting}/besluiten.pdf");
    let mut visitor = app.client();

    // Before the minutes are sent or the list published: nothing for the
    // public, everything for the secretariat.
    let page = visitor.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "application/pdf");
    assert_eq!(
        page.headers["content-disposition"],
        format!("inline; filename=\"besluitenlijst-vergadering-{meeting}.pdf\"").as_str()
    );
    let text = text_of(&page.bytes);
    assert!(text.contains("Besluitenlijst"), "{text}");
    assert!(
        text.contains("Voorlopig: het verslag is nog niet goedgekeurd."),
        "{text}"
    );
    assert!(
        text.contains("geen beslissingen van deze vergadering die u mag inzien"),
        "{text}"
    );
    assert!(!text.contains("keurt het voorstel goed"), "{text}");
    let text = text_of(&pdf(&mut staff, &path).await);
    assert!(
        text.contains("1. Duaal leren in de zorg Beslist: De werkgroep keurt het voorstel goed."),
        "{text}"
    );
    assert!(
        text.contains("2. Geheime loonnorm Beslist: De loonnorm blijft geheim."),
        "{text}"
    );

    // Published early: the public reads the public item's decision, never
    // the confidential one's.
    let published = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/besluiten/publiceren"),
            &[],
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.text()
    );
    let text = text_of(&pdf(&mut visitor, &path).await);
    assert!(
        text.contains("openbaar vóór de goedkeuring van het verslag"),
        "{text}"
    );
    assert!(
        text.contains("1. Duaal leren in de zorg Beslist: De werkgroep keurt het voorstel goed."),
        "{text}"
    );
    for absent in ["Geheime loonnorm", "blijft geheim", "Plaats"] {
        assert!(!text.contains(absent), "{absent:?} shown to the public");
    }
    // The page links to it.
    let list = visitor
        .get(&format!("/vergaderingen/{meeting}/besluiten"))
        .await;
    assert_eq!(
        list.attr(&format!("a[href=\"{path}\"]"), "href"),
        Some(path.clone())
    );
    assert_eq!(
        app.client()
            .get("/vergaderingen/999999/besluiten.pdf")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
