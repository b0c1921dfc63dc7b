//! The outbox against a real SMTP conversation (tests/it/smtp_sink.rs): a
//! message is sent only when the change that wrote it commits, exactly once,
//! retried while the server is away, failed with the server's answer when
//! refused for good, and kept as a file when no server is configured.

use axum::http::StatusCode;
use vesoc::auth::Role;
use vesoc::mail::{CalendarMethod, Outgoing, Recipient, Sender, Transport};

use crate::harness::{self, TestApp, ics_events};
use crate::smtp_sink::{Answer, Sink};

fn sender(app: &TestApp, url: &str) -> Sender {
    let transport = Transport::new(Some(url), std::env::temp_dir()).unwrap();
    Sender::new(
        app.db.clone(),
        transport,
        "VESOC-secretariaat <vesoc@serv.be>",
    )
    .unwrap()
}

fn message(to: &str, subject: &str) -> Outgoing {
    Outgoing::new(
        "test",
        Recipient::new(to, "An Proef").unwrap(),
        subject,
        "Beste An,\n\nDe vergadering gaat door.\n".to_string(),
    )
}

async fn write(app: &TestApp, m: &Outgoing) -> i64 {
    let mut tx = app.db.begin().await.unwrap();
    let id = vesoc::mail::enqueue(&mut tx, None, m).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn status(app: &TestApp, id: i64) -> (String, i32, Option<String>) {
    sqlx::query_as("SELECT status::text, attempts, last_error FROM mail_message WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_message_of_a_change_that_rolls_back_is_never_sent() {
    let app = TestApp::empty().await;
    let sink = Sink::start().await;
    let mut tx = app.db.begin().await.unwrap();
    vesoc::mail::enqueue(&mut tx, None, &message("an@acv.be", "Uitnodiging"))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(sender(&app, &sink.url()).drain().await.unwrap(), 0);
    assert!(sink.received().is_empty());
    assert_eq!(app.count("SELECT count(*) FROM mail_message").await, 0);
}

#[tokio::test]
async fn a_message_arrives_once_with_its_message_id_text_and_invitation() {
    let app = TestApp::empty().await;
    let sink = Sink::start().await;
    let ics = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n".to_string();
    let id = write(
        &app,
        &message("An.Proef@ACV.be", "Uitnodiging VESOC-werkgroep")
            .calendar(CalendarMethod::Request, ics),
    )
    .await;
    let sender = sender(&app, &sink.url());
    assert_eq!(sender.drain().await.unwrap(), 1);
    assert_eq!(sender.drain().await.unwrap(), 0, "nothing is sent twice");

    let got = sink.received();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.to, vec!["<an.proef@acv.be>"]);
    assert_eq!(m.from, "<vesoc@serv.be>");
    assert_eq!(
        m.header("Subject").as_deref(),
        Some("Uitnodiging VESOC-werkgroep")
    );
    let message_id: String =
        sqlx::query_scalar("SELECT message_id FROM mail_message WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(m.header("Message-ID"), Some(message_id));
    assert!(m.data.contains("De vergadering gaat door."), "{}", m.data);
    assert!(
        m.data
            .contains("text/calendar; charset=utf-8; method=REQUEST"),
        "{}",
        m.data
    );
    assert!(m.data.contains("METHOD:REQUEST"), "{}", m.data);
    assert_eq!(status(&app, id).await.0, "sent");
}

#[tokio::test]
async fn while_the_server_is_away_the_message_waits_and_is_delivered_when_it_is_back() {
    let app = TestApp::empty().await;
    let sink = Sink::start().await;
    let url = sink.url();
    let addr = sink.stop();
    let id = write(&app, &message("an@acv.be", "Herinnering")).await;
    let sender = sender(&app, &url);
    assert_eq!(sender.drain().await.unwrap(), 1);
    let (state, attempts, error) = status(&app, id).await;
    assert_eq!((state.as_str(), attempts), ("pending", 1));
    assert!(error.is_some(), "the reason is kept");
    // Not due yet: a second drain leaves it alone.
    assert_eq!(sender.drain().await.unwrap(), 0);

    // The server is back; the retry comes due.
    let sink = Sink::on(addr).await;
    sqlx::query("UPDATE mail_message SET next_attempt_at = now() WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(sender.drain().await.unwrap(), 1);
    assert_eq!(sink.received().len(), 1);
    assert_eq!(status(&app, id).await.0, "sent");
}

#[tokio::test]
async fn a_temporary_refusal_is_retried_a_permanent_one_fails_with_the_answer() {
    let app = TestApp::seeded().await;
    let sink = Sink::start().await;
    let sender = sender(&app, &sink.url());

    sink.answer(Answer::Later);
    let later = write(&app, &message("an@acv.be", "Later")).await;
    sender.drain().await.unwrap();
    let (state, _, error) = status(&app, later).await;
    assert_eq!(state, "pending");
    assert!(error.unwrap().contains("451"));

    sink.answer(Answer::Never);
    let never = write(&app, &message("niemand@acv.be", "Nooit")).await;
    sender.drain().await.unwrap();
    let (state, _, error) = status(&app, never).await;
    assert_eq!(state, "failed");
    assert!(error.unwrap().contains("550"));

    // The secretariat sees it, with the reason, and sends it again.
    let mut serv = app.signed_in(Role::Secretariat).await;
    let page = serv.get("/beheer/berichten").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("mislukt") && text.contains("550"), "{text}");
    sink.answer(Answer::Accept);
    let again = serv
        .post_form(&format!("/beheer/berichten/{never}/opnieuw"), &[])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&app, never).await.0, "pending");
    assert_eq!(
        app.count(
            "SELECT count(*) FROM audit_log WHERE action = 'retry' AND entity = 'mail_message'"
        )
        .await,
        1
    );
    sender.drain().await.unwrap();
    assert_eq!(status(&app, never).await.0, "sent");
    // A message that did not fail cannot be "retried".
    let twice = serv
        .post_form(&format!("/beheer/berichten/{never}/opnieuw"), &[])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn two_senders_on_one_database_deliver_every_message_exactly_once() {
    let app = TestApp::empty().await;
    let sink = Sink::start().await;
    for n in 0..30 {
        write(
            &app,
            &message(&format!("lid{n}@acv.be"), &format!("Bericht {n}")),
        )
        .await;
    }
    let (a, b) = (sender(&app, &sink.url()), sender(&app, &sink.url()));
    let (x, y) = tokio::join!(a.drain(), b.drain());
    assert_eq!(x.unwrap() + y.unwrap(), 30);
    let mut ids: Vec<String> = sink
        .received()
        .iter()
        .filter_map(|m| m.header("Message-ID"))
        .collect();
    assert_eq!(ids.len(), 30);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30, "no message twice");
    assert_eq!(
        app.count("SELECT count(*) FROM mail_message WHERE status = 'sent'")
            .await,
        30
    );
}

