//! Action points: added by the secretariat from an item dealt with at a
//! meeting, followed up by whoever must act, on the next meetings' agenda
//! and convocation, in the action line's follow-up and the yearly overview.
//! Who sees a point is its item's rule: the table "Action points" of
//! `docs/access.md` is read and checked here, row by row, reader by reader,
//! channel by channel.

use axum::http::StatusCode;
use time::Duration;

use crate::harness::{Client, PASSWORD, Page, TestApp};
use vesoc::auth::Role;
use vesoc::base::dutch;

const ACCESS: &str = include_str!("../../docs/access.md");

/// A meeting of the working group `days` from today (negative: past) at
/// 10:00 Brussels, in `status`.
async fn meeting_in(app: &TestApp, body: &str, days: i64, status: &str) -> i64 {
    let kind = if body == "vesoc-werkgroep" {
        "working_group"
    } else {
        "informal"
    };
    sqlx::query_scalar(
        "INSERT INTO meeting (body_id, kind, starts_at, ends_at, location, status)
         SELECT id, $2::meeting_kind,
                ((current_date + $3::integer) + time '10:00') AT TIME ZONE 'Europe/Brussels',
                ((current_date + $3::integer) + time '12:00') AT TIME ZONE 'Europe/Brussels',
                'SERV, Brussel', $4::meeting_status
         FROM body WHERE slug = $1 RETURNING id",
    )
    .bind(body)
    .bind(kind)
    .bind(i32::try_from(days).unwrap())
    .bind(status)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// An item of ACV dealt with at `meeting` (the next place on its agenda).
async fn dealt_with(
    app: &TestApp,
    meeting: i64,
    title: &str,
    confidential: bool,
    released: bool,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id, title, kind,
                                  status, outcome, confidential, embargo_until, position)
         VALUES ((SELECT body_id FROM meeting WHERE id = $1), $1,
                 (SELECT id FROM organisation WHERE slug = 'acv'), $2, 'discussion',
                 'dealt_with', 'discussed', $3, CASE WHEN $4 THEN now() - interval '1 day' END,
                 (SELECT coalesce(max(position), 0) + 1 FROM agenda_item WHERE meeting_id = $1))
         RETURNING id",
    )
    .bind(meeting)
    .bind(title)
    .bind(confidential)
    .bind(released)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// A submitted proposal of ACV, on no meeting.
