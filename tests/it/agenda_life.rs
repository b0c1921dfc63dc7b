//! The agenda's life (issue 18), the parts built so far: the review
//! queue's warnings (late, incomplete) and an item's release time.

use axum::http::StatusCode;
use vesoc::auth::Role;

use crate::harness::TestApp;

async fn proposal(
    app: &TestApp,
    title: &str,
    kind: &str,
    confidential: bool,
    meeting: Option<i64>,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id, title, kind, status,
                                  confidential)
         VALUES ((SELECT id FROM body WHERE slug = 'vesoc-werkgroep'), $4,
                 (SELECT id FROM organisation WHERE slug = 'acv'), $1, $2::agenda_item_kind,
                 'submitted', $3)
         RETURNING id",
    )
    .bind(title)
    .bind(kind)
    .bind(confidential)
    .bind(meeting)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

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
    proposal(&app, "Laat voorstel", "discussion", false, Some(meeting)).await;
    proposal(&app, "Beslissing zonder stuk", "decision", false, None).await;
    proposal(&app, "Geheim zonder vrijgave", "information", true, None).await;
    let competent = proposal(&app, "Punt voor een minister", "discussion", false, None).await;
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
    proposal(&app, "Volledig voorstel", "information", false, None).await;

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
