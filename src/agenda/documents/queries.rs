//! Documents of agenda items (and meetings): typed, bound queries. Every
//! write runs in the caller's transaction with its audit row; file contents
//! never go to the audit log.

use serde_json::json;
use sqlx::{PgConnection, PgExecutor};

use crate::audit;
use crate::auth::{CurrentUser, Reader, Role};
use crate::base::Result;
use crate::base::write::Outcome;

/// A document as listed: no content.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct DocumentLink {
    pub id: i64,
    pub agenda_item_id: Option<i64>,
    pub filename: String,
    pub size_bytes: i64,
    pub confidential: bool,
    /// 1 for the first, 2 for "bis"…
    #[serde(default = "first")]
    #[sqlx(default)]
    pub version_no: i32,
}

fn first() -> i32 {
    1
}

/// "", "bis", "ter"…: how Belgian practice numbers the versions of a
/// document after the first.
pub fn version_label(n: i32) -> String {
    const LATIN: [&str; 9] = [
        "bis",
        "ter",
        "quater",
        "quinquies",
        "sexies",
        "septies",
        "octies",
        "novies",
        "decies",
    ];
    match n {
        ..=1 => String::new(),
        n => usize::try_from(n - 2)
            .ok()
            .and_then(|i| LATIN.get(i))
            .map_or_else(|| format!("versie {n}"), |l| (*l).to_string()),
    }
}

/// An earlier version of an item's document, for its history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Earlier {
    pub id: i64,
    pub filename: String,
    pub size_bytes: i64,
    pub version_no: i32,
    pub sha256: Vec<u8>,
    pub uploaded_by: Option<String>,
    pub uploaded_at: time::OffsetDateTime,
}

/// A document's description, for the download decision.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Document {
    pub id: i64,
    pub agenda_item_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub confidential: bool,
}

/// What an upload stores.
pub struct NewDocument<'a> {
    pub agenda_item_id: i64,
    /// The current document this upload is a new version of.
    pub replaces: Option<i64>,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a [u8],
    pub content: &'a [u8],
    pub confidential: bool,
}

pub async fn for_item(db: impl PgExecutor<'_>, item: i64) -> sqlx::Result<Vec<DocumentLink>> {
    sqlx::query_as(
        "SELECT id, agenda_item_id, filename, size_bytes, confidential, version_no
         FROM document WHERE agenda_item_id = $1 AND NOT superseded ORDER BY uploaded_at, id",
    )
    .bind(item)
    .fetch_all(db)
    .await
}

