//! The record matrix: the table of `docs/access.md`, checked row by row,
//! reader by reader, channel by channel. The table is read from the file, so
//! a row, reader or channel added there is tested here; a record, reader or
//! channel the file names but this test cannot make or ask is an error, and
//! so is one this test knows that the file leaves out.

use axum::http::StatusCode;

use crate::harness::{Client, Item, PASSWORD, Page, Place, TestApp, invite, site};
use vesoc::auth::Role;

const ACCESS: &str = include_str!("../../docs/access.md");

/// Every record, reader and channel this test can make and ask: each must
/// be in the table, and nothing else may.
const RECORDS: &[&str] = &[
    "item submitted",
    "item in review",
    "item returned",
    "item rejected",
    "item withdrawn",
    "item deferred",
    "item confidential proposal",
    "item of the own cabinet",
    "item on the agenda",
    "item dealt with",
    "item confidential on the agenda",
    "item confidential released",
    "document of an item on the agenda",
    "document confidential of an item on the agenda",
    "document confidential of a released item",
    "document of a confidential item on the agenda",
    "document of a submitted item",
    "document of a rejected item",
    "document of a deferred item",
    "meeting internals",
    "minutes draft",
    "minutes approved",
    "agreement draft",
    "agreement published",
];
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
    "search",
    "proposals",
    "meeting page",
    "printable agenda",
    "download",
    "invitation list",
    "personal calendar",
    "agreement page",
    "agreements",
    "yearly overview",
    "open data",
    "home page",
    "start page",
    "item page",
    "mail",
    "agenda version",
    "meeting pack",
];

struct Row {
    record: String,
    sees: Vec<bool>,
    channels: Vec<String>,
}

/// The table under "## The table": its readers (the header's columns
/// between "record" and "channels") and its rows.
fn table() -> (Vec<String>, Vec<Row>) {
    let section = ACCESS
        .split("## The table")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("docs/access.md has a section \"## The table\"");
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect()
    };
    let mut lines = section.lines().filter(|l| l.trim_start().starts_with('|'));
    let header = cells(lines.next().expect("the table's header"));
    assert_eq!(header.first().map(String::as_str), Some("record"));
    assert_eq!(header.last().map(String::as_str), Some("channels"));
    let readers = header[1..header.len() - 1].to_vec();
    let rows = lines
        .skip(1) // |---|---|
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
        .collect();
    (readers, rows)
}

#[test]
fn the_table_names_what_the_test_knows_and_nothing_else() {
    let (readers, rows) = table();
    assert_eq!(readers, READERS, "the readers of docs/access.md");
    let records: Vec<&str> = rows.iter().map(|r| r.record.as_str()).collect();
    assert_eq!(records, RECORDS, "the records of docs/access.md");
    for row in &rows {
        for channel in &row.channels {
            assert!(
                CHANNELS.contains(&channel.as_str()),
                "unknown channel {channel:?} in {}",
                row.record
            );
        }
    }
    // every channel the test can ask is used by some row, and described
    let described = ACCESS.split("## The channels").nth(1).unwrap_or_default();
    for channel in CHANNELS {
        assert!(
            rows.iter().any(|r| r.channels.iter().any(|c| c == channel)),
            "no row of docs/access.md asks the channel {channel:?}"
        );
        assert!(
            described.contains(&format!("| {channel} |")),
            "the channel {channel:?} is not described in docs/access.md"
        );
    }
}

/// A record made for one row, with what identifies it in each channel.
enum Record {
    Item {
        id: i64,
        title: String,
        word: String,
    },
    Document {
        id: i64,
    },
    Meeting {
        id: i64,
        word: String,
    },
    Minutes {
        meeting: i64,
        word: String,
    },
    Agreement {
        slug: String,
        title: String,
        word: String,
    },
}

/// The readers, signed in where they are.
struct Reader {
    name: &'static str,
    client: Client,
    /// the secret of the personal calendar feed
    calendar: Option<String>,
    /// the account's address, and the person of the composition it is
    /// (invited to meetings, it receives their convocations)
    mailbox: Option<(String, i64)>,
}

