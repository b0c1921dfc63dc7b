//! The meeting pack: one ZIP with the agenda (as text) and every document
//! of the agenda the reader may see, named by item number in agenda order
//! (`03.1 - nota.pdf`), for the current agenda and for each sent version.
//!
//! The archive is streamed: a task writes it into a pipe of 64 KiB while
//! the response reads from it, fetching one document at a time, so that
//! memory stays at about the largest document whatever the pack's size.

use async_zip::base::write::ZipFileWriter;
use async_zip::{Compression, ZipEntryBuilder};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;

use super::versions;
use crate::auth::Reader;
use crate::auth::access::{Access, Routes};
use crate::base::error::Result;
use crate::base::{AppState, Id, PageCtx, dutch};
use crate::meetings::Meeting;

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/vergaderingen/{id}/agenda/pakket.zip",
            Access::Public,
            current,
        )
        .get(
            "/vergaderingen/{id}/agenda/versies/{letter}/pakket.zip",
            Access::Public,
            of_version,
        )
}

/// An item of the pack, with the documents it carries.
struct Packed {
    number: String,
    title: String,
    kind: String,
    documents: Vec<(i64, String)>,
}

#[derive(Debug, sqlx::FromRow)]
struct Row {
    item_id: i64,
    number: String,
    title: String,
    kind: super::ItemKind,
    document_id: Option<i64>,
    filename: Option<String>,
    version_no: Option<i32>,
}

/// The current agenda as `reader` may see it, with its documents.
async fn current_items(db: &PgPool, meeting: i64, reader: Reader) -> sqlx::Result<Vec<Packed>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.id AS item_id, coalesce(a.number, a.position::text) AS number, a.title, a.kind,
                d.id AS document_id, d.filename, d.version_no
         FROM agenda_item a JOIN meeting m ON m.id = a.meeting_id
         CROSS JOIN LATERAL (SELECT (m.starts_at AT TIME ZONE 'Europe/Brussels')::date AS day) x
         LEFT JOIN document d ON d.agenda_item_id = a.id AND NOT d.superseded
              AND document_visible($2, d.confidential, a, a.body_id, x.day)
         WHERE a.meeting_id = $1 AND agenda_item_on_agenda(a)
           AND agenda_item_visible($2, a, x.day)
         ORDER BY a.position, d.id",
    )
    .bind(meeting)
    .bind(reader)
    .fetch_all(db)
    .await?;
    let mut items: Vec<(i64, Packed)> = Vec::new();
    for r in rows {
        if items.last().is_none_or(|(id, _)| *id != r.item_id) {
            items.push((
                r.item_id,
                Packed {
                    number: r.number,
                    title: r.title,
                    kind: r.kind.label().to_string(),
                    documents: Vec::new(),
                },
            ));
        }
        if let (Some(id), Some(name), Some((_, item))) =
            (r.document_id, r.filename, items.last_mut())
        {
            let name = super::documents::named(&name, r.version_no.unwrap_or(1));
            item.documents.push((id, name));
        }
    }
    Ok(items.into_iter().map(|(_, p)| p).collect())
}

async fn current(ctx: PageCtx, State(state): State<AppState>, Id(id): Id) -> Result<Response> {
    let meeting = crate::meetings::load(&state, id).await?;
    let reader = Reader::of(ctx.user.as_ref());
    let items = current_items(&state.db, id, reader).await?;
    respond(&state, &ctx, &meeting, None, items).await
}

async fn of_version(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
) -> Result<Response> {
    let (meeting, _, _) = versions::of_path(&state, &path).await?;
    let (id, letter) = (meeting.id, path.1);
    let reader = Reader::of(ctx.user.as_ref());
    let items = versions::listed(&state.db, id, &letter, reader)
        .await?
        .into_iter()
        .map(|l| Packed {
            number: l.number,
            title: l.title,
            kind: l.kind.label().to_string(),
            documents: l
                .documents
                .0
                .into_iter()
                .map(|d| (d.id, d.name()))
                .collect(),
        })
        .collect();
    respond(&state, &ctx, &meeting, Some(&letter), items).await
}

