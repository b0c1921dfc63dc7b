//! Documents of agenda items: upload, listing, download, refusals.

use axum::http::{Method, StatusCode, header};

use crate::harness::{Client, Item, Page, TestApp};
use vesoc::auth::Role;

pub(crate) const BOUNDARY: &str = "vesoc-test-grens-7d3f";
pub(crate) const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// A multipart body: (field name, file name, bytes).
pub(crate) fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts the upload form as the browser does: the token as the first part.
async fn upload(c: &mut Client, item: i64, file: &str, bytes: &[u8], confidential: bool) -> Page {
    let token = c.csrf_token().await;
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("_csrf", None, token.as_bytes()),
        ("document", Some(file), bytes),
    ];
    if confidential {
        parts.push(("confidential", None, b"1"));
    }
    c.request_bytes(
        Method::POST,
        &format!("/agendapunten/{item}/documenten"),
        &format!("multipart/form-data; boundary={BOUNDARY}"),
        multipart(&parts),
    )
    .await
}

fn doc_link(page: &Page) -> i64 {
    page.attr("a[href^='/documenten/']", "href")
        .unwrap_or_else(|| panic!("no document link: {}", page.text()))
        .trim_start_matches("/documenten/")
        .parse()
        .unwrap()
}

fn header(page: &Page, name: header::HeaderName) -> &str {
    page.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_proposer_uploads_a_pdf_that_is_listed_and_downloadable() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let id = app.item(Item::proposal("Duaal leren")).await;

    let show = partner.get(&format!("/agendapunten/{id}")).await;
    assert_eq!(show.status, StatusCode::OK);
    let action =
        format!("form[enctype='multipart/form-data'][action^='/agendapunten/{id}/documenten']");
    assert!(show.attr(&action, "method").is_some(), "{}", show.body);
    assert_eq!(
        show.attr("input#document", "name").as_deref(),
        Some("document")
    );
    assert_eq!(show.attr("input#document", "type").as_deref(), Some("file"));
    assert_eq!(
        show.select("label[for=document]")[0].split(" (").next(),
        Some("Document")
    );
    assert_eq!(
        show.select("label.choice:has(input[name=confidential])"),
        vec!["Vertrouwelijk"]
    );
    assert!(
        show.select("button[type=submit]")
            .contains(&"Toevoegen".to_string())
    );

    let page = upload(&mut partner, id, "C:\\stukken\\Nota über.pdf", PDF, false).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    // Back on the item page, with a notice that names the document.
    let to = page.location().unwrap_or_default().to_string();
    assert!(
        to.starts_with(&format!("/agendapunten/{id}?melding=document&document=")),
        "{to}"
    );
    let confirmed = partner.get(&to).await;
    assert_eq!(
        confirmed.select("p.notice[role=status]"),
        vec!["Het document Nota über.pdf is toegevoegd."]
    );

    let show = partner.get(&format!("/agendapunten/{id}")).await;
    assert!(show.select("p.notice").is_empty());
    let doc = doc_link(&show);
    assert_eq!(show.select("ul.documents a"), vec!["Nota über.pdf"]);
    assert!(show.text().contains(&format!("{} bytes", PDF.len())));
    let stored: (Vec<u8>, i64, String) =
        sqlx::query_as("SELECT sha256, size_bytes, content_type FROM document WHERE id = $1")
            .bind(doc)
            .fetch_one(&app.db)
            .await
            .unwrap();
    use sha2::Digest;
    assert_eq!(stored.0, sha2::Sha256::digest(PDF).to_vec());
    assert_eq!(stored.1, PDF.len() as i64);
    assert_eq!(stored.2, "application/pdf");
    // The audit row describes the file, without its content.
    let after: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE action = 'document.upload' AND entity_id = $1",
    )
    .bind(doc.to_string())
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(after["filename"], "Nota über.pdf");
    assert!(!after.to_string().contains("%PDF"));

    for c in [&mut partner, &mut staff] {
        let file = c.get(&format!("/documenten/{doc}")).await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.body.as_bytes(), PDF);
        assert_eq!(header(&file, header::CONTENT_TYPE), "application/pdf");
        assert_eq!(
            header(&file, header::CONTENT_DISPOSITION),
            "attachment; filename=\"Nota _ber.pdf\"; filename*=UTF-8''Nota%20%C3%BCber.pdf"
        );
        assert_eq!(header(&file, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(header(&file, header::CACHE_CONTROL), "private, no-store");
    }

    let mut visitor = app.client();
    let page = visitor.get(&format!("/documenten/{doc}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location()
            .unwrap_or_default()
            .starts_with("/aanmelden")
    );
    assert_eq!(
        staff.get("/documenten/999999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        staff.get("/documenten/abc").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_confidential_document_waits_until_the_item_is_on_an_agenda() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let mut other = app.partner_of("voka").await;
    let id = app.item(Item::proposal("Duaal leren")).await;
    let page = upload(&mut partner, id, "geheim.pdf", PDF, true).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let secret: i64 = app.count("SELECT max(id) FROM document").await;
    let page = upload(
        &mut partner,
        id,
        "open.txt",
        "gewoon tekst, é".as_bytes(),
        false,
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    let open: i64 = app.count("SELECT max(id) FROM document").await;
    assert!(
        partner
            .get(&format!("/agendapunten/{id}"))
            .await
            .text()
            .contains("vertrouwelijk")
    );

    // Voka sits in the working group, but the item is not on an agenda yet:
    // it may see neither the item nor its documents (docs/access.md).
    for doc in [secret, open] {
        assert_eq!(
            other.get(&format!("/documenten/{doc}")).await.status,
            StatusCode::NOT_FOUND
        );
    }
    let page = partner.get(&format!("/documenten/{open}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        header(&page, header::CONTENT_TYPE),
        "text/plain; charset=utf-8"
    );
    assert_eq!(
        partner.get(&format!("/documenten/{secret}")).await.status,
        StatusCode::OK
    );

    // Accepted on a meeting's agenda: the members see both, on the meeting page too.
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2026-06-10 10:00+02")
        .await;
    sqlx::query(
        "UPDATE agenda_item SET status = 'accepted', meeting_id = $2, position = 1 WHERE id = $1",
    )
    .bind(id)
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    assert_eq!(
        other.get(&format!("/documenten/{secret}")).await.status,
        StatusCode::OK
    );
    let page = other.get(&format!("/vergaderingen/{meeting}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let links = page.select("ol.agenda ul.documents a");
    assert_eq!(links, vec!["geheim.pdf", "open.txt"], "{}", page.text());
    assert!(
        page.attr(&format!("a[href='/documenten/{secret}']"), "href")
            .is_some()
    );
    // A public visitor sees the public item and its document, not the
    // confidential one.
    let mut visitor = app.client();
    let page = visitor.get(&format!("/vergaderingen/{meeting}")).await;
    assert_eq!(page.select("ol.agenda ul.documents a"), vec!["open.txt"]);
    assert_eq!(
        visitor.get(&format!("/documenten/{open}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        visitor.get(&format!("/documenten/{secret}")).await.status,
        StatusCode::SEE_OTHER
    );

    // Now accepted, the proposer can no longer add documents.
    let show = partner.get(&format!("/agendapunten/{id}")).await;
    assert!(show.attr("input#document", "name").is_none());
    let before = app.count("SELECT count(*) FROM document").await;
    let page = upload(&mut partner, id, "laat.pdf", PDF, false).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(app.count("SELECT count(*) FROM document").await, before);
}

#[tokio::test]
async fn refused_uploads_store_nothing_and_say_why() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let id = app.item(Item::proposal("Duaal leren")).await;
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let big = vec![b'%'; 30 * 1024 * 1024];
    let cases: [(&str, &[u8], StatusCode, &str); 5] = [
        ("leeg.pdf", b"", StatusCode::BAD_REQUEST, "is leeg"),
        (
            "foto.pdf",
            png,
            StatusCode::BAD_REQUEST,
            "past niet bij de extensie .pdf",
        ),
        (
            "setup.exe",
            b"MZ\x90\0",
            StatusCode::BAD_REQUEST,
            "niet toegelaten",
        ),
        ("", b"", StatusCode::BAD_REQUEST, "Kies een bestand"),
        (
            "groot.pdf",
            &big,
            StatusCode::PAYLOAD_TOO_LARGE,
            "groter dan 20 MB",
        ),
    ];
    for (name, bytes, status, message) in cases {
        let page = upload(&mut partner, id, name, bytes, true).await;
        assert_eq!(page.status, status, "{name}");
        let errors = page.select("#document-fout");
        assert_eq!(errors.len(), 1, "{name}: {}", page.text());
        assert!(errors[0].contains(message), "{name}: {}", errors[0]);
        // The form is back, the checkbox kept (unless the file was too
        // large: what follows it is not read).
        assert!(page.attr("input#document", "name").is_some(), "{name}");
        assert!(
            page.select("p.notice").is_empty(),
            "{name}: no confirmation"
        );
        assert!(
            status == StatusCode::PAYLOAD_TOO_LARGE
                || page
                    .attr("input[name=confidential][checked]", "name")
                    .is_some(),
            "{name}"
        );
    }
    assert_eq!(app.count("SELECT count(*) FROM document").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM audit_log WHERE action = 'document.upload'")
            .await,
        0
    );
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_as_its_first_part_is_refused() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let id = app.item(Item::proposal("Duaal leren")).await;
    let token = partner.csrf_token().await;
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let file: (&str, Option<&str>, &[u8]) = ("document", Some("nota.pdf"), PDF);
    let refused = [
        // no token at all
        ("none", multipart(&[file]), String::new()),
        // a wrong token
        (
            "wrong",
            multipart(&[("_csrf", None, b"fout"), file]),
            String::new(),
        ),
        // the right token, but after the file: the check does not read files
        (
            "after the file",
            multipart(&[file, ("_csrf", None, token.as_bytes())]),
            String::new(),
        ),
        // the right token in the query string (as the form once sent it):
        // tokens stay out of URLs, logs and Referer headers
        ("query", multipart(&[file]), format!("?_csrf={token}")),
        // not multipart at all, though it says so
        ("garbage", b"geen multipart".to_vec(), String::new()),
    ];
    for (what, body, query) in refused {
        let page = partner
            .request_bytes(
                Method::POST,
                &format!("/agendapunten/{id}/documenten{query}"),
                &ct,
                body,
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{what}");
        assert!(page.body.contains("Formulier verlopen"), "{what}");
    }
    assert_eq!(app.count("SELECT count(*) FROM document").await, 0);
    // The token first, as the form sends it: stored.
    assert_eq!(
        upload(&mut partner, id, "nota.pdf", PDF, false)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("SELECT count(*) FROM document").await, 1);
}

#[tokio::test]
async fn only_who_may_edit_the_item_uploads() {
    let app = TestApp::seeded().await;
    let mut other = app.partner_of("voka").await;
    let mut cabinet = app.signed_in(Role::Cabinet).await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let id = app.item(Item::proposal("Duaal leren")).await;
    // Another organisation does not even see the item.
    assert_eq!(
        upload(&mut other, id, "a.pdf", PDF, false).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        upload(&mut cabinet, id, "a.pdf", PDF, false).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("SELECT count(*) FROM document").await, 0);
    // The secretariat may, in any status.
    sqlx::query("UPDATE agenda_item SET status = 'in_review' WHERE id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    let page = upload(&mut staff, id, "bijlage.docx", b"PK\x03\x04inhoud", false).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    assert_eq!(app.count("SELECT count(*) FROM document").await, 1);
}