async fn proposal(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO agenda_item (body_id, proposer_organisation_id, title, kind)
         VALUES ((SELECT id FROM body WHERE slug = 'vesoc-werkgroep'),
                 (SELECT id FROM organisation WHERE slug = 'acv'), 'Nog een voorstel', 'discussion')
         RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn organisation(app: &TestApp, slug: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM organisation WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The seeded action line points can feed.
async fn line(app: &TestApp) -> i64 {
    app.id("SELECT id FROM action_line WHERE title = 'Kwalitatief werkplekleren'")
        .await
}

fn in_days(days: i64) -> String {
    dutch::iso_date(dutch::today() + Duration::days(days))
}

async fn version(app: &TestApp, point: i64) -> String {
    app.version("action_point", point).await
}

/// Posts step `step` of point `point` (`uitgevoerd`, `bevestigen`,
/// `heropenen`, `schrappen`) as `c`, with the point's version now and
/// `extra` fields.
async fn step(
    app: &TestApp,
    c: &mut Client,
    point: i64,
    step: &str,
    extra: &[(&str, &str)],
) -> Page {
    let v = version(app, point).await;
    let mut fields = vec![("version", v.as_str())];
    fields.extend_from_slice(extra);
    c.post_form(&format!("/actiepunten/{point}/{step}"), &fields)
        .await
}

/// Adds a point to `item` through the form, as the secretariat; its id.
async fn add(serv: &mut Client, item: i64, fields: &[(&str, &str)]) -> i64 {
    let page = serv
        .post_form(&format!("/agendapunten/{item}/actiepunten"), fields)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let to = page.location().unwrap().to_string();
    assert!(to.ends_with("?melding=aangemaakt"), "{to}");
    to.trim_start_matches("/actiepunten/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn audit_rows(app: &TestApp) -> i64 {
    app.count("SELECT count(*) FROM audit_log").await
}

#[tokio::test]
async fn an_action_point_goes_from_the_minutes_to_its_assignee_and_back_on_the_next_agenda() {
    let app = TestApp::seeded().await;
    let held = meeting_in(&app, "vesoc-werkgroep", -20, "held").await;
    let next = meeting_in(&app, "vesoc-werkgroep", 30, "planned").await;
    let other_body = meeting_in(&app, "vesoc-overleg", 30, "planned").await;
    let item = dealt_with(&app, held, "Duaal leren in de zorg", false, false).await;
    let acv = organisation(&app, "acv").await;
    let line = line(&app).await;
    let mut an = app
        .signed_in_as(Role::SocialPartner, "an@acv.be", Some("acv"), None)
        .await;
    let mut serv = app.signed_in(Role::Secretariat).await;

    // The item's page offers the form, and lists no point yet.
    let page = serv.get(&format!("/agendapunten/{item}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text()
            .contains("Er zijn geen actiepunten bij dit agendapunt.")
    );
    assert_eq!(
        page.attr("form.action-point-form", "action").as_deref(),
        Some(format!("/agendapunten/{item}/actiepunten").as_str())
    );
    let due = in_days(14);
    let point = add(
        &mut serv,
        item,
        &[
            ("what", "Een nota over stageplaatsen in de zorg bezorgen"),
            ("assignee", &format!("organisatie-{acv}")),
            ("due_on", &due),
            ("action_line_id", &line.to_string()),
        ],
    )
    .await;
    let page = serv
        .get(&format!("/actiepunten/{point}?melding=aangemaakt"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Het actiepunt is toegevoegd"));
    assert!(
        page.text().contains("Uit te voeren door ACV"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("Kwalitatief werkplekleren"));
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_log WHERE entity = 'action_point' AND action = 'create'"
        )
        .await,
        1
    );
    // The audit row keeps no text.
    let after: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE entity = 'action_point' AND action = 'create'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(!after.to_string().contains("stageplaatsen"), "{after}");

    // ACV hears of it, at once (its choice by default).
    let mails: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT recipient, subject, body_text FROM mail_message WHERE kind = 'action_point'",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].0, "an@acv.be");
    assert!(
        mails[0]
            .1
            .starts_with("Actiepunt voor u: Een nota over stageplaatsen")
    );
    assert!(mails[0].2.contains(&format!("/actiepunten/{point}")));
    assert!(mails[0].2.contains("/uitschrijven/"), "an unsubscribe link");

    // The next meeting of the body lists it under its standing item, on the
    // meeting page and in the builder; the meeting it came from (held) and
    // another body's meeting do not.
    let anonymous = app.client().get(&format!("/vergaderingen/{next}")).await;
    assert!(anonymous.text().contains("Opvolging actiepunten"));
    assert!(
        anonymous
            .text()
            .contains("Een nota over stageplaatsen in de zorg bezorgen")
    );
    let builder = serv.get(&format!("/vergaderingen/{next}/agenda")).await;
    assert!(builder.text().contains("Opvolging actiepunten"));
    assert!(builder.text().contains("Een nota over stageplaatsen"));
    for elsewhere in [held, other_body] {
        let page = serv.get(&format!("/vergaderingen/{elsewhere}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text().contains("stageplaatsen"), "{elsewhere}");
    }

    // ACV's own list, a note, then "done".
    let mine = an.get("/actiepunten").await;
    assert_eq!(mine.select("h1"), vec!["Onze actiepunten"]);
    assert!(mine.text().contains("Een nota over stageplaatsen"));
    let noted = an
        .post_form(
            &format!("/actiepunten/{point}/notities"),
            &[("text", "Ontwerp besproken met de sectoren.")],
        )
        .await;
    assert_eq!(noted.status, StatusCode::SEE_OTHER);
    let reported = step(
        &app,
        &mut an,
        point,
        "uitgevoerd",
        &[("text", "Nota verstuurd.")],
    )
    .await;
    assert_eq!(reported.status, StatusCode::SEE_OTHER);
    let page = an.get(&format!("/actiepunten/{point}")).await;
    assert!(
        page.text().contains("gemeld als uitgevoerd op"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("het secretariaat bevestigt"));
    assert!(
        page.select("button")
            .iter()
            .all(|b| b != "Melden als uitgevoerd")
    );
    // Still open until the secretariat confirms: still on the next agenda.
    let page = app.client().get(&format!("/vergaderingen/{next}")).await;
    assert!(page.text().contains("gemeld als uitgevoerd"));

    // The note shows in the action line's follow-up.
    let agreement = app.client().get("/akkoorden/iedereen-aan-boord-2019").await;
    assert!(
        agreement
            .text()
            .contains("Ontwerp besproken met de sectoren.")
    );
    let follow_up = serv.get(&format!("/opvolging/actielijnen/{line}")).await;
    assert!(follow_up.text().contains("Nota verstuurd."));

    // The secretariat confirms: done, off the next agenda.
    let confirmed = step(&app, &mut serv, point, "bevestigen", &[]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT count(*) FROM action_point WHERE status = 'done'")
            .await,
        1
    );
    let page = app.client().get(&format!("/vergaderingen/{next}")).await;
    assert!(!page.text().contains("stageplaatsen"));
    let steps: Vec<String> =
        sqlx::query_scalar("SELECT step::text FROM action_point_note ORDER BY id")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(steps, ["note", "reported_done", "confirmed"]);
    let page = serv.get(&format!("/actiepunten/{point}")).await;
    let notes = page.select("#notities ~ ol li");
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes[0].contains("Test sociale partner (ACV)"), "{notes:?}");
    assert!(notes[2].contains("uitvoering bevestigd"), "{notes:?}");

    // Reopened, then dropped with a reason.
    let page = step(&app, &mut serv, point, "heropenen", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let v = version(&app, point).await;
    let page = serv
        .post_form(
            &format!("/actiepunten/{point}/schrappen"),
            &[
                ("version", &v),
                ("text", "Ingehaald door het nieuwe decreet."),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT count(*) FROM action_point WHERE status = 'dropped'")
            .await,
        1
    );
    // The secretariat's list: nothing open; everything under "alle".
    let list = serv.get("/actiepunten").await;
    assert_eq!(list.select("h1"), vec!["Actiepunten"]);
    assert!(list.text().contains("Er staat geen actiepunt open."));
    let all = serv.get("/actiepunten?toon=alle").await;
    assert!(all.text().contains("Een nota over stageplaatsen"));
    assert!(all.text().contains("geschrapt"));
}

#[tokio::test]
async fn a_changed_assignee_hears_of_it_and_the_secretariat_can_be_the_assignee() {
    let app = TestApp::seeded().await;
    let held = meeting_in(&app, "vesoc-werkgroep", -10, "held").await;
    let item = dealt_with(&app, held, "Werkbaar werk", false, false).await;
    let (acv, voka) = (
        organisation(&app, "acv").await,
        organisation(&app, "voka").await,
    );
    app.account_as(Role::SocialPartner, "an@acv.be", Some("acv"), None)
        .await;
    app.account_as(Role::SocialPartner, "bo@voka.be", Some("voka"), None)
        .await;
    app.account_as(Role::Secretariat, "collega@serv.be", Some("serv"), None)
        .await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let due = in_days(7);
    let point = add(
        &mut serv,
        item,
        &[
            ("what", "Cijfers over werkbaar werk"),
            ("assignee", &format!("organisatie-{acv}")),
            ("due_on", &due),
        ],
    )
    .await;
    let form = serv.get(&format!("/actiepunten/{point}/bewerken")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(
        form.attr("option[selected][value^=organisatie]", "value"),
        Some(format!("organisatie-{acv}"))
    );
    let v = version(&app, point).await;
    let saved = serv
        .post_form(
            &format!("/actiepunten/{point}/bewerken"),
            &[
                ("version", &v),
                ("what", "Cijfers over werkbaar werk per sector"),
                ("assignee", &format!("organisatie-{voka}")),
                ("due_on", &due),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let to: Vec<String> = sqlx::query_scalar(
        "SELECT recipient FROM mail_message WHERE kind = 'action_point' ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(to, ["an@acv.be", "bo@voka.be"]);
    // The old form is stale now: refused, what was typed kept.
    let stale = serv
        .post_form(
            &format!("/actiepunten/{point}/bewerken"),
            &[
                ("version", &v),
                ("what", "Mijn oude versie"),
                ("assignee", &format!("organisatie-{acv}")),
                ("due_on", &due),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale
            .text()
            .contains("Iemand anders heeft dit actiepunt intussen gewijzigd")
    );
    assert!(stale.body.contains("Mijn oude versie"));
    assert_eq!(
        app.count("SELECT count(*) FROM action_point WHERE what = 'Mijn oude versie'")
            .await,
        0
    );
    // Bad input on the change form: said, kept, nothing stored.
    let v = version(&app, point).await;
    let refused = serv
        .post_form(
            &format!("/actiepunten/{point}/bewerken"),
            &[
                ("version", &v),
                ("what", ""),
                ("assignee", "kabinet-abc"),
                ("due_on", "morgen"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Zeg wat er moet gebeuren.",
        "Kies een waarde uit de lijst.",
        "Gebruik een datum in de vorm JJJJ-MM-DD.",
    ] {
        assert!(refused.text().contains(message), "{message}");
    }
    assert_eq!(
        refused.attr("input[name=due_on]", "value").as_deref(),
        Some("morgen")
    );
    assert_eq!(version(&app, point).await, v, "nothing stored");

    // Given to the secretariat: its other accounts hear of it, not the one
    // who gave it; the secretariat reports it done itself.
    let own = add(
        &mut serv,
        item,
        &[
            ("what", "Een overzicht van de adviezen maken"),
            ("assignee", "secretariaat"),
            ("due_on", &due),
        ],
    )
    .await;
    let to: Vec<String> = sqlx::query_scalar(
        "SELECT recipient FROM mail_message WHERE kind = 'action_point' ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(to, ["an@acv.be", "bo@voka.be", "collega@serv.be"]);
    let page = step(&app, &mut serv, own, "uitgevoerd", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_notification_is_as_the_mailbox_chose() {
    let app = TestApp::seeded().await;
    let held = meeting_in(&app, "vesoc-werkgroep", -10, "held").await;
    let item = dealt_with(&app, held, "Opleidingsincentives", false, false).await;
    let acv = organisation(&app, "acv").await;
    let mut an = app
        .signed_in_as(Role::SocialPartner, "an@acv.be", Some("acv"), None)
        .await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    // A page of choices from before this kind existed still saves: the
    // kind left out keeps its choice.
    let saved = an
        .post_form(
            "/account/berichten",
            &[
                ("proposal_decision", "immediately"),
                ("minutes_approved", "immediately"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = an.get("/account/berichten").await;
    assert!(
        page.text()
            .contains("Actiepunten die u (uw organisatie of kabinet) moet uitvoeren")
    );
    let due = in_days(7);
    let assignee = format!("organisatie-{acv}");
    let fields = [
        ("what", "Een eerste actie"),
        ("assignee", assignee.as_str()),
        ("due_on", due.as_str()),
    ];
    for (choice, messages, digest) in [("never", 0, 0), ("daily", 0, 1), ("immediately", 1, 1)] {
        let saved = an
            .post_form("/account/berichten", &[("action_point", choice)])
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        add(&mut serv, item, &fields).await;
        assert_eq!(
            app.count("SELECT count(*) FROM mail_message WHERE kind = 'action_point'")
                .await,
            messages,
            "{choice}"
        );
        assert_eq!(
            app.count("SELECT count(*) FROM mail_digest_entry WHERE kind = 'action_point'")
                .await,
            digest,
            "{choice}"
        );
    }
}

#[tokio::test]
async fn bad_input_on_every_form_says_why_keeps_what_was_typed_and_stores_nothing() {
    let app = TestApp::seeded().await;
    let held = meeting_in(&app, "vesoc-werkgroep", -10, "held").await;
    let item = dealt_with(&app, held, "Loopbaanbegeleiding", false, false).await;
    let secret = dealt_with(&app, held, "Vertrouwelijk dossier", true, false).await;
    let submitted = proposal(&app).await;
    let (acv, dkb) = (
        organisation(&app, "acv").await,
        organisation(&app, "dkb").await,
    );
    let mut serv = app.signed_in(Role::Secretariat).await;
    let mut an = app
        .signed_in_as(Role::SocialPartner, "an@acv.be", Some("acv"), None)
        .await;
    let before = audit_rows(&app).await;

    // Everything wrong at once.
    let page = serv
        .post_form(
            &format!("/agendapunten/{item}/actiepunten"),
            &[
                ("what", "  "),
                ("assignee", ""),
                ("due_on", "2024-02-30"),
                ("action_line_id", "999999"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.text();
    for message in [
        "Het actiepunt is niet opgeslagen:",
        "Zeg wat er moet gebeuren.",
        "Kies wie het actiepunt moet uitvoeren.",
        "Gebruik een datum in de vorm JJJJ-MM-DD.",
        "Kies een waarde uit de lijst.",
    ] {
        assert!(text.contains(message), "{message}: {text}");
    }
    assert_eq!(
        page.attr("input[name=due_on]", "value").as_deref(),
        Some("2024-02-30"),
        "what was typed stays"
    );
    assert_eq!(
        page.attr("textarea[name=what]", "aria-invalid").as_deref(),
        Some("true")
    );
    // Too long, an unknown assignee.
    let long = "x".repeat(2001);
    let page = serv
        .post_form(
            &format!("/agendapunten/{item}/actiepunten"),
            &[
                ("what", &long),
                ("assignee", "organisatie-999999"),
                ("due_on", &in_days(5)),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("Gebruik hoogstens 2000 tekens."));
    assert!(page.text().contains("Kies een waarde uit de lijst."));
    // Due before the meeting it comes from.
    let typed = "Een actie met een termijn in het verleden";
    let page = serv
        .post_form(
            &format!("/agendapunten/{item}/actiepunten"),
            &[
                ("what", typed),
                ("assignee", &format!("organisatie-{acv}")),
                ("due_on", &in_days(-30)),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text()
            .contains("De termijn kan niet vóór de vergadering van")
    );
    assert!(page.body.contains(typed), "what was typed stays");
    assert_eq!(
        page.attr(&format!("option[value=organisatie-{acv}]"), "selected")
            .as_deref(),
        Some(""),
        "the chosen assignee stays"
    );
    // A confidential item's point to an organisation outside the body.
    let page = serv
        .post_form(
            &format!("/agendapunten/{secret}/actiepunten"),
            &[
                ("what", "Iets vertrouwelijks"),
                ("assignee", &format!("organisatie-{dkb}")),
                ("due_on", &in_days(5)),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text()
            .contains("mag dit vertrouwelijke agendapunt niet zien")
    );
    // An item on no agenda: no form, and a refusal.
    let page = serv
        .get(&format!("/agendapunten/{submitted}/actiepunten/nieuw"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("staat (nog) op geen agenda"));
    assert!(page.select("form.action-point-form").is_empty());
    let page = serv
        .post_form(
            &format!("/agendapunten/{submitted}/actiepunten"),
            &[
                ("what", "Iets"),
                ("assignee", &format!("organisatie-{acv}")),
                ("due_on", &in_days(5)),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT count(*) FROM action_point").await, 0);
    assert_eq!(audit_rows(&app).await, before, "nothing written");

    // The forms of one point.
    let point = add(
        &mut serv,
        item,
        &[
            ("what", "Een goede actie"),
            ("assignee", &format!("organisatie-{acv}")),
            ("due_on", &in_days(5)),
        ],
    )
    .await;
    let before = audit_rows(&app).await;
    let page = an
        .post_form(&format!("/actiepunten/{point}/notities"), &[("text", " ")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("Schrijf eerst de notitie."));
    let v = version(&app, point).await;
    let page = serv
        .post_form(
            &format!("/actiepunten/{point}/schrappen"),
            &[("version", &v), ("text", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text()
            .contains("Zeg in de notitie waarom het actiepunt geschrapt wordt.")
    );
    let page = an
        .post_form(
            &format!("/actiepunten/{point}/uitgevoerd"),
            &[("version", &v), ("text", &long)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("Gebruik hoogstens 2000 tekens."));
    assert_eq!(audit_rows(&app).await, before, "nothing written");
    assert_eq!(app.count("SELECT count(*) FROM action_point_note").await, 0);

    // Reported done: the form loaded before is stale, what was typed stays.
    let page = an
        .post_form(
            &format!("/actiepunten/{point}/uitgevoerd"),
            &[("version", &v)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = serv
        .post_form(
            &format!("/actiepunten/{point}/bevestigen"),
            &[("version", &v), ("text", "Goed gedaan.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.text()
            .contains("Iemand anders heeft dit actiepunt intussen gewijzigd")
    );
    assert_eq!(page.select("textarea[name=text]"), vec!["Goed gedaan."]);
    let page = an
        .post_form(
            &format!("/actiepunten/{point}/uitgevoerd"),
            &[("version", &v)],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "reported once");
    // Reopening an open point is stale too.
    let page = step(&app, &mut serv, point, "heropenen", &[]).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(
        app.count("SELECT count(*) FROM action_point WHERE status = 'open'")
            .await,
        1
    );
    // A filter that does not exist.
    let page = serv.get("/actiepunten?toon=morgen").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.text().contains("Deze keuze bestaat niet"));
    assert!(page.text().contains("Een goede actie"));
}

#[tokio::test]
async fn only_the_assignee_and_the_secretariat_act_on_a_point() {
    let app = TestApp::seeded().await;
    let held = meeting_in(&app, "vesoc-werkgroep", -10, "held").await;
    let item = dealt_with(&app, held, "Levenslang leren", false, false).await;
    let secret = dealt_with(&app, held, "Geheim dossier", true, false).await;
    let acv = organisation(&app, "acv").await;
    let crevits = app
        .id("SELECT id FROM person WHERE slug = 'hilde-crevits'")
        .await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let for_acv = add(
        &mut serv,
        item,
        &[
            ("what", "Actie voor ACV"),
            ("assignee", &format!("organisatie-{acv}")),
            ("due_on", &in_days(5)),
        ],
    )
    .await;
    let for_cabinet = add(
        &mut serv,
        item,
        &[
            ("what", "Actie voor het kabinet"),
            ("assignee", &format!("kabinet-{crevits}")),
            ("due_on", &in_days(5)),
        ],
    )
    .await;
    let confidential = add(
        &mut serv,
        secret,
        &[
            ("what", "Vertrouwelijke actie"),
            ("assignee", &format!("organisatie-{acv}")),
            ("due_on", &in_days(5)),
        ],
    )
    .await;
    let mut voka = app
        .signed_in_as(Role::SocialPartner, "bo@voka.be", Some("voka"), None)
        .await;
    let mut cabinet = app.signed_in(Role::Cabinet).await;
    let mut outsider = app
        .signed_in_as(Role::SocialPartner, "cas@dkb.be", Some("dkb"), None)
        .await;
    let mut admin = app.signed_in(Role::Admin).await;
    let before = audit_rows(&app).await;

    // VOKA may see ACV's point of a public item, not act on it.
    let page = voka.get(&format!("/actiepunten/{for_acv}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.select("form[action$=notities]").is_empty());
    let v = version(&app, for_acv).await;
    for path in ["notities", "uitgevoerd"] {
        let page = voka
            .post_form(
                &format!("/actiepunten/{for_acv}/{path}"),
                &[("version", &v), ("text", "Van VOKA")],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    for path in ["bevestigen", "schrappen", "heropenen", "bewerken"] {
        let page = voka
            .post_form(
                &format!("/actiepunten/{for_acv}/{path}"),
                &[("version", &v), ("text", "Van VOKA")],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    // "Onze actiepunten": what is given to them, not all they may see.
    assert!(
        !voka
            .get("/actiepunten")
            .await
            .text()
            .contains("Actie voor ACV")
    );
    let mine = cabinet.get("/actiepunten").await;
    assert!(mine.text().contains("Actie voor het kabinet"));
    assert!(!mine.text().contains("Actie voor ACV"));
    // The cabinet acts on its minister's point, not on ACV's.
    let page = step(&app, &mut cabinet, for_acv, "uitgevoerd", &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(audit_rows(&app).await, before, "nothing written");
    let page = step(&app, &mut cabinet, for_cabinet, "uitgevoerd", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    // Outside the body, a confidential item's point does not exist, and the
    // refusal is logged; an administrator reads none either.
    for (who, client) in [("outsider", &mut outsider), ("admin", &mut admin)] {
        let page = client.get(&format!("/actiepunten/{confidential}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{who}");
        assert!(!page.body.contains("Vertrouwelijke actie"), "{who}");
    }
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_log WHERE action = 'action_point.refused'
               AND entity = 'action_point'"
        )
        .await,
        2
    );
    let page = outsider
        .post_form(
            &format!("/actiepunten/{confidential}/notities"),
            &[("text", "Toch iets")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // Administrators have no "Onze actiepunten"; visitors sign in first.
    assert_eq!(
        admin.get("/actiepunten").await.status,
        StatusCode::FORBIDDEN
    );
    let page = app.client().get(&format!("/actiepunten/{for_acv}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM action_point_note WHERE text LIKE '%VOKA%' OR text = 'Toch iets'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn the_yearly_overview_counts_what_became_of_the_points() {
    let app = TestApp::seeded().await;
    let held = sqlx::query_scalar::<_, i64>(
        "INSERT INTO meeting (body_id, kind, starts_at, ends_at, status)
         SELECT id, 'working_group', timestamptz '2025-03-04 10:00+01',
                timestamptz '2025-03-04 12:00+01', 'held'
         FROM body WHERE slug = 'vesoc-werkgroep' RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let item = dealt_with(&app, held, "Jaarcijfers", true, false).await;
    // On time, late, dropped, open and overdue, open and not yet due.
    sqlx::query(
        "INSERT INTO action_point (agenda_item_id, what, assignee_secretariat, due_on, status,
                                   reported_done_at, closed_at)
         VALUES ($1, 'Tijdig', true, DATE '2025-04-01', 'done', NULL, timestamptz '2025-03-20 10:00+01'),
                ($1, 'Laat', true, DATE '2025-04-01', 'done', timestamptz '2025-05-02 10:00+02',
                 timestamptz '2025-05-03 10:00+02'),
                ($1, 'Geschrapt', true, DATE '2025-04-01', 'dropped', NULL,
                 timestamptz '2025-03-20 10:00+01'),
                ($1, 'Te laat open', true, DATE '2025-04-01', 'open', NULL, NULL),
                ($1, 'Nog niet', true, DATE '2099-01-01', 'open', NULL, NULL)",
    )
    .bind(item)
    .execute(&app.db)
    .await
    .unwrap();
    let page = app.client().get("/jaaroverzicht/2025").await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = page.select("table.actions-count tbody tr");
    assert_eq!(
        rows,
        vec![
            "VESOC-werkgroep 5 1 1 1 2 1".to_string(),
            "totaal 5 1 1 1 2 1".to_string()
        ]
    );
    // Counts only: no text of the (confidential) points.
    assert!(!page.body.contains("Te laat open"));
    let csv = app.client().get("/jaaroverzicht/2025.csv").await;
    assert!(
        csv.body
            .contains("\"VESOC-werkgroep\";\"5\";\"1\";\"1\";\"1\";\"2\";\"1\"\r\n"),
        "{}",
        csv.body
    );
    // Another year: none.
    let page = app.client().get("/jaaroverzicht/2024").await;
    assert_eq!(
        page.select("table.actions-count tbody tr"),
        vec!["totaal 0 0 0 0 0 0"]
    );
}

// --- the table of docs/access.md ---

const READERS: &[&str] = &[
    "anonymous",
    "own organisation",
    "other organisation",
    "outsider",
    "own cabinet",
    "other cabinet",
    "secretariat",
    "administrator",
];
const CHANNELS: &[&str] = &[
    "meeting page",
    "action point page",
    "agreement page",
    "mail",
];

struct Row {
    record: String,
    sees: Vec<bool>,
    channels: Vec<String>,
}

/// The table under "## Action points".
fn table() -> Vec<Row> {
    let section = ACCESS
        .split("## Action points")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("docs/access.md has a section \"## Action points\"");
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let mut lines = section
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("| action point |"))
        .take_while(|l| l.trim_start().starts_with('|'));
    let header = cells(lines.next().expect("the table's header"));
    assert_eq!(header.last().map(String::as_str), Some("channels"));
    assert_eq!(&header[1..header.len() - 1], READERS, "the readers");
    lines
        .skip(1)
        .map(|line| {
            let c = cells(line);
            assert_eq!(c.len(), header.len(), "a cell missing in: {line}");
            Row {
                record: c[0].trim_matches('`').to_string(),
                sees: c[1..c.len() - 1]
                    .iter()
                    .map(|v| match v.as_str() {
                        "✓" => true,
                        "–" => false,
                        other => panic!("{other:?} in {line}: use ✓ or –"),
                    })
                    .collect(),
                channels: c[c.len() - 1]
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .collect(),
            }
        })
        .collect()
}

struct Reader {
    name: &'static str,
    client: Client,
    /// The account's address and the person it is (invited, it gets the
    /// convocation).
    mailbox: Option<(String, i64)>,
}

async fn readers(app: &TestApp) -> Vec<Reader> {
    let mut out = Vec::new();
    for &name in READERS {
        let account = match name {
            "anonymous" => None,
            "own organisation" => Some((Role::SocialPartner, Some("acv"), None)),
            "other organisation" => Some((Role::SocialPartner, Some("voka"), None)),
            "outsider" => Some((Role::SocialPartner, Some("dkb"), None)),
            "own cabinet" => Some((
                Role::Cabinet,
                Some("vlaamse-regering"),
                Some("hilde-crevits"),
            )),
            "other cabinet" => Some((Role::Cabinet, Some("vlaamse-regering"), Some("jan-jambon"))),
            "secretariat" => Some((Role::Secretariat, Some("serv"), None)),
            "administrator" => Some((Role::Admin, None, None)),
            other => panic!("no reader {other:?}: add it to actions.rs"),
        };
        let mut client = app.client();
        let mut mailbox = None;
        if let Some((role, org, minister)) = account {
            let email = format!("{}@actie.vesoc.be", name.replace(' ', "-"));
            let id = app.account_as(role, &email, org, minister).await;
            let page = client.sign_in(&email, PASSWORD).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{name}");
            let person: i64 = sqlx::query_scalar(
                "WITH p AS (INSERT INTO person (slug, given_name, family_name, email)
                            VALUES ($1, 'Lezer', $2, $3) RETURNING id)
                 UPDATE account SET person_id = (SELECT id FROM p) WHERE id = $4
                 RETURNING person_id",
            )
            .bind(format!("actielezer-{}", name.replace(' ', "-")))
            .bind(name)
            .bind(&email)
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
            mailbox = Some((email, person));
        }
        out.push(Reader {
            name,
            client,
            mailbox,
        });
    }
    out
}

/// The convocation texts of `meeting` that `mailbox` would get once its
/// person is invited: written and read in a transaction that is rolled back.
async fn convocation(app: &TestApp, (email, person): &(String, i64), meeting: i64) -> Vec<String> {
    let site = vesoc::mail::Site {
        base_url: "https://vesoc.test".into(),
        sender: "vesoc@serv.be".into(),
    };
    let mut tx = app.db.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO meeting_participant (meeting_id, person_id, reason) VALUES ($1, $2, 'added')",
    )
    .bind(meeting)
    .bind(person)
    .execute(&mut *tx)
    .await
    .unwrap();
    let m = vesoc::meetings::queries::get(&mut *tx, meeting)
        .await
        .unwrap()
        .unwrap();
    use vesoc::meetings::convocation::{Occasion, write};
    write(&mut tx, None, &m, Occasion::Convened, &site)
        .await
        .unwrap();
    let texts = sqlx::query_scalar(
        "SELECT body_text FROM mail_message WHERE recipient = $1 AND kind = 'convocation'",
    )
    .bind(email)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    texts
}

fn shows(page: &Page, word: &str) -> bool {
    page.status == StatusCode::OK && page.body.contains(word)
}

#[tokio::test]
async fn confidential_items_action_points_follow_the_items_visibility() {
    let rows = table();
    assert_eq!(rows.len(), 3, "the rows of docs/access.md");
    for row in &rows {
        for channel in &row.channels {
            assert!(
                CHANNELS.contains(&channel.as_str()),
                "unknown channel {channel:?}"
            );
        }
    }
    let app = TestApp::seeded().await;
    let held = meeting_in(&app, "vesoc-werkgroep", -20, "held").await;
    let next = meeting_in(&app, "vesoc-werkgroep", 30, "planned").await;
    let line = line(&app).await;
    let words = ["kolibrie", "toekan", "pelikaan"];
    let mut points = Vec::new();
    for (row, word) in rows.iter().zip(words) {
        let (confidential, released) = match row.record.as_str() {
            "action point of an item on the agenda" => (false, false),
            "action point of a confidential item on the agenda" => (true, false),
            "action point of a confidential released item" => (true, true),
            other => panic!("no record {other:?}: add it to actions.rs"),
        };
        let item = dealt_with(&app, held, &format!("Punt {word}"), confidential, released).await;
        let point: i64 = sqlx::query_scalar(
            "INSERT INTO action_point (agenda_item_id, what, assignee_organisation_id, due_on,
                                       action_line_id)
             VALUES ($1, 'Actie over de ' || $2, (SELECT id FROM organisation WHERE slug = 'acv'),
                     current_date + 10, $3)
             RETURNING id",
        )
        .bind(item)
        .bind(word)
        .bind(line)
        .fetch_one(&app.db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO action_point_note (action_point_id, step, text)
             VALUES ($1, 'note', 'Notitie over de ' || $2)",
        )
        .bind(point)
        .bind(word)
        .execute(&app.db)
        .await
        .unwrap();
        points.push(point);
    }
    let mut readers = readers(&app).await;
    let mut wrong = Vec::new();
    for ((row, word), point) in rows.iter().zip(words).zip(&points) {
        let what = format!("Actie over de {word}");
        let note = format!("Notitie over de {word}");
        for (reader, expected) in readers.iter_mut().zip(&row.sees) {
            for channel in &row.channels {
                let seen: Option<bool> = match channel.as_str() {
                    "meeting page" => {
                        let page = reader.client.get(&format!("/vergaderingen/{next}")).await;
                        assert_eq!(page.status, StatusCode::OK);
                        Some(page.body.contains(&what))
                    }
                    "action point page" if reader.mailbox.is_none() => {
                        let page = reader.client.get(&format!("/actiepunten/{point}")).await;
                        assert_eq!(page.status, StatusCode::SEE_OTHER, "to sign in");
                        None
                    }
                    "action point page" => {
                        let page = reader.client.get(&format!("/actiepunten/{point}")).await;
                        if !shows(&page, &what) {
                            assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", reader.name);
                            assert!(!page.body.contains(&note));
                        }
                        Some(shows(&page, &what) && page.body.contains(&note))
                    }
                    "agreement page" => {
                        let page = reader
                            .client
                            .get("/akkoorden/iedereen-aan-boord-2019")
                            .await;
                        assert_eq!(page.status, StatusCode::OK);
                        let (w, n) = (page.body.contains(&what), page.body.contains(&note));
                        assert_eq!(w, n, "{}: the point and its note go together", reader.name);
                        Some(w)
                    }
                    "mail" => match &reader.mailbox {
                        None => None,
                        Some(mailbox) => {
                            let texts = convocation(&app, mailbox, next).await;
                            assert_eq!(texts.len(), 1, "{}", reader.name);
                            Some(
                                texts[0].contains("Opvolging actiepunten")
                                    && texts[0].contains(&what),
                            )
                        }
                    },
                    other => panic!("no channel {other:?}"),
                };
                if let Some(seen) = seen
                    && seen != *expected
                {
                    wrong.push(format!(
                        "{} / {} / {channel}: expected {expected}, saw {seen}",
                        row.record, reader.name
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