async fn readers(app: &TestApp) -> Vec<Reader> {
    let mut out = Vec::new();
    for &name in READERS {
        let account: Option<(Role, Option<&str>, Option<&str>)> = match name {
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
            other => panic!("no reader {other:?}: add it to records.rs"),
        };
        let mut client = app.client();
        let mut calendar = None;
        let mut mailbox = None;
        if let Some((role, org, minister)) = account {
            let email = format!("{}@matrix.vesoc.be", name.replace(' ', "-"));
            let id = app.account_as(role, &email, org, minister).await;
            let page = client.sign_in(&email, PASSWORD).await;
            assert_eq!(
                page.status,
                StatusCode::SEE_OTHER,
                "{name}: {}",
                page.text()
            );
            let mut tx = app.db.begin().await.unwrap();
            calendar = Some(
                vesoc::accounts::new_calendar_token(&mut tx, id)
                    .await
                    .unwrap(),
            );
            tx.commit().await.unwrap();
            let slug = format!("lezer-{}", name.replace(' ', "-"));
            let person = app.person(&slug, ("Lezer", name), Some(&email)).await;
            app.is_person(id, person).await;
            mailbox = Some((email, person));
        }
        out.push(Reader {
            name,
            client,
            calendar,
            mailbox,
        });
    }
    out
}

/// Words the Dutch stemmer keeps apart, one per row.
const WORDS: &[&str] = &[
    "kolibrie",
    "toekan",
    "pelikaan",
    "flamingo",
    "kasuaris",
    "albatros",
    "pinguin",
    "papegaai",
    "kaketoe",
    "roerdomp",
    "ijsvogel",
    "goudvink",
    "kwikstaart",
    "nachtegaal",
    "wielewaal",
    "grutto",
    "kievit",
    "tureluur",
    "scholekster",
    "lepelaar",
    "aalscholver",
    "boomvalk",
    "sperwer",
    "slechtvalk",
    "houtsnip",
    "patrijs",
];

/// The meeting the items are on: of the working group.
async fn meeting(app: &TestApp, starts: &str) -> i64 {
    app.meeting("vesoc-werkgroep", "working_group", starts)
        .await
}

struct ItemSpec<'a> {
    meeting: Option<i64>,
    minister: Option<&'a str>,
    status: &'a str,
    on_agenda: bool,
    confidential: bool,
    released: bool,
}

impl ItemSpec<'_> {
    /// A proposal of ACV in `status`, on no meeting, not confidential.
    fn proposal(status: &str) -> ItemSpec<'_> {
        ItemSpec {
            meeting: None,
            minister: None,
            status,
            on_agenda: false,
            confidential: false,
            released: false,
        }
    }
}

async fn item(app: &TestApp, title: &str, word: &str, s: ItemSpec<'_>) -> i64 {
    let explanation = format!("Toelichting over de {word}");
    let mut item = Item::proposal(title)
        .explanation(&explanation)
        .status(s.status)
        .confidential(s.confidential);
    if let Some(minister) = s.minister {
        item = item.by_minister(minister);
    }
    if let Some(meeting) = s.meeting {
        item = item.for_meeting(meeting);
    }
    if s.on_agenda {
        item.place = Place::Next;
    }
    if s.released {
        item = item.release("-1 day");
    }
    match s.status {
        "rejected" => item = item.answer("Past niet."),
        "dealt_with" => item = item.outcome("noted"),
        _ => {}
    }
    app.item(item).await
}

