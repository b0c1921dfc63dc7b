//! The agenda's life (issue 18), the parts built so far: the review
//! queue's warnings (late, incomplete) and an item's release time.

use axum::http::StatusCode;
use vesoc::auth::Role;

use crate::harness::{Item, Place, TestApp, invite};

#[tokio::test]
async fn the_review_queue_warns_of_late_and_incomplete_proposals() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2027-03-02 10:00+01")
        .await;
    sqlx::query("UPDATE meeting SET proposal_deadline = now() - interval '1 hour' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    app.item(Item::proposal("Laat voorstel").for_meeting(meeting))
        .await;
    app.item(Item::proposal("Beslissing zonder stuk").kind("decision"))
        .await;
    app.item(
        Item::proposal("Geheim zonder vrijgave")
            .kind("information")
            .confidential(true),
    )
    .await;
    let competent = app.item(Item::proposal("Punt voor een minister")).await;
    sqlx::query(
        "UPDATE agenda_item SET meeting_id = $2, created_at = now() - interval '2 hours' WHERE id = $1;",
    )
    .bind(competent)
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO agenda_item_competence (agenda_item_id, competence_id)
         SELECT $1, id FROM competence ORDER BY id LIMIT 1",
    )
    .bind(competent)
    .execute(&app.db)
    .await
    .unwrap();
    app.item(Item::proposal("Volledig voorstel").kind("information"))
        .await;

    let mut serv = app.signed_in(Role::Secretariat).await;
    let page = serv.get("/beheer/agendapunten").await;
    assert_eq!(page.status, StatusCode::OK);
    let warnings_of = |title: &str| -> Vec<String> {
        page.select("table.queue tbody tr")
            .into_iter()
            .find(|row| row.contains(title))
            .map(|row| {
                [
                    "ingediend na de termijn voor voorstellen",
                    "ter beslissing, maar zonder document",
                    "vertrouwelijk, zonder tijdstip van vrijgave",
                    "geen uitgenodigde minister is bevoegd",
                ]
                .into_iter()
                .filter(|w| row.contains(w))
                .map(str::to_string)
                .collect()
            })
            .unwrap_or_else(|| panic!("{title} not in the queue"))
    };
    assert_eq!(
        warnings_of("Laat voorstel"),
        ["ingediend na de termijn voor voorstellen"]
    );
    assert_eq!(
        warnings_of("Beslissing zonder stuk"),
        ["ter beslissing, maar zonder document"]
    );
    assert_eq!(
        warnings_of("Geheim zonder vrijgave"),
        ["vertrouwelijk, zonder tijdstip van vrijgave"]
    );
    // Before the deadline, but no invited minister holds its competence.
    assert_eq!(
        warnings_of("Punt voor een minister"),
        ["geen uitgenodigde minister is bevoegd"]
    );
    assert!(warnings_of("Volledig voorstel").is_empty());
}

