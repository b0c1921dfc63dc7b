//! The agenda as PDF (issue 18): what Debian's `pdftotext` reads in it, for
//! whom; per version; as the first file of the meeting pack.

use axum::http::StatusCode;
use vesoc::auth::Role;

use crate::agenda_life::unzip;
use crate::harness::{Client, TestApp};

/// Runs a poppler-utils tool on `pdf` (`args`, the file, `after`). Missing,
/// the test fails: the text check is the point (`scripts/test.sh` installs
/// poppler-utils).
fn poppler(tool: &str, args: &[&str], pdf: &[u8], after: &[&str]) -> String {
    let head = String::from_utf8_lossy(&pdf[..pdf.len().min(100)]).into_owned();
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF: {head}");
    let file = std::env::temp_dir().join(format!(
        "vesoc-agenda-{}.pdf",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new(tool)
        .args(args)
        .arg(&file)
        .args(after)
        .output();
    std::fs::remove_file(&file).ok();
    let out = out.unwrap_or_else(|e| {
        panic!(
            "`{tool}` did not run ({e}): install Debian's poppler-utils \
             (apt-get install poppler-utils; scripts/test.sh does it)"
        )
    });
    assert!(out.status.success(), "{tool} failed: {:?}", out.stderr);
    String::from_utf8(out.stdout).unwrap()
}

/// The text of a PDF, in reading order, every run of white space (a line
/// break in a table cell too) one space.
pub(crate) fn text_of(pdf: &[u8]) -> String {
    let text = poppler("pdftotext", &["-enc", "UTF-8"], pdf, &["-"]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A field of the PDF's document information ("Title", "Tagged").
fn info_of(pdf: &[u8], field: &str) -> String {
    let info = poppler("pdfinfo", &["-enc", "UTF-8"], pdf, &[]);
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("no {field} in\n{info}"))
}

async fn item(
    app: &TestApp,
    meeting: i64,
    title: &str,
    position: i32,
    kind: &str,
    confidential: bool,
    minister: Option<&str>,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id,
                                  proposer_minister_id, title, kind, status, position, number,
                                  confidential)
         SELECT body_id, id,
                CASE WHEN $6::text IS NULL THEN (SELECT id FROM organisation WHERE slug = 'acv') END,
                (SELECT id FROM person WHERE slug = $6), $2, $4::agenda_item_kind, 'accepted', $3,
                $3::text, $5
         FROM meeting WHERE id = $1 RETURNING id",
    )
    .bind(meeting)
    .bind(title)
    .bind(position)
    .bind(kind)
    .bind(confidential)
    .bind(minister)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn document(app: &TestApp, item: i64, name: &str, confidential: bool) {
    sqlx::query(
        "INSERT INTO document (agenda_item_id, filename, content_type, size_bytes, sha256, content,
                               confidential)
         VALUES ($1, $2, 'text/plain; charset=utf-8', 5, sha256('stuk.'::bytea), 'stuk.'::bytea, $3)",
    )
    .bind(item)
    .bind(name)
    .bind(confidential)
    .execute(&app.db)
    .await
    .unwrap();
}

/// A working-group meeting on Tuesday 2 March 2027, 10:00–12:00, in
/// "SERV, Brussel": an open item of ACV with a public and a confidential
/// document, a confidential one of a minister, and An Acv invited.
async fn meeting(app: &TestApp) -> i64 {
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2027-03-02 10:00+01")
        .await;
    let open = item(
        app,
        meeting,
        "Loopbaanbegeleiding",
        1,
        "discussion",
        false,
        None,
    )
    .await;
    let secret = item(
        app,
        meeting,
        "Geheime begrotingsnota",
        2,
        "decision",
        true,
        Some("hilde-crevits"),
    )
    .await;
    document(app, open, "nota.pdf", false).await;
    document(app, open, "vertrouwelijke bijlage.txt", true).await;
    document(app, secret, "begroting.xlsx", false).await;
    sqlx::query(
        "INSERT INTO person (slug, given_name, family_name) VALUES ('an-acv', 'An', 'Acv');
         ",
    )
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO meeting_participant (meeting_id, person_id, organisation_id, reason)
         SELECT $1, (SELECT id FROM person WHERE slug = 'an-acv'),
                (SELECT id FROM organisation WHERE slug = 'acv'), 'added'",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    meeting
}

/// Sends the agenda of `meeting` as its next version (A, B…).
async fn send_version(app: &TestApp, meeting: i64) {
    let mut tx = app.db.begin().await.unwrap();
    vesoc::agenda::freeze_version(&mut tx, None, meeting)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

pub(crate) async fn pdf(client: &mut Client, path: &str) -> Vec<u8> {
    let page = client.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    assert_eq!(page.headers["content-type"], "application/pdf");
    page.bytes
}

#[tokio::test]
async fn the_agenda_pdf_shows_the_meeting_and_what_the_reader_may_see() {
    let app = TestApp::seeded().await;
    let meeting = meeting(&app).await;
    let path = format!("/vergaderingen/{meeting}/agenda.pdf");

    let visitor = app.client().get(&path).await;
    assert_eq!(visitor.status, StatusCode::OK);
    assert_eq!(visitor.headers["content-type"], "application/pdf");
    assert_eq!(
        visitor.headers["content-disposition"],
        format!("inline; filename=\"agenda-vergadering-{meeting}.pdf\"").as_str()
    );
    assert_eq!(visitor.headers["cache-control"], "private, no-store");
    let text = text_of(&visitor.bytes);
    for expected in [
        "VESOC · Vlaams Economisch Sociaal Overlegcomité",
        "Secretariaat: SERV",
        "Agenda",
        "VESOC-werkgroep",
        "dinsdag 2 maart 2027",
        "10:00 – 12:00",
        "Inhoud",
        "1. Loopbaanbegeleiding",
        "Soort: ter bespreking · Indiener: ACV",
        "nota.pdf",
        "Pagina 1 van",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in\n{text}");
    }
    // Nothing confidential, no place, no invitation list.
    for absent in [
        "Geheime begrotingsnota",
        "begroting.xlsx",
        "vertrouwelijke bijlage",
        "Crevits",
        "SERV, Brussel",
        "Genodigden",
        "An Acv",
    ] {
        assert!(!text.contains(absent), "{absent:?} shown to a visitor");
    }
    // Real text in Dutch (Belgium), a title, bookmarks.
    let raw = String::from_utf8_lossy(&visitor.bytes);
    assert!(raw.contains("/Lang(nl-BE)"), "no /Lang nl-BE");
    assert!(raw.contains("/Outlines"), "no bookmarks");
    assert_eq!(
        info_of(&visitor.bytes, "Title"),
        "Agenda VESOC-werkgroep, dinsdag 2 maart 2027"
    );
    assert_eq!(info_of(&visitor.bytes, "Tagged"), "yes");

    // The secretariat and a member of the body see everything, the place
    // and who is invited.
    for role in [Role::Secretariat, Role::SocialPartner] {
        let mut reader = app.signed_in(role).await;
        let text = text_of(&pdf(&mut reader, &path).await);
        for expected in [
            "1. Loopbaanbegeleiding",
            "2. Geheime begrotingsnota",
            "Soort: ter beslissing · Indiener: kabinet Hilde Crevits · vertrouwelijk",
            "begroting.xlsx",
            "vertrouwelijke bijlage.txt · vertrouwelijk",
            "SERV, Brussel",
            "Genodigden",
            "An Acv",
            "toegevoegd door het secretariaat",
        ] {
            assert!(
                text.contains(expected),
                "{role:?}: {expected:?} missing in\n{text}"
            );
        }
    }
    // An administrator sits in no body: as a visitor.
    let mut admin = app.signed_in(Role::Admin).await;
    let text = text_of(&pdf(&mut admin, &path).await);
    assert!(text.contains("1. Loopbaanbegeleiding"));
    assert!(!text.contains("Geheime begrotingsnota"), "{text}");
    assert!(!text.contains("Genodigden"), "{text}");

    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'agenda_pdf.download'")
            .await,
        4
    );
    for missing in [
        "/vergaderingen/999999/agenda.pdf".to_string(),
        "/vergaderingen/nul/agenda.pdf".to_string(),
        format!("/vergaderingen/{meeting}/agenda/versies/A/agenda.pdf"),
    ] {
        let page = app.client().get(&missing).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn a_version_s_pdf_lists_that_version() {
    let app = TestApp::seeded().await;
    let meeting = meeting(&app).await;
    send_version(&app, meeting).await;
    // After version A: a new title, a new item.
    sqlx::query(
        "UPDATE agenda_item SET title = 'Loopbaanbeleid' WHERE title = 'Loopbaanbegeleiding'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    item(
        &app,
        meeting,
        "Opleidingscheques",
        3,
        "information",
        false,
        None,
    )
    .await;

    let path = format!("/vergaderingen/{meeting}/agenda/versies/A/agenda.pdf");
    let visitor = app.client().get(&path).await;
    assert_eq!(visitor.status, StatusCode::OK);
    assert_eq!(
        visitor.headers["content-disposition"],
        format!("inline; filename=\"agenda-vergadering-{meeting}-versie-A.pdf\"").as_str()
    );
    let text = text_of(&visitor.bytes);
    assert!(text.contains("Agenda, versie A"), "{text}");
    assert!(text.contains("Vastgelegd"), "{text}");
    assert!(text.contains("1. Loopbaanbegeleiding"), "{text}");
    assert!(text.contains("Indiener: ACV"), "{text}");
    assert!(!text.contains("Loopbaanbeleid"), "{text}");
    assert!(!text.contains("Opleidingscheques"), "{text}");
    assert!(!text.contains("Geheime begrotingsnota"), "{text}");

    let mut serv = app.signed_in(Role::Secretariat).await;
    let text = text_of(&pdf(&mut serv, &path).await);
    assert!(text.contains("2. Geheime begrotingsnota"), "{text}");
    assert!(text.contains("begroting.xlsx"), "{text}");
    // The current agenda is as it is now.
    let now = format!("/vergaderingen/{meeting}/agenda.pdf");
    let text = text_of(&pdf(&mut serv, &now).await);
    assert!(text.contains("1. Loopbaanbeleid"), "{text}");
    assert!(text.contains("3. Opleidingscheques"), "{text}");
    assert!(!text.contains("versie A"), "{text}");

    let unknown = format!("/vergaderingen/{meeting}/agenda/versies/Q/agenda.pdf");
    assert_eq!(
        app.client().get(&unknown).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_meeting_pack_starts_with_the_agenda_pdf() {
    const AGENDA: &str = "00 - Agenda.pdf";
    let app = TestApp::seeded().await;
    let meeting = meeting(&app).await;
    let pack = format!("/vergaderingen/{meeting}/agenda/pakket.zip");

    let (names, text) = unzip(app.client().get(&pack).await.bytes, AGENDA).await;
    assert_eq!(names, ["00 - Agenda.pdf", "01.1 - nota.pdf"]);
    assert!(text.contains("1. Loopbaanbegeleiding"), "{text}");
    assert!(text.contains("nota.pdf"), "{text}");
    assert!(!text.contains("Geheime begrotingsnota"), "{text}");

    let mut member = app.signed_in(Role::SocialPartner).await;
    let (names, text) = unzip(member.get(&pack).await.bytes, AGENDA).await;
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(text.contains("2. Geheime begrotingsnota"), "{text}");
    assert!(text.contains("An Acv"), "{text}");

    // A version's pack carries that version's PDF.
    send_version(&app, meeting).await;
    let of_a = format!("/vergaderingen/{meeting}/agenda/versies/A/pakket.zip");
    let (names, text) = unzip(app.client().get(&of_a).await.bytes, AGENDA).await;
    assert_eq!(names[0], "00 - Agenda.pdf");
    assert!(text.contains("Agenda, versie A"));
}

#[tokio::test]
async fn the_meeting_page_and_a_version_link_to_their_pdf() {
    let app = TestApp::seeded().await;
    let meeting = meeting(&app).await;
    let mut visitor = app.client();
    let page = visitor.get(&format!("/vergaderingen/{meeting}")).await;
    let current = format!("/vergaderingen/{meeting}/agenda.pdf");
    assert_eq!(
        page.attr(&format!("a[href=\"{current}\"]"), "href"),
        Some(current)
    );
    send_version(&app, meeting).await;
    let page = visitor
        .get(&format!("/vergaderingen/{meeting}/agenda/versies/A"))
        .await;
    let of_a = format!("/vergaderingen/{meeting}/agenda/versies/A/agenda.pdf");
    assert_eq!(
        page.attr(&format!("a[href=\"{of_a}\"]"), "href"),
        Some(of_a)
    );
}

#[tokio::test]
async fn a_version_keeps_the_meeting_as_it_sent_it() {
    let app = TestApp::seeded().await;
    let meeting = meeting(&app).await;
    send_version(&app, meeting).await;
    // After version A: the meeting moves a week and to another place, gets
    // an online link; An Acv is no longer invited, Bo Abvv is.
    sqlx::query(
        "UPDATE meeting SET starts_at = starts_at + interval '7 days 4 hours',
                            ends_at = ends_at + interval '7 days 4 hours',
                            location = 'Martelarenplein 7, Leuven',
                            online_url = 'https://vergader.example/vesoc'
         WHERE id = $1",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "WITH bo AS (INSERT INTO person (slug, given_name, family_name)
                     VALUES ('bo-abvv', 'Bo', 'Abvv') RETURNING id),
              gone AS (UPDATE meeting_participant SET invited = false WHERE meeting_id = $1)
         INSERT INTO meeting_participant (meeting_id, person_id, organisation_id, reason)
         SELECT $1, bo.id, (SELECT id FROM organisation WHERE slug = 'abvv'), 'advisory'
         FROM bo",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();

    let then = [
        "dinsdag 2 maart 2027",
        "10:00 – 12:00",
        "SERV, Brussel",
        "An Acv",
        "toegevoegd door het secretariaat",
    ];
    let now = [
        "dinsdag 9 maart 2027",
        "14:00 – 16:00",
        "Martelarenplein 7, Leuven",
        "https://vergader.example/vesoc",
        "Bo Abvv",
        "raadgevende stem",
    ];
    let of_a = format!("/vergaderingen/{meeting}/agenda/versies/A/agenda.pdf");
    let current = format!("/vergaderingen/{meeting}/agenda.pdf");
    let page_a = format!("/vergaderingen/{meeting}/agenda/versies/A");
    for role in [Role::Secretariat, Role::SocialPartner] {
        let mut member = app.signed_in(role).await;
        // Version A, as PDF and as page: the meeting as A sent it.
        let pdf_a = text_of(&pdf(&mut member, &of_a).await);
        // The page links to the meeting as it is now (the crumbs); what
        // it says of the meeting is A's.
        let page = member.get(&page_a).await;
        assert_eq!(page.status, StatusCode::OK);
        let page_a_says = page
            .select(".subtitle, dl.facts, #genodigden, table.participants tbody tr")
            .join(" | ");
        assert_eq!(
            page.select("table.participants tbody tr"),
            ["An Acv ACV toegevoegd door het secretariaat"],
            "{role:?}"
        );
        for text in [&pdf_a, &page_a_says] {
            says(text, &then, &now, &format!("{role:?}, version A"));
        }
        // The current agenda: the meeting as it stands.
        let text = text_of(&pdf(&mut member, &current).await);
        says(&text, &now, &then, &format!("{role:?}, the current agenda"));
    }

    // Freezing changes what a version shows, not who sees it: a visitor
    // reads A's day and hours, neither its place nor its invitees.
    let mut visitor = app.client();
    let pdf_a = text_of(&pdf(&mut visitor, &of_a).await);
    let page = visitor.get(&page_a).await;
    for text in [&pdf_a, &page.text()] {
        let absent = [
            "SERV, Brussel",
            "Genodigden",
            "An Acv",
            "Martelarenplein",
            "Bo Abvv",
        ];
        says(text, &then[..2], &absent, "a visitor, version A");
    }
}

/// Asserts that `text` (what `who` reads) holds each of `present` and none
/// of `absent`.
fn says(text: &str, present: &[&str], absent: &[&str], who: &str) {
    for expected in present {
        assert!(
            text.contains(expected),
            "{who}: {expected:?} missing in\n{text}"
        );
    }
    for shown in absent {
        assert!(!text.contains(shown), "{who}: {shown:?} in\n{text}");
    }
}