/// Makes the record of a row, on `on` (the meeting of the items).
async fn make(app: &TestApp, record: &str, word: &str, on: i64) -> Record {
    let title = format!("Punt over de {word}");
    let spec = |status, on_agenda, confidential| ItemSpec {
        meeting: (on_agenda || status == "deferred").then_some(on),
        minister: None,
        status,
        on_agenda,
        confidential,
        released: false,
    };
    let made_item = |id: i64| Record::Item {
        id,
        title: title.clone(),
        word: word.to_string(),
    };
    if let Some(doc) = record.strip_prefix("document ") {
        let (item_spec, doc_confidential) = match doc {
            "of an item on the agenda" => (spec("accepted", true, false), false),
            "confidential of an item on the agenda" => (spec("accepted", true, false), true),
            "confidential of a released item" => (
                ItemSpec {
                    released: true,
                    ..spec("accepted", true, true)
                },
                true,
            ),
            "of a confidential item on the agenda" => (spec("accepted", true, true), false),
            "of a submitted item" => (spec("submitted", false, false), false),
            "of a rejected item" => (spec("rejected", false, false), false),
            "of a deferred item" => (spec("deferred", false, false), false),
            other => panic!("no document {other:?}: add it to records.rs"),
        };
        let item_id = item(app, &title, word, item_spec).await;
        let id = app
            .document(item_id, &format!("stuk-{word}.txt"), doc_confidential)
            .await;
        return Record::Document { id };
    }
    match record {
        "item submitted" => {
            made_item(item(app, &title, word, spec("submitted", false, false)).await)
        }
        "item in review" => {
            made_item(item(app, &title, word, spec("in_review", false, false)).await)
        }
        "item returned" => made_item(item(app, &title, word, spec("returned", false, false)).await),
        "item rejected" => made_item(item(app, &title, word, spec("rejected", false, false)).await),
        "item withdrawn" => {
            made_item(item(app, &title, word, spec("withdrawn", false, false)).await)
        }
        // deferred to the meeting, without a place on its agenda
        "item deferred" => made_item(item(app, &title, word, spec("deferred", false, false)).await),
        "item confidential proposal" => {
            made_item(item(app, &title, word, spec("submitted", false, true)).await)
        }
        "item of the own cabinet" => made_item(
            item(
                app,
                &title,
                word,
                ItemSpec {
                    minister: Some("hilde-crevits"),
                    ..spec("submitted", false, false)
                },
            )
            .await,
        ),
        "item on the agenda" => {
            made_item(item(app, &title, word, spec("accepted", true, false)).await)
        }
        "item dealt with" => {
            made_item(item(app, &title, word, spec("dealt_with", true, false)).await)
        }
        "item confidential on the agenda" => {
            made_item(item(app, &title, word, spec("accepted", true, true)).await)
        }
        "item confidential released" => made_item(
            item(
                app,
                &title,
                word,
                ItemSpec {
                    released: true,
                    ..spec("accepted", true, true)
                },
            )
            .await,
        ),
        "meeting internals" => {
            let id = meeting(app, "2026-09-15 14:00+02").await;
            sqlx::query(
                "UPDATE meeting SET location = 'Zaal ' || $2, notes = 'Parkeren achteraan.'
                 WHERE id = $1",
            )
            .bind(id)
            .bind(word)
            .execute(&app.db)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO meeting_participant (meeting_id, person_id, reason)
                 VALUES ($1, (SELECT id FROM person WHERE slug = 'jan-jambon'), 'competence')",
            )
            .bind(id)
            .execute(&app.db)
            .await
            .unwrap();
            Record::Meeting {
                id,
                word: word.to_string(),
            }
        }
        "minutes draft" | "minutes approved" => {
            let id = meeting(app, "2026-03-03 10:00+01").await;
            let approved = record == "minutes approved";
            sqlx::query(
                "INSERT INTO minutes (meeting_id, text, status, approved_on)
                 VALUES ($1, 'Verslag over de ' || $2,
                         CASE WHEN $3 THEN 'approved' ELSE 'draft' END::minutes_status,
                         CASE WHEN $3 THEN date '2026-04-01' END)",
            )
            .bind(id)
            .bind(word)
            .bind(approved)
            .execute(&app.db)
            .await
            .unwrap();
            sqlx::query("UPDATE meeting SET status = 'held' WHERE id = $1")
                .bind(id)
                .execute(&app.db)
                .await
                .unwrap();
            Record::Minutes {
                meeting: id,
                word: word.to_string(),
            }
        }
        "agreement draft" | "agreement published" => {
            let published = record == "agreement published";
            let slug = format!("akkoord-{word}");
            let title = format!("Akkoord over de {word}");
            sqlx::query(
                "INSERT INTO agreement (slug, body_id, title, introduction, concluded_on, status,
                                        published_at)
                 VALUES ($1, (SELECT id FROM body WHERE slug = 'vesoc-overleg'), $2, 'Inleiding.',
                         date '2026-02-02',
                         CASE WHEN $3 THEN 'published' ELSE 'draft' END::agreement_status,
                         CASE WHEN $3 THEN now() END)",
            )
            .bind(&slug)
            .bind(&title)
            .bind(published)
            .execute(&app.db)
            .await
            .unwrap();
            Record::Agreement {
                slug,
                title,
                word: word.to_string(),
            }
        }
        other => panic!("no record {other:?}: add it to records.rs"),
    }
}