/// A name that every file system takes: letters, digits, spaces and
/// `.-_()`, at most 100 characters.
fn safe(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " .-_()".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    cleaned.chars().take(100).collect()
}

/// "03.1 - nota.pdf": the item's number padded to two digits where it is
/// one, the document's place among the item's, its own name.
fn entry_name(number: &str, k: usize, filename: &str) -> String {
    let number = match number.parse::<u32>() {
        Ok(n) => format!("{n:02}"),
        Err(_) => safe(number),
    };
    format!("{number}.{k} - {}", safe(filename))
}

fn index(meeting: &Meeting, version: Option<&str>, items: &[Packed]) -> String {
    let mut text = format!(
        "{}\n{}\nAgenda{}\n\n",
        meeting.body_name,
        meeting.when(),
        version.map(|v| format!(", versie {v}")).unwrap_or_default()
    );
    for item in items {
        text.push_str(&format!(
            "{}. {} ({})\n",
            item.number, item.title, item.kind
        ));
        for (k, (_, name)) in item.documents.iter().enumerate() {
            text.push_str(&format!("    {}\n", entry_name(&item.number, k + 1, name)));
        }
    }
    text.push_str(&format!(
        "\nSamengesteld op {} voor wie dit pakket opvroeg: het bevat wat die mag zien.\n",
        dutch::nl_datetime(time::OffsetDateTime::now_utc())
    ));
    text
}

async fn respond(
    state: &AppState,
    ctx: &PageCtx,
    meeting: &Meeting,
    version: Option<&str>,
    items: Vec<Packed>,
) -> Result<Response> {
    let user = ctx.user.as_ref().map(|u| u.id);
    crate::audit::access(
        &state.db,
        user,
        "agenda_pack.download",
        "meeting",
        meeting.id,
        &ctx.address,
    )
    .await?;
    let index = index(meeting, version, &items);
    let files: Vec<(String, i64)> = items
        .iter()
        .flat_map(|item| {
            item.documents
                .iter()
                .enumerate()
                .map(|(k, (id, name))| (entry_name(&item.number, k + 1, name), *id))
        })
        .collect();
    let (reader, writer) = tokio::io::duplex(64 * 1024);
    let db = state.db.clone();
    tokio::spawn(async move {
        if let Err(e) = write(writer, &db, index, files).await {
            // The client sees a broken download; the log says why.
            tracing::warn!("meeting pack: {e}");
        }
    });
    let filename = format!(
        "vergadering-{}{}.zip",
        meeting.id,
        version.map(|v| format!("-versie-{v}")).unwrap_or_default()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::new(reader)),
    )
        .into_response())
}

/// Writes the archive: the index, then each document, fetched one at a
/// time (stored as they are: documents are mostly compressed already).
async fn write(
    writer: tokio::io::DuplexStream,
    db: &PgPool,
    index: String,
    files: Vec<(String, i64)>,
) -> anyhow::Result<()> {
    let mut zip = ZipFileWriter::with_tokio(writer);
    let entry = ZipEntryBuilder::new("00 - Agenda.txt".to_string().into(), Compression::Deflate);
    zip.write_entry_whole(entry, index.as_bytes()).await?;
    for (name, id) in files {
        let content: Vec<u8> = sqlx::query_scalar("SELECT content FROM document WHERE id = $1")
            .bind(id)
            .fetch_one(db)
            .await?;
        let entry = ZipEntryBuilder::new(name.into(), Compression::Stored);
        zip.write_entry_whole(entry, &content).await?;
    }
    zip.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_named_by_number_and_safe_everywhere() {
        assert_eq!(entry_name("3", 1, "nota.pdf"), "03.1 - nota.pdf");
        assert_eq!(
            entry_name("12", 2, "Bijlage 2.xlsx"),
            "12.2 - Bijlage 2.xlsx"
        );
        assert_eq!(
            entry_name("3bis", 1, "../../etc/passwd"),
            "3bis.1 - -..-etc-passwd"
        );
        assert_eq!(safe("a/b\\c:d*e?f\"g<h>i|j"), "a-b-c-d-e-f-g-h-i-j");
    }
}
