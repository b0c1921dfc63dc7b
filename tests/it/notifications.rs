//! Notifications (everything but convocations): a proposer hears of the
//! decision on its proposal, members of approved minutes, invitees of a
//! meeting they did not answer, proposers of a deadline; each mailbox
//! chooses per kind (at once, daily digest, never) and can unsubscribe
//! with one click (RFC 8058) without signing in.

use axum::http::StatusCode;
use time::{Duration, OffsetDateTime};
use vesoc::auth::Role;
use vesoc::mail::{Sender, Transport};

use crate::harness::{Client, Item, TestApp, invite, site};
use crate::smtp_sink::Sink;

async fn review(serv: &mut Client, app: &TestApp, id: i64, besluit: &str, comment: &str) {
    let v = app.version("agenda_item", id).await;
    let page = serv
        .post_form(
            &format!("/agendapunten/{id}/beoordelen"),
            &[("besluit", besluit), ("comment", comment), ("version", &v)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
}

/// (recipient, subject, text) of the messages of `kind`, in order.
async fn messages(app: &TestApp, kind: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT recipient, subject, body_text FROM mail_message WHERE kind = $1 ORDER BY id",
    )
    .bind(kind)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

fn unsubscribe_path(text: &str) -> String {
    let word = text
        .split_whitespace()
        .find(|w| w.contains("/uitschrijven/"))
        .expect("an unsubscribe link");
    word[word.find("/uitschrijven/").unwrap()..].to_string()
}

#[tokio::test]
async fn the_proposer_hears_of_a_decision_and_one_click_unsubscribes_without_signing_in() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    app.account_as(Role::SocialPartner, "an@acv.be", Some("acv"), None)
        .await;
    app.account_as(Role::SocialPartner, "bo@acv.be", Some("acv"), None)
        .await;
    let gone = app
        .account_as(Role::SocialPartner, "weg@acv.be", Some("acv"), None)
        .await;
    sqlx::query("UPDATE account SET disabled_at = now() WHERE id = $1")
        .bind(gone)
        .execute(&app.db)
        .await
        .unwrap();
    app.account_as(Role::SocialPartner, "cas@voka.be", Some("voka"), None)
        .await;

    let id = app
        .item(Item::proposal("Loopbaanbegeleiding\r\nBcc: kwaad@x.be"))
        .await;
    review(
        &mut serv,
        &app,
        id,
        "return",
        "Voeg de cijfers van 2019 toe.",
    )
    .await;
    let sent = messages(&app, "proposal_decision").await;
    let to: Vec<&str> = sent.iter().map(|(to, _, _)| to.as_str()).collect();
    // ACV's active accounts (and the test account of the role), not VOKA's
    // nor the disabled one.
    assert!(
        to.contains(&"an@acv.be") && to.contains(&"bo@acv.be"),
        "{to:?}"
    );
    assert!(
        !to.contains(&"cas@voka.be") && !to.contains(&"weg@acv.be"),
        "{to:?}"
    );
    let (_, subject, text) = &sent[0];
    assert_eq!(
        subject,
        "Aan te passen: Loopbaanbegeleiding Bcc: kwaad@x.be"
    );
    assert!(
        text.contains("Opmerking van het secretariaat: Voeg de cijfers van 2019 toe."),
        "{text}"
    );
    assert!(text.contains("/agendapunten/"), "{text}");

    // Through SMTP: the one-click headers of RFC 8058, no injected header.
    let sink = Sink::start().await;
    let transport = Transport::new(Some(&sink.url()), std::env::temp_dir()).unwrap();
    let sender = Sender::new(app.db.clone(), transport, "VESOC <vesoc@serv.be>").unwrap();
    sender.drain().await.unwrap();
    let got = sink.received();
    let an = got
        .iter()
        .find(|m| m.to == ["<an@acv.be>"])
        .expect("An's message");
    assert_eq!(
        an.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let header = an.header("List-Unsubscribe").unwrap();
    assert!(
        header.starts_with("<http") && header.contains("/uitschrijven/"),
        "{header}"
    );
    assert_eq!(an.header("Bcc"), None);

    // The link's page asks first: following it changes nothing.
    let an_text = &sent.iter().find(|(to, _, _)| to == "an@acv.be").unwrap().2;
    let link = unsubscribe_path(an_text);
    let mut mail_client = app.client();
    let page = mail_client.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("an@acv.be"), "{}", page.text());
    assert_eq!(app.count("SELECT count(*) FROM mail_preference").await, 0);
    // The mail client's one-click POST: no session, no CSRF token.
    let done = mail_client
        .post_raw(&link, &[("List-Unsubscribe", "One-Click")])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    assert!(
        done.text().contains("krijgt geen berichten meer"),
        "{}",
        done.text()
    );
    let chosen: String = sqlx::query_scalar(
        "SELECT delivery::text FROM mail_preference WHERE address = 'an@acv.be' AND kind = 'proposal_decision'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(chosen, "never");
    // Twice is the same; an altered link says so and stores nothing.
    let again = mail_client.post_raw(&link, &[]).await;
    assert_eq!(again.status, StatusCode::OK);
    let altered = mail_client.post_raw(&format!("{link}x"), &[]).await;
    assert_eq!(altered.status, StatusCode::BAD_REQUEST);
    assert!(altered.text().contains("niet geldig"), "{}", altered.text());
    assert_eq!(app.count("SELECT count(*) FROM mail_preference").await, 1);

    // The next decision: Bo hears it, An chose not to.
    let other = app.item(Item::proposal("Flexi-jobs")).await;
    review(
        &mut serv,
        &app,
        other,
        "reject",
        "Buiten de opdracht van VESOC.",
    )
    .await;
    let rejected: Vec<String> = messages(&app, "proposal_decision")
        .await
        .into_iter()
        .filter(|(_, s, _)| s.starts_with("Afgewezen"))
        .map(|(to, _, text)| {
            assert!(
                text.contains("Reden: Buiten de opdracht van VESOC."),
                "{text}"
            );
            to
        })
        .collect();
    assert!(rejected.contains(&"bo@acv.be".to_string()), "{rejected:?}");
    assert!(!rejected.contains(&"an@acv.be".to_string()), "{rejected:?}");

    // The page of sent messages: the secretariat reads the subjects; an
    // administrator, who may not see proposals, does not.
    let list = serv.get("/beheer/berichten").await;
    assert!(list.text().contains("Aan te passen: Loopbaanbegeleiding"));
    let mut admin = app.signed_in(Role::Admin).await;
    let list = admin.get("/beheer/berichten").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        !list.text().contains("Loopbaanbegeleiding"),
        "{}",
        list.text()
    );
    assert!(!list.text().contains("Flexi-jobs"), "{}", list.text());
    assert!(
        list.text()
            .contains("onderwerp niet zichtbaar voor beheerders")
    );
    let one: i64 = app
        .count("SELECT min(id) FROM mail_message WHERE kind = 'proposal_decision'")
        .await;
    let shown = admin.get(&format!("/beheer/berichten/{one}")).await;
    assert!(
        !shown.text().contains("Loopbaanbegeleiding"),
        "{}",
        shown.text()
    );
}

#[tokio::test]
async fn the_choices_hold_for_the_persons_address_too_and_a_declined_digest_entry_is_not_sent() {
    let app = TestApp::seeded().await;
    let account = app
        .account_as(Role::SocialPartner, "an@acv.be", Some("acv"), None)
        .await;
    let an = app
        .person("an-proef", ("An", "Proef"), Some("an.proef@acv.be"))
        .await;
    app.is_person(account, an).await;
    let mut an = app.client();
    an.sign_in("an@acv.be", crate::harness::PASSWORD).await;
    let page = an.get("/account/berichten").await;
    assert!(page.text().contains("an.proef@acv.be"), "{}", page.text());
    let saved = an
        .post_form(
            "/account/berichten",
            &[
                ("proposal_decision", "daily"),
                ("minutes_approved", "daily"),
                ("meeting_reminder", "never"),
                ("deadline_reminder", "immediately"),
                ("minutes_for_comments", "immediately"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT address FROM mail_preference WHERE kind = 'meeting_reminder' AND delivery = 'never'
         ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(stored, ["an.proef@acv.be", "an@acv.be"]);

    // A decision waits for the digest; declined before 07:00, it is not sent.
    let mut serv = app.signed_in(Role::Secretariat).await;
    let id = app.item(Item::proposal("Werkbaar werk")).await;
    review(&mut serv, &app, id, "reject", "Niet van VESOC.").await;
    assert_eq!(
        app.count("SELECT count(*) FROM mail_digest_entry WHERE address = 'an@acv.be'")
            .await,
        1
    );
    sqlx::query(
        "UPDATE mail_preference SET delivery = 'never'
         WHERE address = 'an@acv.be' AND kind = 'proposal_decision'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let tomorrow = OffsetDateTime::now_utc() + Duration::days(1);
    vesoc::mail::notify::write_digests(&app.db, &site(), tomorrow)
        .await
        .unwrap();
    assert!(messages(&app, "digest").await.is_empty());
    assert_eq!(app.count("SELECT count(*) FROM mail_digest_entry").await, 0);
}

#[tokio::test]
async fn taking_a_proposal_in_review_tells_nobody() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    app.account_as(Role::SocialPartner, "an@acv.be", Some("acv"), None)
        .await;
    let id = app.item(Item::proposal("Werkbaar werk")).await;
    review(&mut serv, &app, id, "review", "").await;
    assert!(messages(&app, "proposal_decision").await.is_empty());
}

#[tokio::test]
async fn a_daily_digest_collects_what_was_chosen_daily_once_whatever_the_instances() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let mut an = app
        .signed_in_as(Role::SocialPartner, "an@acv.be", Some("acv"), None)
        .await;

    // An's choices, on her own page: decisions daily, the rest at once.
    let page = an.get("/account/berichten").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.attr("input[name=proposal_decision][checked]", "value")
            .as_deref(),
        Some("immediately")
    );
    let saved = an
        .post_form(
            "/account/berichten",
            &[
                ("proposal_decision", "daily"),
                ("minutes_approved", "immediately"),
                ("meeting_reminder", "immediately"),
                ("deadline_reminder", "never"),
                ("minutes_for_comments", "never"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = an.get(saved.location().unwrap()).await;
    assert!(page.text().contains("Uw keuzes zijn bewaard."));
    assert_eq!(
        page.attr("input[name=proposal_decision][checked]", "value")
            .as_deref(),
        Some("daily")
    );

    let first = app.item(Item::proposal("Duaal leren")).await;
    let second = app.item(Item::proposal("Opleidingsincentives")).await;
    review(&mut serv, &app, first, "return", "Graag een kostenraming.").await;
    review(&mut serv, &app, second, "reject", "Al behandeld in 2019.").await;
    let to_an = |rows: Vec<(String, String, String)>| {
        rows.into_iter()
            .filter(|(to, _, _)| to == "an@acv.be")
            .count()
    };
    assert_eq!(to_an(messages(&app, "proposal_decision").await), 0);
    assert_eq!(
        app.count("SELECT count(*) FROM mail_digest_entry WHERE address = 'an@acv.be'")
            .await,
        2
    );

    // Not before the next 07:00 (Brussels)…
    let now = OffsetDateTime::now_utc();
    let round = vesoc::jobs::round(&app.db, &site(), now).await.unwrap();
    assert_eq!(round.digests, 0);
    // …then one digest per mailbox, by one of two instances at once.
    let tomorrow = now + Duration::days(1);
    let both = site();
    let (a, b) = tokio::join!(
        vesoc::mail::notify::write_digests(&app.db, &both, tomorrow),
        vesoc::mail::notify::write_digests(&app.db, &both, tomorrow),
    );
    let digests = messages(&app, "digest").await;
    let ans: Vec<_> = digests
        .iter()
        .filter(|(to, _, _)| to == "an@acv.be")
        .collect();
    assert_eq!(ans.len(), 1, "{digests:?} ({a:?}, {b:?})");
    let (_, subject, text) = ans[0];
    assert_eq!(subject, "Uw overzicht van vesoc: 2 berichten");
    assert!(text.contains("== Aan te passen: Duaal leren =="), "{text}");
    assert!(text.contains("Reden: Al behandeld in 2019."), "{text}");
    assert_eq!(text.matches("Beste").count(), 1, "one greeting: {text}");
    assert_eq!(
        vesoc::jobs::round(&app.db, &site(), tomorrow)
            .await
            .unwrap()
            .digests,
        0,
        "an entry goes out once"
    );

    // Unsubscribing from the digest stops what was chosen daily.
    let link = unsubscribe_path(text);
    let done = app.client().post_raw(&link, &[]).await;
    assert_eq!(done.status, StatusCode::OK);
    let chosen: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind::text, delivery::text FROM mail_preference WHERE address = 'an@acv.be' ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(
        chosen.contains(&("proposal_decision".into(), "never".into())),
        "{chosen:?}"
    );
    assert!(
        chosen.contains(&("minutes_approved".into(), "immediately".into())),
        "{chosen:?}"
    );
}

#[tokio::test]
async fn a_refused_choice_says_why_keeps_what_was_typed_and_stores_nothing() {
    let app = TestApp::seeded().await;
    let mut an = app
        .signed_in_as(Role::SocialPartner, "an@acv.be", Some("acv"), None)
        .await;
    let refused = an
        .post_form(
            "/account/berichten",
            &[
                ("proposal_decision", "never"),
                ("minutes_approved", "weekly"),
                ("meeting_reminder", "immediately"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .contains("Kies hoe u deze berichten wilt krijgen.")
    );
    assert_eq!(
        refused
            .attr("input[name=proposal_decision][checked]", "value")
            .as_deref(),
        Some("never"),
        "what was typed stays"
    );
    assert_eq!(app.count("SELECT count(*) FROM mail_preference").await, 0);
    // Without signing in: the sign-in page, nothing stored.
    let anonymous = app
        .client()
        .post_raw("/account/berichten", &[("proposal_decision", "never")])
        .await;
    assert_ne!(anonymous.status, StatusCode::OK);
    assert_eq!(app.count("SELECT count(*) FROM mail_preference").await, 0);
}

#[tokio::test]
async fn approved_minutes_reach_the_accounts_of_the_bodys_members_only() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    app.account_as(Role::SocialPartner, "an@acv.be", Some("acv"), None)
        .await;
    app.account_as(Role::SocialPartner, "dirk@dkb.be", Some("dkb"), None)
        .await;
    app.account_as(Role::Admin, "beheer@serv.be", None, None)
        .await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2026-11-10 10:00+01")
        .await;
    sqlx::query("UPDATE meeting SET status = 'held' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO minutes (meeting_id, text) VALUES ($1, 'Verslag.')")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    let approved = serv
        .post_form(
            &format!("/vergaderingen/{meeting}/verslag/goedkeuren"),
            &[
                ("approved_on", "2026-12-01"),
                ("bevestigd", "ja"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(
        approved.status,
        StatusCode::SEE_OTHER,
        "{}",
        approved.text()
    );
    let sent = messages(&app, "minutes_approved").await;
    let to: Vec<&str> = sent.iter().map(|(to, _, _)| to.as_str()).collect();
    assert!(to.contains(&"an@acv.be"), "{to:?}");
    assert!(!to.contains(&"dirk@dkb.be"), "not a member: {to:?}");
    assert!(!to.contains(&"beheer@serv.be"), "administrators: {to:?}");
    let (_, subject, text) = &sent[0];
    assert_eq!(
        subject,
        "Verslag goedgekeurd: VESOC-werkgroep, 10 november 2026"
    );
    assert!(
        text.contains(&format!("/vergaderingen/{meeting}")),
        "{text}"
    );
}

/// A convened meeting of the working group `days` from now, with An (ACV,
/// address), Cas (no organisation, address) invited.
async fn convened(app: &TestApp, serv: &mut Client, days: i64) -> i64 {
    let starts = OffsetDateTime::now_utc() + Duration::days(days);
    let meeting: i64 = sqlx::query_scalar(
        "INSERT INTO meeting (body_id, kind, starts_at, ends_at, location)
         SELECT id, 'working_group', $1, $1 + interval '2 hours', 'SERV' FROM body
         WHERE slug = 'vesoc-werkgroep' RETURNING id",
    )
    .bind(starts)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let an = app
        .person("an-proef", ("An", "Proef"), Some("an.proef@acv.be"))
        .await;
    invite(&app.db, meeting, an, Some("acv"), "added").await;
    let cas = app
        .person("cas-expert", ("Cas", "Expert"), Some("cas@expert.be"))
        .await;
    invite(&app.db, meeting, cas, None, "added").await;
    let convene = serv
        .post_form(
            &format!("/vergaderingen/{meeting}/status"),
            &[("naar", "convened"), ("version", "1")],
        )
        .await;
    assert_eq!(convene.status, StatusCode::SEE_OTHER, "{}", convene.text());
    meeting
}

async fn starts_of(app: &TestApp, meeting: i64) -> OffsetDateTime {
    sqlx::query_scalar("SELECT starts_at FROM meeting WHERE id = $1")
        .bind(meeting)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reminder_goes_once_working_days_before_to_who_did_not_answer() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let meeting = convened(&app, &mut serv, 20).await;
    // An answers; Cas does not.
    sqlx::query(
        "UPDATE meeting_participant SET answer = 'present', answered_at = now()
         WHERE meeting_id = $1 AND person_id = (SELECT id FROM person WHERE slug = 'an-proef')",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    let starts = starts_of(&app, meeting).await;

    // Today: not due (three working days before is weeks away).
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        vesoc::jobs::round(&app.db, &site(), now)
            .await
            .unwrap()
            .meeting_reminders,
        0
    );
    // A day before the meeting: due, once, even with two instances.
    let later = starts - Duration::hours(20);
    let both = site();
    let (a, b) = tokio::join!(
        vesoc::jobs::round(&app.db, &both, later),
        vesoc::jobs::round(&app.db, &both, later),
    );
    assert_eq!(
        a.unwrap().meeting_reminders + b.unwrap().meeting_reminders,
        1
    );
    let sent = messages(&app, "meeting_reminder").await;
    let to: Vec<&str> = sent.iter().map(|(to, _, _)| to.as_str()).collect();
    assert_eq!(to, ["cas@expert.be"]);
    let (_, subject, text) = &sent[0];
    assert!(
        subject.starts_with("Herinnering: VESOC-werkgroep"),
        "{subject}"
    );
    assert!(text.contains("/antwoord/"), "the answer link: {text}");
    assert!(text.contains("/uitschrijven/"), "unsubscribe: {text}");
    assert_eq!(
        app.count("SELECT count(*) FROM mail_message WHERE kind = 'meeting_reminder' AND calendar IS NOT NULL")
            .await,
        0,
        "no new calendar invitation"
    );
    assert_eq!(
        vesoc::jobs::round(&app.db, &site(), later)
            .await
            .unwrap()
            .meeting_reminders,
        0
    );
}

#[tokio::test]
async fn a_body_without_reminders_and_a_meeting_convened_late_get_none() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let meeting = convened(&app, &mut serv, 1).await;
    let starts = starts_of(&app, meeting).await;
    // Convened after the reminder's moment: the convocation is reminder enough.
    let r = vesoc::jobs::round(&app.db, &site(), starts - Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(r.meeting_reminders, 0);

    let meeting = {
        sqlx::query("DELETE FROM meeting_participant")
            .execute(&app.db)
            .await
            .unwrap();
        convened(&app, &mut serv, 20).await
    };
    sqlx::query("UPDATE body SET reminder_days = 0 WHERE slug = 'vesoc-werkgroep'")
        .execute(&app.db)
        .await
        .unwrap();
    let starts = starts_of(&app, meeting).await;
    let r = vesoc::jobs::round(&app.db, &site(), starts - Duration::hours(20))
        .await
        .unwrap();
    assert_eq!(r.meeting_reminders, 0);
    assert!(messages(&app, "meeting_reminder").await.is_empty());
}

#[tokio::test]
async fn the_proposal_deadline_is_set_on_the_meeting_form_checked_shown_and_reminded() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    app.account_as(Role::SocialPartner, "an@acv.be", Some("acv"), None)
        .await;
    app.account_as(Role::SocialPartner, "dirk@dkb.be", Some("dkb"), None)
        .await;
    let day = (OffsetDateTime::now_utc() + Duration::days(30)).date();
    let meeting = app
        .meeting(
            "vesoc-werkgroep",
            "working_group",
            &format!("{day} 10:00+01"),
        )
        .await;
    let edit = format!("/vergaderingen/{meeting}/bewerken");
    let fields = |deadline: String| {
        vec![
            ("body_kind".to_string(), String::new()),
            ("date".to_string(), day.to_string()),
            ("start".to_string(), "10:00".to_string()),
            ("end".to_string(), "12:00".to_string()),
            ("location".to_string(), "SERV, Brussel".to_string()),
            ("deadline_date".to_string(), deadline),
            ("deadline_time".to_string(), String::new()),
            ("version".to_string(), "1".to_string()),
        ]
    };
    let body_kind: String = serv
        .get(&edit)
        .await
        .attr("select#body_kind option[selected]", "value")
        .unwrap();
    let post = async |serv: &mut Client, deadline: String| {
        let mut f = fields(deadline);
        f[0].1 = body_kind.clone();
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        serv.post_form(&edit, &f).await
    };

    // After the start, in the past, not a date: refused, typed text kept.
    for (typed, message) in [
        (
            (day + Duration::days(1)).to_string(),
            "vóór het begin van de vergadering",
        ),
        ("2020-01-01".to_string(), "ligt in het verleden"),
        ("volgende week".to_string(), "JJJJ-MM-DD"),
    ] {
        let refused = post(&mut serv, typed.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert!(
            refused.text().contains(message),
            "{typed}: {}",
            refused.text()
        );
        assert_eq!(
            refused.attr("input#deadline_date", "value").as_deref(),
            Some(typed.as_str())
        );
    }
    let stored: Option<OffsetDateTime> =
        sqlx::query_scalar("SELECT proposal_deadline FROM meeting WHERE id = $1")
            .bind(meeting)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(stored, None);

    // A date alone: that day at 17:00, shown on the meeting page.
    let deadline_day = day - Duration::days(7);
    let saved = post(&mut serv, deadline_day.to_string()).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let page = app.client().get(&format!("/vergaderingen/{meeting}")).await;
    assert!(page.text().contains("Voorstellen tot"), "{}", page.text());
    assert!(page.text().contains("om 17.00 uur"), "{}", page.text());

    // The reminder: the day before the deadline, to who may propose.
    let deadline: OffsetDateTime =
        sqlx::query_scalar("SELECT proposal_deadline FROM meeting WHERE id = $1")
            .bind(meeting)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let r = vesoc::jobs::round(&app.db, &site(), deadline - Duration::hours(5))
        .await
        .unwrap();
    assert_eq!(r.deadline_reminders, 1);
    let sent = messages(&app, "deadline_reminder").await;
    let to: Vec<&str> = sent.iter().map(|(to, _, _)| to.as_str()).collect();
    assert!(to.contains(&"an@acv.be"), "{to:?}");
    assert!(!to.contains(&"dirk@dkb.be"), "not a member: {to:?}");
    assert!(sent[0].2.contains("/agendapunten/nieuw"), "{}", sent[0].2);
    let r = vesoc::jobs::round(&app.db, &site(), deadline - Duration::hours(4))
        .await
        .unwrap();
    assert_eq!(r.deadline_reminders, 0, "once");
}