#[tokio::test]
async fn a_release_time_is_checked_kept_when_refused_and_stored() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let body: String = app
        .count("SELECT id FROM body WHERE slug = 'vesoc-werkgroep'")
        .await
        .to_string();
    let submit = async |partner: &mut crate::harness::Client, confidential: bool, date: &str| {
        let mut fields = vec![
            ("title", "Nota over de ijsvogel"),
            ("explanation", "Een nota."),
            ("kind", "information"),
            ("body_id", body.as_str()),
            ("release_date", date),
            ("release_time", "09:30"),
        ];
        if confidential {
            fields.push(("confidential", "1"));
        }
        partner.post_form("/agendapunten", &fields).await
    };
    for (confidential, date, message) in [
        (
            false,
            "2030-01-01",
            "geldt alleen voor een vertrouwelijk punt",
        ),
        (true, "2020-01-01", "ligt in het verleden"),
        (true, "1 januari", "JJJJ-MM-DD"),
    ] {
        let refused = submit(&mut partner, confidential, date).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        assert!(
            refused.text().contains(message),
            "{date}: {}",
            refused.text()
        );
        assert_eq!(
            refused.attr("input#release_date", "value").as_deref(),
            Some(date)
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM agenda_item").await, 0);

    let saved = submit(&mut partner, true, "2030-01-01").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let stored: String = sqlx::query_scalar(
        "SELECT to_char(embargo_until AT TIME ZONE 'Europe/Brussels', 'YYYY-MM-DD HH24:MI') FROM agenda_item",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(stored, "2030-01-01 09:30");
    let page = partner.get(saved.location().unwrap()).await;
    assert!(
        page.text()
            .contains("vertrouwelijk tot dinsdag 1 januari 2030 om 9.30 uur"),
        "{}",
        page.text()
    );
}

async fn exec(app: &TestApp, sql: &str, id: i64) {
    sqlx::query(sql).bind(id).execute(&app.db).await.unwrap();
}

#[tokio::test]
async fn sending_versions_freezes_what_was_sent_and_lists_the_difference_each_may_see() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2027-03-02 10:00+01")
        .await;
    let first = app
        .item(Item::proposal("Verslag van de vorige vergadering").on_agenda(meeting, Place::At(1)))
        .await;
    let second = app
        .item(Item::proposal("Loopbanen").on_agenda(meeting, Place::At(2)))
        .await;
    let secret = app
        .item(
            Item::proposal("Geheime begrotingsnota")
                .on_agenda(meeting, Place::At(3))
                .confidential(true),
        )
        .await;
    // Invited: a member of ACV (sees the confidential item) and someone of
    // an advisory organisation (does not).
    let an = app.person("an-acv", ("An", "Acv"), Some("an@acv.be")).await;
    invite(&app.db, meeting, an, Some("acv"), "added").await;
    let dirk = app
        .person("dirk-dkb", ("Dirk", "Dkb"), Some("dirk@dkb.be"))
        .await;
    invite(&app.db, meeting, dirk, Some("dkb"), "added").await;

    // Convening sends the agenda: version A.
    let mut serv = app.signed_in(Role::Secretariat).await;
    let convened = serv
        .post_form(
            &format!("/vergaderingen/{meeting}/status"),
            &[("naar", "convened"), ("version", "1")],
        )
        .await;
    assert_eq!(
        convened.status,
        StatusCode::SEE_OTHER,
        "{}",
        convened.text()
    );
    let send = format!("/vergaderingen/{meeting}/agenda/versturen");
    let unchanged = serv.post_form(&send, &[]).await;
    assert_eq!(unchanged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unchanged.text().contains("niet gewijzigd sinds versie A"));

    // The agenda changes: the second item renamed and moved before the
    // first, a document added to it, the confidential one withdrawn, a new
    // one added.
    exec(
        &app,
        "UPDATE agenda_item SET title = 'Loopbaanbegeleiding', position = 0 WHERE id = $1",
        second,
    )
    .await;
    exec(
        &app,
        "INSERT INTO document (agenda_item_id, filename, content_type, size_bytes, sha256, content)
         VALUES ($1, 'nota.txt', 'text/plain; charset=utf-8', 5, sha256('nota.'::bytea), 'nota.'::bytea)",
        second,
    )
    .await;
    exec(
        &app,
        "UPDATE agenda_item SET status = 'withdrawn', position = NULL WHERE id = $1",
        secret,
    )
    .await;
    app.item(Item::proposal("Opleidingscheques").on_agenda(meeting, Place::At(4)))
        .await;
    let before = app.count("SELECT count(*) FROM mail_message").await;
    let sent = serv.post_form(&send, &[]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
    assert_eq!(app.count("SELECT count(*) FROM agenda_version").await, 2);

    // The invitees hear what changed that they may see.
    let mails: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT recipient, subject, body_text FROM mail_message ORDER BY id OFFSET $1",
    )
    .bind(before)
    .fetch_all(&app.db)
    .await
    .unwrap();
    let to = |who: &str| mails.iter().find(|(r, _, _)| r == who).unwrap().clone();
    let (_, subject, an) = to("an@acv.be");
    assert!(
        subject.starts_with("Aanvullende agenda (versie B): VESOC-werkgroep"),
        "{subject}"
    );
    assert!(an.contains("Wat is er gewijzigd:"), "{an}");
    assert!(
        an.contains("Van de agenda gehaald: 3. Geheime begrotingsnota"),
        "{an}"
    );
    let (_, _, dirk) = to("dirk@dkb.be");
    assert!(dirk.contains("Nieuwe titel voor 2"), "{dirk}");
    assert!(!dirk.contains("Geheime begrotingsnota"), "{dirk}");

    // Version A reads as it was sent; B as it is.
    let mut visitor = app.client();
    let a = visitor
        .get(&format!("/vergaderingen/{meeting}/agenda/versies/A"))
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.text().contains("2. Loopbanen"), "{}", a.text());
    assert!(
        !a.text().contains("Geheime begrotingsnota"),
        "a visitor: no trace"
    );
    let b = visitor
        .get(&format!("/vergaderingen/{meeting}/agenda/versies/B"))
        .await;
    assert!(b.text().contains("Loopbaanbegeleiding"));
    assert!(b.text().contains("nota.txt"));

    // The difference, for the secretariat and for a visitor.
    let diff = format!("/vergaderingen/{meeting}/agenda/verschil?van=A&naar=B");
    let changes = |page: &crate::harness::Page| page.select("ul.changes li");
    let all = changes(&serv.get(&diff).await);
    assert_eq!(
        all,
        [
            "↕ Verplaatst van plaats 2 naar plaats 1: 2. Loopbaanbegeleiding",
            "✎ Nieuwe titel voor 2: “Loopbanen” wordt “Loopbaanbegeleiding”",
            "📎 Document toegevoegd bij 2. Loopbaanbegeleiding: nota.txt",
            "↕ Verplaatst van plaats 1 naar plaats 2: 1. Verslag van de vorige vergadering",
            "+ Nieuw: 4. Opleidingscheques (ter bespreking)",
            "− Van de agenda gehaald: 3. Geheime begrotingsnota",
        ]
    );
    let seen = changes(&visitor.get(&diff).await);
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert!(seen.iter().all(|c| !c.contains("Geheime")), "{seen:?}");

    // Versions of another meeting, or none: said, nothing shown.
    let wrong = visitor
        .get(&format!(
            "/vergaderingen/{meeting}/agenda/verschil?van=A&naar=Q"
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong
            .text()
            .contains("Kies twee verstuurde versies van deze vergadering.")
    );
    assert_eq!(
        visitor
            .get(&format!("/vergaderingen/{meeting}/agenda/versies/Q"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let _ = first;
}

/// The names of the files in a ZIP, and the text (pdftotext) of the PDF named `agenda`.
pub(crate) async fn unzip(bytes: Vec<u8>, agenda: &str) -> (Vec<String>, String) {
    let zip = async_zip::base::read::mem::ZipFileReader::new(bytes)
        .await
        .expect("a valid ZIP");
    let names: Vec<String> = zip
        .file()
        .entries()
        .iter()
        .map(|e| e.filename().as_str().unwrap().to_string())
        .collect();
    // The agenda is a PDF: its text as pdftotext reads it.
    let mut content = String::new();
    if let Some(i) = names.iter().position(|n| n == agenda) {
        let mut pdf = Vec::new();
        zip.reader_with_entry(i)
            .await
            .unwrap()
            .read_to_end_checked(&mut pdf)
            .await
            .unwrap();
        content = crate::agenda_pdf::text_of(&pdf);
    }
    (names, content)
}

#[tokio::test]
async fn the_meeting_pack_holds_the_agenda_and_what_the_reader_may_see_named_by_number() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2027-03-02 10:00+01")
        .await;
    let open = app
        .item(Item::proposal("Loopbaanbegeleiding").on_agenda(meeting, Place::At(1)))
        .await;
    let secret = app
        .item(
            Item::proposal("Geheime begrotingsnota")
                .on_agenda(meeting, Place::At(2))
                .confidential(true),
        )
        .await;
    app.document(open, "nota.pdf", false).await;
    app.document(open, "../bijlage:2.txt", false).await;
    app.document(open, "vertrouwelijke bijlage.txt", true).await;
    app.document(secret, "begroting.xlsx", false).await;
    let pack = format!("/vergaderingen/{meeting}/agenda/pakket.zip");

    let visitor = app.client().get(&pack).await;
    assert_eq!(visitor.status, StatusCode::OK);
    assert_eq!(
        visitor.headers.get("content-type").unwrap(),
        "application/zip"
    );
    let (names, index) = unzip(visitor.bytes.clone(), "00 - Agenda.pdf").await;
    assert_eq!(
        names,
        [
            "00 - Agenda.pdf",
            "01.1 - nota.pdf",
            "01.2 - -bijlage-2.txt"
        ]
    );
    assert!(
        index.contains("Loopbaanbegeleiding") && index.contains("ter bespreking"),
        "{index}"
    );
    assert!(!index.contains("Geheime"), "{index}");

    let mut member = app.signed_in(Role::SocialPartner).await;
    let (names, _) = unzip(member.get(&pack).await.bytes, "").await;
    assert_eq!(
        names,
        [
            "00 - Agenda.pdf",
            "01.1 - nota.pdf",
            "01.2 - -bijlage-2.txt",
            "01.3 - vertrouwelijke bijlage.txt",
            "02.1 - begroting.xlsx"
        ]
    );
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'agenda_pack.download'")
            .await,
        2
    );
    assert_eq!(
        app.client()
            .get("/vergaderingen/999999/agenda/pakket.zip")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_agenda_a_held_meeting_dealt_with_is_recorded_as_adopted() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2026-11-10 10:00+01")
        .await;
    app.item(Item::proposal("Loopbanen").on_agenda(meeting, Place::At(1)))
        .await;
    sqlx::query("UPDATE meeting SET status = 'convened' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    vesoc::agenda::freeze_version(&mut tx, None, meeting)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Changed since A, then held: B is frozen and adopted.
    app.item(Item::proposal("Varia").on_agenda(meeting, Place::At(2)))
        .await;
    let mut serv = app.signed_in(Role::Secretariat).await;
    let v = app.version("meeting", meeting).await;
    let held = serv
        .post_form(
            &format!("/vergaderingen/{meeting}/status"),
            &[("naar", "held"), ("version", &v)],
        )
        .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.text());
    let versions: Vec<(String, bool)> = sqlx::query_as(
        "SELECT letter, adopted FROM agenda_version WHERE meeting_id = $1 ORDER BY letter",
    )
    .bind(meeting)
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(versions, [("A".into(), false), ("B".into(), true)]);
    let page = app.client().get(&format!("/vergaderingen/{meeting}")).await;
    assert!(
        page.text().contains("versie B (vastgestelde agenda)"),
        "{}",
        page.text()
    );
}

/// Uploads `file` for `item`, as a new version of `replaces` when given.
async fn upload(
    c: &mut crate::harness::Client,
    item: i64,
    file: &str,
    replaces: &str,
) -> crate::harness::Page {
    use crate::documents::{BOUNDARY, PDF, multipart};
    let token = c.csrf_token().await;
    let parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("_csrf", None, token.as_bytes()),
        ("document", Some(file), PDF),
        ("replaces", None, replaces.as_bytes()),
    ];
    c.request_bytes(
        axum::http::Method::POST,
        &format!("/agendapunten/{item}/documenten"),
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        multipart(&parts),
    )
    .await
}

#[tokio::test]
async fn a_new_version_of_a_document_keeps_the_earlier_as_history_and_the_agenda_names_it() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2027-03-02 10:00+01")
        .await;
    let item = app
        .item(Item::proposal("Loopbaanbegeleiding").on_agenda(meeting, Place::At(1)))
        .await;
    sqlx::query("UPDATE meeting SET status = 'convened' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    let mut serv = app.signed_in(Role::Secretariat).await;
    let first = upload(&mut serv, item, "nota.pdf", "").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.text());
    let original: i64 = app.count("SELECT max(id) FROM document").await;
    let mut tx = app.db.begin().await.unwrap();
    vesoc::agenda::freeze_version(&mut tx, None, meeting)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // A version of a document of another item, or no number: refused.
    for bad in ["abc", "999999"] {
        let refused = upload(&mut serv, item, "nota.pdf", bad).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            refused
                .text()
                .contains("Kies een document van dit agendapunt om te vervangen")
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM document").await, 1);

    // bis, then ter.
    let bis = upload(&mut serv, item, "nota-v2.pdf", &original.to_string()).await;
    assert_eq!(bis.status, StatusCode::SEE_OTHER, "{}", bis.text());
    let second: i64 = app.count("SELECT max(id) FROM document").await;
    upload(&mut serv, item, "nota-v3.pdf", &second.to_string()).await;
    let page = serv.get(&format!("/agendapunten/{item}")).await;
    let current = page.select("ul.documents:not(.earlier) li a");
    assert_eq!(current, ["nota-v3.pdf (ter)"]);
    let earlier = page.select("ul.earlier li a");
    assert_eq!(earlier, ["nota-v2.pdf (bis)", "nota.pdf"]);
    assert!(page.text().contains("SHA-256"), "{}", page.text());
    // The earlier version still downloads.
    assert_eq!(
        serv.get(&format!("/documenten/{original}")).await.status,
        StatusCode::OK
    );
    // The meeting page and the pack carry the current version only.
    let meeting_page = app.client().get(&format!("/vergaderingen/{meeting}")).await;
    assert!(meeting_page.text().contains("nota-v3.pdf (ter)"));
    assert!(!meeting_page.text().contains("nota-v2.pdf"));
    let (names, _) = unzip(
        app.client()
            .get(&format!("/vergaderingen/{meeting}/agenda/pakket.zip"))
            .await
            .bytes,
        "",
    )
    .await;
    assert_eq!(names, ["00 - Agenda.pdf", "01.1 - nota-v3.pdf (ter)"]);

    // Version B names the replacement; A still names the original.
    let mut tx = app.db.begin().await.unwrap();
    vesoc::agenda::freeze_version(&mut tx, None, meeting)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let diff = serv
        .get(&format!(
            "/vergaderingen/{meeting}/agenda/verschil?van=A&naar=B"
        ))
        .await;
    assert_eq!(
        diff.select("ul.changes li"),
        ["📎 Document vervangen bij 1. Loopbaanbegeleiding: nota.pdf wordt nota-v3.pdf (ter)"]
    );
    let a = serv
        .get(&format!("/vergaderingen/{meeting}/agenda/versies/A"))
        .await;
    assert!(a.text().contains("nota.pdf") && !a.text().contains("nota-v3"));
}

#[tokio::test]
async fn a_release_time_that_has_passed_may_stay_when_the_proposal_is_changed() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let item = app
        .item(
            Item::proposal("Nota over de ijsvogel")
                .kind("information")
                .confidential(true),
        )
        .await;
    sqlx::query(
        "UPDATE agenda_item SET embargo_until = date_trunc('minute', now()) - interval '1 day'
         WHERE id = $1",
    )
    .bind(item)
    .execute(&app.db)
    .await
    .unwrap();
    let form = partner.get(&format!("/agendapunten/{item}/bewerken")).await;
    assert_eq!(form.status, StatusCode::OK);
    let field = |name: &str| {
        form.attr(&format!("[name={name}]"), "value")
            .unwrap_or_default()
    };
    let (date, hour, body) = (
        field("release_date"),
        field("release_time"),
        field("body_id"),
    );
    let body = if body.is_empty() {
        form.attr("select#body_id option[selected]", "value")
            .unwrap_or_default()
    } else {
        body
    };
    let v = app.version("agenda_item", item).await;
    let saved = partner
        .post_form(
            &format!("/agendapunten/{item}/bewerken"),
            &[
                ("title", "Nota over de ijsvogel, herzien"),
                ("explanation", ""),
                ("kind", "information"),
                ("body_id", &body),
                ("confidential", "1"),
                ("release_date", &date),
                ("release_time", &hour),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
}
