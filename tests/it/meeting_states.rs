//! The meeting page per state: what the secretariat may do next, and
//! nothing for anyone else; the refusals of the meeting forms.

use axum::http::StatusCode;

use crate::harness::{Client, Page, TestApp};
use vesoc::auth::Role;

/// What can be done on the page: its buttons, button links and disclosures.
fn actions(page: &Page) -> Vec<String> {
    page.select("main button, main a.button, main summary")
        .into_iter()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn has(page: &Page, what: &str) -> bool {
    actions(page).iter().any(|a| a.starts_with(what))
}

async fn invite_jambon(app: &TestApp, meeting: i64) {
    sqlx::query(
        "INSERT INTO meeting_participant (meeting_id, person_id, reason)
         SELECT $1, id, 'added' FROM person WHERE slug = 'jan-jambon'",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
}

async fn set_status(app: &TestApp, meeting: i64, status: &str) {
    sqlx::query("UPDATE meeting SET status = $2::meeting_status, cancel_reason = CASE WHEN $2 = 'cancelled' THEN 'Geen punten' END WHERE id = $1")
        .bind(meeting)
        .bind(status)
        .execute(&app.db)
        .await
        .unwrap();
}

/// The state's meeting page as the secretariat sees it, with the current
/// step of the stepper; a member and a visitor see no action at all.
async fn page_in_state(
    app: &TestApp,
    staff: &mut Client,
    others: &mut [Client],
    id: i64,
) -> (Page, Option<String>) {
    let page = staff.get(&format!("/vergaderingen/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let current = page
        .select("ol.stepper li[aria-current=step]")
        .pop()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "));
    for other in others.iter_mut() {
        let seen = other.get(&format!("/vergaderingen/{id}")).await;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(actions(&seen).is_empty(), "{:?}", actions(&seen));
        assert!(seen.select("ol.stepper").is_empty());
        assert!(seen.select("#beheer").is_empty());
        assert!(seen.select("textarea").is_empty());
        assert!(!seen.body.contains("Punt toevoegen"));
    }
    let _ = app;
    (page, current)
}

#[tokio::test]
async fn each_state_shows_the_secretariat_only_what_fits_and_others_nothing() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let mut others = [app.signed_in(Role::SocialPartner).await, app.client()];
    let meeting = |starts: &'static str| app.meeting("vesoc-overleg", "informal", starts);

    // Planned, before it starts: convene it, change it, add an item, or
    // cancel it; no "held", no attendance, no minutes.
    let id = meeting("2099-01-15 10:00+01").await;
    invite_jambon(&app, id).await;
    let (p, step) = page_in_state(&app, &mut staff, &mut others, id).await;
    assert_eq!(step.as_deref(), Some("1 gepland (nu)"));
    assert_eq!(
        p.select("ol.stepper li"),
        vec![
            "1 gepland (nu)",
            "2 bijeengeroepen",
            "3 gehouden",
            "4 verslag goedgekeurd"
        ]
    );
    for a in [
        "Bijeenroepen",
        "Wijzigen of verplaatsen",
        "Punt toevoegen",
        "Vergadering annuleren",
        "Uitnodigen volgens de samenstelling",
    ] {
        assert!(has(&p, a), "{a}: {:?}", actions(&p));
    }
    for a in [
        "Markeren als gehouden",
        "Aanwezigheden opslaan",
        "Ontwerp opslaan",
    ] {
        assert!(!has(&p, a), "{a}: {:?}", actions(&p));
    }
    assert_eq!(
        p.attr("a.button[href$='#eigen-punt']", "href"),
        Some(format!("/vergaderingen/{id}/agenda#eigen-punt"))
    );
    assert!(p.select("select[name^=aanwezigheid]").is_empty());
    assert!(p.select("#verslag").is_empty(), "no minutes section yet");
    assert_eq!(
        p.select("details.cancel > summary"),
        vec!["Vergadering annuleren"]
    );
    assert!(p.attr("details.cancel", "open").is_none());

    // Planned, after it started: still to convene first.
    let id = meeting("2020-01-15 10:00+01").await;
    invite_jambon(&app, id).await;
    let (p, step) = page_in_state(&app, &mut staff, &mut others, id).await;
    assert_eq!(step.as_deref(), Some("1 gepland (nu)"));
    assert!(has(&p, "Bijeenroepen"));
    assert!(!has(&p, "Markeren als gehouden"));
    assert!(!has(&p, "Aanwezigheden opslaan"));
    assert!(
        has(&p, "Ontwerp opslaan"),
        "minutes may be drafted once it began"
    );

    // Convened, before it starts: nothing to mark yet.
    let id = meeting("2099-01-16 10:00+01").await;
    invite_jambon(&app, id).await;
    set_status(&app, id, "convened").await;
    let (p, step) = page_in_state(&app, &mut staff, &mut others, id).await;
    assert_eq!(step.as_deref(), Some("2 bijeengeroepen (nu)"));
    assert_eq!(p.select("ol.stepper li")[0], "✓ gepland (afgerond)");
    for a in [
        "Bijeenroepen",
        "Markeren als gehouden",
        "Aanwezigheden opslaan",
        "Ontwerp opslaan",
    ] {
        assert!(!has(&p, a), "{a}: {:?}", actions(&p));
    }
    assert!(has(&p, "Vergadering annuleren"));
    assert!(has(&p, "Punt toevoegen"));

    // Convened, after it started: mark it held; record who was there.
    let id = meeting("2020-01-16 10:00+01").await;
    invite_jambon(&app, id).await;
    set_status(&app, id, "convened").await;
    let (p, step) = page_in_state(&app, &mut staff, &mut others, id).await;
    assert_eq!(step.as_deref(), Some("2 bijeengeroepen (nu)"));
    assert!(has(&p, "Markeren als gehouden"));
    assert!(has(&p, "Aanwezigheden opslaan"));
    assert_eq!(p.select("select[name^=aanwezigheid]").len(), 1);
    assert!(!has(&p, "Bijeenroepen"));

    // Held: the minutes are next; no more changing, inviting or cancelling.
    let id = meeting("2020-01-17 19:00+01").await;
    invite_jambon(&app, id).await;
    set_status(&app, id, "held").await;
    let (p, step) = page_in_state(&app, &mut staff, &mut others, id).await;
    assert_eq!(step.as_deref(), Some("3 gehouden (nu)"));
    assert!(has(&p, "Verslag opstellen"));
    assert!(p.select("ul.warnings").is_empty(), "no warnings once held");
    assert!(has(&p, "Ontwerp opslaan"));
    assert!(has(&p, "Aanwezigheden opslaan"));
    for a in [
        "Bijeenroepen",
        "Markeren als gehouden",
        "Wijzigen of verplaatsen",
        "Punt toevoegen",
        "Vergadering annuleren",
        "Uitnodigen volgens de samenstelling",
        "Toevoegen",
        "Verwijderen",
    ] {
        assert!(!has(&p, a), "{a}: {:?}", actions(&p));
    }

    // Cancelled: nothing to do, and no empty "Secretariaat" section.
    let id = meeting("2020-01-18 10:00+01").await;
    invite_jambon(&app, id).await;
    set_status(&app, id, "cancelled").await;
    let (p, step) = page_in_state(&app, &mut staff, &mut others, id).await;
    assert_eq!(step, None);
    assert!(actions(&p).is_empty(), "{:?}", actions(&p));
    assert!(p.select("#beheer").is_empty());
    assert!(p.select("#verslag").is_empty());
    assert!(p.text().contains("geannuleerd — Geen punten"));

    // Minutes approved: the last step, nothing left to do.
    let id = meeting("2020-01-20 10:00+01").await;
    invite_jambon(&app, id).await;
    set_status(&app, id, "held").await;
    let saved = staff
        .post_form(
            &format!("/vergaderingen/{id}/verslag"),
            &[("text", "Verslag."), ("version", "0")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let p = staff.get(&format!("/vergaderingen/{id}")).await;
    assert!(has(&p, "Naar de goedkeuring van het verslag"));
    assert_eq!(
        p.attr("a.next-action", "href").as_deref(),
        Some("#goedkeuren")
    );
    assert_eq!(p.select("h3#goedkeuren").len(), 1);
    let approved = staff
        .post_form(
            &format!("/vergaderingen/{id}/verslag/goedkeuren"),
            &[
                ("approved_on", "2020-02-20"),
                ("bevestigd", "ja"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    let (p, step) = page_in_state(&app, &mut staff, &mut others, id).await;
    assert_eq!(step.as_deref(), Some("4 verslag goedgekeurd (nu)"));
    assert!(actions(&p).is_empty(), "{:?}", actions(&p));
    assert_eq!(p.select("#beheer").len(), 1, "the stepper stays");
    assert!(p.text().contains("Goedgekeurd op 20 februari 2020"));
}

#[tokio::test]
async fn messages_say_what_happened() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let id = app
        .meeting("vesoc-overleg", "informal", "2020-01-15 10:00+01")
        .await;
    let path = format!("/vergaderingen/{id}/status");
    let notice = |p: Page| p.select("p.notice").pop().unwrap_or_default();
    let mut step = async |fields: &[(&str, &str)]| {
        let p = staff.post_form(&path, fields).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.text());
        staff.get(p.location().unwrap()).await
    };
    let v = app.version("meeting", id).await;
    let p = step(&[("naar", "convened"), ("version", &v)]).await;
    assert_eq!(notice(p), "De vergadering is bijeengeroepen.");
    let v = app.version("meeting", id).await;
    let p = step(&[("naar", "held"), ("version", &v)]).await;
    assert_eq!(notice(p), "De vergadering is als gehouden gemarkeerd.");
    let other = app
        .meeting("vesoc-overleg", "informal", "2099-01-15 10:00+01")
        .await;
    let v = app.version("meeting", other).await;
    let p = staff
        .post_form(
            &format!("/vergaderingen/{other}/status"),
            &[
                ("naar", "cancelled"),
                ("reden", "Geen punten"),
                ("version", &v),
            ],
        )
        .await;
    let p = staff.get(p.location().unwrap()).await;
    assert_eq!(notice(p), "De vergadering is geannuleerd.");
}

#[tokio::test]
async fn inviting_says_how_many_were_added_and_takes_several_at_once() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let notice = |p: &Page| p.select("p.notice").pop().unwrap_or_default();
    // The working group names nobody: says so.
    let wg = app
        .meeting("vesoc-werkgroep", "working_group", "2021-03-10 10:00+01")
        .await;
    let p = staff
        .post_form(
            &format!("/vergaderingen/{wg}/uitnodigingen/samenstelling"),
            &[],
        )
        .await;
    let p = staff.get(p.location().unwrap()).await;
    assert_eq!(
        notice(&p),
        "0 personen toegevoegd: de samenstelling noemt op deze datum niemand."
    );
    // The consultation on a date its composition names eleven people.
    let id = app
        .meeting("vesoc-overleg", "informal", "2020-01-15 10:00+01")
        .await;
    let path = format!("/vergaderingen/{id}/uitnodigingen/samenstelling");
    let p = staff.post_form(&path, &[]).await;
    assert_eq!(
        notice(&staff.get(p.location().unwrap()).await),
        "11 personen toegevoegd."
    );
    let p = staff.post_form(&path, &[]).await;
    assert_eq!(
        notice(&staff.get(p.location().unwrap()).await),
        "0 personen toegevoegd."
    );

    // Several people at once into the working group's meeting, each audited.
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM person WHERE slug IN ('jan-jambon', 'pieter-kerremans') ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let (a, b) = (ids[0].to_string(), ids[1].to_string());
    let add = format!("/vergaderingen/{wg}/uitnodigingen/toevoegen");
    let p = staff
        .post_form(&add, &[("person_id", &a), ("person_id", &b)])
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(
        notice(&staff.get(p.location().unwrap()).await),
        "2 personen toegevoegd."
    );
    assert_eq!(
        app.count("SELECT count(*) FROM meeting_participant WHERE invited AND reason = 'added'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE entity = 'meeting' AND action = 'invite'")
            .await,
        2
    );
    // One of them again, with one unknown: refused, nothing added.
    let p = staff
        .post_form(&add, &[("person_id", &a), ("person_id", "999999")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.text().contains("Kies een persoon uit de lijst."));
    // None chosen: refused.
    let p = staff.post_form(&add, &[]).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE entity = 'meeting' AND action = 'invite'")
            .await,
        2
    );
    // The form offers a multiple choice.
    let page = staff.get(&format!("/vergaderingen/{id}")).await;
    assert!(page.attr("select#person_id", "multiple").is_some());
}

#[tokio::test]
async fn attendance_is_refused_before_the_meeting_starts() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let id = app
        .meeting("vesoc-overleg", "informal", "2099-01-15 10:00+01")
        .await;
    invite_jambon(&app, id).await;
    set_status(&app, id, "convened").await;
    let jambon: i64 = sqlx::query_scalar("SELECT id FROM person WHERE slug = 'jan-jambon'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/aanwezigheid"),
            &[(&format!("aanwezigheid-{jambon}"), "present")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.text()
            .contains("Aanwezigheden worden pas opgenomen als de vergadering begonnen is."),
        "{}",
        p.text()
    );
    assert_eq!(
        app.count("SELECT count(*) FROM meeting_participant WHERE attendance IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'record_attendance'")
            .await,
        0
    );
    // Nor minutes.
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/verslag"),
            &[("text", "Vooraf geschreven"), ("version", "0")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.text()
            .contains("pas opgesteld als de vergadering begonnen is")
    );
    assert_eq!(app.count("SELECT count(*) FROM minutes").await, 0);
}

#[tokio::test]
async fn cancelling_asks_a_reason_and_keeps_what_was_typed() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let id = app
        .meeting("vesoc-overleg", "informal", "2099-01-15 10:00+01")
        .await;
    let path = format!("/vergaderingen/{id}/status");
    let v = app.version("meeting", id).await;
    let p = staff
        .post_form(
            &path,
            &[("naar", "cancelled"), ("reden", ""), ("version", &v)],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.text().contains("Geef een reden voor de annulering."));
    assert!(
        p.attr("details.cancel", "open").is_some(),
        "the disclosure is open"
    );
    let long = "te lang ".repeat(70);
    let p = staff
        .post_form(
            &path,
            &[("naar", "cancelled"), ("reden", &long), ("version", &v)],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.text().contains("hoogstens 500 tekens"));
    assert_eq!(
        p.attr("input#reden", "value").as_deref(),
        Some(long.as_str())
    );
    assert_eq!(
        p.attr("input#reden", "aria-invalid").as_deref(),
        Some("true")
    );
    let status: String = sqlx::query_scalar("SELECT status::text FROM meeting WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "planned");
}

#[tokio::test]
async fn approving_minutes_asks_for_confirmation() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let id = app
        .meeting("vesoc-werkgroep", "working_group", "2021-03-10 10:00+01")
        .await;
    staff
        .post_form(
            &format!("/vergaderingen/{id}/verslag"),
            &[("text", "De werkgroep vergaderde."), ("version", "0")],
        )
        .await;
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/verslag/goedkeuren"),
            &[("approved_on", "2021-04-14"), ("version", "1")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.text()
            .contains("Vink aan dat u bevestigt dat dit verslag goedgekeurd is."),
        "{}",
        p.text()
    );
    assert_eq!(
        p.attr("input#approved_on", "value").as_deref(),
        Some("2021-04-14")
    );
    assert_eq!(
        p.attr("input#bevestigd", "aria-invalid").as_deref(),
        Some("true")
    );
    let status: String =
        sqlx::query_scalar("SELECT status::text FROM minutes WHERE meeting_id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(status, "draft");
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'approve_minutes'")
            .await,
        0
    );
}

async fn wg_kind(app: &TestApp, kind: &str) -> String {
    let id = app.slug_id("body", "vesoc-werkgroep").await;
    format!("{id}:{kind}")
}

#[tokio::test]
async fn a_meeting_in_the_past_is_only_scheduled_when_confirmed() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let choice = wg_kind(&app, "working_group").await;
    let form = |confirm: &'static str| {
        vec![
            ("body_kind", choice.clone()),
            ("date", "2021-03-10".to_string()),
            ("start", "10:00".to_string()),
            ("end", "12:00".to_string()),
            ("location", "Zaal Jan Van Rijswijck".to_string()),
            ("confirm_past", confirm.to_string()),
        ]
    };
    let fields = form("");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = staff.post_form("/beheer/vergaderingen", &refs).await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.text().contains("De datum ligt in het verleden."),
        "{}",
        p.text()
    );
    assert_eq!(
        p.select("label[class=choice]"),
        vec!["De datum ligt in het verleden. Toch inplannen?"]
    );
    assert!(p.attr("input#confirm_past", "checked").is_none());
    assert_eq!(p.attr("input#date", "value").as_deref(), Some("2021-03-10"));
    assert_eq!(
        p.attr("input#location", "value").as_deref(),
        Some("Zaal Jan Van Rijswijck")
    );
    assert_eq!(
        p.attr("select#body_kind option[selected]", "value"),
        Some(choice.clone())
    );
    assert_eq!(app.count("SELECT count(*) FROM meeting").await, 0);
    let fields = form("ja");
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let p = staff.post_form("/beheer/vergaderingen", &refs).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT count(*) FROM meeting").await, 1);
    // A future date needs no confirmation.
    let p = staff
        .post_form(
            "/beheer/vergaderingen",
            &[
                ("body_kind", &choice),
                ("date", "2099-03-10"),
                ("start", "10:00"),
                ("end", "12:00"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn body_and_kind_are_one_choice_checked_by_the_server() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let form = staff.get("/beheer/vergaderingen/nieuw").await;
    assert_eq!(form.select("label[for=body_kind]"), vec!["Orgaan en soort"]);
    let options = form.select("select#body_kind option");
    assert!(
        options.contains(&"(In)formeel VESOC-overleg – formeel overleg".to_string()),
        "{options:?}"
    );
    assert!(options.contains(&"(In)formeel VESOC-overleg – informeel overleg".to_string()));
    assert!(options.contains(&"VESOC-werkgroep – werkgroep".to_string()));
    assert!(
        form.select("select#kind").is_empty(),
        "no second choice of the body"
    );
    let mismatch = wg_kind(&app, "formal").await;
    for typed in [
        "",
        "abc",
        "1:",
        ":formal",
        mismatch.as_str(),
        "999999:working_group",
    ] {
        let p = staff
            .post_form(
                "/beheer/vergaderingen",
                &[
                    ("body_kind", typed),
                    ("date", "2099-03-10"),
                    ("start", "10:00"),
                    ("end", "12:00"),
                    ("location", "Elders"),
                ],
            )
            .await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert!(
            p.select("#body_kind-fout")
                .pop()
                .unwrap_or_default()
                .starts_with("Kies een orgaan"),
            "{typed}: {}",
            p.text()
        );
        assert_eq!(p.attr("input#location", "value").as_deref(), Some("Elders"));
    }
    assert_eq!(app.count("SELECT count(*) FROM meeting").await, 0);
    // The edit form offers only the kinds of the meeting's own body.
    let id = app
        .meeting("vesoc-overleg", "informal", "2099-01-15 10:00+01")
        .await;
    let edit = staff.get(&format!("/vergaderingen/{id}/bewerken")).await;
    assert_eq!(
        edit.select("select#body_kind option"),
        vec![
            "(In)formeel VESOC-overleg – formeel overleg",
            "(In)formeel VESOC-overleg – informeel overleg"
        ]
    );
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/bewerken"),
            &[
                ("body_kind", &wg_kind(&app, "working_group").await),
                ("date", "2099-01-15"),
                ("start", "10:00"),
                ("end", "12:00"),
                ("version", &app.version("meeting", id).await),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
}
