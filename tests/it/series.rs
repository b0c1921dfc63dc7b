//! Recurring meetings: a series makes planned meetings in Brussels time,
//! one date is moved or skipped without touching the others, a change of
//! the series changes only the meetings that still follow it; the feeds,
//! the yearly overview and the twice-a-year warning see its meetings.

use axum::http::StatusCode;

use crate::harness::{Client, Page, TestApp, ics_events};
use vesoc::auth::Role;

/// A year whose dates are all still to come.
fn next_year() -> i32 {
    time::OffsetDateTime::now_utc().year() + 1
}

/// The series form's choice of body and kind: `{id}:{kind}`.
async fn body_kind(app: &TestApp, slug: &str, kind: &str) -> String {
    format!("{}:{kind}", app.slug_id("body", slug).await)
}

/// How most tests begin: the seeded app, the secretariat signed in, and
/// the working group's meetings as the series' body and kind.
async fn secretariat_and_working_group() -> (TestApp, Client, String) {
    let app = TestApp::seeded().await;
    let staff = app.signed_in(Role::Secretariat).await;
    let wg = body_kind(&app, "vesoc-werkgroep", "working_group").await;
    (app, staff, wg)
}

/// A form's fields as posted.
type Fields = Vec<(&'static str, String)>;

/// The series form's fields: a working-group series, with `changes`
/// replacing or adding fields (`skip` may come more than once).
fn fields(body_kind: &str, changes: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut all: Vec<(&'static str, String)> = vec![
        ("body_kind", body_kind.to_string()),
        ("pattern", "monthly".into()),
        ("every", "1".into()),
        ("nth", "2".into()),
        ("weekday", "TU".into()),
        ("start", "10:00".into()),
        ("end", "12:00".into()),
        ("first_date", String::new()),
        ("last_date", String::new()),
        ("location", "SERV, Wetstraat 34, Brussel".into()),
        ("actie", "opslaan".into()),
    ];
    for (key, value) in changes {
        match all.iter_mut().find(|(k, _)| k == key && *key != "skip") {
            Some(field) => field.1 = value.clone(),
            None => all.push((key, value.clone())),
        }
    }
    all
}

async fn post(c: &mut Client, path: &str, fields: &[(&'static str, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.post_form(path, &pairs).await
}

/// Posts the changed series form of `series`.
async fn change(c: &mut Client, series: i64, fields: &[(&'static str, String)]) -> Page {
    post(c, &format!("/beheer/reeksen/{series}/wijzigen"), fields).await
}

/// Creates a series; returns its id.
async fn create(c: &mut Client, fields: &[(&'static str, String)]) -> i64 {
    let page = post(c, "/beheer/reeksen", fields).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let to = page.location().unwrap();
    assert!(to.contains("melding=aangemaakt"), "{to}");
    to.trim_start_matches("/beheer/reeksen/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// A meeting of a series as the database has it: id, Brussels start
/// ("2027-10-19 10:00"), UTC hour, status, location, changed by hand.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
struct Row {
    id: i64,
    local: String,
    utc: String,
    series_date: String,
    status: String,
    location: String,
    changed_by_hand: bool,
}

async fn rows(app: &TestApp, series: i64) -> Vec<Row> {
    sqlx::query_as(
        "SELECT id, to_char(starts_at AT TIME ZONE 'Europe/Brussels', 'YYYY-MM-DD HH24:MI') AS local,
                to_char(starts_at AT TIME ZONE 'UTC', 'HH24:MI') AS utc,
                to_char(series_date, 'YYYY-MM-DD') AS series_date, status::text AS status,
                location, changed_by_hand
         FROM meeting WHERE series_id = $1 ORDER BY series_date, id",
    )
    .bind(series)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_series_over_a_change_of_summer_time_keeps_ten_oclock_in_brussels() {
    let (app, mut staff, wg) = secretariat_and_working_group().await;
    let y = next_year();
    // Every Tuesday from mid-October to mid-November: the clocks go back
    // on the last Sunday of October.
    let autumn = create(
        &mut staff,
        &fields(
            &wg,
            &[
                ("pattern", "weekly".into()),
                ("first_date", format!("{y}-10-15")),
                ("last_date", format!("{y}-11-15")),
            ],
        ),
    )
    .await;
    // Every Thursday from mid-March to mid-April: they go forward on the
    // last Sunday of March.
    let spring = create(
        &mut staff,
        &fields(
            &wg,
            &[
                ("pattern", "weekly".into()),
                ("weekday", "TH".into()),
                ("first_date", format!("{y}-03-10")),
                ("last_date", format!("{y}-04-10")),
            ],
        ),
    )
    .await;
    let feed = ics_events(&app.client().get("/kalender/vesoc-werkgroep.ics").await.body);
    for (series, before, after) in [(autumn, "08:00", "09:00"), (spring, "09:00", "08:00")] {
        let made = rows(&app, series).await;
        assert!((4..=5).contains(&made.len()), "{made:?}");
        assert!(made.iter().all(|r| r.local.ends_with(" 10:00")), "{made:?}");
        assert!(made.iter().all(|r| r.status == "planned"), "{made:?}");
        assert!(made.iter().all(|r| r.local.starts_with(&r.series_date)));
        // Summer time before, winter time after (and the other way round).
        assert_eq!(made.first().unwrap().utc, before, "{made:?}");
        assert_eq!(made.last().unwrap().utc, after, "{made:?}");
        // One event per meeting, each with the meeting's own UID, at 10:00
        // Brussels time written in UTC.
        for r in &made {
            let uid = format!("vergadering-{}@vesoc", r.id);
            let found: Vec<_> = feed.iter().filter(|e| e["UID"] == uid).collect();
            assert_eq!(found.len(), 1, "{uid}");
            let day = r.series_date.replace('-', "");
            let hour = r.utc.replace(':', "");
            assert_eq!(found[0]["DTSTART"], format!("{day}T{hour}00Z"));
            assert_eq!(found[0]["STATUS"], "TENTATIVE");
            assert!(!found[0].contains_key("RRULE"), "one event per meeting");
        }
        let uids: std::collections::HashSet<&String> = feed
            .iter()
            .map(|e| &e["UID"])
            .filter(|u| {
                made.iter()
                    .any(|r| **u == format!("vergadering-{}@vesoc", r.id))
            })
            .collect();
        assert_eq!(uids.len(), made.len(), "distinct UIDs");
    }
    // The series and its meetings are in the audit log.
    let logged = app
        .count(&format!(
            "SELECT count(*) FROM audit_log WHERE (entity = 'meeting_series' AND entity_id = '{autumn}')
                OR (entity = 'meeting' AND action = 'create'
                    AND entity_id IN (SELECT id::text FROM meeting WHERE series_id = {autumn}))"
        ))
        .await;
    assert_eq!(logged, 1 + rows(&app, autumn).await.len() as i64);
}

#[tokio::test]
async fn moving_one_date_leaves_the_others_and_the_series_leaves_it_alone() {
    let (app, mut staff, wg) = secretariat_and_working_group().await;
    let y = next_year();
    let series = create(
        &mut staff,
        &fields(
            &wg,
            &[
                ("first_date", format!("{y}-01-01")),
                ("last_date", format!("{y}-06-30")),
                ("location", "Zaal A".into()),
            ],
        ),
    )
    .await;
    let before = rows(&app, series).await;
    assert_eq!(before.len(), 6, "the second Tuesday of six months");
    let (moved, notes_only, convened) = (before[1].id, before[2].id, before[3].id);

    // The second date moves a day, through the meeting form.
    let day = before[1].series_date.clone();
    let next_day = format!("{}{:02}", &day[..8], day[8..].parse::<u8>().unwrap() + 1);
    let version = app.version("meeting", moved).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{moved}/bewerken"),
            &[
                ("body_kind", &wg),
                ("date", &next_day),
                ("start", "10:00"),
                ("end", "12:00"),
                ("location", "Zaal A"),
                ("reason", "Paasvakantie"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    // The third gets notes only: it still follows the series.
    let version = app.version("meeting", notes_only).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{notes_only}/bewerken"),
            &[
                ("body_kind", &wg),
                ("date", &before[2].series_date),
                ("start", "10:00"),
                ("end", "12:00"),
                ("location", "Zaal A"),
                ("notes", "Broodjes voorzien."),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let after = rows(&app, series).await;
    for (b, a) in before.iter().zip(&after) {
        if b.id == moved {
            assert_eq!(a.local, format!("{next_day} 10:00"));
            assert_eq!(a.series_date, b.series_date, "the rule's date stays");
            assert!(a.changed_by_hand);
        } else {
            assert_eq!(a, b, "the other dates are left as they were");
        }
    }

    // The fourth is convened: the series leaves it alone too.
    let version = app.version("meeting", convened).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{convened}/status"),
            &[("naar", "convened"), ("version", &version)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());

    // The series moves to the afternoon, in another room.
    let version = app.version("meeting_series", series).await;
    let page = change(
        &mut staff,
        series,
        &fields(
            &wg,
            &[
                ("first_date", format!("{y}-01-01")),
                ("last_date", format!("{y}-06-30")),
                ("start", "14:00".into()),
                ("end", "16:00".into()),
                ("location", "Zaal B".into()),
                ("version", version),
            ],
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let done = page.location().unwrap().to_string();
    assert!(
        done.ends_with("melding=gewijzigd&aantal=0&gewijzigd=4&vervallen=0"),
        "{done}"
    );
    let changed = rows(&app, series).await;
    for (b, c) in after.iter().zip(&changed) {
        if b.id == moved || b.id == convened {
            assert_eq!((&c.local, &c.location), (&b.local, &b.location), "{c:?}");
        } else {
            assert_eq!(c.local, format!("{} 14:00", b.series_date));
            assert_eq!(c.location, "Zaal B");
        }
    }
    // The move is in each meeting's history; the series page tells them apart.
    let moves = app
        .count(&format!(
            "SELECT count(*) FROM meeting_reschedule r JOIN meeting m ON m.id = r.meeting_id
             WHERE m.series_id = {series} AND r.reason = 'Wijziging van de reeks'"
        ))
        .await;
    assert_eq!(moves, 4);
    let shown = staff.get(&done).await;
    assert_eq!(shown.status, StatusCode::OK);
    let text = shown.text();
    assert!(text.contains("met de hand gewijzigd"), "{text}");
    assert!(text.contains("verplaatst van"), "{text}");
    assert!(text.contains("volgt de reeks niet meer"), "{text}");
    assert!(
        text.contains("De reeks is gewijzigd: 0 nieuw, 4 aangepast, 0 vervallen."),
        "{text}"
    );
    assert!(text.contains("elke tweede dinsdag van de maand, 14:00 – 16:00"));
}

#[tokio::test]
async fn a_new_rule_adds_and_removes_planned_meetings_and_keeps_what_hangs_on_one() {
    let (app, mut staff, wg) = secretariat_and_working_group().await;
    let body = app
        .id("SELECT id FROM body WHERE slug = 'vesoc-werkgroep'")
        .await;
    let y = next_year();
    let period = [
        ("first_date", format!("{y}-01-01")),
        ("last_date", format!("{y}-04-30")),
    ];
    let series = create(&mut staff, &fields(&wg, &period)).await;
    let tuesdays = rows(&app, series).await;
    assert_eq!(tuesdays.len(), 4);
    // An agenda item is already on the March meeting.
    sqlx::query(
        "INSERT INTO agenda_item (body_id, meeting_id, title, kind, status, position)
         VALUES ($1, $2, 'Stand van zaken', 'information', 'accepted', 1)",
    )
    .bind(body)
    .bind(tuesdays[2].id)
    .execute(&app.db)
    .await
    .unwrap();

    // The second Wednesday instead, without February.
    let version = app.version("meeting_series", series).await;
    let mut changed = period.to_vec();
    changed.extend([
        ("weekday", "WE".to_string()),
        ("skip", "2".to_string()),
        ("version", version),
    ]);
    let page = change(&mut staff, series, &fields(&wg, &changed)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert!(
        page.location()
            .unwrap()
            .ends_with("aantal=3&gewijzigd=0&vervallen=4")
    );
    let now = rows(&app, series).await;
    let standing: Vec<&Row> = now.iter().filter(|r| r.status == "planned").collect();
    assert_eq!(standing.len(), 3, "{now:?}");
    for r in &standing {
        let weekday: f64 = sqlx::query_scalar(
            "SELECT extract(isodow FROM starts_at AT TIME ZONE 'Europe/Brussels')::float8
             FROM meeting WHERE id = $1",
        )
        .bind(r.id)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(weekday, 3.0, "Wednesday");
        assert!(!r.series_date.contains("-02-"), "February is left out");
    }
    // The Tuesdays with nothing on them are gone; the one with an item is
    // cancelled, not lost.
    let march = now.iter().find(|r| r.id == tuesdays[2].id).unwrap();
    assert_eq!(march.status, "cancelled");
    let reason: String = sqlx::query_scalar("SELECT cancel_reason FROM meeting WHERE id = $1")
        .bind(march.id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(reason, "Vervallen door een wijziging van de reeks.");
    for gone in [&tuesdays[0], &tuesdays[1], &tuesdays[3]] {
        assert!(!now.iter().any(|r| r.id == gone.id), "{gone:?}");
        let logged = app
            .count(&format!(
                "SELECT count(*) FROM audit_log WHERE entity = 'meeting' AND action = 'delete'
                   AND entity_id = '{}'",
                gone.id
            ))
            .await;
        assert_eq!(logged, 1);
    }
    let stored: String = sqlx::query_scalar("SELECT rrule FROM meeting_series WHERE id = $1")
        .bind(series)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(stored.starts_with("FREQ=MONTHLY;UNTIL="), "{stored}");
    assert!(
        stored.ends_with(";BYMONTH=1,3,4,5,6,7,8,9,10,11,12;BYDAY=2WE"),
        "{stored}"
    );
}

#[tokio::test]
async fn skipping_one_date_cancels_that_meeting_only_and_the_series_keeps_it_out() {
    let (app, mut staff, wg) = secretariat_and_working_group().await;
    let y = next_year();
    let period = [
        ("pattern", "weekly".to_string()),
        ("weekday", "TH".to_string()),
        ("first_date", format!("{y}-05-01")),
        ("last_date", format!("{y}-05-31")),
    ];
    let series = create(&mut staff, &fields(&wg, &period)).await;
    let before = rows(&app, series).await;
    let skipped = &before[1];

    // The meeting page names the series and offers the skip, to the
    // secretariat only.
    let page = staff.get(&format!("/vergaderingen/{}", skipped.id)).await;
    assert!(
        page.text().contains("Reeks elke donderdag"),
        "{}",
        page.text()
    );
    assert!(
        page.attr("a[href^='/beheer/reeksen/']", "href").as_deref()
            == Some(format!("/beheer/reeksen/{series}").as_str())
    );
    assert_eq!(page.select("form[action$='/overslaan']").len(), 1);
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let page = partner.get(&format!("/vergaderingen/{}", skipped.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.text().contains("Reeks"), "{}", page.text());
    assert!(page.select("form[action$='/overslaan']").is_empty());

    let version = app.version("meeting", skipped.id).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{}/overslaan", skipped.id),
            &[("overslaan_reden", "Hemelvaart"), ("version", &version)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let shown = staff.get(page.location().unwrap()).await;
    assert!(
        shown
            .text()
            .contains("Deze datum van de reeks is overgeslagen"),
        "{}",
        shown.text()
    );
    assert!(shown.text().contains("Overgeslagen: Hemelvaart"));
    let after = rows(&app, series).await;
    for (b, a) in before.iter().zip(&after) {
        if b.id == skipped.id {
            assert_eq!(a.status, "cancelled");
        } else {
            assert_eq!(a, b);
        }
    }
    let exdates: Vec<time::Date> =
        sqlx::query_scalar("SELECT exdates FROM meeting_series WHERE id = $1")
            .bind(series)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(exdates.len(), 1);
    assert_eq!(
        vesoc::base::dutch::iso_date(exdates[0]),
        skipped.series_date
    );

    // A later change of the series does not bring the date back.
    let version = app.version("meeting_series", series).await;
    let mut changed = period.to_vec();
    changed.extend([("start", "09:00".to_string()), ("version", version)]);
    let page = change(&mut staff, series, &fields(&wg, &changed)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let standing = app
        .count(&format!(
            "SELECT count(*) FROM meeting WHERE series_id = {series} AND status <> 'cancelled'
               AND series_date = '{}'",
            skipped.series_date
        ))
        .await;
    assert_eq!(standing, 0);
    assert_eq!(
        rows(&app, series).await.len(),
        before.len(),
        "nothing made again"
    );
    let page = staff.get(&format!("/beheer/reeksen/{series}")).await;
    assert!(
        page.text().contains("datum overgeslagen"),
        "{}",
        page.text()
    );

    // A cancelled meeting is not skipped again.
    let version = app.version("meeting", skipped.id).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{}/overslaan", skipped.id),
            &[("version", &version)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text().contains("wordt niet meer overgeslagen"));
}

#[tokio::test]
async fn the_preview_shows_the_dates_and_stores_nothing() {
    let (app, mut staff, wg) = secretariat_and_working_group().await;
    let y = next_year();
    let audit = app.count("SELECT count(*) FROM audit_log").await;
    let page = post(
        &mut staff,
        "/beheer/reeksen",
        &fields(
            &wg,
            &[
                ("first_date", format!("{y}-09-01")),
                ("last_date", format!("{}-06-30", y + 1)),
                ("skip", "7".into()),
                ("skip", "8".into()),
                ("actie", "voorbeeld".into()),
            ],
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let lines = page.select("ol.preview li");
    assert_eq!(lines.len(), 10, "September to June: {lines:?}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains("dinsdag") && l.contains("— nieuw"))
    );
    assert!(page.text().contains("Nog niets opgeslagen"));
    // The form keeps what was chosen.
    assert_eq!(page.select("input[name=skip][checked]").len(), 2);
    assert_eq!(
        page.attr("input[name=first_date]", "value"),
        Some(format!("{y}-09-01"))
    );
    assert_eq!(app.count("SELECT count(*) FROM meeting_series").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM meeting WHERE series_id IS NOT NULL")
            .await,
        0
    );
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, audit);

    // The preview of a change says what happens to each meeting.
    let series = create(
        &mut staff,
        &fields(
            &wg,
            &[
                ("first_date", format!("{y}-01-01")),
                ("last_date", format!("{y}-04-30")),
            ],
        ),
    )
    .await;
    let made = rows(&app, series).await;
    let version = app.version("meeting", made[0].id).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{}/bewerken", made[0].id),
            &[
                ("body_kind", &wg),
                ("date", &made[0].series_date),
                ("start", "11:00"),
                ("end", "12:00"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let version = app.version("meeting_series", series).await;
    let page = change(
        &mut staff,
        series,
        &fields(
            &wg,
            &[
                ("first_date", format!("{y}-01-01")),
                ("last_date", format!("{y}-05-31")),
                ("skip", "3".into()),
                ("start", "09:30".into()),
                ("version", version.clone()),
                ("actie", "voorbeeld".into()),
            ],
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let lines = page.select("ol.preview li");
    let said: Vec<&str> = lines
        .iter()
        .map(|l| {
            l.rsplit(" — ")
                .next()
                .unwrap()
                .trim_end_matches(" (valt op een feestdag)")
        })
        .collect();
    assert_eq!(
        said,
        vec![
            "blijft zoals ze is (met de hand gewijzigd of bijeengeroepen)",
            "wordt aangepast",
            "vervalt",
            "wordt aangepast",
            "nieuw",
        ],
        "{lines:?}"
    );
    assert_eq!(app.version("meeting_series", series).await, version);
    assert_eq!(rows(&app, series).await.len(), 4);
}

/// What a refused series form must show: the message, the typed place.
fn refused(page: &Page, message: &str, what: &str) {
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{what}: {}",
        page.text()
    );
    assert!(page.text().contains(message), "{what}: {}", page.text());
    assert!(
        page.select(".error-summary").len() == 1,
        "{what}: a summary"
    );
}

#[tokio::test]
async fn bad_input_on_the_series_forms_gets_a_dutch_message_and_stores_nothing() {
    let (app, mut staff, wg) = secretariat_and_working_group().await;
    let y = next_year();
    let period = |first: &str, last: &str| {
        vec![
            ("first_date", first.to_string()),
            ("last_date", last.to_string()),
            ("location", "Zaal zoals getypt".to_string()),
        ]
    };
    let good = period(&format!("{y}-01-01"), &format!("{y}-06-30"));
    let with = |extra: &[(&'static str, &str)]| {
        let mut all = good.clone();
        all.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        all
    };
    let meetings = app.count("SELECT count(*) FROM meeting").await;
    let audit = app.count("SELECT count(*) FROM audit_log").await;
    let cases: Vec<(&str, Fields, &str)> = vec![
        (
            "end before start",
            with(&[("start", "12:00"), ("end", "10:00")]),
            "Het einduur moet na het beginuur liggen.",
        ),
        (
            "last date before the first",
            period(&format!("{y}-06-30"), &format!("{y}-01-01")),
            "De laatste datum mag niet vóór de eerste datum liggen.",
        ),
        (
            "a rule that yields no date",
            // The second Tuesday of June is before the 15th, July's after the 1st.
            period(&format!("{y}-06-15"), &format!("{y}-07-01")),
            "Deze regel geeft tussen de eerste en de laatste datum geen enkele vergadering.",
        ),
        (
            "more than 60 meetings",
            {
                let mut all = period(&format!("{y}-01-01"), &format!("{}-12-31", y + 2));
                all.push(("pattern", "weekly".into()));
                all
            },
            "Deze reeks zou meer dan 60 vergaderingen maken",
        ),
        (
            "a first date in the past",
            period("2020-01-01", &format!("{y}-06-30")),
            "De eerste datum ligt in het verleden",
        ),
        (
            "a date that does not exist",
            period(&format!("{y}-02-30"), &format!("{y}-06-30")),
            "Vul de eerste datum in (JJJJ-MM-DD).",
        ),
        (
            "an unknown weekday",
            with(&[("weekday", "XX")]),
            "Kies een weekdag.",
        ),
        (
            "no pattern",
            with(&[("pattern", "daily")]),
            "Kies hoe vaak de reeks vergadert",
        ),
        (
            "every zero weeks",
            with(&[("pattern", "weekly"), ("every", "0")]),
            "Geef om de hoeveel weken",
        ),
        (
            "a fifth Tuesday",
            with(&[("nth", "5")]),
            "Kies welke weekdag van de maand",
        ),
        (
            "a thirteenth month",
            with(&[("skip", "13")]),
            "Kies de maanden zonder vergadering uit de lijst.",
        ),
        (
            "every month left out",
            with(&[
                ("skip", "1"),
                ("skip", "2"),
                ("skip", "3"),
                ("skip", "4"),
                ("skip", "5"),
                ("skip", "6"),
                ("skip", "7"),
                ("skip", "8"),
                ("skip", "9"),
                ("skip", "10"),
                ("skip", "11"),
                ("skip", "12"),
            ]),
            "Laat niet alle maanden weg",
        ),
        (
            "a kind the body does not hold",
            with(&[("body_kind", &wg.replace("working_group", "formal"))]),
            "Kies een orgaan en de soort vergadering uit de lijst.",
        ),
        (
            "no times",
            with(&[("start", ""), ("end", "25:00")]),
            "Vul een beginuur in",
        ),
    ];
    for (what, changes, message) in cases {
        let page = post(&mut staff, "/beheer/reeksen", &fields(&wg, &changes)).await;
        refused(&page, message, what);
        assert_eq!(
            page.attr("input[name=location]", "value").as_deref(),
            Some("Zaal zoals getypt"),
            "{what}: the typed input is kept"
        );
        // The preview refuses the same, and shows no dates.
        let mut preview = fields(&wg, &changes);
        preview.push(("actie", "voorbeeld".into()));
        let page = post(&mut staff, "/beheer/reeksen", &preview).await;
        refused(&page, message, what);
        assert!(page.select("ol.preview li").is_empty(), "{what}");
    }
    let long = "x".repeat(501);
    let page = post(
        &mut staff,
        "/beheer/reeksen",
        &fields(&wg, &with(&[("location", &long)])),
    )
    .await;
    refused(
        &page,
        "De plaats mag hoogstens 500 tekens lang zijn.",
        "long place",
    );
    assert_eq!(app.count("SELECT count(*) FROM meeting_series").await, 0);
    assert_eq!(app.count("SELECT count(*) FROM meeting").await, meetings);
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, audit);

    // The change form: refused the same way, and stale when the series
    // changed since it was loaded.
    let series = create(&mut staff, &fields(&wg, &good)).await;
    let before = rows(&app, series).await;
    let version = app.version("meeting_series", series).await;
    let audit = app.count("SELECT count(*) FROM audit_log").await;
    let mut bad = with(&[("start", "12:00"), ("end", "11:00")]);
    bad.push(("version", version.clone()));
    let path = format!("/beheer/reeksen/{series}/wijzigen");
    let page = post(&mut staff, &path, &fields(&wg, &bad)).await;
    refused(&page, "Het einduur moet na het beginuur liggen.", "change");
    assert_eq!(
        page.attr("input[name=start]", "value").as_deref(),
        Some("12:00")
    );
    let mut stale = with(&[("start", "14:00"), ("end", "16:00")]);
    stale.push(("version", (version.parse::<i32>().unwrap() - 1).to_string()));
    let page = post(&mut staff, &path, &fields(&wg, &stale)).await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.text());
    assert!(
        page.text()
            .contains("Iemand anders heeft deze reeks intussen gewijzigd"),
        "{}",
        page.text()
    );
    assert_eq!(
        page.attr("input[name=start]", "value").as_deref(),
        Some("14:00")
    );
    // Another body is not a choice for the series.
    let other = body_kind(&app, "vesoc-overleg", "formal").await;
    let mut moved = good.clone();
    moved.extend([("body_kind", other.clone()), ("version", version.clone())]);
    let page = post(&mut staff, &path, &fields(&other, &moved)).await;
    refused(
        &page,
        "Kies een orgaan en de soort vergadering",
        "other body",
    );
    assert_eq!(rows(&app, series).await, before);
    assert_eq!(app.version("meeting_series", series).await, version);
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, audit);

    // The skip form: a reason too long, a stale page, a meeting of no series.
    let meeting = before[0].id;
    let version = app.version("meeting", meeting).await;
    let skip = format!("/vergaderingen/{meeting}/overslaan");
    let page = staff
        .post_form(&skip, &[("overslaan_reden", &long), ("version", &version)])
        .await;
    refused(
        &page,
        "De reden mag hoogstens 500 tekens lang zijn.",
        "skip",
    );
    assert_eq!(
        page.attr("input[name=overslaan_reden]", "value"),
        Some(long.clone())
    );
    assert_eq!(
        page.select("details[open] > summary"),
        vec!["Deze datum van de reeks overslaan"]
    );
    let page = staff
        .post_form(&skip, &[("overslaan_reden", "Te laat"), ("version", "0")])
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.text()
            .contains("Iemand anders heeft deze vergadering intussen gewijzigd")
    );
    assert_eq!(
        page.attr("input[name=overslaan_reden]", "value").as_deref(),
        Some("Te laat")
    );
    let lone = app
        .meeting(
            "vesoc-werkgroep",
            "working_group",
            &format!("{y}-09-09 10:00+02"),
        )
        .await;
    let version = app.version("meeting", lone).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{lone}/overslaan"),
            &[("version", &version)],
        )
        .await;
    refused(&page, "Deze vergadering hoort bij geen reeks", "no series");
    assert_eq!(rows(&app, series).await, before);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM meeting WHERE id = {lone} AND status = 'planned'"
        ))
        .await,
        1
    );
    assert_eq!(app.count("SELECT count(*) FROM audit_log").await, audit);
}

#[tokio::test]
async fn the_yearly_overview_and_the_twice_a_year_warning_count_planned_series_meetings() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let formal = body_kind(&app, "vesoc-overleg", "formal").await;
    let y = next_year();
    let series = create(
        &mut staff,
        &fields(
            &formal,
            &[
                ("first_date", format!("{y}-03-01")),
                ("last_date", format!("{y}-04-30")),
            ],
        ),
    )
    .await;
    let made = rows(&app, series).await;
    assert_eq!(made.len(), 2);
    let csv = app
        .client()
        .get(&format!("/jaaroverzicht/{y}.csv"))
        .await
        .body;
    assert!(
        csv.contains(
            "\"(In)formeel VESOC-overleg\";\"formeel VESOC-overleg\";\"0\";\"0\";\"2\"\r\n"
        ),
        "{csv}"
    );
    let page = app.client().get(&format!("/jaaroverzicht/{y}")).await;
    assert_eq!(page.status, StatusCode::OK);
    // Two planned meetings in the year: no warning on either.
    let warning = format!("In {y} is er 1 (in)formeel VESOC-overleg gepland of gehouden");
    let page = staff.get(&format!("/vergaderingen/{}", made[0].id)).await;
    assert!(!page.text().contains("VESOC-engagement"), "{}", page.text());

    // One skipped: one planned, one cancelled, and the warning.
    let version = app.version("meeting", made[1].id).await;
    let page = staff
        .post_form(
            &format!("/vergaderingen/{}/overslaan", made[1].id),
            &[("version", &version)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let csv = app
        .client()
        .get(&format!("/jaaroverzicht/{y}.csv"))
        .await
        .body;
    assert!(
        csv.contains(
            "\"(In)formeel VESOC-overleg\";\"formeel VESOC-overleg\";\"0\";\"1\";\"1\"\r\n"
        ),
        "{csv}"
    );
    let page = staff.get(&format!("/vergaderingen/{}", made[0].id)).await;
    assert!(
        page.select("ul.warnings li")
            .iter()
            .any(|w| w.contains(&warning)),
        "{:?}",
        page.select("ul.warnings li")
    );
}

#[tokio::test]
async fn the_series_pages_list_what_the_secretariat_planned() {
    let (app, mut staff, wg) = secretariat_and_working_group().await;
    let y = next_year();
    let page = staff.get("/beheer/reeksen").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Er is nog geen reeks."));
    let page = staff.get("/beheer/reeksen/nieuw").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.select("h1"), vec!["Reeks inplannen"]);
    let series = create(
        &mut staff,
        &fields(
            &wg,
            &[
                ("first_date", format!("{y}-09-01")),
                ("last_date", format!("{}-06-30", y + 1)),
                ("skip", "7".into()),
                ("skip", "8".into()),
            ],
        ),
    )
    .await;
    let page = staff.get("/beheer/reeksen").await;
    let text = page.text();
    assert!(
        text.contains(
            "elke tweede dinsdag van de maand, behalve in juli en augustus, 10:00 – 12:00"
        ),
        "{text}"
    );
    assert!(text.contains("10 (10 nog te komen)"), "{text}");
    let page = staff
        .get(&format!(
            "/beheer/reeksen/{series}?melding=aangemaakt&aantal=10"
        ))
        .await;
    assert!(
        page.text()
            .contains("De reeks is ingepland: 10 vergaderingen gepland."),
        "{}",
        page.text()
    );
    assert_eq!(page.select("tbody tr").len(), 10);
    // The change form starts from the series as it is.
    let page = staff
        .get(&format!("/beheer/reeksen/{series}/wijzigen"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.select("input[name=skip][checked]").len(), 2);
    assert_eq!(
        page.attr("select[name=nth] option[selected]", "value")
            .as_deref(),
        Some("2")
    );
    assert_eq!(
        page.attr("input[name=first_date]", "value"),
        Some(format!("{y}-09-01"))
    );
    // The calendar links the series for the secretariat only.
    let page = staff.get("/vergaderingen").await;
    assert_eq!(page.select("a[href='/beheer/reeksen']").len(), 1);
    let page = app.client().get("/vergaderingen").await;
    assert!(page.select("a[href='/beheer/reeksen']").is_empty());
    // An unknown series is not found.
    assert_eq!(
        staff.get("/beheer/reeksen/999999").await.status,
        StatusCode::NOT_FOUND
    );
}
