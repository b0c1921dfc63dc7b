//! The meeting pack: one ZIP with the agenda (the PDF of `pdf.rs`) and
//! every document of the agenda the reader may see, named by item number
//! in agenda order (`03.1 - nota.pdf`), for the current agenda and for each
//! sent version.
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

use super::versions::{self, PROPOSER};
use crate::auth::Reader;
use crate::auth::access::{Access, Routes};
use crate::base::error::Result;
use crate::base::{AppState, Id, PageCtx};
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

/// An item as the pack and the PDF show it, with the documents it carries.
pub(super) struct Packed {
    pub number: String,
    pub title: String,
    pub kind: String,
    /// Empty for the secretariat's own items.
    pub proposer: String,
    pub confidential: bool,
    pub documents: Vec<PackedDoc>,
}

pub(super) struct PackedDoc {
    pub id: i64,
    /// "nota.pdf (bis)"
    pub name: String,
    pub confidential: bool,
}

/// What a download is of: the current agenda of a meeting, or one of its
/// sent versions, as the reader may see it.
pub(super) struct Agenda {
    pub meeting: Meeting,
    pub version: Option<versions::Version>,
    pub items: Vec<Packed>,
}

impl Agenda {
    /// The current agenda of meeting `id`.
    pub async fn current(state: &AppState, reader: Reader, id: i64) -> Result<Agenda> {
        let meeting = crate::meetings::load(state, id).await?;
        let items = current_items(&state.db, id, reader).await?;
        Ok(Agenda {
            meeting,
            version: None,
            items,
        })
    }

    /// The version a path names (`{id}`, `{letter}`); "not found" for
    /// anything else.
    pub async fn of_version(
        state: &AppState,
        reader: Reader,
        path: &(String, String),
    ) -> Result<Agenda> {
        let (meeting, mut sent, at) = versions::of_path(state, path).await?;
        let version = sent.swap_remove(at);
        let items = versions::listed(&state.db, meeting.id, &version.letter, reader)
            .await?
            .into_iter()
            .map(|l| Packed {
                number: l.number,
                title: l.title,
                kind: l.kind.label().to_string(),
                proposer: l.proposer,
                confidential: l.confidential,
                documents: l
                    .documents
                    .0
                    .into_iter()
                    .map(|d| PackedDoc {
                        id: d.id,
                        name: d.name(),
                        confidential: d.confidential,
                    })
                    .collect(),
            })
            .collect();
        Ok(Agenda {
            meeting,
            version: Some(version),
            items,
        })
    }

    /// "vergadering-12", "vergadering-12-versie-B": what the downloads are
    /// called.
    pub fn file_stem(&self) -> String {
        let version = self.version.as_ref();
        format!(
            "vergadering-{}{}",
            self.meeting.id,
            version
                .map(|v| format!("-versie-{}", v.letter))
                .unwrap_or_default()
        )
    }
}

#[derive(Debug, sqlx::FromRow)]
struct Row {
    item_id: i64,
    number: String,
    title: String,
    kind: super::ItemKind,
    proposer: String,
    confidential: bool,
    document_id: Option<i64>,
    filename: Option<String>,
    version_no: Option<i32>,
    document_confidential: Option<bool>,
}

/// The current agenda as `reader` may see it, with its documents.
async fn current_items(db: &PgPool, meeting: i64, reader: Reader) -> sqlx::Result<Vec<Packed>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT a.id AS item_id, coalesce(a.number, a.position::text) AS number, a.title, a.kind,
                {PROPOSER} AS proposer, a.confidential,
                d.id AS document_id, d.filename, d.version_no,
                d.confidential AS document_confidential
         FROM agenda_item a JOIN meeting m ON m.id = a.meeting_id
         CROSS JOIN LATERAL (SELECT (m.starts_at AT TIME ZONE 'Europe/Brussels')::date AS day) x
         LEFT JOIN document d ON d.agenda_item_id = a.id AND NOT d.superseded
              AND document_visible($2, d.confidential, a, a.body_id, x.day)
         WHERE a.meeting_id = $1 AND agenda_item_on_agenda(a)
           AND agenda_item_visible($2, a, x.day)
         ORDER BY a.position, d.id"
    ))
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
                    proposer: r.proposer,
                    confidential: r.confidential,
                    documents: Vec::new(),
                },
            ));
        }
        if let (Some(id), Some(name), Some((_, item))) =
            (r.document_id, r.filename, items.last_mut())
        {
            item.documents.push(PackedDoc {
                id,
                name: super::documents::named(&name, r.version_no.unwrap_or(1)),
                confidential: r.document_confidential.unwrap_or(false),
            });
        }
    }
    Ok(items.into_iter().map(|(_, p)| p).collect())
}

async fn current(ctx: PageCtx, State(state): State<AppState>, Id(id): Id) -> Result<Response> {
    let agenda = Agenda::current(&state, Reader::of(ctx.user.as_ref()), id).await?;
    respond(&state, &ctx, agenda).await
}

async fn of_version(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
) -> Result<Response> {
    let agenda = Agenda::of_version(&state, Reader::of(ctx.user.as_ref()), &path).await?;
    respond(&state, &ctx, agenda).await
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

async fn respond(state: &AppState, ctx: &PageCtx, agenda: Agenda) -> Result<Response> {
    let user = ctx.user.as_ref().map(|u| u.id);
    crate::audit::access(
        &state.db,
        user,
        "agenda_pack.download",
        "meeting",
        agenda.meeting.id,
        &ctx.address,
    )
    .await?;
    // Rendered before the answer starts: a failure is an error page, not
    // a broken download.
    let pdf = super::pdf::render(state, ctx.user.as_ref(), &agenda).await?;
    let files: Vec<(String, i64)> = agenda
        .items
        .iter()
        .flat_map(|item| {
            item.documents
                .iter()
                .enumerate()
                .map(|(k, d)| (entry_name(&item.number, k + 1, &d.name), d.id))
        })
        .collect();
    let (reader, writer) = tokio::io::duplex(64 * 1024);
    let db = state.db.clone();
    tokio::spawn(async move {
        if let Err(e) = write(writer, &db, pdf, files).await {
            // The client sees a broken download; the log says why.
            tracing::warn!("meeting pack: {e}");
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.zip\"", agenda.file_stem()),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::new(reader)),
    )
        .into_response())
}

/// Writes the archive: the agenda, then each document, fetched one at a
/// time (stored as they are: PDFs and most documents are compressed
/// already).
async fn write(
    writer: tokio::io::DuplexStream,
    db: &PgPool,
    agenda: Vec<u8>,
    files: Vec<(String, i64)>,
) -> anyhow::Result<()> {
    let mut zip = ZipFileWriter::with_tokio(writer);
    let entry = ZipEntryBuilder::new("00 - Agenda.pdf".to_string().into(), Compression::Stored);
    zip.write_entry_whole(entry, &agenda).await?;
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
