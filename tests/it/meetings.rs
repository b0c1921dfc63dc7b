//! Meetings: scheduling, status, invitations, attendance, minutes, feeds.

use axum::http::StatusCode;

use crate::harness::{Client, TestApp, ics_events};
use vesoc::auth::Role;

/// The meeting form's choice of body and kind: `<body id>:<kind>`.
fn body_kind(body: &str, kind: &str) -> String {
    format!("{body}:{kind}")
}

/// Schedules a meeting, confirming a date in the past.
async fn schedule(
    c: &mut Client,
    body: &str,
    kind: &str,
    date: &str,
    start: &str,
    end: &str,
) -> crate::harness::Page {
    c.post_form(
        "/beheer/vergaderingen",
        &[
            ("body_kind", &body_kind(body, kind)),
            ("date", date),
            ("start", start),
            ("end", end),
            ("location", "SERV, Wetstraat 34, Brussel"),
            ("confirm_past", "ja"),
        ],
    )
    .await
}

#[tokio::test]
async fn the_secretariat_schedules_a_meeting_in_brussels_time() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let wg = app.slug_id("body", "vesoc-werkgroep").await;
    let page = schedule(
        &mut staff,
        &wg,
        "working_group",
        "2026-06-10",
        "10:00",
        "12:00",
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let id = page.redirect_id("/vergaderingen/");
    // Summer time: 10:00 in Brussels is 08:00 UTC.
    let utc: String = sqlx::query_scalar("SELECT to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM meeting WHERE id = $1").bind(id).fetch_one(&app.db).await.unwrap();
    assert_eq!(utc, "2026-06-10 08:00");
    let shown = staff.get(&format!("/vergaderingen/{id}")).await;
    assert!(
        shown
            .text()
            .contains("woensdag 10 juni 2026, 10:00 – 12:00"),
        "{}",
        shown.text()
    );
    // Winter time: 10:00 is 09:00 UTC.
    let page = schedule(
        &mut staff,
        &wg,
        "working_group",
        "2026-12-09",
        "10:00",
        "12:00",
    )
    .await;
    let id2 = page.redirect_id("/vergaderingen/");
    let utc: String = sqlx::query_scalar(
        "SELECT to_char(starts_at AT TIME ZONE 'UTC', 'HH24:MI') FROM meeting WHERE id = $1",
    )
    .bind(id2)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(utc, "09:00");
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE entity = 'meeting' AND action = 'create'")
            .await,
        2
    );
    // The public calendar lists both, by body and year.
    let mut public = app.client();
    let cal = public
        .get("/vergaderingen?orgaan=vesoc-werkgroep&jaar=2026")
        .await;
    assert_eq!(cal.status, StatusCode::OK);
    assert_eq!(cal.select("li.meeting").len(), 2);
    assert_eq!(cal.select("main h3"), vec!["juni 2026", "december 2026"]);
    let other = public
        .get("/vergaderingen?orgaan=vesoc-overleg&jaar=2026")
        .await;
    assert!(other.select("li.meeting").is_empty());
}