/// The documents of an item that `reader` may see (`document_visible`).
pub async fn visible_for_item(
    db: impl PgExecutor<'_>,
    item: i64,
    reader: Reader,
) -> sqlx::Result<Vec<DocumentLink>> {
    sqlx::query_as(
        "SELECT d.id, d.agenda_item_id, d.filename, d.size_bytes, d.confidential, d.version_no
         FROM document d JOIN agenda_item a ON a.id = d.agenda_item_id
         LEFT JOIN meeting m ON m.id = a.meeting_id
         WHERE d.agenda_item_id = $1 AND NOT d.superseded
           AND document_visible($2, d.confidential, a, a.body_id,
                                (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)
         ORDER BY d.uploaded_at, d.id",
    )
    .bind(item)
    .bind(reader)
    .fetch_all(db)
    .await
}

/// The document, if `reader` may see it (`document_visible`).
pub async fn get_visible(
    db: impl PgExecutor<'_>,
    id: i64,
    reader: Reader,
) -> sqlx::Result<Option<Document>> {
    sqlx::query_as(
        "SELECT d.id, d.agenda_item_id, d.meeting_id, d.filename, d.content_type, d.confidential
         FROM document d
         LEFT JOIN agenda_item a ON a.id = d.agenda_item_id
         LEFT JOIN meeting m ON m.id = coalesce(a.meeting_id, d.meeting_id)
         WHERE d.id = $1
           AND document_visible($2, d.confidential, a, coalesce(a.body_id, m.body_id),
                                (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)",
    )
    .bind(id)
    .bind(reader)
    .fetch_optional(db)
    .await
}

/// The earlier versions of the item's documents that `reader` may see,
/// newest first: name, size, checksum, who uploaded them and when.
pub async fn earlier_for_item(
    db: impl PgExecutor<'_>,
    item: i64,
    reader: Reader,
) -> sqlx::Result<Vec<Earlier>> {
    sqlx::query_as(
        "SELECT d.id, d.filename, d.size_bytes, d.version_no, d.sha256,
                acc.display_name AS uploaded_by, d.uploaded_at
         FROM document d JOIN agenda_item a ON a.id = d.agenda_item_id
         LEFT JOIN meeting m ON m.id = a.meeting_id
         LEFT JOIN account acc ON acc.id = d.uploaded_by
         WHERE d.agenda_item_id = $1 AND d.superseded
           AND document_visible($2, d.confidential, a, a.body_id,
                                (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)
         ORDER BY d.uploaded_at DESC, d.id DESC",
    )
    .bind(item)
    .bind(reader)
    .fetch_all(db)
    .await
}

pub async fn exists(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM document WHERE id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}

/// The bytes, once the caller has decided they may be served.
pub async fn content(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT content FROM document WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Stores an upload; `None` when the document it would replace is not a
/// current document of the same item (nothing is stored then).
pub async fn create(
    conn: &mut PgConnection,
    actor: i64,
    doc: &NewDocument<'_>,
) -> sqlx::Result<Option<i64>> {
    let size = i64::try_from(doc.content.len()).unwrap_or(i64::MAX);
    // A new version: the one it replaces becomes history (the same item's,
    // still current; else nothing is stored).
    let (version_no, first): (i32, Option<i64>) = match doc.replaces {
        None => (1, None),
        Some(old) => {
            let replaced: Option<(i32, i64)> = sqlx::query_as(
                "UPDATE document SET superseded = true
                 WHERE id = $1 AND agenda_item_id = $2 AND NOT superseded
                 RETURNING version_no, coalesce(first_id, id)",
            )
            .bind(old)
            .bind(doc.agenda_item_id)
            .fetch_optional(&mut *conn)
            .await?;
            match replaced {
                Some((n, first)) => (n + 1, Some(first)),
                None => return Ok(None),
            }
        }
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO document (agenda_item_id, filename, content_type, size_bytes, sha256,
                               content, confidential, uploaded_by, replaces_id, version_no,
                               first_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(doc.agenda_item_id)
    .bind(doc.filename)
    .bind(doc.content_type)
    .bind(size)
    .bind(doc.sha256)
    .bind(doc.content)
    .bind(doc.confidential)
    .bind(actor)
    .bind(doc.replaces)
    .bind(version_no)
    .bind(first)
    .fetch_one(&mut *conn)
    .await?;
    let sha: String = doc.sha256.iter().map(|b| format!("{b:02x}")).collect();
    audit::Entry::new("document.upload", "document", id)
        .after(json!({
            "agenda_item_id": doc.agenda_item_id,
            "filename": doc.filename,
            "content_type": doc.content_type,
            "size_bytes": size,
            "sha256": sha,
            "confidential": doc.confidential,
            "replaces": doc.replaces,
            "version_no": version_no,
        }))
        .write(conn, actor)
        .await?;
    Ok(Some(id))
}

/// Adds an upload to its item: stale when the item was taken into review
/// since the page was loaded (the secretariat may add at any time).
pub async fn add_to_item(
    conn: &mut PgConnection,
    user: &CurrentUser,
    doc: &NewDocument<'_>,
) -> Result<Outcome<i64>> {
    let status = crate::agenda::queries::lock_status(&mut *conn, doc.agenda_item_id).await?;
    let still_open = user.role == Role::Secretariat
        || status.is_some_and(crate::agenda::queries::ItemStatus::is_open_to_proposer);
    if !still_open {
        return Ok(Outcome::Stale);
    }
    Ok(match create(conn, user.id, doc).await? {
        Some(id) => Outcome::Done(id),
        None => Outcome::refused(
            "replaces",
            "Kies een document van dit agendapunt om te vervangen, of laat het veld leeg.",
        ),
    })
}
