//! What downloads say about themselves: CSV cells a spreadsheet cannot
//! run, calendar feeds with the right cache headers.

use axum::http::{StatusCode, header};

use crate::harness::TestApp;
use vesoc::auth::Role;

/// A name typed as a formula (by mistake or on purpose) reaches the
/// spreadsheet as text: with a leading `'`, its quotes doubled.
#[tokio::test]
async fn a_name_that_starts_like_a_formula_is_defused_in_the_composition_csv() {
    let app = TestApp::seeded().await;
    sqlx::query(
        "UPDATE person SET given_name = '=HYPERLINK(\"http://evil.example\",\"Gert\")'
         WHERE slug = 'gert-truyens'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query("UPDATE organisation SET name = '@SUM(1+1)' WHERE slug = 'aclvb'")
        .execute(&app.db)
        .await
        .unwrap();
    let page = app
        .client()
        .get("/organen/vesoc-overleg/samenstelling.csv?op=2020-01-01")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let row = page
        .body
        .lines()
        .find(|l| l.contains("Truyens"))
        .unwrap_or_else(|| panic!("no row for Gert Truyens: {}", page.body));
    let cells: Vec<&str> = row.split(';').collect();
    assert_eq!(
        cells[1], "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Gert\"\") Truyens\"",
        "{row}"
    );
    assert!(row.contains(";\"'@SUM(1+1)\";"), "{row}");
    // Nothing else in the file starts a cell with a formula character.
    for line in page.body.trim_start_matches('\u{feff}').lines() {
        for cell in line.split(';') {
            let text = cell.trim_matches('"');
            assert!(!text.starts_with(['=', '+', '-', '@']), "{line}");
        }
    }
}

/// The personal feed's address is its only guard: no shared cache may
/// keep it (and serve it after the link was revoked). The public feed of a
/// body is the same for everyone and may be kept anywhere.
#[tokio::test]
async fn the_personal_calendar_feed_is_private_and_the_public_one_is_not() {
    let app = TestApp::seeded().await;
    let public = app.client().get("/kalender/vesoc-werkgroep.ics").await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(
        public.headers[header::CACHE_CONTROL],
        "public, no-cache",
        "the public feed"
    );

    let mut partner = app.signed_in(Role::SocialPartner).await;
    let page = partner.post_form("/account/kalender", &[]).await;
    let link = page.select(".link-box code").pop().unwrap();
    assert!(link.starts_with("/kalender/persoonlijk/"), "{link}");
    // Fetched as a calendar client does: without the session.
    let feed = app.client().get(&link).await;
    assert_eq!(feed.status, StatusCode::OK);
    let cache_control = feed.headers[header::CACHE_CONTROL].to_str().unwrap();
    let directives: Vec<&str> = cache_control.split(',').map(str::trim).collect();
    assert!(directives.contains(&"private"), "{cache_control}");
    assert!(!directives.contains(&"public"), "{cache_control}");
    assert!(
        feed.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
}