#[tokio::test]
async fn bad_meeting_forms_keep_what_was_typed_and_store_nothing() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let wg = app.slug_id("body", "vesoc-werkgroep").await;
    let cases: &[(&str, &str, &str, &str, &str, &str)] = &[
        (
            "working_group",
            "2026-06-10",
            "12:00",
            "10:00",
            "",
            "na het beginuur",
        ),
        (
            "formal",
            "2026-06-10",
            "10:00",
            "12:00",
            "",
            "geen vergaderingen van deze soort",
        ),
        (
            "working_group",
            "10/06/2026",
            "10:00",
            "12:00",
            "",
            "geldige datum",
        ),
        (
            "working_group",
            "2026-03-29",
            "02:30",
            "04:00",
            "",
            "bestaat niet",
        ),
        (
            "working_group",
            "2026-06-10",
            "25:00",
            "12:00",
            "",
            "beginuur",
        ),
        (
            "working_group",
            "2026-06-10",
            "10:00",
            "12:00",
            "javascript:alert(1)",
            "https://",
        ),
    ];
    for (kind, date, start, end, url, message) in cases {
        let page = staff
            .post_form(
                "/beheer/vergaderingen",
                &[
                    ("body_kind", &body_kind(&wg, kind)),
                    ("date", date),
                    ("start", start),
                    ("end", end),
                    ("online_url", url),
                    ("location", "Zaal Jan Van Rijswijck"),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{date} {start}"
        );
        assert!(page.text().contains(message), "{message}: {}", page.text());
        assert_eq!(page.attr("input#date", "value").as_deref(), Some(*date));
        assert_eq!(
            page.attr("input#location", "value").as_deref(),
            Some("Zaal Jan Van Rijswijck")
        );
    }
    let page = staff
        .post_form(
            "/beheer/vergaderingen",
            &[("body_kind", "999999:working_group")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT count(*) FROM meeting").await, 0);
}

#[tokio::test]
async fn status_moves_forward_or_to_cancelled_and_nothing_else() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let id = app
        .meeting("vesoc-overleg", "informal", "2020-02-03 10:00+01")
        .await;
    let path = format!("/vergaderingen/{id}/status");
    // Held before convened: refused.
    let p = staff
        .post_form(
            &path,
            &[
                ("naar", "held"),
                ("version", &app.version("meeting", id).await),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.text().contains("kan niet gehouden worden"));
    let p = staff
        .post_form(
            &path,
            &[
                ("naar", "convened"),
                ("version", &app.version("meeting", id).await),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    // Convened twice: refused.
    let p = staff
        .post_form(
            &path,
            &[
                ("naar", "convened"),
                ("version", &app.version("meeting", id).await),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    // Cancelling needs a reason; the page keeps what was typed otherwise.
    let p = staff
        .post_form(
            &path,
            &[
                ("naar", "cancelled"),
                ("reden", "   "),
                ("version", &app.version("meeting", id).await),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.text().contains("Geef een reden"));
    let p = staff
        .post_form(
            &path,
            &[
                ("naar", "held"),
                ("version", &app.version("meeting", id).await),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("SELECT status::text FROM meeting WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "held");
    // Held is final: no cancelling afterwards.
    let p = staff
        .post_form(
            &path,
            &[
                ("naar", "cancelled"),
                ("reden", "te laat"),
                ("version", &app.version("meeting", id).await),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    // A future meeting cannot be marked held.
    let future = app
        .meeting("vesoc-overleg", "informal", "2099-02-03 10:00+01")
        .await;
    let fpath = format!("/vergaderingen/{future}/status");
    staff
        .post_form(
            &fpath,
            &[
                ("naar", "convened"),
                ("version", &app.version("meeting", future).await),
            ],
        )
        .await;
    let p = staff
        .post_form(
            &fpath,
            &[
                ("naar", "held"),
                ("version", &app.version("meeting", future).await),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = staff
        .post_form(
            &fpath,
            &[
                ("naar", "cancelled"),
                ("reden", "Geen agendapunten"),
                ("version", &app.version("meeting", future).await),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let public = app.client().get(&format!("/vergaderingen/{future}")).await;
    assert!(
        public.text().contains("geannuleerd — Geen agendapunten"),
        "{}",
        public.text()
    );
}

#[tokio::test]
async fn rescheduling_keeps_the_old_date_and_a_stale_form_is_refused() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let id = app
        .meeting("vesoc-werkgroep", "working_group", "2026-06-10 10:00+02")
        .await;
    let form = staff.get(&format!("/vergaderingen/{id}/bewerken")).await;
    let seen = form.attr("input[name=version]", "value").unwrap();
    assert_eq!(form.attr("input#start", "value").as_deref(), Some("10:00"));
    let wg = app.slug_id("body", "vesoc-werkgroep").await;
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/bewerken"),
            &[
                ("body_kind", &body_kind(&wg, "working_group")),
                ("date", "2026-06-17"),
                ("start", "14:00"),
                ("end", "16:00"),
                ("reason", "Samenvallend met de plenaire"),
                ("version", &seen),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let page = app.client().get(&format!("/vergaderingen/{id}")).await;
    assert!(page.text().contains("woensdag 10 juni 2026 om 10.00 uur → woensdag 17 juni 2026 om 14.00 uur — Samenvallend met de plenaire"), "{}", page.text());
    let sequence: i32 = sqlx::query_scalar("SELECT sequence FROM meeting WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(sequence, 1);
    // The same, stale, version again: refused, typed input kept, nothing overwritten.
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/bewerken"),
            &[
                ("body_kind", &body_kind(&wg, "working_group")),
                ("date", "2026-06-24"),
                ("start", "09:00"),
                ("end", "11:00"),
                ("location", "Elders"),
                ("version", &seen),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert!(p.text().contains("intussen gewijzigd"));
    assert_eq!(p.attr("input#date", "value").as_deref(), Some("2026-06-24"));
    assert_eq!(p.attr("input#location", "value").as_deref(), Some("Elders"));
    let utc: String = sqlx::query_scalar("SELECT to_char(starts_at AT TIME ZONE 'Europe/Brussels', 'YYYY-MM-DD HH24:MI') FROM meeting WHERE id = $1").bind(id).fetch_one(&app.db).await.unwrap();
    assert_eq!(utc, "2026-06-17 14:00");
}

#[tokio::test]
async fn invitations_follow_the_composition_on_the_meeting_date_and_the_competences() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let during = app
        .meeting("vesoc-overleg", "informal", "2020-01-15 10:00+01")
        .await;
    let after = app
        .meeting("vesoc-overleg", "informal", "2025-01-15 10:00+01")
        .await;
    for id in [during, after] {
        let p = staff
            .post_form(
                &format!("/vergaderingen/{id}/uitnodigingen/samenstelling"),
                &[],
            )
            .await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
    }
    let invited = |id: i64| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "SELECT p.family_name || ':' || mp.reason::text FROM meeting_participant mp JOIN person p ON p.id = mp.person_id
                 WHERE mp.meeting_id = $1 AND mp.invited ORDER BY 1",
            )
            .bind(id)
            .fetch_all(&db)
            .await
            .unwrap()
        }
    };
    let list = invited(during).await;
    assert_eq!(list.len(), 11, "{list:?}");
    assert!(list.contains(&"Jambon:composition".to_string()));
    assert!(
        invited(after).await.is_empty(),
        "the 2019 mandates ended in 2024"
    );

    // The working group names no members; a minister is invited because an
    // agenda item touches their competence.
    let wg = app
        .meeting("vesoc-werkgroep", "working_group", "2021-03-10 10:00+01")
        .await;
    sqlx::query(
        "WITH item AS (INSERT INTO agenda_item (body_id, meeting_id, title, kind, status)
                       SELECT body_id, id, 'Duaal leren', 'discussion', 'accepted' FROM meeting WHERE id = $1 RETURNING id)
         INSERT INTO agenda_item_competence SELECT item.id, c.id FROM item, competence c WHERE c.name = 'Onderwijs'",
    )
    .bind(wg)
    .execute(&app.db)
    .await
    .unwrap();
    staff
        .post_form(
            &format!("/vergaderingen/{wg}/uitnodigingen/samenstelling"),
            &[],
        )
        .await;
    assert_eq!(invited(wg).await, vec!["Weyts:competence"]);

    // By hand: remove one, add one; a rebuild does not bring the removed back.
    let jambon: i64 = sqlx::query_scalar("SELECT id FROM person WHERE slug = 'jan-jambon'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let kerremans: i64 =
        sqlx::query_scalar("SELECT id FROM person WHERE slug = 'pieter-kerremans'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    staff
        .post_form(
            &format!("/vergaderingen/{during}/uitnodigingen/verwijderen"),
            &[("person_id", &jambon.to_string())],
        )
        .await;
    staff
        .post_form(
            &format!("/vergaderingen/{during}/uitnodigingen/toevoegen"),
            &[("person_id", &kerremans.to_string())],
        )
        .await;
    staff
        .post_form(
            &format!("/vergaderingen/{during}/uitnodigingen/samenstelling"),
            &[],
        )
        .await;
    let list = invited(during).await;
    assert!(!list.contains(&"Jambon:composition".to_string()));
    assert!(list.contains(&"Kerremans:added".to_string()));
    let p = staff
        .post_form(
            &format!("/vergaderingen/{during}/uitnodigingen/toevoegen"),
            &[("person_id", "abc")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The printable list, for a member of the body.
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let print = partner
        .get(&format!("/vergaderingen/{during}/uitnodigingen"))
        .await;
    assert_eq!(print.status, StatusCode::OK);
    assert_eq!(print.select("table.print-list tbody tr").len(), 11);
}

#[tokio::test]
async fn attendance_is_recorded_per_invited_person() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let id = app
        .meeting("vesoc-overleg", "informal", "2020-01-15 10:00+01")
        .await;
    staff
        .post_form(
            &format!("/vergaderingen/{id}/uitnodigingen/samenstelling"),
            &[],
        )
        .await;
    let person = |slug: &'static str| {
        let db = app.db.clone();
        async move {
            let id: i64 = sqlx::query_scalar("SELECT id FROM person WHERE slug = $1")
                .bind(slug)
                .fetch_one(&db)
                .await
                .unwrap();
            id.to_string()
        }
    };
    let jambon = person("jan-jambon").await;
    let crevits = person("hilde-crevits").await;
    let (a_j, a_c, r_c) = (
        format!("aanwezigheid-{jambon}"),
        format!("aanwezigheid-{crevits}"),
        format!("vertegenwoordigd-{crevits}"),
    );
    // Not before the meeting is convened.
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/aanwezigheid"),
            &[(&a_j, "present")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    staff
        .post_form(
            &format!("/vergaderingen/{id}/status"),
            &[
                ("naar", "convened"),
                ("version", &app.version("meeting", id).await),
            ],
        )
        .await;
    // Represented, but by whom? Refused, with what was typed kept.
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/aanwezigheid"),
            &[(&a_j, "present"), (&a_c, "represented"), (&r_c, "")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        p.text()
            .contains("door wie Hilde Crevits vertegenwoordigd werd")
    );
    assert!(p.body.contains("<option value=\"represented\" selected>"));
    assert_eq!(
        app.count("SELECT count(*) FROM meeting_participant WHERE attendance IS NOT NULL")
            .await,
        0
    );
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/aanwezigheid"),
            &[
                (&a_j, "present"),
                (&a_c, "represented"),
                (&r_c, "kabinetschef Werk"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let rows: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT attendance::text, represented_by FROM meeting_participant WHERE attendance IS NOT NULL ORDER BY attendance",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            ("present".into(), None),
            ("represented".into(), Some("kabinetschef Werk".into()))
        ]
    );
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let page = partner.get(&format!("/vergaderingen/{id}")).await;
    assert!(
        page.text()
            .contains("vertegenwoordigd door kabinetschef Werk")
    );
}

#[tokio::test]
async fn minutes_are_drafted_then_approved_and_shown_to_members_only() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let mut public = app.client();
    let id = app
        .meeting("vesoc-werkgroep", "working_group", "2021-03-10 10:00+01")
        .await;
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/verslag"),
            &[("text", "  "), ("version", "0")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/verslag"),
            &[
                ("text", "De werkgroep besprak de opvolging."),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    // A second tab with the old version: refused, the text kept.
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/verslag"),
            &[("text", "Andere tekst"), ("version", "0")],
        )
        .await;
    assert_eq!(p.status, StatusCode::CONFLICT);
    assert_eq!(p.select("textarea#text"), vec!["Andere tekst"]);
    // A draft is for the secretariat.
    assert!(
        !partner
            .get(&format!("/vergaderingen/{id}"))
            .await
            .text()
            .contains("besprak de opvolging")
    );
    assert!(
        staff
            .get(&format!("/vergaderingen/{id}"))
            .await
            .text()
            .contains("besprak de opvolging")
    );
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/verslag/goedkeuren"),
            &[
                ("approved_on", "2021-04-14"),
                ("bevestigd", "ja"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    let member_view = partner.get(&format!("/vergaderingen/{id}")).await;
    assert!(member_view.text().contains("Goedgekeurd op 14 april 2021"));
    assert!(member_view.text().contains("besprak de opvolging"));
    assert!(
        !public
            .get(&format!("/vergaderingen/{id}"))
            .await
            .text()
            .contains("besprak de opvolging")
    );
    // Approved minutes are not edited any more.
    let p = staff
        .post_form(
            &format!("/vergaderingen/{id}/verslag"),
            &[("text", "Achteraf"), ("version", "2")],
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.text().contains("verbeter het met een correctie"));
    let approved_on: String =
        sqlx::query_scalar("SELECT approved_on::text FROM minutes WHERE meeting_id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(approved_on, "2021-04-14");
}

#[tokio::test]
async fn the_public_sees_date_body_kind_and_status_but_not_the_internals() {
    let app = TestApp::seeded().await;
    let id = app
        .meeting("vesoc-werkgroep", "working_group", "2026-06-10 10:00+02")
        .await;
    let page = app.client().get(&format!("/vergaderingen/{id}")).await;
    let text = page.text();
    assert!(
        text.contains("VESOC-werkgroep")
            && text.contains("gepland")
            && text.contains("10 juni 2026")
    );
    assert!(
        !text.contains("SERV, Brussel"),
        "no location for the public"
    );
    assert!(page.select("#genodigden").is_empty());
    let mut cabinet = app.signed_in(Role::Cabinet).await;
    let page = cabinet.get(&format!("/vergaderingen/{id}")).await;
    assert!(page.text().contains("SERV, Brussel"));
    assert_eq!(page.select("#genodigden").len(), 1);
    assert_eq!(
        app.client().get("/vergaderingen/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client().get("/vergaderingen/abc").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client().get("/vergaderingen?jaar=twintig").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn warnings_help_but_do_not_block() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let formal = app
        .meeting("vesoc-overleg", "formal", "2027-05-08 19:00+02")
        .await;
    let page = staff.get(&format!("/vergaderingen/{formal}")).await;
    let warnings = page.select("ul.warnings li");
    assert!(
        warnings.iter().any(|w| w.contains("buiten de kantooruren")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("zonder voorbereide agenda")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("In 2027 is er 1 (in)formeel VESOC-overleg")),
        "{warnings:?}"
    );
    app.meeting("vesoc-overleg", "informal", "2027-05-08 09:00+02")
        .await;
    let page = staff.get(&format!("/vergaderingen/{formal}")).await;
    let warnings = page.select("ul.warnings li");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("op dezelfde dag nog 1 andere")),
        "{warnings:?}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("minstens 2 per jaar")),
        "{warnings:?}"
    );
    // Nobody but the secretariat sees them.
    let mut partner = app.signed_in(Role::SocialPartner).await;
    assert!(
        partner
            .get(&format!("/vergaderingen/{formal}"))
            .await
            .select("ul.warnings")
            .is_empty()
    );
}

#[tokio::test]
async fn icalendar_feeds_parse_and_follow_changes() {
    let app = TestApp::seeded().await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let winter = app
        .meeting("vesoc-werkgroep", "working_group", "2026-12-09 14:00+01")
        .await;
    let summer = app
        .meeting("vesoc-werkgroep", "working_group", "2026-06-10 14:00+02")
        .await;
    sqlx::query("UPDATE meeting SET location = 'Zaal 1; met, tekens\r\nEN:INJECTIE' WHERE id = $1")
        .bind(summer)
        .execute(&app.db)
        .await
        .unwrap();
    let feed = app.client().get("/kalender/vesoc-werkgroep.ics").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let evs = ics_events(&feed.body);
    assert_eq!(evs.len(), 2);
    let w = evs
        .iter()
        .find(|e| e["UID"] == format!("vergadering-{winter}@vesoc"))
        .unwrap();
    assert_eq!(w["DTSTART"], "20261209T130000Z");
    assert_eq!(w["DTEND"], "20261209T150000Z");
    assert_eq!(w["SEQUENCE"], "0");
    assert_eq!(w["STATUS"], "TENTATIVE");
    assert!(w["URL"].ends_with(&format!("/vergaderingen/{winter}")));
    let s = evs
        .iter()
        .find(|e| e["UID"] == format!("vergadering-{summer}@vesoc"))
        .unwrap();
    assert_eq!(s["DTSTART"], "20260610T120000Z");
    assert!(
        !s.contains_key("LOCATION"),
        "the public feed has no location"
    );

    // Cancelled: same UID, higher SEQUENCE, STATUS:CANCELLED.
    staff
        .post_form(
            &format!("/vergaderingen/{winter}/status"),
            &[
                ("naar", "cancelled"),
                ("reden", "Geen punten"),
                ("version", &app.version("meeting", winter).await),
            ],
        )
        .await;
    let evs = ics_events(&app.client().get("/kalender/vesoc-werkgroep.ics").await.body);
    let w = evs
        .iter()
        .find(|e| e["UID"] == format!("vergadering-{winter}@vesoc"))
        .unwrap();
    assert_eq!(w["STATUS"], "CANCELLED");
    assert_eq!(w["SEQUENCE"], "1");

    // The personal feed has the location, escaped: no line injected.
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let p = partner.post_form("/account/kalender", &[]).await;
    let link = p.select(".link-box code").pop().unwrap();
    let feed = app.client().get(&link).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(!feed.body.contains("\r\nEN:INJECTIE"));
    let evs = ics_events(&feed.body);
    let s = evs
        .iter()
        .find(|e| e["UID"] == format!("vergadering-{summer}@vesoc"))
        .unwrap();
    assert!(s["LOCATION"].starts_with("Zaal 1"), "{:?}", s["LOCATION"]);
    // Revoked: gone.
    partner.post_form("/account/kalender/intrekken", &[]).await;
    assert_eq!(app.client().get(&link).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.client().get("/kalender/onbekend.ics").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client().get("/kalender/vesoc-werkgroep").await.status,
        StatusCode::NOT_FOUND
    );
}