enum Mailing {
    Convocation,
    MinutesApproved,
}

/// The texts that `mailbox` (its address, and the person it is) would get
/// of `mailing` for `meeting`: written and read in a transaction that is
/// rolled back, so that every reader asks the same state.
async fn mailed(
    app: &TestApp,
    (email, person): &(String, i64),
    meeting: i64,
    mailing: Mailing,
) -> Vec<String> {
    let site = site();
    let mut tx = app.db.begin().await.unwrap();
    let m = vesoc::meetings::queries::get(&mut *tx, meeting)
        .await
        .unwrap()
        .unwrap();
    let kind = match mailing {
        Mailing::Convocation => {
            invite(&mut *tx, meeting, *person, None, "added").await;
            use vesoc::meetings::convocation::{Occasion, write};
            write(&mut tx, None, &m, Occasion::Convened, &site)
                .await
                .unwrap();
            "convocation"
        }
        Mailing::MinutesApproved => {
            let actor: i64 = sqlx::query_scalar("SELECT min(id) FROM account")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            vesoc::meetings::notices::minutes_approved(&mut tx, actor, &site, &m)
                .await
                .unwrap();
            "minutes_approved"
        }
    };
    let texts =
        sqlx::query_scalar("SELECT body_text FROM mail_message WHERE recipient = $1 AND kind = $2")
            .bind(email)
            .bind(kind)
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    tx.rollback().await.unwrap();
    texts
}

fn contains(page: &Page, what: &str) -> bool {
    page.status == StatusCode::OK && page.body.contains(what)
}