#[tokio::test]
async fn without_a_server_messages_are_kept_as_files_and_listed() {
    let app = TestApp::seeded().await;
    let folder = std::env::temp_dir().join(format!("vesoc-mail-{}", uuid::Uuid::new_v4().simple()));
    let transport = Transport::new(None, folder.clone()).unwrap();
    let sender = Sender::new(app.db.clone(), transport, "VESOC <vesoc@serv.be>").unwrap();
    let id = write(&app, &message("an@acv.be", "Bewaard bericht")).await;
    sender.drain().await.unwrap();
    let file = folder.join(format!("{id}.eml"));
    let eml = std::fs::read_to_string(&file).unwrap();
    assert!(eml.contains("Subject: Bewaard bericht"), "{eml}");
    let mut admin = app.signed_in(Role::Admin).await;
    let page = admin.get("/beheer/berichten").await;
    assert!(
        page.text().contains("bewaard als bestand"),
        "{}",
        page.text()
    );
    let one = admin.get(&format!("/beheer/berichten/{id}")).await;
    assert!(one.text().contains(&file.display().to_string()));
    // Administrators see who got what, not the content.
    assert!(!one.text().contains("De vergadering gaat door."));
    let mut serv = app.signed_in(Role::Secretariat).await;
    assert!(
        serv.get(&format!("/beheer/berichten/{id}"))
            .await
            .text()
            .contains("De vergadering gaat door.")
    );
    std::fs::remove_dir_all(folder).ok();
}

