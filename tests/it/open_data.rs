//! Open data against the OParl 1.1 JSON schemas (`tests/oparl-1.1-schema`,
//! copied from the OParl project's schema files; or `VESOC_OPARL_SCHEMAS`): every kind of object the server emits, with the
//! objects embedded in others, validates; agenda items and files are the
//! public ones only; every JSON answer may be read cross-origin.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::Value;
use vesoc::auth::Role;

use crate::harness::{Client, TestApp};

fn schema_dir() -> std::path::PathBuf {
    std::env::var_os("VESOC_OPARL_SCHEMAS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oparl-1.1-schema")
        })
}

/// A validator per OParl type ("Meeting", "AgendaItem"…).
fn validators() -> HashMap<String, jsonschema::Validator> {
    let mut all = HashMap::new();
    for entry in std::fs::read_dir(schema_dir()).expect("the OParl 1.1 schemas") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        all.insert(
            name,
            jsonschema::validator_for(&schema).expect("a valid schema"),
        );
    }
    all
}

/// Validates `object` by its `type`, and every object embedded in it.
fn check(
    validators: &HashMap<String, jsonschema::Validator>,
    object: &Value,
    seen: &mut Vec<String>,
) {
    let kind = object["type"]
        .as_str()
        .and_then(|t| t.rsplit('/').next())
        .unwrap_or_else(|| panic!("no type: {object}"));
    let validator = validators
        .get(kind)
        .unwrap_or_else(|| panic!("no schema for {kind}"));
    let errors: Vec<String> = validator
        .iter_errors(object)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{kind} {}: {errors:#?}", object["id"]);
    seen.push(kind.to_string());
    if let Some(map) = object.as_object() {
        for value in map.values() {
            if let Some(items) = value.as_array() {
                for item in items.iter().filter(|i| i.get("type").is_some()) {
                    check(validators, item, seen);
                }
            }
        }
    }
}

async fn get_json(c: &mut Client, path: &str) -> (Value, Option<String>) {
    let page = c.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}");
    let cors = page
        .headers
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (serde_json::from_str(&page.body).expect(path), cors)
}

