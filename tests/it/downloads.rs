//! What downloads say about themselves: CSV cells a spreadsheet cannot
//! run, calendar feeds with the right cache headers.

use axum::http::StatusCode;

use crate::harness::TestApp;
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