#[tokio::test]
async fn a_test_message_needs_a_valid_address_and_no_line_break_reaches_a_header() {
    let app = TestApp::seeded().await;
    let mut admin = app.signed_in(Role::Admin).await;
    for bad in [
        "geen-adres",
        "an@acv.be\r\nBcc: kwaad@voorbeeld.be",
        "an proef@acv.be",
    ] {
        let page = admin
            .post_form("/beheer/berichten/test", &[("address", bad)])
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert!(
            page.text().contains("is geen geldig e-mailadres"),
            "{}",
            page.text()
        );
        // what was typed stays in the field (HTML reads CR LF as LF)
        let kept = page.attr("input#address", "value").unwrap();
        assert_eq!(kept, bad.replace("\r\n", "\n"));
    }
    assert_eq!(app.count("SELECT count(*) FROM mail_message").await, 0);
    let ok = admin
        .post_form("/beheer/berichten/test", &[("address", "an@acv.be")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM mail_message WHERE kind = 'test' AND recipient = 'an@acv.be'"
        )
        .await,
        1
    );
    // A name with a line break cannot add a header either.
    let sink = Sink::start().await;
    let to = Recipient::new("an@acv.be", "An\r\nBcc: kwaad@voorbeeld.be").unwrap();
    write(
        &app,
        &Outgoing::new(
            "test",
            to,
            "Onderwerp\r\nBcc: kwaad@voorbeeld.be",
            "Tekst".into(),
        ),
    )
    .await;
    sender(&app, &sink.url()).drain().await.unwrap();
    let got = sink.received();
    let last = got.last().unwrap();
    assert_eq!(last.header("Bcc"), None);
    assert_eq!(last.to.len(), 1);
}

/// Who is invited to `meeting`: a person of ACV with an address, one of VOKA
/// without, and an expert added without organisation.
async fn invite(app: &TestApp, meeting: i64) {
    let an = app
        .person("an-proef", ("An", "Proef"), Some("an.proef@acv.be"))
        .await;
    harness::invite(&app.db, meeting, an, Some("acv"), "composition").await;
    let bo = app.person("bo-zonder", ("Bo", "Zonder"), None).await;
    harness::invite(&app.db, meeting, bo, Some("voka"), "composition").await;
    let cas = app
        .person("cas-expert", ("Cas", "Expert"), Some("cas@expert.be"))
        .await;
    harness::invite(&app.db, meeting, cas, None, "added").await;
}