/// What `channel` shows `reader` of `record`: one or more observations,
/// each of which must match the table.
async fn observe(
    app: &TestApp,
    channel: &str,
    record: &Record,
    reader: &mut Reader,
    on: i64,
) -> Vec<(&'static str, bool)> {
    let c = &mut reader.client;
    match (channel, record) {
        // A visitor who is not signed in has no mailbox: nothing to ask.
        ("mail", _) if reader.mailbox.is_none() => Vec::new(),
        ("mail", Record::Item { title, .. }) => {
            let mailbox = reader.mailbox.as_ref().unwrap();
            let sent = mailed(app, mailbox, on, Mailing::Convocation).await;
            vec![("convocation", sent.iter().any(|text| text.contains(title)))]
        }
        ("mail", Record::Minutes { meeting, .. }) => {
            let mailbox = reader.mailbox.as_ref().unwrap();
            let sent = mailed(app, mailbox, *meeting, Mailing::MinutesApproved).await;
            vec![("minutes approved", !sent.is_empty())]
        }
        ("search", Record::Item { title, word, .. }) => {
            let page = c.get(&format!("/zoeken?q={word}")).await;
            assert_eq!(page.status, StatusCode::OK);
            let titles = page.select("#groep-agendapunten ~ ol li h3");
            // neither the title nor a snippet of the explanation
            vec![
                ("title", titles.contains(title)),
                ("snippet", page.body.contains("Toelichting over de")),
            ]
        }
        ("search", Record::Meeting { id, word }) => {
            let page = c.get(&format!("/zoeken?q={word}")).await;
            vec![(
                "meeting found by its place",
                page.body.contains(&format!("href=\"/vergaderingen/{id}\"")),
            )]
        }
        ("search", Record::Agreement { title, word, .. }) => {
            let page = c.get(&format!("/zoeken?q={word}")).await;
            vec![(
                "title",
                page.select("#groep-akkoorden ~ ol li h3").contains(title),
            )]
        }
        ("proposals", Record::Item { id, title, .. }) => {
            let own_page = c.get(&format!("/agendapunten/{id}")).await;
            let mut seen = vec![("the item's page", contains(&own_page, title))];
            // the secretariat finds proposals of others through the queue
            if reader.name != "secretariat" {
                let list = c.get("/agendapunten").await;
                seen.push(("the list of proposals", contains(&list, title)));
            }
            seen
        }
        ("meeting pack", Record::Document { id }) => {
            let name: String = sqlx::query_scalar("SELECT filename FROM document WHERE id = $1")
                .bind(id)
                .fetch_one(&app.db)
                .await
                .unwrap();
            let page = c
                .get(&format!("/vergaderingen/{on}/agenda/pakket.zip"))
                .await;
            assert_eq!(page.status, StatusCode::OK);
            let zip = async_zip::base::read::mem::ZipFileReader::new(page.bytes)
                .await
                .unwrap();
            let listed = zip
                .file()
                .entries()
                .iter()
                .any(|e| e.filename().as_str().unwrap_or_default().ends_with(&name));
            vec![("in the pack", listed)]
        }
        ("agenda version", Record::Item { title, .. }) => {
            // The agenda as sent (version A), frozen once every record exists.
            let mut tx = app.db.begin().await.unwrap();
            vesoc::agenda::freeze_version(&mut tx, None, on)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            let page = c
                .get(&format!("/vergaderingen/{on}/agenda/versies/A"))
                .await;
            vec![("version A", contains(&page, title))]
        }
        ("item page", Record::Item { id, title, .. }) => {
            let page = c.get(&format!("/punten/{id}")).await;
            vec![("item page", contains(&page, title))]
        }
        ("start page", Record::Item { title, .. }) => {
            let page = c.get("/mijn-werk").await;
            vec![("start page", contains(&page, title))]
        }
        ("meeting page", Record::Item { title, .. }) => {
            let page = c.get(&format!("/vergaderingen/{on}")).await;
            vec![("agenda", contains(&page, title))]
        }
        ("meeting page", Record::Document { id }) => {
            let page = c.get(&format!("/vergaderingen/{on}")).await;
            vec![(
                "link",
                page.attr(&format!("a[href='/documenten/{id}']"), "href")
                    .is_some(),
            )]
        }
        ("meeting page", Record::Meeting { id, word }) => {
            let page = c.get(&format!("/vergaderingen/{id}")).await;
            vec![("place", contains(&page, word))]
        }
        ("meeting page", Record::Minutes { meeting, word }) => {
            let page = c.get(&format!("/vergaderingen/{meeting}")).await;
            vec![("minutes", contains(&page, word))]
        }
        ("printable agenda", Record::Item { title, .. }) => {
            let page = c
                .get(&format!("/vergaderingen/{on}/agenda/afdrukken"))
                .await;
            vec![("agenda", contains(&page, title))]
        }
        ("download", Record::Document { id }) => {
            let page = c.get(&format!("/documenten/{id}")).await;
            let refused_well = match page.status {
                StatusCode::OK => true,
                StatusCode::NOT_FOUND => reader.name != "anonymous",
                StatusCode::SEE_OTHER => {
                    reader.name == "anonymous"
                        && page
                            .location()
                            .unwrap_or_default()
                            .starts_with("/aanmelden")
                }
                other => panic!("{} got {other} for document {id}", reader.name),
            };
            assert!(refused_well, "{}: {}", reader.name, page.status);
            vec![(
                "file",
                page.status == StatusCode::OK && page.body == "stuk.",
            )]
        }
        ("invitation list", Record::Meeting { id, .. }) => {
            let page = c.get(&format!("/vergaderingen/{id}/uitnodigingen")).await;
            vec![("page", page.status == StatusCode::OK)]
        }
        ("personal calendar", Record::Meeting { word, .. }) => match &reader.calendar {
            None => vec![("no feed", false)],
            Some(secret) => {
                let feed = c.get(&format!("/kalender/persoonlijk/{secret}.ics")).await;
                assert_eq!(feed.status, StatusCode::OK);
                vec![(
                    "LOCATION",
                    feed.body.contains(&format!("LOCATION:Zaal {word}")),
                )]
            }
        },
        ("agreement page", Record::Agreement { slug, title, .. }) => {
            let page = c.get(&format!("/akkoorden/{slug}")).await;
            vec![("page", contains(&page, title))]
        }
        ("agreements", Record::Agreement { title, .. }) => {
            let page = c.get("/akkoorden").await;
            vec![("list", contains(&page, title))]
        }
        ("yearly overview", Record::Agreement { title, .. }) => {
            let page = c.get("/jaaroverzicht/2026").await;
            vec![("overview", contains(&page, title))]
        }
        ("open data", Record::Item { id, .. }) => {
            let page = c.get(&format!("/api/oparl/agendaitem/{id}")).await;
            vec![("agenda item", page.status == StatusCode::OK)]
        }
        ("open data", Record::Document { id }) => {
            let page = c.get(&format!("/api/oparl/file/{id}")).await;
            vec![("file", page.status == StatusCode::OK)]
        }
        ("open data", Record::Agreement { slug, .. }) => {
            let page = c.get(&format!("/api/oparl/paper/{slug}")).await;
            vec![("paper", page.status == StatusCode::OK)]
        }
        ("home page", Record::Agreement { title, .. }) => {
            let page = c.get("/").await;
            vec![("home", contains(&page, title))]
        }
        (channel, _) => panic!("records.rs cannot ask the channel {channel:?} for this record"),
    }
}

