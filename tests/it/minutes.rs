//! After the meeting: minutes per agenda item (draft → sent for comments →
//! approved → locked, corrected with the old text kept), the decision rule
//! (`decision_visible`) on every channel that shows a decision, the
//! decision list and register, and conflicts of interest.

use axum::http::StatusCode;
use vesoc::auth::Role;

use crate::harness::{Client, TestApp};

/// A held meeting of the working group (a week ago) with a public and a
/// confidential item of ACV on its agenda, dealt with: (meeting, public,
/// confidential).
pub(crate) async fn held_meeting(app: &TestApp) -> (i64, i64, i64) {
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2026-11-10 10:00+01")
        .await;
    sqlx::query("UPDATE meeting SET starts_at = now() - interval '7 days', ends_at = now() - interval '7 days' + interval '2 hours', status = 'held' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    let items: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id, title, kind,
                                  status, position, number, confidential)
         SELECT body_id, id, (SELECT id FROM organisation WHERE slug = 'acv'), t.title,
                'decision', 'accepted', t.pos, t.pos::text, t.secret
         FROM meeting, (VALUES ('Duaal leren in de zorg', 1, false),
                               ('Geheime loonnorm', 2, true)) AS t(title, pos, secret)
         WHERE meeting.id = $1 ORDER BY t.pos RETURNING id",
    )
    .bind(meeting)
    .fetch_all(&app.db)
    .await
    .unwrap();
    (meeting, items[0], items[1])
}

/// A person who sits for ACV, invited to `meeting` and present.
pub(crate) async fn acv_invitee(app: &TestApp, meeting: i64) -> i64 {
    let person: i64 = sqlx::query_scalar(
        "SELECT ms.person_id FROM membership ms JOIN organisation o ON o.id = ms.organisation_id
         WHERE o.slug = 'acv' ORDER BY ms.id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO meeting_participant (meeting_id, person_id, organisation_id, reason, attendance)
         VALUES ($1, $2, (SELECT id FROM organisation WHERE slug = 'acv'), 'composition', 'present')",
    )
    .bind(meeting)
    .bind(person)
    .execute(&app.db)
    .await
    .unwrap();
    person
}

pub(crate) async fn section(
    app: &TestApp,
    staff: &mut Client,
    meeting: i64,
    item: i64,
    fields: &[(&str, &str)],
) -> crate::harness::Page {
    let section_version: Option<i32> =
        sqlx::query_scalar("SELECT version FROM minutes_section WHERE agenda_item_id = $1")
            .bind(item)
            .fetch_optional(&app.db)
            .await
            .unwrap();
    let v = section_version.unwrap_or(0).to_string();
    let iv = app.version("agenda_item", item).await;
    let mut all = vec![("version", v.as_str()), ("item_version", iv.as_str())];
    all.extend_from_slice(fields);
    staff
        .post_form(
            &format!("/vergaderingen/{meeting}/verslag/punten/{item}"),
            &all,
        )
        .await
}