#[tokio::test]
async fn every_object_the_server_emits_validates_against_the_oparl_schemas() {
    let app = TestApp::seeded().await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2026-11-10 10:00+01")
        .await;
    // A public item with a public and a confidential document, and a
    // confidential item: only the first and its public file are open data.
    // Both concern the published agreement (a consultation of its paper).
    let items: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id, title, kind,
                                  status, position, number, confidential, outcome, decision_text,
                                  agreement_id)
         SELECT body_id, id, (SELECT id FROM organisation WHERE slug = 'acv'), t.title,
                'decision', 'dealt_with', t.pos, t.pos::text, t.secret, 'decided', 'Goedgekeurd.',
                (SELECT id FROM agreement WHERE slug = 'iedereen-aan-boord-2019')
         FROM meeting, (VALUES ('Openbaar punt', 1, false), ('Geheim punt', 2, true))
                       AS t(title, pos, secret)
         WHERE meeting.id = $1 RETURNING id",
    )
    .bind(meeting)
    .fetch_all(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO document (agenda_item_id, filename, content_type, size_bytes, sha256, content,
                               confidential)
         SELECT i, f, 'application/pdf', 5, sha256('stuk.'::bytea), 'stuk.'::bytea, c
         FROM (VALUES ($1::bigint, 'openbaar.pdf', false), ($1, 'vertrouwelijk.pdf', true),
                      ($2, 'geheim.pdf', false)) AS t(i, f, c)",
    )
    .bind(items[0])
    .bind(items[1])
    .execute(&app.db)
    .await
    .unwrap();

    // The decisions are public once the minutes are approved.
    let mut c = app.client();
    let (before, _) = get_json(&mut c, &format!("/api/oparl/agendaitem/{}", items[0])).await;
    assert!(before.get("result").is_none(), "{before}");
    assert!(before.get("resolutionText").is_none(), "{before}");
    sqlx::query(
        "INSERT INTO minutes (meeting_id, text, status, approved_on)
         VALUES ($1, 'Verslag.', 'approved', '2026-12-01')",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query("UPDATE meeting SET status = 'held' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    let validators = validators();
    let mut seen = Vec::new();
    let (system, cors) = get_json(&mut c, "/api/oparl").await;
    assert_eq!(cors.as_deref(), Some("*"), "CORS on every JSON answer");
    check(&validators, &system, &mut seen);
    for list in [
        "/api/oparl/body",
        "/api/oparl/organization",
        "/api/oparl/person",
        "/api/oparl/membership",
        "/api/oparl/meeting?limit=200",
        "/api/oparl/paper",
        "/api/oparl/agendaitem",
        "/api/oparl/file",
    ] {
        let (page, cors) = get_json(&mut c, list).await;
        assert_eq!(cors.as_deref(), Some("*"), "{list}");
        for object in page["data"].as_array().expect("data") {
            check(&validators, object, &mut seen);
        }
    }
    let (meeting_json, _) = get_json(&mut c, &format!("/api/oparl/meeting/{meeting}")).await;
    check(&validators, &meeting_json, &mut seen);
    // Held: its invitation is the agenda as a PDF, a File of its own.
    let invitation = &meeting_json["invitation"];
    assert!(
        invitation["accessUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/vergaderingen/{meeting}/agenda.pdf")),
        "{meeting_json}"
    );
    let (own, _) = get_json(&mut c, &format!("/api/oparl/meeting/{meeting}/invitation")).await;
    assert_eq!(&own, invitation);
    check(&validators, &own, &mut seen);
    // Its minutes are approved: its decision list is the results protocol.
    let protocol = &meeting_json["resultsProtocol"];
    check(&validators, protocol, &mut seen);
    assert!(
        protocol["accessUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/vergaderingen/{meeting}/besluiten.pdf")),
        "{meeting_json}"
    );
    assert_eq!(protocol["mimeType"], "application/pdf");
    // The file is there, a PDF with the public decision only.
    let list = c
        .get(&format!("/vergaderingen/{meeting}/besluiten.pdf"))
        .await;
    assert_eq!(list.headers["content-type"], "application/pdf");
    let text = crate::agenda_pdf::text_of(&list.bytes);
    assert!(
        text.contains("1. Openbaar punt Beslist: Goedgekeurd."),
        "{text}"
    );
    assert!(!text.contains("Geheim punt"), "{text}");
    let (own, _) = get_json(
        &mut c,
        &format!("/api/oparl/meeting/{meeting}/resultsprotocol"),
    )
    .await;
    assert_eq!(&own, protocol);
    let consultation_path = format!("/api/oparl/consultation/{}", items[0]);
    let (consultation, _) = get_json(&mut c, &consultation_path).await;
    check(&validators, &consultation, &mut seen);
    assert_eq!(
        meeting_json["agendaItem"][0]["consultation"], consultation["id"],
        "the item names its consultation"
    );
    for kind in [
        "System",
        "Body",
        "Organization",
        "Person",
        "Membership",
        "Meeting",
        "Paper",
        "AgendaItem",
        "File",
        "Consultation",
    ] {
        assert!(seen.iter().any(|s| s == kind), "no {kind} was checked");
    }

    // Public items and files only.
    let agenda = meeting_json["agendaItem"].as_array().unwrap();
    let names: Vec<&str> = agenda.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Openbaar punt"]);
    assert_eq!(agenda[0]["result"], "beslist");
    assert_eq!(agenda[0]["resolutionText"], "Goedgekeurd.");
    let files: Vec<&str> = agenda[0]["auxiliaryFile"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fileName"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["openbaar.pdf"]);
    for hidden in [
        format!("/api/oparl/agendaitem/{}", items[1]),
        format!("/api/oparl/consultation/{}", items[1]),
        "/api/oparl/file/999999".to_string(),
    ] {
        assert_eq!(
            c.get(&hidden).await.status,
            StatusCode::NOT_FOUND,
            "{hidden}"
        );
    }
    let (all_files, _) = get_json(&mut c, "/api/oparl/file").await;
    let all: Vec<&str> = all_files["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fileName"].as_str().unwrap())
        .collect();
    assert_eq!(all, ["openbaar.pdf"]);
    // A member sees the same open data: it is the public's.
    let mut member = app.signed_in(Role::SocialPartner).await;
    let (as_member, _) = get_json(&mut member, &format!("/api/oparl/meeting/{meeting}")).await;
    assert_eq!(as_member["agendaItem"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn lists_take_the_oparl_time_filters_and_refuse_a_malformed_one_in_dutch() {
    let app = TestApp::seeded().await;
    let old = app
        .meeting("vesoc-werkgroep", "working_group", "2020-03-02 10:00+01")
        .await;
    let new = app
        .meeting("vesoc-werkgroep", "working_group", "2026-03-02 10:00+01")
        .await;
    sqlx::query(
        "UPDATE meeting SET created_at = '2020-01-01T00:00:00Z', modified_at = '2020-01-02T00:00:00Z'
         WHERE id = $1",
    )
    .bind(old)
    .execute(&app.db)
    .await
    .unwrap();
    let mut c = app.client();
    let ids = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                m["id"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let (until, _) = get_json(&mut c, "/api/oparl/meeting?created_until=2021-01-01").await;
    assert_eq!(ids(&until), [old.to_string()]);
    let (since, _) = get_json(&mut c, "/api/oparl/meeting?created_since=2021-01-01").await;
    assert!(ids(&since).contains(&new.to_string()));
    assert!(!ids(&since).contains(&old.to_string()));
    let (modified, _) = get_json(
        &mut c,
        "/api/oparl/meeting?modified_until=2020-06-01T00:00:00Z&omit_internal=true",
    )
    .await;
    assert_eq!(ids(&modified), [old.to_string()]);
    let bad = c.get("/api/oparl/meeting?created_since=gisteren").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.text().contains("created_since moet een tijdstip zijn"),
        "{}",
        bad.text()
    );
}

#[tokio::test]
async fn an_item_taken_off_a_public_agenda_is_listed_as_deleted_since_then() {
    let app = TestApp::seeded().await;
    let mut partner = app.signed_in(Role::SocialPartner).await;
    let mut staff = app.signed_in(Role::Secretariat).await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2026-11-10 10:00+01")
        .await;
    let wg: i64 = sqlx::query_scalar("SELECT id FROM body WHERE slug = 'vesoc-werkgroep'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    // A public and a confidential proposal, both accepted onto the agenda.
    let mut ids = Vec::new();
    for (title, secret) in [("Later punt", ""), ("Geheim later punt", "1")] {
        let wg = wg.to_string();
        let mut fields = vec![
            ("title", title),
            ("explanation", ""),
            ("kind", "discussion"),
            ("body_id", wg.as_str()),
        ];
        if !secret.is_empty() {
            fields.push(("confidential", secret));
        }
        let page = partner.post_form("/agendapunten", &fields).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
        let id: i64 = page
            .location()
            .unwrap()
            .trim_start_matches("/agendapunten/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        ids.push(id);
    }
    for id in &ids {
        let (id, besluit) = (*id, "accept");
        let v = app.version("agenda_item", id).await;
        let page = staff
            .post_form(
                &format!("/agendapunten/{id}/beoordelen"),
                &[
                    ("besluit", besluit),
                    ("meeting_id", &meeting.to_string()),
                    ("comment", ""),
                    ("version", &v),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    }
    let mut c = app.client();
    let (on, _) = get_json(&mut c, &format!("/api/oparl/agendaitem/{}", ids[0])).await;
    assert_eq!(on["deleted"], false);
    let since = "2020-01-01T00:00:00Z";
    // Both are carried over to a later meeting: the originals leave this
    // agenda (their copies are new items).
    let later = app
        .meeting("vesoc-werkgroep", "working_group", "2026-12-08 10:00+01")
        .await;
    for id in &ids {
        let v = app.version("agenda_item", *id).await;
        let page = staff
            .post_form(
                &format!("/vergaderingen/{meeting}/agenda/doorschuiven"),
                &[
                    ("item_id", &id.to_string()),
                    ("meeting_id", &later.to_string()),
                    ("version", &v),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text());
    }
    let validators = validators();
    let mut seen = Vec::new();
    // Gone from the plain list; in the list of changes, as deleted: the
    // public one only, with nothing but its id and times.
    let (plain, _) = get_json(&mut c, "/api/oparl/agendaitem").await;
    let plain_ids: Vec<&str> = plain["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(
        !plain_ids
            .iter()
            .any(|i| i.ends_with(&format!("/agendaitem/{}", ids[0])))
    );
    let (changes, _) = get_json(
        &mut c,
        &format!("/api/oparl/agendaitem?modified_since={since}"),
    )
    .await;
    let deleted: Vec<&Value> = changes["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["deleted"] == true)
        .collect();
    assert_eq!(deleted.len(), 1, "{changes:#}");
    assert!(
        deleted[0]["id"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/agendaitem/{}", ids[0]))
    );
    assert!(
        deleted[0].get("name").is_none(),
        "a deleted object carries no content"
    );
    check(&validators, deleted[0], &mut seen);
    let (one, _) = get_json(&mut c, &format!("/api/oparl/agendaitem/{}", ids[0])).await;
    assert_eq!(one["deleted"], true);
    assert_eq!(
        c.get(&format!("/api/oparl/agendaitem/{}", ids[1]))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "a confidential item leaves no trace, deleted or not"
    );
}