#[tokio::test]
async fn every_channel_follows_the_table_of_docs_access_md() {
    let app = TestApp::seeded().await;
    let (_, rows) = table();
    assert!(rows.len() <= WORDS.len(), "add words to WORDS");
    let on = meeting(&app, "2026-06-10 10:00+02").await;
    let mut records = Vec::new();
    for (row, word) in rows.iter().zip(WORDS) {
        records.push(make(&app, &row.record, word, on).await);
    }
    let mut readers = readers(&app).await;
    let mut wrong = Vec::new();
    for (row, record) in rows.iter().zip(&records) {
        for (reader, expected) in readers.iter_mut().zip(&row.sees) {
            for channel in &row.channels {
                for (what, seen) in observe(&app, channel, record, reader, on).await {
                    if seen != *expected {
                        wrong.push(format!(
                            "{} / {} / {channel} ({what}): {} where the table says {}",
                            row.record,
                            reader.name,
                            if seen { "shown" } else { "not shown" },
                            if *expected { "✓" } else { "–" },
                        ));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "against docs/access.md:\n{}",
        wrong.join("\n")
    );
}

// The three leaks of issue 15, each on its own: the matrix above covers them
// too, these say it in a sentence.

#[tokio::test]
async fn a_cabinet_does_not_find_another_cabinets_proposals() {
    let app = TestApp::seeded().await;
    for status in ["submitted", "returned", "rejected", "withdrawn"] {
        item(
            &app,
            &format!("Voorstel Crevits {status}"),
            "zeearend",
            ItemSpec {
                minister: Some("hilde-crevits"),
                confidential: status == "submitted",
                ..ItemSpec::proposal(status)
            },
        )
        .await;
    }
    let mut jambon = app
        .signed_in_as(
            Role::Cabinet,
            "jambon@test.vesoc.be",
            Some("vlaamse-regering"),
            Some("jan-jambon"),
        )
        .await;
    let page = jambon.get("/zoeken?q=zeearend").await;
    assert!(page.select("#groep-agendapunten ~ ol li h3").is_empty());
    assert!(!page.body.contains("Voorstel Crevits"));
    // the proposing cabinet finds all four
    let mut crevits = app.signed_in(Role::Cabinet).await;
    let page = crevits.get("/zoeken?q=zeearend").await;
    assert_eq!(page.select("#groep-agendapunten ~ ol li h3").len(), 4);
}

#[tokio::test]
async fn a_deferred_proposal_is_not_public_until_it_has_a_place_on_the_agenda() {
    let app = TestApp::seeded().await;
    let on = meeting(&app, "2026-06-10 10:00+02").await;
    let id = item(
        &app,
        "Uitgesteld over de visdief",
        "visdief",
        ItemSpec {
            meeting: Some(on),
            ..ItemSpec::proposal("deferred")
        },
    )
    .await;
    let mut visitor = app.client();
    let page = visitor.get("/zoeken?q=visdief").await;
    assert!(!page.body.contains("Uitgesteld over de visdief"));
    assert!(!contains(
        &visitor.get(&format!("/vergaderingen/{on}")).await,
        "visdief"
    ));
    // placed on the agenda, it is public everywhere
    sqlx::query("UPDATE agenda_item SET status = 'accepted', position = 1 WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    let page = visitor.get("/zoeken?q=visdief").await;
    assert!(page.body.contains("Uitgesteld over de visdief"));
    assert!(contains(
        &visitor.get(&format!("/vergaderingen/{on}")).await,
        "visdief"
    ));
}

#[tokio::test]
async fn documents_of_proposals_are_only_for_the_proposer_and_the_secretariat() {
    let app = TestApp::seeded().await;
    let mut docs = Vec::new();
    for status in [
        "submitted",
        "returned",
        "rejected",
        "withdrawn",
        "in_review",
    ] {
        let id = item(
            &app,
            &format!("Voorstel {status}"),
            "reiger",
            ItemSpec::proposal(status),
        )
        .await;
        docs.push(app.document(id, "bijlage.txt", false).await);
    }
    let mut voka = app.partner_of("voka").await;
    let mut cabinet = app.signed_in(Role::Cabinet).await;
    let mut acv = app.signed_in(Role::SocialPartner).await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    for doc in &docs {
        let path = format!("/documenten/{doc}");
        assert_eq!(voka.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(cabinet.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(acv.get(&path).await.status, StatusCode::OK);
        assert_eq!(staff.get(&path).await.status, StatusCode::OK);
    }
    // every download and every refusal is in the audit log, with the address
    let refused = app
        .count("SELECT count(*) FROM audit_log WHERE action = 'document.refused'")
        .await;
    let downloaded = app
        .count("SELECT count(*) FROM audit_log WHERE action = 'document.download'")
        .await;
    assert_eq!((refused, downloaded), (10, 10));
    let address: String = sqlx::query_scalar(
        "SELECT after->>'address' FROM audit_log WHERE action = 'document.refused' LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(address, "127.0.0.1");
}

#[tokio::test]
async fn the_audit_log_shows_administrators_who_did_what_but_not_the_content() {
    let app = TestApp::seeded().await;
    sqlx::query(
        "INSERT INTO audit_log (action, entity, entity_id, before, after) VALUES
            ('update', 'agenda_item', '1', '{\"title\": \"Oud over de zilverreiger\"}',
             '{\"title\": \"Nieuw over de zilverreiger\"}'),
            ('save_minutes', 'meeting', '1', NULL, '{\"text\": \"Verslag zilverreiger\"}'),
            ('document.upload', 'document', '1', NULL, '{\"filename\": \"zilverreiger.pdf\"}'),
            ('document.download', 'document', '1', NULL, '{\"address\": \"192.0.2.7\"}'),
            ('update', 'account', '1', NULL, '{\"display_name\": \"Blauwe Reiger\"}')",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let mut admin = app.signed_in(Role::Admin).await;
    let page = admin.get("/beheer/logboek").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("zilverreiger"), "{}", page.text());
    assert_eq!(
        page.select("td.meta")
            .iter()
            .filter(|t| *t == "inhoud niet zichtbaar voor beheerders")
            .count(),
        3
    );
    // who downloaded from where, and account data, are the administrator's
    assert!(page.body.contains("192.0.2.7"));
    assert!(page.body.contains("Blauwe Reiger"));
}

#[tokio::test]
async fn refused_access_to_an_existing_record_is_in_the_audit_log() {
    let app = TestApp::seeded().await;
    let on = meeting(&app, "2026-06-10 10:00+02").await;
    let id = item(
        &app,
        "Voorstel over de blauwborst",
        "blauwborst",
        ItemSpec::proposal("submitted"),
    )
    .await;
    let mut voka = app.partner_of("voka").await;
    assert_eq!(
        voka.get(&format!("/agendapunten/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // an id that does not exist is no refusal of a record
    assert_eq!(
        voka.get("/agendapunten/999999").await.status,
        StatusCode::NOT_FOUND
    );
    let mut admin = app.signed_in(Role::Admin).await;
    assert_eq!(
        admin
            .get(&format!("/vergaderingen/{on}/uitnodigingen"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT action, entity_id, after->>'address' FROM audit_log
         WHERE action LIKE '%refused' ORDER BY id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            (
                "agenda_item.refused".into(),
                id.to_string(),
                "127.0.0.1".into()
            ),
            (
                "meeting.invitations_refused".into(),
                on.to_string(),
                "127.0.0.1".into()
            ),
        ]
    );
}
