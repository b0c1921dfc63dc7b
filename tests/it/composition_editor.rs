//! The composition editor in parts, the way back from the register, the
//! side that follows from the organisation, the warning for a mandate left
//! running, and the explained empty composition.

use axum::http::StatusCode;

use crate::harness::{Client, Page, TestApp};
use vesoc::auth::Role;

const EDITOR: &str = "/beheer/organen/vesoc-overleg";

fn current_part(page: &Page) -> Vec<String> {
    page.select("nav.editor-parts a[aria-current=page]")
}

#[tokio::test]
async fn the_editor_is_split_into_parts_with_their_own_pages() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    // Each part has its own page, reachable from the sub-navigation, with
    // only its own form.
    let parts = [
        (EDITOR.to_string(), "Huidige leden", None),
        (
            format!("{EDITOR}/mandaten/nieuw"),
            "Nieuw mandaat",
            Some("#mandaat-form"),
        ),
        (
            format!("{EDITOR}/regeringswissel"),
            "Nieuwe regering",
            Some("#regering-form"),
        ),
        (
            format!("{EDITOR}/zetels"),
            "Samenstellingsregels",
            Some("form.rule-form"),
        ),
    ];
    let forms = ["#mandaat-form", "#regering-form", "form.rule-form"];
    for (path, label, own) in &parts {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(current_part(&page), vec![label.to_string()], "{path}");
        assert_eq!(page.select("nav.editor-parts a").len(), 4, "{path}");
        for form in forms {
            let present = !page.select(form).is_empty();
            assert_eq!(present, *own == Some(form), "{path}: {form}");
        }
    }
    // The first part: who sits, and every mandate.
    let page = c.get(&format!("{EDITOR}?op=2020-01-01")).await;
    assert!(!page.select("table.composition-now tbody th").is_empty());
    assert!(!page.select("table.history tbody tr").is_empty());

    // A refused form comes back on its own part, as typed.
    let page = c
        .post_form(
            &format!("{EDITOR}/mandaten"),
            &[("person_id", "x"), ("valid_from", "gisteren")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(current_part(&page), vec!["Nieuw mandaat"]);
    assert!(page.select("#regering-form").is_empty());
    assert_eq!(
        page.attr("#m-valid_from", "value").as_deref(),
        Some("gisteren")
    );
    let page = c
        .post_form(
            &format!("{EDITOR}/regeringswissel"),
            &[("date", "2022-02-30")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(current_part(&page), vec!["Nieuwe regering"]);
    assert!(page.select("#mandaat-form").is_empty());
    assert_eq!(page.attr("#g-date", "value").as_deref(), Some("2022-02-30"));
    let page = c
        .post_form(
            &format!("{EDITOR}/zetels/2"),
            &[("seat_count", "veel"), ("label", "leden"), ("version", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(current_part(&page), vec!["Samenstellingsregels"]);
    assert_eq!(
        page.attr("#r2-seat_count", "value").as_deref(),
        Some("veel")
    );
    // A saved rule returns to the rules, with a notice.
    let version = c
        .get(&format!("{EDITOR}/zetels"))
        .await
        .attr("form[action$='/zetels/2'] input[name=version]", "value")
        .unwrap();
    let page = c
        .post_form(
            &format!("{EDITOR}/zetels/2"),
            &[
                ("seat_count", "16"),
                ("label", "leden"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        Some("/beheer/organen/vesoc-overleg/zetels?melding=regel")
    );
    // Other roles do not reach the parts.
    let mut partner = app.signed_in(Role::SocialPartner).await;
    for (path, _, _) in &parts {
        assert_ne!(partner.get(path).await.status, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn a_person_added_from_the_editor_returns_to_the_new_mandate() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    let form = c.get(&format!("{EDITOR}/mandaten/nieuw")).await;
    let back = "/beheer/organen/vesoc-overleg/mandaten/nieuw";
    let link = format!("/beheer/personen/nieuw?terug={back}");
    assert_eq!(form.select(&format!("a[href='{link}']")).len(), 1);
    let page = c.get(&link).await;
    assert_eq!(
        page.attr("input[name=terug]", "value").as_deref(),
        Some(back)
    );
    let page = c
        .post_form(
            "/beheer/personen",
            &[
                ("given_name", "Nieuwe"),
                ("family_name", "Vertegenwoordiger"),
                ("terug", back),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        Some("/beheer/organen/vesoc-overleg/mandaten/nieuw?persoon=nieuwe-vertegenwoordiger")
    );
    // The editor's form has the new person chosen.
    let page = c.get(page.location().unwrap()).await;
    assert_eq!(
        page.attr("#m-person_id option[selected]", "value"),
        Some(app.slug_id("person", "nieuwe-vertegenwoordiger").await)
    );
    // A refused person keeps the way back.
    let page = c
        .post_form(
            "/beheer/personen",
            &[("given_name", ""), ("family_name", "X"), ("terug", back)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.attr("input[name=terug]", "value").as_deref(),
        Some(back)
    );
    // Only a path of this site: anything else goes to the person's page.
    for (i, bad) in [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/beheer/organen/x\r\nSet-Cookie: a=b",
        "javascript:alert(1)",
    ]
    .into_iter()
    .enumerate()
    {
        let family = format!("Omweg{}", "a".repeat(i + 1));
        let page = c
            .post_form(
                "/beheer/personen",
                &[
                    ("given_name", "Via"),
                    ("family_name", &family),
                    ("terug", bad),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{bad}");
        let to = page.location().unwrap();
        assert!(to.starts_with("/beheer/personen/via-omweg"), "{bad} → {to}");
        let form = c
            .get(&format!("/beheer/personen/nieuw?terug={}", urlencode(bad)))
            .await;
        assert!(form.select("input[name=terug]").is_empty(), "{bad}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn the_side_follows_from_the_organisation_unless_chosen() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    let form = c.get(&format!("{EDITOR}/mandaten/nieuw")).await;
    assert_eq!(
        form.attr("#m-side option:first-child", "value").as_deref(),
        Some("")
    );
    assert!(form.select("#m-side option:first-child")[0].contains("Volgens de organisatie"));
    let add = async |c: &mut Client, person: &str, org: &str, side: &str| {
        c.post_form(
            &format!("{EDITOR}/mandaten"),
            &[
                ("person_id", person),
                ("organisation_id", org),
                ("role", "member"),
                ("side", side),
                ("valid_from", "2025-01-01"),
            ],
        )
        .await
    };
    // A trade union: the social partners; a government: the government.
    let page = add(
        &mut c,
        &app.slug_id("person", "ann-vermorgen").await,
        &app.slug_id("organisation", "acv").await,
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let page = add(
        &mut c,
        &app.slug_id("person", "jan-jambon").await,
        &app.slug_id("organisation", "vlaamse-regering").await,
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let sides: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.slug, m.side::text FROM membership m JOIN person p ON p.id = m.person_id
         WHERE m.valid_from = '2025-01-01' ORDER BY p.slug",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(
        sides,
        vec![
            ("ann-vermorgen".into(), "social_partners".into()),
            ("jan-jambon".into(), "government".into()),
        ]
    );
    // Chosen, the side overrides the organisation's.
    let page = add(
        &mut c,
        &app.slug_id("person", "hilde-crevits").await,
        &app.slug_id("organisation", "vlaamse-regering").await,
        "advisory",
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(
        app.count(
            "SELECT count(*) FROM membership m JOIN person p ON p.id = m.person_id
             WHERE p.slug = 'hilde-crevits' AND m.side = 'advisory'"
        )
        .await,
        1
    );
    // An administration does not decide a side: asked, typed input kept.
    let before = app.count("SELECT count(*) FROM membership").await;
    let wse = app.slug_id("organisation", "wse").await;
    let page = add(&mut c, &app.slug_id("person", "ben-weyts").await, &wse, "").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.select("#m-side-fout")[0].contains("kies een zijde"));
    assert_eq!(
        page.attr("#m-organisation_id option[selected]", "value"),
        Some(wse)
    );
    assert_eq!(app.count("SELECT count(*) FROM membership").await, before);
}

#[tokio::test]
async fn a_new_mandate_that_leaves_an_open_ended_one_running_is_warned_of() {
    let app = TestApp::seeded().await;
    let mut c = app.signed_in(Role::Secretariat).await;
    let unizo = app.slug_id("organisation", "unizo").await;
    let add = async |c: &mut Client, person: &str, from: &str, replaces: &str| {
        c.post_form(
            &format!("{EDITOR}/mandaten"),
            &[
                ("person_id", person),
                ("organisation_id", &unizo),
                ("role", "member"),
                ("valid_from", from),
                ("replaces_id", replaces),
            ],
        )
        .await
    };
    // A first member for the seat, without an end.
    let first = add(
        &mut c,
        &app.slug_id("person", "ann-vermorgen").await,
        "2025-01-01",
        "",
    )
    .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.text());
    let page = c.get(first.location().unwrap()).await;
    assert!(
        page.select(".open-ended").is_empty(),
        "nothing earlier runs"
    );
    let open = app
        .id(
            "SELECT m.id FROM membership m JOIN person p ON p.id = m.person_id
         WHERE p.slug = 'ann-vermorgen' AND m.valid_from = '2025-01-01'",
        )
        .await
        .to_string();
    // A second member for the same seat, replacing nobody: warned.
    let second = add(
        &mut c,
        &app.slug_id("person", "jan-jambon").await,
        "2026-01-01",
        "",
    )
    .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.text());
    let to = second.location().unwrap();
    assert!(to.starts_with("/beheer/organen/vesoc-overleg?melding=mandaat&nieuw="));
    let page = c.get(to).await;
    let warning = page.select(".open-ended");
    assert_eq!(warning.len(), 1);
    assert!(
        warning[0].contains("Let op: een vorig mandaat loopt nog"),
        "{warning:?}"
    );
    assert!(warning[0].contains("Ann Vermorgen"), "{warning:?}");
    assert!(warning[0].contains("zonder einddatum"), "{warning:?}");
    assert_eq!(
        page.attr(".open-ended a", "href"),
        Some(format!("{EDITOR}/mandaten/{open}#beeindigen"))
    );
    // Replacing it instead: ended the day before, no warning.
    let third = add(
        &mut c,
        &app.slug_id("person", "hilde-crevits").await,
        "2026-06-01",
        &open,
    )
    .await;
    assert_eq!(third.status, StatusCode::SEE_OTHER, "{}", third.text());
    let page = c.get(third.location().unwrap()).await;
    let warning = page.select(".open-ended");
    // Jan Jambon's mandate (2026) still runs open-ended, and is named;
    // Ann Vermorgen's is ended and is not.
    assert_eq!(warning.len(), 1);
    assert!(warning[0].contains("Jan Jambon"), "{warning:?}");
    assert!(!warning[0].contains("Ann Vermorgen"), "{warning:?}");
    // A link naming a mandate of another body, or nonsense, shows nothing.
    for q in ["nieuw=abc", "nieuw=999999", "nieuw="] {
        let page = c.get(&format!("{EDITOR}?melding=mandaat&{q}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.select(".open-ended").is_empty(), "{q}");
    }
}

#[tokio::test]
async fn an_empty_composition_says_why_and_links_to_the_last_named_day() {
    let app = TestApp::seeded().await;
    let mut c = app.client();
    let last: time::Date = sqlx::query_scalar(
        "SELECT max(m.valid_until) FROM membership m JOIN body b ON b.id = m.body_id
         WHERE b.slug = 'vesoc-overleg'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let iso = vesoc::base::dutch::iso_date(last);
    let page = c.get("/organen/vesoc-overleg").await;
    assert_eq!(page.status, StatusCode::OK);
    let note = page.select(".no-names");
    assert_eq!(note.len(), 1);
    assert!(
        note[0].contains("noemen de bronnen geen leden met naam"),
        "{note:?}"
    );
    assert!(
        note[0].contains(&vesoc::base::dutch::nl_date(last)),
        "{note:?}"
    );
    let href = format!("/organen/vesoc-overleg?op={iso}");
    assert_eq!(page.select(&format!(".no-names a[href='{href}']")).len(), 1);
    // That day has names, and no note.
    let page = c.get(&href).await;
    assert!(page.select(".no-names").is_empty());
    assert!(!page.select("tbody tr:not(.open) th").is_empty());
}