/// Approves the minutes of `meeting` on the meeting page (on 1 December
/// 2026), as the secretariat's form does.
pub(crate) async fn approve(app: &TestApp, staff: &mut Client, meeting: i64) {
    let v = minutes_version(app, meeting).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/verslag/goedkeuren"),
            &[
                ("approved_on", "2026-12-01"),
                ("bevestigd", "ja"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
}

pub(crate) async fn minutes_version(app: &TestApp, meeting: i64) -> String {
    let v: Option<i32> = sqlx::query_scalar("SELECT version FROM minutes WHERE meeting_id = $1")
        .bind(meeting)
        .fetch_optional(&app.db)
        .await
        .unwrap();
    v.unwrap_or(0).to_string()
}

#[tokio::test]
async fn minutes_per_item_from_draft_to_approved_and_corrected() {
    let app = TestApp::seeded().await;
    let (meeting, public, secret) = held_meeting(&app).await;
    acv_invitee(&app, meeting).await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let mut member = app.signed_in(Role::SocialPartner).await;
    let mut anonymous = app.client();
    let path = format!("/vergaderingen/{meeting}/verslag");

    // The secretariat sees a section per item, in agenda order.
    let page = staff.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(
        page.select("section.minutes-section > h2"),
        vec!["1. Duaal leren in de zorg", "2. Geheime loonnorm"]
    );
    // Members read nothing of a draft; the public never reads minutes.
    assert_eq!(member.get(&path).await.status, StatusCode::NOT_FOUND);
    let anon = anonymous.get(&path).await;
    assert!(
        anon.location()
            .unwrap_or_default()
            .starts_with("/aanmelden")
    );

    // A decision needs its text: refused in Dutch, what was typed kept.
    let refused = section(
        &app,
        &mut staff,
        meeting,
        public,
        &[
            ("summary", "Een goede bespreking."),
            ("outcome", "decided"),
            ("decision_text", ""),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("Vul de tekst van de beslissing in.")
    );
    assert_eq!(
        refused.select(&format!("#summary-{public}")),
        vec!["Een goede bespreking."]
    );
    assert_eq!(app.count("SELECT count(*) FROM minutes_section").await, 0);

    for (item, summary, decision) in [
        (
            public,
            "De sociale partners steunen het voorstel.",
            "De werkgroep keurt het voorstel goed.",
        ),
        (
            secret,
            "Vertrouwelijke bespreking.",
            "De loonnorm blijft geheim.",
        ),
    ] {
        let page = section(
            &app,
            &mut staff,
            meeting,
            item,
            &[
                ("summary", summary),
                ("outcome", "decided"),
                ("decision_text", decision),
            ],
        )
        .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    }
    // Before the minutes are sent, the decision is the secretariat's only.
    let item_page = member.get(&format!("/punten/{public}")).await;
    assert!(!item_page.text().contains("keurt het voorstel goed"));
    let list = anonymous
        .get(&format!("/vergaderingen/{meeting}/besluiten"))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.text().contains("keurt het voorstel goed"));

    // Sending needs the general part first, and a date not in the past.
    let send = format!("/vergaderingen/{meeting}/verslag/versturen");
    let page = staff
        .post_form(&send, &[("comments_until", "2099-01-31"), ("version", "0")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("Schrijf eerst het algemene deel"));
    let general = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/verslag"),
            &[
                ("text", "De voorzitter opent de vergadering."),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(general.status, StatusCode::SEE_OTHER, "{}", general.text());
    let v = minutes_version(&app, meeting).await;
    let page = staff
        .post_form(&send, &[("comments_until", "2020-01-01"), ("version", &v)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("ligt in het verleden"));
    assert_eq!(
        page.attr("#comments_until", "value").as_deref(),
        Some("2020-01-01")
    );
    let mails_before = app
        .count("SELECT coalesce(max(id), 0) FROM mail_message")
        .await;
    let page = staff
        .post_form(&send, &[("comments_until", "2099-01-31"), ("version", &v)])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    // The member's account is told (the secretariat that sent it is not).
    let to: Vec<String> =
        sqlx::query_scalar("SELECT recipient FROM mail_message WHERE id > $1 ORDER BY id")
            .bind(mails_before)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert!(
        to.iter().any(|a| a == "social-partner@test.vesoc.be"),
        "{to:?}"
    );
    assert!(
        !to.iter().any(|a| a == "secretariat@test.vesoc.be"),
        "{to:?}"
    );

    // Sent: the members read the minutes and the decisions, the
    // confidential item's too (they sit in the body); the public not yet.
    let read = member.get(&path).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(
        read.text()
            .contains("De sociale partners steunen het voorstel.")
    );
    assert!(read.text().contains("De loonnorm blijft geheim."));
    assert!(read.text().contains("ter opmerkingen verstuurd"));
    assert!(read.select("form[action$='/verbeteren']").is_empty());
    let item_page = member.get(&format!("/punten/{public}")).await;
    assert!(
        item_page
            .text()
            .contains("De werkgroep keurt het voorstel goed.")
    );
    let list = anonymous
        .get(&format!("/vergaderingen/{meeting}/besluiten"))
        .await;
    assert!(!list.text().contains("keurt het voorstel goed"));

    // Approved: locked. The public reads the public item's decision.
    approve(&app, &mut staff, meeting).await;
    let list = anonymous
        .get(&format!("/vergaderingen/{meeting}/besluiten"))
        .await;
    assert!(
        list.text()
            .contains("De werkgroep keurt het voorstel goed.")
    );
    assert!(!list.body.contains("Geheime loonnorm"));
    assert!(!list.body.contains("De loonnorm blijft geheim."));
    let register = anonymous.get("/beslissingen?orgaan=vesoc-werkgroep").await;
    assert!(
        register
            .text()
            .contains("De werkgroep keurt het voorstel goed.")
    );
    assert!(!register.body.contains("De loonnorm blijft geheim."));

    let locked = section(
        &app,
        &mut staff,
        meeting,
        public,
        &[
            ("summary", "Iets anders."),
            ("outcome", "decided"),
            ("decision_text", "Anders."),
        ],
    )
    .await;
    assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(locked.text().contains("verbeter het met een correctie"));
    let v = minutes_version(&app, meeting).await;
    let general = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/verslag"),
            &[("text", "Nieuw."), ("version", &v)],
        )
        .await;
    assert_eq!(general.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A correction needs a reason; it keeps the old text.
    let correct = format!("/vergaderingen/{meeting}/verslag/verbeteren");
    let public_id = public.to_string();
    let fields = [
        ("part", public_id.as_str()),
        ("field", "summary"),
        ("text", "De sociale partners steunen het voorstel eenparig."),
        ("reason", ""),
    ];
    let page = staff.post_form(&correct, &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("Geef de reden van de correctie."));
    assert_eq!(
        page.select("#text"),
        vec!["De sociale partners steunen het voorstel eenparig."]
    );
    assert_eq!(
        app.count("SELECT count(*) FROM minutes_correction").await,
        0
    );
    let mut fields = fields;
    fields[3] = ("reason", "Opmerking van ACV op de vergadering.");
    let page = staff.post_form(&correct, &fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let (old, new): (String, String) = sqlx::query_as(
        "SELECT old_text, new_text FROM minutes_correction WHERE agenda_item_id = $1",
    )
    .bind(public)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(old, "De sociale partners steunen het voorstel.");
    assert_eq!(new, "De sociale partners steunen het voorstel eenparig.");
    let read = member.get(&path).await;
    assert!(read.text().contains("eenparig"));
    assert!(read.text().contains("Opmerking van ACV op de vergadering."));
    assert!(
        app.count(&format!(
            "SELECT count(*) FROM audit_log WHERE action = 'correct_minutes' AND entity_id = '{meeting}'"
        ))
        .await
            == 1
    );
}

#[tokio::test]
async fn a_decision_reaches_search_and_open_data_only_where_it_may_be_seen() {
    let app = TestApp::seeded().await;
    let (meeting, public, _) = held_meeting(&app).await;
    sqlx::query(
        "UPDATE agenda_item SET status = 'dealt_with', outcome = 'decided',
                decision_text = 'Het kwispelstaartbesluit wordt uitgevoerd.'
         WHERE id = $1",
    )
    .bind(public)
    .execute(&app.db)
    .await
    .unwrap();
    let mut anonymous = app.client();
    let find = "/zoeken?q=kwispelstaartbesluit";
    assert!(!anonymous.get(find).await.text().contains("Duaal leren"));
    let item = anonymous
        .get(&format!("/api/oparl/agendaitem/{public}"))
        .await;
    assert!(!item.body.contains("kwispelstaartbesluit"));
    // The secretariat publishes the decision list before the approval.
    let mut staff = app.signed_in(Role::Secretariat).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{meeting}/besluiten/publiceren"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert!(anonymous.get(find).await.text().contains("Duaal leren"));
    let item = anonymous
        .get(&format!("/api/oparl/agendaitem/{public}"))
        .await;
    assert!(item.body.contains("kwispelstaartbesluit"));
    let list = anonymous
        .get(&format!("/vergaderingen/{meeting}/besluiten"))
        .await;
    assert!(list.text().contains("openbaar vóór de goedkeuring"));
}

#[tokio::test]
async fn the_register_refuses_a_malformed_filter_in_dutch_and_keeps_it() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let page = c.get("/beslissingen?jaar=twintig&uitkomst=misschien").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.text().contains("Het jaar is een getal zoals 2024."));
    assert!(page.text().contains("Kies een uitkomst uit de lijst."));
    assert_eq!(page.attr("#jaar", "value").as_deref(), Some("twintig"));
    let page = c
        .get("/beslissingen?orgaan=vesoc-werkgroep&jaar=2025")
        .await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test]
async fn a_member_declares_a_conflict_of_interest_shown_where_the_item_is() {
    let app = TestApp::seeded().await;
    let (meeting, public, _) = held_meeting(&app).await;
    let person = acv_invitee(&app, meeting).await;
    let account = app.account(Role::SocialPartner, "lid@test.vesoc.be").await;
    sqlx::query("UPDATE account SET person_id = $2 WHERE id = $1")
        .bind(account)
        .bind(person)
        .execute(&app.db)
        .await
        .unwrap();
    let mut member = app.client();
    member
        .sign_in("lid@test.vesoc.be", crate::harness::PASSWORD)
        .await;
    let path = format!("/punten/{public}/belangenconflict");

    // A reason is needed: refused in Dutch, nothing stored.
    let page = member.post_form(&path, &[("reason", " ")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("Geef kort de reden"));
    assert_eq!(
        app.count("SELECT count(*) FROM conflict_of_interest").await,
        0
    );

    // An account that is no invitee cannot declare.
    let mut other = app.signed_in(Role::SocialPartner).await;
    let page = other.post_form(&path, &[("reason", "Eigen belang")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("niet op de uitnodigingslijst"));

    let page = member
        .post_form(
            &path,
            &[("reason", "Bestuurder van een betrokken zorginstelling")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let name: String =
        sqlx::query_scalar("SELECT given_name || ' ' || family_name FROM person WHERE id = $1")
            .bind(person)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let sentence = format!("{name} neemt niet deel aan de bespreking van dit punt");
    let mut anonymous = app.client();
    for path in [
        format!("/punten/{public}"),
        format!("/vergaderingen/{meeting}"),
    ] {
        let page = anonymous.get(&path).await;
        assert!(page.text().contains(&sentence), "{path}: {}", page.text());
    }
    let mut staff = app.signed_in(Role::Secretariat).await;
    let minutes = staff
        .get(&format!("/vergaderingen/{meeting}/verslag"))
        .await;
    assert!(minutes.text().contains(&sentence));
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM audit_log WHERE action = 'declare_conflict' AND entity_id = '{public}'"
        ))
        .await,
        1
    );
}

/// The next meeting approves the minutes through its agenda: the
/// secretariat puts "Goedkeuring van het verslag" on it (one click in the
/// builder), and "beslist" on that item approves and locks the minutes, on
/// the day of that meeting.
#[tokio::test]
async fn the_next_meeting_s_approval_item_approves_and_locks_the_minutes() {
    let app = TestApp::seeded().await;
    let (earlier, public, _) = held_meeting(&app).await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let general = staff
        .post_form(
            &format!("/vergaderingen/{earlier}/verslag"),
            &[
                ("text", "De voorzitter opent de vergadering."),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(general.status, StatusCode::SEE_OTHER, "{}", general.text());
    let next = app
        .meeting("vesoc-werkgroep", "working_group", "2099-03-02 10:00+01")
        .await;
    let builder = format!("/vergaderingen/{next}/agenda");
    let add = format!("/vergaderingen/{next}/agenda/punt");

    // The builder offers the earlier meeting's minutes.
    let page = staff.get(&builder).await;
    let offered = page.select("#own-approves option");
    assert_eq!(offered.len(), 2, "{offered:?}");
    assert!(offered[1].starts_with("de vergadering van "), "{offered:?}");
    assert_eq!(
        page.attr("input[name='approves']", "value"),
        Some(earlier.to_string())
    );

    // A meeting that is no earlier one of this body awaiting approval is
    // refused in Dutch, what was typed kept, nothing stored.
    let items_before = app.count("SELECT count(*) FROM agenda_item").await;
    let other = app
        .meeting("vesoc-werkgroep", "working_group", "2026-01-10 10:00+01")
        .await;
    for wrong in ["nul", &other.to_string(), &next.to_string()] {
        let refused = staff
            .post_form(&add, &[("approves", wrong), ("title", "Mijn titel")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
        assert!(
            refused
                .text()
                .contains("waarvan het verslag nog goedgekeurd moet worden"),
            "{wrong}"
        );
        assert_eq!(
            refused.attr("#own-title", "value").as_deref(),
            Some("Mijn titel")
        );
    }
    assert_eq!(
        app.count("SELECT count(*) FROM agenda_item").await,
        items_before
    );

    // One click: the item, titled and of kind "ter beslissing".
    let earlier_id = earlier.to_string();
    let added = staff.post_form(&add, &[("approves", &earlier_id)]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let (item, title, kind): (i64, String, String) = sqlx::query_as(
        "SELECT id, title, kind::text FROM agenda_item WHERE approves_minutes_of_id = $1",
    )
    .bind(earlier)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(
        title.starts_with("Goedkeuring van het verslag van de vergadering van "),
        "{title}"
    );
    assert_eq!(kind, "decision");
    // Once on an agenda, it is not offered again, nor added twice.
    let page = staff.get(&builder).await;
    assert!(page.select("#own-approves").is_empty());
    assert!(
        page.select(&format!("a[href='/vergaderingen/{earlier}/verslag']"))
            .iter()
            .any(|t| t == "verslag ter goedkeuring")
    );
    let twice = staff.post_form(&add, &[("approves", &earlier_id)]).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.text().contains("staat al op een agenda"));

    // Carried over to a later meeting, the copy still approves those
    // minutes; the approval stays "on an agenda" (the copy's).
    let later = app
        .meeting("vesoc-werkgroep", "working_group", "2099-04-06 10:00+01")
        .await;
    let v = app.version("agenda_item", item).await;
    let carried = staff
        .post_form(
            &format!("/vergaderingen/{next}/agenda/doorschuiven"),
            &[
                ("item_id", item.to_string().as_str()),
                ("meeting_id", later.to_string().as_str()),
                ("version", v.as_str()),
            ],
        )
        .await;
    assert_eq!(carried.status, StatusCode::SEE_OTHER, "{}", carried.text());
    let copies = app
        .count(&format!(
            "SELECT count(*) FROM agenda_item
             WHERE meeting_id = {later} AND approves_minutes_of_id = {earlier}
               AND carried_over_from_id = {item} AND status = 'accepted'"
        ))
        .await;
    assert_eq!(copies, 1);
    let again = staff.post_form(&add, &[("approves", &earlier_id)]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Back on the next meeting's agenda for the rest of this test: the
    // copy is withdrawn, the original accepted again.
    sqlx::query(
        "UPDATE agenda_item SET status = 'withdrawn', position = NULL
         WHERE carried_over_from_id = $1",
    )
    .bind(item)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query("UPDATE agenda_item SET status = 'accepted' WHERE id = $1")
        .bind(item)
        .execute(&app.db)
        .await
        .unwrap();

    // The next meeting takes place: "kennisgenomen" approves nothing.
    sqlx::query(
        "UPDATE meeting SET starts_at = now() - interval '1 day',
                ends_at = now() - interval '1 day' + interval '2 hours'
         WHERE id = $1",
    )
    .bind(next)
    .execute(&app.db)
    .await
    .unwrap();
    let outcome = format!("/vergaderingen/{next}/agenda/afhandelen");
    let item_id = item.to_string();
    let v = app.version("agenda_item", item).await;
    let noted = staff
        .post_form(
            &outcome,
            &[
                ("item_id", item_id.as_str()),
                ("outcome", "noted"),
                ("decision_text", ""),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(noted.status, StatusCode::SEE_OTHER, "{}", noted.text());
    let status: String =
        sqlx::query_scalar("SELECT status::text FROM minutes WHERE meeting_id = $1")
            .bind(earlier)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(status, "draft");

    // "Beslist" (changed in the next meeting's own minutes): approved on
    // the day of the next meeting, locked, audited with the item, the
    // members told.
    let mails_before = app
        .count("SELECT coalesce(max(id), 0) FROM mail_message")
        .await;
    let decided = section(
        &app,
        &mut staff,
        next,
        item,
        &[
            ("summary", ""),
            ("outcome", "decided"),
            ("decision_text", "Het verslag wordt goedgekeurd."),
        ],
    )
    .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.text());
    let (status, approved_on): (String, bool) = sqlx::query_as(
        "SELECT mi.status::text,
                mi.approved_on = (n.starts_at AT TIME ZONE 'Europe/Brussels')::date
         FROM minutes mi, meeting n WHERE mi.meeting_id = $1 AND n.id = $2",
    )
    .bind(earlier)
    .bind(next)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((status.as_str(), approved_on), ("approved", true));
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM audit_log WHERE action = 'approve_minutes'
               AND entity_id = '{earlier}' AND after->>'by_agenda_item' = '{item}'"
        ))
        .await,
        1
    );
    assert!(
        app.count(&format!(
            "SELECT count(*) FROM mail_message WHERE id > {mails_before}"
        ))
        .await
            > 0,
        "the members are told"
    );
    // The minutes say where they were approved, with a link to the item.
    let page = staff
        .get(&format!("/vergaderingen/{earlier}/verslag"))
        .await;
    let line = page.select("#stand a");
    assert_eq!(line.len(), 1, "{}", page.text());
    assert!(
        line[0].starts_with("Goedgekeurd door de vergadering van "),
        "{line:?}"
    );
    assert_eq!(
        page.attr("#stand a", "href"),
        Some(format!("/punten/{item}"))
    );
    let locked = section(
        &app,
        &mut staff,
        earlier,
        public,
        &[("summary", "Nog een wijziging."), ("outcome", "")],
    )
    .await;
    assert_eq!(locked.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(locked.text().contains("verbeter het met een correctie"));
}

/// An approval item whose minutes are gone from "awaiting" (never written)
/// cannot be decided into an approval: refused, nothing stored.
#[tokio::test]
async fn deciding_an_approval_of_minutes_that_do_not_exist_is_refused() {
    let app = TestApp::seeded().await;
    let (earlier, _, _) = held_meeting(&app).await;
    let next = app
        .meeting("vesoc-werkgroep", "working_group", "2026-12-01 10:00+01")
        .await;
    sqlx::query(
        "UPDATE meeting SET starts_at = now() - interval '1 day', ends_at = now() WHERE id = $1",
    )
    .bind(next)
    .execute(&app.db)
    .await
    .unwrap();
    let item: i64 = sqlx::query_scalar(
        "INSERT INTO agenda_item (body_id, meeting_id, title, kind, status, position, number,
                                  approves_minutes_of_id)
         SELECT body_id, id, 'Goedkeuring verslag', 'decision', 'accepted', 1, '1', $2
         FROM meeting WHERE id = $1 RETURNING id",
    )
    .bind(next)
    .bind(earlier)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let mut staff = app.signed_in(Role::Secretariat).await;
    let v = app.version("agenda_item", item).await;
    let item_id = item.to_string();
    let refused = staff
        .post_form(
            &format!("/vergaderingen/{next}/agenda/afhandelen"),
            &[
                ("item_id", item_id.as_str()),
                ("outcome", "decided"),
                ("decision_text", "Goedgekeurd."),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("is er nog niet: er is niets goed te keuren"),
        "{}",
        refused.text()
    );
    let (status, outcome): (String, Option<String>) =
        sqlx::query_as("SELECT status::text, outcome::text FROM agenda_item WHERE id = $1")
            .bind(item)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((status.as_str(), outcome), ("accepted", None));
}
