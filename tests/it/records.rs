//! The record matrix: the table of `docs/access.md`, checked row by row,
//! reader by reader, channel by channel. The table is read from the file, so
//! a row, reader or channel added there is tested here; a record, reader or
//! channel the file names but this test cannot make or ask is an error, and
//! so is one this test knows that the file leaves out.

use std::collections::HashMap;

use axum::http::StatusCode;
use futures_util::StreamExt;
use sha2::Digest;
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use vesoc::agenda::Frozen;
use vesoc::mail::notify::{set_preference, write_digests};
use vesoc::mail::{Delivery, Kind};

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
    "minutes sent",
    "minutes approved",
    "decision, minutes draft",
    "decision, minutes sent",
    "decision, minutes approved",
    "decision confidential, minutes approved",
    "decision, list published",
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
    "agenda pdf",
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
    "decision notice",
    "agenda update",
    "daily digest",
    "document history",
    "version comparison",
    "minutes page",
    "minutes pdf",
    "decision list",
    "decision list pdf",
    "register",
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
        /// the two sent versions of the agenda between which the item
        /// became new (`send_versions`)
        compared: Option<(String, String)>,
    },
    Document {
        /// the current version of the document, `earlier` the one it
        /// replaced (`send_versions`)
        id: i64,
        earlier: i64,
        item: i64,
        name: String,
        /// the two sent versions between which it was replaced
        compared: Option<(String, String)>,
    },
    Meeting {
        id: i64,
        word: String,
    },
    Minutes {
        meeting: i64,
        word: String,
    },
    /// An item dealt with on a meeting of its own, whose decision text
    /// holds `decision` (a word of its own: the title does not).
    Decision {
        id: i64,
        meeting: i64,
        title: String,
        decision: String,
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

/// The account each reader signs in with: role, organisation, minister.
fn account_of(reader: &str) -> Option<(Role, Option<&'static str>, Option<&'static str>)> {
    match reader {
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
    }
}

/// The address of a reader's account.
fn address_of(reader: &str) -> String {
    format!("{}@matrix.vesoc.be", reader.replace(' ', "-"))
}

/// The readers, each with an account (but the anonymous one), signed in
/// where `signs_in` says so.
async fn readers(app: &TestApp, signs_in: impl Fn(&str) -> bool) -> Vec<Reader> {
    let mut out = Vec::new();
    for &name in READERS {
        let account = account_of(name);
        let mut client = app.client();
        let mut calendar = None;
        let mut mailbox = None;
        if let Some((role, org, minister)) = account {
            let email = address_of(name);
            let id = app.account_as(role, &email, org, minister).await;
            if signs_in(name) {
                let page = client.sign_in(&email, PASSWORD).await;
                assert_eq!(
                    page.status,
                    StatusCode::SEE_OTHER,
                    "{name}: {}",
                    page.text()
                );
            }
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
    "wulp",
    "reiger",
    "ooievaar",
    "zwaluw",
    "merel",
    "spreeuw",
];

/// When the meeting of the items is.
const ON: &str = "2026-06-10 10:00+02";

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
        compared: None,
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
        let name = format!("stuk-{word}.txt");
        let id = app.document(item_id, &name, doc_confidential).await;
        return Record::Document {
            id,
            earlier: id,
            item: item_id,
            name,
            compared: None,
        };
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
        "minutes draft" | "minutes sent" | "minutes approved" => {
            let id = meeting(app, "2026-03-03 10:00+01").await;
            let status = record.trim_start_matches("minutes ");
            sqlx::query(
                "INSERT INTO minutes (meeting_id, text, status, approved_on)
                 VALUES ($1, 'Verslag over de ' || $2, $3::minutes_status,
                         CASE WHEN $3 = 'approved' THEN date '2026-04-01' END)",
            )
            .bind(id)
            .bind(word)
            .bind(status)
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
        "decision, minutes draft"
        | "decision, minutes sent"
        | "decision, minutes approved"
        | "decision confidential, minutes approved"
        | "decision, list published" => {
            // Each on a meeting of its own: the minutes' state is the
            // meeting's.
            let (starts, minutes) = match record {
                "decision, minutes draft" => ("2026-05-05 10:00+02", "draft"),
                "decision, minutes sent" => ("2026-05-12 10:00+02", "sent"),
                "decision, minutes approved" => ("2026-05-19 10:00+02", "approved"),
                "decision confidential, minutes approved" => ("2026-05-26 10:00+02", "approved"),
                _ => ("2026-06-02 10:00+02", "draft"),
            };
            let m = meeting(app, starts).await;
            let published = record == "decision, list published";
            sqlx::query(
                "UPDATE meeting SET status = 'held',
                        decisions_published_at = CASE WHEN $2 THEN now() END
                 WHERE id = $1",
            )
            .bind(m)
            .bind(published)
            .execute(&app.db)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO minutes (meeting_id, text, status, approved_on)
                 VALUES ($1, 'Verslag.', $2::minutes_status,
                         CASE WHEN $2 = 'approved' THEN date '2026-07-01' END)",
            )
            .bind(m)
            .bind(minutes)
            .execute(&app.db)
            .await
            .unwrap();
            let confidential = record.starts_with("decision confidential");
            let id = item(
                app,
                &title,
                word,
                ItemSpec {
                    meeting: Some(m),
                    ..spec("dealt_with", true, confidential)
                },
            )
            .await;
            let decision = format!("{word}besluit");
            sqlx::query(
                "UPDATE agenda_item SET outcome = 'decided',
                        decision_text = 'De werkgroep neemt het ' || $2 || '.'
                 WHERE id = $1",
            )
            .bind(id)
            .bind(&decision)
            .execute(&app.db)
            .await
            .unwrap();
            Record::Decision {
                id,
                meeting: m,
                title,
                decision,
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
    /// A new version of the agenda, sent after the item `0` was placed on
    /// it anew.
    ItemPlaced(i64),
    /// A new version of the agenda, sent after the document `0` was
    /// replaced by a new version.
    DocumentReplaced(i64),
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
    use vesoc::meetings::convocation::{Occasion, write};
    let site = site();
    let mut tx = app.db.begin().await.unwrap();
    let m = vesoc::meetings::queries::get(&mut *tx, meeting)
        .await
        .unwrap()
        .unwrap();
    if !matches!(mailing, Mailing::MinutesApproved) {
        invite(&mut *tx, meeting, *person, None, "added").await;
    }
    let kind = match mailing {
        Mailing::Convocation => {
            write(&mut tx, None, &m, Occasion::Convened, &site)
                .await
                .unwrap();
            "convocation"
        }
        Mailing::ItemPlaced(item) => {
            placed_anew(&mut tx, meeting, item).await;
            write(&mut tx, None, &m, Occasion::AgendaUpdate, &site)
                .await
                .unwrap();
            "convocation"
        }
        Mailing::DocumentReplaced(document) => {
            replaced(&mut tx, meeting, document).await;
            write(&mut tx, None, &m, Occasion::AgendaUpdate, &site)
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

/// Sends the agenda of `meeting` as it stands: the letter of the version
/// that lists it (a new one, or the last if nothing changed).
async fn sent(conn: &mut PgConnection, meeting: i64) -> String {
    match vesoc::agenda::freeze_version(conn, None, meeting)
        .await
        .unwrap()
    {
        Frozen::New { letter, .. } | Frozen::Unchanged(letter) => letter,
        Frozen::Full => panic!("all 26 versions of the agenda are used"),
    }
}

/// Sends the agenda of `meeting` without the item `item`, then with it in
/// its place again: the two letters, between which the item is new.
async fn placed_anew(conn: &mut PgConnection, meeting: i64, item: i64) -> (String, String) {
    sent(&mut *conn, meeting).await;
    let place: i32 = sqlx::query_scalar("SELECT position FROM agenda_item WHERE id = $1")
        .bind(item)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let set_place = |place: Option<i32>| {
        sqlx::query("UPDATE agenda_item SET position = $2 WHERE id = $1")
            .bind(item)
            .bind(place)
    };
    set_place(None).execute(&mut *conn).await.unwrap();
    let without = sent(&mut *conn, meeting).await;
    set_place(Some(place)).execute(&mut *conn).await.unwrap();
    (without, sent(&mut *conn, meeting).await)
}

/// What a new version of a document holds (the first holds `stuk.`).
const REVISED: &str = "stuk, herzien.";

/// Sends the agenda of `meeting`, stores a new version of the document
/// `document` (uploaded by the proposer, ACV), and sends it again: the new
/// version's id and the two letters, between which it replaced the other.
async fn replaced(conn: &mut PgConnection, meeting: i64, document: i64) -> (i64, (String, String)) {
    let before = sent(&mut *conn, meeting).await;
    let (item, filename, confidential): (i64, String, bool) =
        sqlx::query_as("SELECT agenda_item_id, filename, confidential FROM document WHERE id = $1")
            .bind(document)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    let uploader: i64 = sqlx::query_scalar("SELECT id FROM account WHERE email = $1")
        .bind(address_of("own organisation"))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let content = REVISED.as_bytes();
    let sha256: Vec<u8> = sha2::Sha256::digest(content).to_vec();
    let new = vesoc::agenda::documents::queries::NewDocument {
        agenda_item_id: item,
        replaces: Some(document),
        filename: &filename,
        content_type: "text/plain; charset=utf-8",
        sha256: &sha256,
        content,
        confidential,
    };
    let id = vesoc::agenda::documents::queries::create(&mut *conn, uploader, &new)
        .await
        .unwrap()
        .expect("a current document replaced");
    (id, (before, sent(&mut *conn, meeting).await))
}

/// The agenda of `on` as the records left it, sent (version A, which the
/// channel "agenda version" reads); then, for each row that asks "version
/// comparison" of an item, that item placed on it anew between two
/// versions; then every document replaced by a new version (bis), between
/// two versions where it is on the agenda: its history holds the first.
async fn send_versions(app: &TestApp, rows: &[Row], records: &mut [Record], on: i64) {
    let mut tx = app.db.begin().await.unwrap();
    assert_eq!(sent(&mut tx, on).await, "A");
    for (row, record) in rows.iter().zip(records.iter_mut()) {
        let compares = row.channels.iter().any(|c| c == "version comparison");
        match record {
            Record::Item { id, compared, .. } if compares => {
                *compared = Some(placed_anew(&mut tx, on, *id).await);
            }
            Record::Document {
                id,
                earlier,
                compared,
                ..
            } => {
                let (new, letters) = replaced(&mut tx, on, *id).await;
                *earlier = *id;
                *id = new;
                if compares {
                    *compared = Some(letters);
                }
            }
            _ => {}
        }
    }
    tx.commit().await.unwrap();
}

/// The channels whose mail needs a database of its own.
const OWN_DATABASE: [&str; 2] = ["decision notice", "daily digest"];

/// Per row, `mail_of_its_own` for each channel of `OWN_DATABASE` it asks:
/// three databases at a time.
async fn mail_of_their_own(rows: &[Row]) -> Vec<Mailboxes> {
    let jobs = rows
        .iter()
        .zip(WORDS)
        .enumerate()
        .flat_map(|(i, (row, word))| {
            OWN_DATABASE
                .into_iter()
                .filter(|channel| row.channels.iter().any(|c| c == channel))
                .map(move |channel| async move {
                    (
                        i,
                        channel,
                        mail_of_its_own(channel, &row.record, word).await,
                    )
                })
        });
    let done: Vec<_> = futures_util::stream::iter(jobs)
        .buffer_unordered(3)
        .collect()
        .await;
    let mut own = vec![Mailboxes::new(); rows.len()];
    for (i, channel, mail) in done {
        own[i].insert(channel, mail);
    }
    own
}

/// Per channel, what each reader's mailbox got.
type Mailboxes = HashMap<&'static str, HashMap<&'static str, Vec<String>>>;

/// What each reader's mailbox gets of `channel` ("decision notice" or
/// "daily digest") for the record of `row`, in a database of its own: the
/// decision goes through the secretariat's review form and the digest job
/// commits what it writes, so neither can be rolled back here.
async fn mail_of_its_own(
    channel: &str,
    row: &str,
    word: &str,
) -> HashMap<&'static str, Vec<String>> {
    let app = TestApp::seeded().await;
    let on = meeting(&app, ON).await;
    // A row in a state a decision brings about is made as the proposal it
    // was, and that decision taken; a proposal awaiting one is returned.
    let (made, decision) = match row {
        "item returned" => ("item submitted", "return"),
        "item rejected" => ("item submitted", "reject"),
        "item deferred" => ("item submitted", "defer"),
        other => (other, "return"),
    };
    let record = make(&app, made, word, on).await;
    // Only the secretariat acts: it decides.
    let mut readers = readers(&app, |name| name == "secretariat").await;
    let digest = channel == "daily digest";
    if digest {
        let mut conn = app.db.acquire().await.unwrap();
        for (address, _) in readers.iter().filter_map(|r| r.mailbox.as_ref()) {
            for kind in Kind::ALL {
                set_preference(&mut conn, address, kind, Delivery::Daily)
                    .await
                    .unwrap();
            }
        }
    }
    match record {
        Record::Item { id, .. } => {
            let version = app.version("agenda_item", id).await;
            let on = on.to_string();
            let secretariat = readers.iter_mut().find(|r| r.name == "secretariat");
            let page = secretariat
                .expect("a secretariat among the readers")
                .client
                .post_form(
                    &format!("/agendapunten/{id}/beoordelen"),
                    &[
                        ("besluit", decision),
                        ("meeting_id", if decision == "defer" { &on } else { "" }),
                        ("comment", "Past nog niet."),
                        ("version", &version),
                    ],
                )
                .await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
            let status: String =
                sqlx::query_scalar("SELECT status::text FROM agenda_item WHERE id = $1")
                    .bind(id)
                    .fetch_one(&app.db)
                    .await
                    .unwrap();
            let wanted = match row {
                "item in review"
                | "item submitted"
                | "item confidential proposal"
                | "item of the own cabinet" => "returned",
                other => other.trim_start_matches("item "),
            };
            assert_eq!(status, wanted, "{row}");
        }
        Record::Minutes { meeting, .. } => {
            let mut tx = app.db.begin().await.unwrap();
            let m = vesoc::meetings::queries::get(&mut *tx, meeting)
                .await
                .unwrap()
                .unwrap();
            let actor: i64 = sqlx::query_scalar("SELECT min(id) FROM account")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            vesoc::meetings::notices::minutes_approved(&mut tx, actor, &site(), &m)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        _ => panic!("records.rs cannot ask {channel:?} of {row:?}"),
    }
    let kind = if digest {
        let tomorrow = OffsetDateTime::now_utc() + Duration::days(1);
        write_digests(&app.db, &site(), tomorrow).await.unwrap();
        "digest"
    } else {
        "proposal_decision"
    };
    let mut out = HashMap::new();
    for reader in &readers {
        let Some((address, _)) = &reader.mailbox else {
            continue;
        };
        let texts = sqlx::query_scalar(
            "SELECT body_text FROM mail_message WHERE recipient = $1 AND kind = $2",
        )
        .bind(address)
        .bind(kind)
        .fetch_all(&app.db)
        .await
        .unwrap();
        out.insert(reader.name, texts);
    }
    out
}

/// A download is refused as "not found", or with the way to sign in for
/// a visitor who is not signed in.
fn refused_well(page: &Page, reader: &str) {
    let well = match page.status {
        StatusCode::OK => true,
        StatusCode::NOT_FOUND => reader != "anonymous",
        StatusCode::SEE_OTHER => {
            reader == "anonymous"
                && page
                    .location()
                    .unwrap_or_default()
                    .starts_with("/aanmelden")
        }
        other => panic!("{reader} got {other} for a document"),
    };
    assert!(well, "{reader}: {}", page.status);
}

/// Whether a meeting pack (`NN.k - naam`) holds the document `name`.
async fn packed(pack: Page, name: &str) -> bool {
    assert_eq!(pack.status, StatusCode::OK);
    let zip = async_zip::base::read::mem::ZipFileReader::new(pack.bytes)
        .await
        .unwrap();
    zip.file()
        .entries()
        .iter()
        .any(|e| e.filename().as_str().unwrap_or_default().contains(name))
}

fn contains(page: &Page, what: &str) -> bool {
    page.status == StatusCode::OK && page.body.contains(what)
}

/// Does the PDF at this answer read `what` (its text, as `pdftotext`
/// extracts it)?
fn pdf_contains(page: &Page, what: &str) -> bool {
    page.status == StatusCode::OK && crate::agenda_pdf::text_of(&page.bytes).contains(what)
}

/// What `channel` shows `reader` of `record`: one or more observations,
/// each of which must match the table.
///
/// `own` holds, per channel, what each reader's mailbox got of the mail
/// that a database of its own had to write (`mail_of_its_own`).
async fn observe(
    app: &TestApp,
    channel: &str,
    record: &Record,
    reader: &mut Reader,
    on: i64,
    own: &Mailboxes,
) -> Vec<(&'static str, bool)> {
    let c = &mut reader.client;
    let got = |what: &'static str, marker: &str| {
        let texts = own[channel].get(reader.name).expect("a mailbox");
        vec![(what, texts.iter().any(|text| text.contains(marker)))]
    };
    match (channel, record) {
        // A visitor who is not signed in has no mailbox: nothing to ask.
        ("mail" | "agenda update" | "decision notice" | "daily digest", _)
            if reader.mailbox.is_none() =>
        {
            Vec::new()
        }
        // The secretariat takes the decision: it is not written to.
        ("decision notice" | "daily digest", Record::Item { .. })
            if reader.name == "secretariat" =>
        {
            Vec::new()
        }
        ("decision notice", Record::Item { title, .. }) => got("decision", title),
        ("daily digest", Record::Item { title, .. }) => got("decision in the digest", title),
        ("daily digest", Record::Minutes { .. }) => {
            got("approval in the digest", "Verslag goedgekeurd")
        }
        ("agenda update", Record::Item { id, title, .. }) => {
            let mailbox = reader.mailbox.as_ref().unwrap();
            let sent = mailed(app, mailbox, on, Mailing::ItemPlaced(*id)).await;
            let new = format!(". {title} (");
            vec![(
                "new item",
                sent.iter()
                    .flat_map(|text| text.lines())
                    .any(|line| line.starts_with("+ Nieuw: ") && line.contains(&new)),
            )]
        }
        ("agenda update", Record::Document { id, name, .. }) => {
            let mailbox = reader.mailbox.as_ref().unwrap();
            let sent = mailed(app, mailbox, on, Mailing::DocumentReplaced(*id)).await;
            vec![(
                "replaced document",
                sent.iter().flat_map(|text| text.lines()).any(|line| {
                    line.starts_with("📎 Document vervangen bij ") && line.contains(name)
                }),
            )]
        }
        (
            "version comparison",
            Record::Item {
                title, compared, ..
            },
        )
        | (
            "version comparison",
            Record::Document {
                name: title,
                compared,
                ..
            },
        ) => {
            let (from, to) = compared.as_ref().expect("versions sent for the row");
            let page = c
                .get(&format!(
                    "/vergaderingen/{on}/agenda/verschil?van={from}&naar={to}"
                ))
                .await;
            assert_eq!(page.status, StatusCode::OK);
            let changes = page.select("ul.changes li");
            vec![(
                "change",
                changes.iter().any(|change| change.contains(title)),
            )]
        }
        ("document history", Record::Document { earlier, item, .. }) => {
            // the earlier version's file, by the document's rule
            let file = c.get(&format!("/documenten/{earlier}")).await;
            refused_well(&file, reader.name);
            let mut seen = vec![(
                "earlier version's file",
                file.status == StatusCode::OK && file.body == "stuk.",
            )];
            // and, on the item's own page (the proposer's and the
            // secretariat's), its place in the history
            let page = c.get(&format!("/agendapunten/{item}")).await;
            if page.status == StatusCode::OK {
                let link = format!("ul.earlier a[href='/documenten/{earlier}']");
                seen.push(("in the item's history", page.attr(&link, "href").is_some()));
            }
            seen
        }
        ("agenda version", Record::Document { name, .. }) => {
            let page = c
                .get(&format!("/vergaderingen/{on}/agenda/versies/A"))
                .await;
            let listed = page.select("ol.agenda-version ul.documents li");
            let pack = c
                .get(&format!("/vergaderingen/{on}/agenda/versies/A/pakket.zip"))
                .await;
            vec![
                ("version A", listed.iter().any(|d| d.contains(name))),
                ("version A's pack", packed(pack, name).await),
            ]
        }
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
        ("meeting pack", Record::Document { name, .. }) => {
            let page = c
                .get(&format!("/vergaderingen/{on}/agenda/pakket.zip"))
                .await;
            vec![("in the pack", packed(page, name).await)]
        }
        ("agenda version", Record::Item { title, .. }) => {
            // The agenda as sent once every record existed (version A).
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
        ("meeting page", Record::Document { id, .. }) => {
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
        ("minutes page", Record::Minutes { meeting, word }) => {
            let page = c.get(&format!("/vergaderingen/{meeting}/verslag")).await;
            vec![("minutes", contains(&page, word))]
        }
        ("minutes pdf", Record::Minutes { meeting, word }) => {
            let page = c
                .get(&format!("/vergaderingen/{meeting}/verslag.pdf"))
                .await;
            vec![("minutes pdf", pdf_contains(&page, word))]
        }
        (
            "decision list pdf",
            Record::Decision {
                meeting, decision, ..
            },
        ) => {
            let page = c
                .get(&format!("/vergaderingen/{meeting}/besluiten.pdf"))
                .await;
            vec![("decision list pdf", pdf_contains(&page, decision))]
        }
        ("item page", Record::Decision { id, decision, .. }) => {
            let page = c.get(&format!("/punten/{id}")).await;
            vec![("decision on the item page", contains(&page, decision))]
        }
        (
            "decision list",
            Record::Decision {
                meeting, decision, ..
            },
        ) => {
            let page = c.get(&format!("/vergaderingen/{meeting}/besluiten")).await;
            vec![("decision list", contains(&page, decision))]
        }
        ("register", Record::Decision { decision, .. }) => {
            // in the rows, not the search box that repeats the word
            let page = c.get(&format!("/beslissingen?q={decision}")).await;
            assert_eq!(page.status, StatusCode::OK);
            let cells = page.select("table.decisions td");
            vec![(
                "register",
                cells.iter().any(|t| t.contains(decision.as_str())),
            )]
        }
        (
            "search",
            Record::Decision {
                title, decision, ..
            },
        ) => {
            let page = c.get(&format!("/zoeken?q={decision}")).await;
            assert_eq!(page.status, StatusCode::OK);
            vec![
                (
                    "found by its decision",
                    page.select("#groep-agendapunten ~ ol li h3")
                        .contains(title),
                ),
                (
                    "snippet",
                    page.select("#groep-agendapunten ~ ol li")
                        .iter()
                        .any(|t| t.contains(decision.as_str())),
                ),
            ]
        }
        ("open data", Record::Decision { id, decision, .. }) => {
            let page = c.get(&format!("/api/oparl/agendaitem/{id}")).await;
            vec![("resolutionText", contains(&page, decision))]
        }
        ("agenda pdf", Record::Item { title, .. }) => {
            let page = c.get(&format!("/vergaderingen/{on}/agenda.pdf")).await;
            vec![("agenda pdf", pdf_contains(&page, title))]
        }
        ("agenda pdf", Record::Document { name, .. }) => {
            let page = c.get(&format!("/vergaderingen/{on}/agenda.pdf")).await;
            vec![("agenda pdf", pdf_contains(&page, name))]
        }
        ("agenda pdf", Record::Meeting { id, word }) => {
            let page = c.get(&format!("/vergaderingen/{id}/agenda.pdf")).await;
            vec![("agenda pdf", pdf_contains(&page, word))]
        }
        ("printable agenda", Record::Item { title, .. }) => {
            let page = c
                .get(&format!("/vergaderingen/{on}/agenda/afdrukken"))
                .await;
            vec![("agenda", contains(&page, title))]
        }
        ("download", Record::Document { id, .. }) => {
            let page = c.get(&format!("/documenten/{id}")).await;
            refused_well(&page, reader.name);
            vec![(
                "file",
                page.status == StatusCode::OK && page.body == REVISED,
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
        ("open data", Record::Document { id, .. }) => {
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
    let on = meeting(&app, ON).await;
    let mut records = Vec::new();
    for (row, word) in rows.iter().zip(WORDS) {
        records.push(make(&app, &row.record, word, on).await);
    }
    let mut readers = readers(&app, |_| true).await;
    send_versions(&app, &rows, &mut records, on).await;
    let own = mail_of_their_own(&rows).await;
    let mut wrong = Vec::new();
    for ((row, record), own) in rows.iter().zip(&records).zip(&own) {
        for (reader, expected) in readers.iter_mut().zip(&row.sees) {
            for channel in &row.channels {
                for (what, seen) in observe(&app, channel, record, reader, on, own).await {
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
    let on = meeting(&app, ON).await;
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
    let on = meeting(&app, ON).await;
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