#[tokio::test]
async fn a_convocation_names_the_meeting_the_agenda_each_invitee_may_see_and_carries_an_invitation()
{
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2027-01-12 14:00+01")
        .await;
    invite(&app, meeting).await;
    sqlx::query(
        "INSERT INTO agenda_item (body_id, meeting_id, title, kind, status, position, confidential)
         SELECT body_id, id, t.title, 'discussion', 'accepted', t.pos, t.conf FROM meeting,
                (VALUES ('Openbaar punt over opleiding', 1, false),
                        ('Vertrouwelijk punt over de begroting', 2, true)) t(title, pos, conf)
         WHERE id = $1",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    let m = vesoc::meetings::queries::get(&app.db, meeting)
        .await
        .unwrap()
        .unwrap();
    let actor = app.account(Role::Secretariat, "serv@mail.vesoc.be").await;

    let mut tx = app.db.begin().await.unwrap();
    use vesoc::meetings::convocation::{Occasion, write};
    let written = write(
        &mut tx,
        Some(actor),
        &m,
        Occasion::Convened,
        &harness::site(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(written.messages, 2);
    assert_eq!(written.without_address, vec!["Bo Zonder"]);

    let sink = Sink::start().await;
    sender(&app, &sink.url()).drain().await.unwrap();
    let got = sink.received();
    assert_eq!(got.len(), 2);
    let an = got
        .iter()
        .find(|r| r.to == vec!["<an.proef@acv.be>"])
        .expect("An's convocation");
    let cas = got
        .iter()
        .find(|r| r.to == vec!["<cas@expert.be>"])
        .expect("Cas's convocation");
    assert_eq!(
        an.header("Subject").as_deref(),
        Some("Uitnodiging: VESOC-werkgroep, 12 januari 2027")
    );
    for text in [
        "Beste An Proef",
        "dinsdag 12 januari 2027, van 14.00 tot 16.00 uur",
        "Waar: SERV, Brussel",
        "1. Openbaar punt over opleiding (ter bespreking)",
        "2. Vertrouwelijk punt over de begroting",
        &format!("https://vesoc.test/vergaderingen/{meeting}"),
    ] {
        assert!(an.data.contains(text), "{text:?} in\n{}", an.data);
    }
    // The expert's organisation sits nowhere: the confidential item is not in it.
    assert!(cas.data.contains("1. Openbaar punt over opleiding"));
    assert!(!cas.data.contains("Vertrouwelijk punt"), "{}", cas.data);

    // The invitation: METHOD:REQUEST, the meeting's UID and SEQUENCE.
    let ics: String =
        sqlx::query_scalar("SELECT calendar FROM mail_message WHERE recipient = 'an.proef@acv.be'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(ics.contains("METHOD:REQUEST"), "{ics}");
    let events = ics_events(&ics);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["UID"], format!("vergadering-{meeting}@vesoc"));
    assert_eq!(events[0]["SEQUENCE"], m.sequence.to_string());
    assert_eq!(events[0]["STATUS"], "CONFIRMED");
    assert!(an.data.contains("method=REQUEST"));

    // A cancellation: METHOD:CANCEL, the same UID.
    let mut tx = app.db.begin().await.unwrap();
    write(
        &mut tx,
        Some(actor),
        &m,
        Occasion::Cancelled,
        &harness::site(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let cancel: String = sqlx::query_scalar(
        "SELECT calendar FROM mail_message WHERE recipient = 'an.proef@acv.be' AND calendar_method = 'CANCEL'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(cancel.contains("METHOD:CANCEL"));
    assert_eq!(
        ics_events(&cancel)[0]["UID"],
        format!("vergadering-{meeting}@vesoc")
    );
    assert_eq!(ics_events(&cancel)[0]["STATUS"], "CANCELLED");
}

/// Convenes `meeting` for its invitees and returns each address's answer
/// link, as the convocation carries it.
async fn answer_links(app: &TestApp, meeting: i64) -> std::collections::HashMap<String, String> {
    let m = vesoc::meetings::queries::get(&app.db, meeting)
        .await
        .unwrap()
        .unwrap();
    let actor = app.account(Role::Secretariat, "serv@rsvp.vesoc.be").await;
    let mut tx = app.db.begin().await.unwrap();
    use vesoc::meetings::convocation::{Occasion, write};
    write(
        &mut tx,
        Some(actor),
        &m,
        Occasion::Convened,
        &harness::site(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT recipient, body_text FROM mail_message WHERE kind = 'convocation'")
            .fetch_all(&app.db)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(to, text)| {
            let word = text
                .split_whitespace()
                .find(|w| w.contains("/antwoord/"))
                .expect("an answer link");
            (to, word[word.find("/antwoord/").unwrap()..].to_string())
        })
        .collect()
}

async fn answer_of(app: &TestApp, meeting: i64, slug: &str) -> (Option<String>, Option<String>) {
    sqlx::query_as(
        "SELECT mp.answer::text, mp.substitute FROM meeting_participant mp JOIN person p ON p.id = mp.person_id
         WHERE mp.meeting_id = $1 AND p.slug = $2",
    )
    .bind(meeting)
    .bind(slug)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_invitee_answers_through_the_personal_link_without_signing_in() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2027-01-12 14:00+01")
        .await;
    invite(&app, meeting).await;
    let links = answer_links(&app, meeting).await;
    let an = &links["an.proef@acv.be"];
    let mut browser = app.client();

    let page = browser.get(an).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("Antwoord van An Proef"),
        "{}",
        page.text()
    );
    let cache = page
        .headers
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        cache.contains("no-store"),
        "a personal page is not kept by caches: {cache}"
    );

    // Represented without a name: refused in Dutch, what was typed kept.
    let refused = browser
        .post_form(an, &[("answer", "represented"), ("substitute", "  ")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("Geef de naam van wie u vervangt."));
    assert_eq!(answer_of(&app, meeting, "an-proef").await, (None, None));
    let garbage = browser.post_form(an, &[("answer", "misschien")]).await;
    assert_eq!(garbage.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(garbage.text().contains("Kies uw antwoord."));

    let saved = browser
        .post_form(
            an,
            &[("answer", "represented"), ("substitute", "Dirk Vervanger")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        answer_of(&app, meeting, "an-proef").await,
        (Some("represented".into()), Some("Dirk Vervanger".into()))
    );
    let again = browser.get(saved.location().unwrap()).await;
    assert!(again.text().contains("Uw antwoord is bewaard."));
    assert_eq!(
        again.attr("input#substitute", "value").as_deref(),
        Some("Dirk Vervanger")
    );

    // Changed until the meeting starts; the other invitee's answer is untouched.
    browser
        .post_form(an, &[("answer", "excused"), ("substitute", "")])
        .await;
    assert_eq!(
        answer_of(&app, meeting, "an-proef").await,
        (Some("excused".into()), None)
    );
    assert_eq!(answer_of(&app, meeting, "cas-expert").await, (None, None));
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'rsvp'")
            .await,
        2
    );

    // An altered link answers for nobody.
    let altered = format!("{an}x");
    let page = browser.post_form(&altered, &[("answer", "present")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.text().contains("Deze antwoordlink is niet geldig."));
    assert_eq!(browser.get(&altered).await.status, StatusCode::BAD_REQUEST);

    // Once the meeting has started, the link no longer answers.
    sqlx::query("UPDATE meeting SET starts_at = now() - interval '1 hour', ends_at = now() + interval '1 hour' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    let late = browser.post_form(an, &[("answer", "present")]).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert!(
        late.text()
            .contains("is begonnen: antwoorden kan niet meer"),
        "{}",
        late.text()
    );
    assert_eq!(
        answer_of(&app, meeting, "an-proef").await,
        (Some("excused".into()), None)
    );
}

#[tokio::test]
async fn a_link_answers_for_its_own_invitee_and_meeting_only() {
    let app = TestApp::seeded().await;
    let first = app
        .meeting("vesoc-werkgroep", "working_group", "2027-01-12 14:00+01")
        .await;
    invite(&app, first).await;
    let links = answer_links(&app, first).await;
    let second = app
        .meeting("vesoc-werkgroep", "working_group", "2027-02-09 14:00+01")
        .await;
    sqlx::query("INSERT INTO meeting_participant (meeting_id, person_id, reason) SELECT $1, id, 'added' FROM person WHERE slug = 'an-proef'")
        .bind(second)
        .execute(&app.db)
        .await
        .unwrap();
    let mut browser = app.client();
    let cas = &links["cas@expert.be"];
    browser.post_form(cas, &[("answer", "present")]).await;
    assert_eq!(
        answer_of(&app, first, "cas-expert").await.0.as_deref(),
        Some("present")
    );
    assert_eq!(
        answer_of(&app, first, "an-proef").await,
        (None, None),
        "not for someone else"
    );
    assert_eq!(
        answer_of(&app, second, "an-proef").await,
        (None, None),
        "not for another meeting"
    );
}

#[tokio::test]
async fn convening_writes_a_convocation_per_invitee_a_refused_convening_none_and_a_cancellation_tells_them()
 {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2027-01-12 14:00+01")
        .await;
    invite(&app, meeting).await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let status = format!("/vergaderingen/{meeting}/status");

    // A stale form: the convening is refused and nothing is written.
    let stale = serv
        .post_form(&status, &[("naar", "convened"), ("version", "999")])
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(app.count("SELECT count(*) FROM mail_message").await, 0);

    let v = app.version("meeting", meeting).await;
    let done = serv
        .post_form(&status, &[("naar", "convened"), ("version", &v)])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let to: Vec<String> = sqlx::query_scalar(
        "SELECT recipient FROM mail_message WHERE kind = 'convocation' AND calendar_method = 'REQUEST' ORDER BY 1",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(to, ["an.proef@acv.be", "cas@expert.be"]);

    // Cancelling the convened meeting: every invitee hears it, METHOD:CANCEL.
    let v = app.version("meeting", meeting).await;
    let cancel = serv
        .post_form(
            &status,
            &[
                ("naar", "cancelled"),
                ("reden", "Te weinig agendapunten."),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(cancel.status, StatusCode::SEE_OTHER);
    let cancelled: Vec<String> = sqlx::query_scalar(
        "SELECT body_text FROM mail_message WHERE calendar_method = 'CANCEL' ORDER BY recipient",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(cancelled.len(), 2);
    assert!(
        cancelled[0].contains("Reden: Te weinig agendapunten."),
        "{}",
        cancelled[0]
    );
    assert!(
        !cancelled[0].contains("/antwoord/"),
        "no answer link in a cancellation"
    );
}

#[tokio::test]
async fn the_secretariat_sees_the_answers_reminds_the_silent_and_finds_the_register_prefilled() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2027-01-12 14:00+01")
        .await;
    invite(&app, meeting).await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let v = app.version("meeting", meeting).await;
    let status = format!("/vergaderingen/{meeting}/status");
    serv.post_form(&status, &[("naar", "convened"), ("version", &v)])
        .await;
    let links = answer_links(&app, meeting).await;
    app.client()
        .post_form(
            &links["an.proef@acv.be"],
            &[("answer", "represented"), ("substitute", "Dirk Vervanger")],
        )
        .await;

    let page = serv.get(&format!("/vergaderingen/{meeting}")).await;
    let answers = page.select("table.participants td.answer");
    assert!(
        answers.contains(&"vervangen door Dirk Vervanger".to_string()),
        "{answers:?}"
    );
    assert!(
        answers.contains(&"geen antwoord".to_string()),
        "{answers:?}"
    );

    // A reminder goes to Cas only: An answered, Bo has no address.
    let before = app.count("SELECT count(*) FROM mail_message").await;
    let reminded = serv
        .post_form(&format!("/vergaderingen/{meeting}/herinneren"), &[])
        .await;
    assert_eq!(reminded.status, StatusCode::SEE_OTHER);
    assert!(
        serv.get(reminded.location().unwrap())
            .await
            .text()
            .contains("1 genodigde zonder antwoord kreeg een herinnering.")
    );
    let to: Vec<String> =
        sqlx::query_scalar("SELECT recipient FROM mail_message ORDER BY id OFFSET $1")
            .bind(before)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(to, ["cas@expert.be"]);

    // Once the meeting has started, the register starts from the answers.
    sqlx::query("UPDATE meeting SET starts_at = now() - interval '1 hour', ends_at = now() + interval '1 hour' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    let page = serv.get(&format!("/vergaderingen/{meeting}")).await;
    let an: i64 = sqlx::query_scalar("SELECT id FROM person WHERE slug = 'an-proef'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(
        page.attr(
            &format!("select#aanwezigheid-{an} option[selected]"),
            "value"
        )
        .as_deref(),
        Some("represented")
    );
    assert_eq!(
        page.attr(&format!("input#vertegenwoordigd-{an}"), "value")
            .as_deref(),
        Some("Dirk Vervanger")
    );
    // Not stored until the secretariat saves the register.
    let stored: Option<String> = sqlx::query_scalar(
        "SELECT attendance::text FROM meeting_participant WHERE meeting_id = $1 AND person_id = $2",
    )
    .bind(meeting)
    .bind(an)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(stored, None);
    // And no reminder once it has started.
    let late = serv
        .post_form(&format!("/vergaderingen/{meeting}/herinneren"), &[])
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_secretariat_keeps_a_persons_address_which_no_public_channel_shows() {
    let app = TestApp::seeded().await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let page = serv.get("/beheer/personen/jan-jambon").await;
    let version = page
        .attr("#persoon-form input[name=version]", "value")
        .unwrap();
    let form = |email: &'static str| {
        vec![
            ("given_name", "Jan"),
            ("family_name", "Jambon"),
            ("email", email),
        ]
    };
    let mut bad_addr = form("jan jambon@vlaanderen.be");
    bad_addr.push(("version", &version));
    let refused = serv
        .post_form("/beheer/personen/jan-jambon", &bad_addr)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains("is geen geldig e-mailadres"),
        "{}",
        refused.text()
    );
    assert_eq!(
        refused.attr("input#email", "value").as_deref(),
        Some("jan jambon@vlaanderen.be")
    );
    assert_eq!(
        app.count("SELECT count(*) FROM person WHERE email IS NOT NULL")
            .await,
        0
    );

    let mut good = form("Jan.Jambon@Vlaanderen.be");
    good.push(("version", &version));
    let saved = serv.post_form("/beheer/personen/jan-jambon", &good).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let stored: Option<String> =
        sqlx::query_scalar("SELECT email FROM person WHERE slug = 'jan-jambon'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(stored.as_deref(), Some("jan.jambon@vlaanderen.be"));
    assert!(
        serv.get("/beheer/personen/jan-jambon")
            .await
            .body
            .contains("jan.jambon@vlaanderen.be")
    );

    // No public channel names it.
    let mut visitor = app.client();
    for path in [
        "/api/oparl/person/jan-jambon",
        "/organen/vesoc-overleg?op=2020-01-01",
        "/zoeken?q=jambon",
        "/organen/vesoc-overleg/samenstelling.csv?op=2020-01-01",
    ] {
        let page = visitor.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(
            !page.body.contains("jan.jambon@vlaanderen.be"),
            "{path} shows the address"
        );
    }
}

async fn links_to(app: &TestApp, to: &str) -> Vec<String> {
    let texts: Vec<String> = sqlx::query_scalar(
        "SELECT body_text FROM mail_message WHERE kind = 'password_link' AND recipient = $1 ORDER BY id",
    )
    .bind(to)
    .fetch_all(&app.db)
    .await
    .unwrap();
    texts
        .iter()
        .map(|t| {
            let w = t
                .split_whitespace()
                .find(|w| w.contains("/wachtwoord-instellen/"))
                .expect("a link");
            w[w.find("/wachtwoord-instellen/").unwrap()..].to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_new_account_and_a_new_link_reach_the_user_by_mail() {
    let app = TestApp::seeded().await;
    let mut admin = app.signed_in(Role::Admin).await;
    let acv: i64 = sqlx::query_scalar("SELECT id FROM organisation WHERE slug = 'acv'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let acv = acv.to_string();
    let fields = [
        ("email", "nieuw@acv.be"),
        ("display_name", "Nieuw Lid"),
        ("role", "social_partner"),
        ("organisation_id", acv.as_str()),
    ];
    let created = admin.post_form("/beheer/accounts", &fields).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let links = links_to(&app, "nieuw@acv.be").await;
    assert_eq!(links.len(), 1);
    let mut user = app.client();
    assert_eq!(
        user.get(&links[0]).await.status,
        StatusCode::OK,
        "the mailed link sets the password"
    );

    let id: i64 = sqlx::query_scalar("SELECT id FROM account WHERE email = 'nieuw@acv.be'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let renewed = admin
        .post_form(&format!("/beheer/accounts/{id}/herstellink"), &[])
        .await;
    assert_eq!(renewed.status, StatusCode::OK);
    let links = links_to(&app, "nieuw@acv.be").await;
    assert_eq!(links.len(), 2);
    assert_ne!(
        user.get(&links[0]).await.status,
        StatusCode::OK,
        "the first link no longer works"
    );
    assert_eq!(user.get(&links[1]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_forgotten_password_gets_a_link_by_mail_and_the_answer_tells_nobody_who_has_an_account() {
    let app = TestApp::seeded().await;
    app.account(Role::SocialPartner, "lid@acv.be").await;
    let mut visitor = app.client();
    let form = visitor.get("/wachtwoord-vergeten").await;
    assert_eq!(form.status, StatusCode::OK);

    let known = visitor
        .post_form("/wachtwoord-vergeten", &[("email", "Lid@ACV.be")])
        .await;
    let unknown = visitor
        .post_form("/wachtwoord-vergeten", &[("email", "niemand@acv.be")])
        .await;
    assert_eq!(
        (known.status, unknown.status),
        (StatusCode::OK, StatusCode::OK)
    );
    let said = |p: &crate::harness::Page| {
        p.select("p.notice")
            .join("")
            .replace("niemand@acv.be", "lid@acv.be")
    };
    assert_eq!(said(&known), said(&unknown), "the same answer");
    assert_eq!(links_to(&app, "lid@acv.be").await.len(), 1);
    assert_eq!(links_to(&app, "niemand@acv.be").await.len(), 0);
    let link = &links_to(&app, "lid@acv.be").await[0];
    assert_eq!(visitor.get(link).await.status, StatusCode::OK);

    // Not a mailbox flood: three per account per hour.
    for _ in 0..5 {
        visitor
            .post_form("/wachtwoord-vergeten", &[("email", "lid@acv.be")])
            .await;
    }
    assert_eq!(links_to(&app, "lid@acv.be").await.len(), 3);
    // A garbled address: a Dutch message, what was typed kept.
    let bad = visitor
        .post_form("/wachtwoord-vergeten", &[("email", "geen adres")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("Vul een geldig e-mailadres in."));
    assert_eq!(
        bad.attr("input#email", "value").as_deref(),
        Some("geen adres")
    );
}

#[tokio::test]
async fn a_signed_in_invitee_answers_on_the_meeting_page() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2027-01-12 14:00+01")
        .await;
    invite(&app, meeting).await;
    sqlx::query("UPDATE meeting SET status = 'convened' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    let account = app
        .account_as(Role::SocialPartner, "an.proef@acv.be", Some("acv"), None)
        .await;
    let an = app
        .person("an-proef", ("An", "Proef"), Some("an.proef@acv.be"))
        .await;
    app.is_person(account, an).await;
    let mut an = app.client();
    an.sign_in("an.proef@acv.be", crate::harness::PASSWORD)
        .await;
    let path = format!("/vergaderingen/{meeting}");
    let page = an.get(&path).await;
    assert!(page.text().contains("Komt u?"), "{}", page.text());
    assert!(page.text().contains("nog niet geantwoord"));

    // Represented without a name: refused, what was chosen stays, nothing stored.
    let answer = format!("{path}/antwoord");
    let refused = an
        .post_form(&answer, &[("answer", "represented"), ("substitute", " ")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("Geef de naam van wie u vervangt."));
    assert_eq!(
        refused
            .attr("input[name=answer][checked]", "value")
            .as_deref(),
        Some("represented")
    );
    assert_eq!(answer_of(&app, meeting, "an-proef").await, (None, None));

    let saved = an
        .post_form(
            &answer,
            &[("answer", "represented"), ("substitute", "Dirk Vervanger")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = an.get(saved.location().unwrap()).await;
    assert!(
        page.text().contains("Uw antwoord is bewaard."),
        "{}",
        page.text()
    );
    assert_eq!(
        answer_of(&app, meeting, "an-proef").await,
        (Some("represented".into()), Some("Dirk Vervanger".into()))
    );
    let by: Option<i64> = sqlx::query_scalar(
        "SELECT account_id FROM audit_log WHERE action = 'rsvp' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(by, Some(account), "the answer is the account's, in the log");

    // An account that is no invitee cannot answer for anyone.
    let mut other = app.signed_in(Role::SocialPartner).await;
    let page = other.get(&path).await;
    assert!(!page.text().contains("Komt u?"));
    let refused = other.post_form(&answer, &[("answer", "present")]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .text()
            .contains("U bent niet uitgenodigd op deze vergadering")
    );

    // Once the meeting has begun: no form, and a late answer is refused.
    sqlx::query("UPDATE meeting SET starts_at = now() - interval '1 hour', ends_at = now() + interval '1 hour' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    assert!(!an.get(&path).await.text().contains("Komt u?"));
    let late = an.post_form(&answer, &[("answer", "excused")]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(
        answer_of(&app, meeting, "an-proef").await.0.as_deref(),
        Some("represented")
    );
}
