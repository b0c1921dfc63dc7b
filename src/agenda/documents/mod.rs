//! Documents of agenda items: uploaded by whoever may edit the item,
//! listed on the item page and the meeting page and downloaded as
//! attachments by exactly those the rule `document_visible` lets see them
//! (docs/access.md). Every download, and every refused one, is in the audit
//! log.
//!
//! The CSRF token of an upload is the form's first part: the CSRF middleware
//! reads the body up to it and refuses a wrong one before any file is read.

pub mod check;
pub mod queries;

pub use check::HumanSize;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use crate::agenda::queries::AgendaItem;
use crate::audit;
use crate::auth::access::{Access, PROPOSERS, Routes};
use crate::auth::{CurrentUser, Reader, Role};
use crate::base::error::{AppError, Result};
use crate::base::write::{self, Outcome};
use crate::base::{Actor, AppState, FieldErrors, Id, PageCtx};
pub use queries::DocumentLink;

/// The request body of an upload may be somewhat larger than the 20 MB a
/// file may be: the rest of the form and the multipart framing.
const UPLOAD_BODY_LIMIT: usize = 25 * 1024 * 1024;

pub fn routes() -> Routes {
    Routes::new()
        .post_with_limit(
            "/agendapunten/{id}/documenten",
            PROPOSERS,
            UPLOAD_BODY_LIMIT,
            upload,
        )
        .get("/documenten/{id}", Access::Public, download)
}

impl DocumentLink {
    pub fn size(&self) -> HumanSize {
        HumanSize(self.size_bytes)
    }

    /// "nota.pdf", "nota.pdf (bis)"…
    pub fn name(&self) -> String {
        named(&self.filename, self.version_no)
    }
}

/// A document's name with its version's label after the first.
pub fn named(filename: &str, version_no: i32) -> String {
    match queries::version_label(version_no) {
        label if label.is_empty() => filename.to_string(),
        label => format!("{filename} ({label})"),
    }
}

impl queries::Earlier {
    pub fn name(&self) -> String {
        named(&self.filename, self.version_no)
    }

    pub fn size(&self) -> HumanSize {
        HumanSize(self.size_bytes)
    }

    /// The first 12 hexadecimal digits of its SHA-256.
    pub fn checksum(&self) -> String {
        self.sha256
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub fn uploaded(&self) -> String {
        crate::base::dutch::nl_datetime(self.uploaded_at)
    }
}

/// What a refused upload brings back to the item page: the message (on
/// the field "document") and the checkbox.
#[derive(Debug, Default)]
pub struct DocumentInput {
    pub errors: FieldErrors,
    pub confidential: bool,
    /// The document the upload is a new version of, as chosen ("" none).
    pub replaces: String,
}

impl DocumentInput {
    fn refuse(&mut self, message: impl Into<String>) {
        self.errors.add("document", message);
    }
}

/// The proposer while the item is open to them, the secretariat always.
pub fn may_add(user: &CurrentUser, item: &AgendaItem) -> bool {
    user.role == Role::Secretariat
        || (item.status.is_open_to_proposer() && crate::agenda::owns(user, item))
}

enum Received {
    File { name: String, bytes: Vec<u8> },
    TooLarge,
    Unreadable,
    Nothing,
}

async fn upload(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
    Id(id): Id,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<Response> {
    let item = crate::agenda::load_visible(&state, &ctx, id).await?;
    let mut input = DocumentInput::default();
    if !may_add(&user, &item) {
        input.refuse(format!(
            "Dit agendapunt is {}: u kunt er geen documenten meer aan toevoegen.",
            item.status.label()
        ));
        return refuse(&state, ctx, item, input, StatusCode::CONFLICT).await;
    }
    let received = match multipart {
        Ok(m) => read_form(m, &mut input).await,
        Err(_) => Received::Unreadable,
    };
    let (name, bytes) = match received {
        Received::File { name, bytes } => (name, bytes),
        Received::Nothing => (String::new(), Vec::new()),
        Received::TooLarge => {
            input.refuse("Het bestand is groter dan 20 MB. Verklein het en probeer opnieuw.");
            return refuse(&state, ctx, item, input, StatusCode::PAYLOAD_TOO_LARGE).await;
        }
        Received::Unreadable => {
            input.refuse(
                "Het formulier kon niet gelezen worden. Kies het bestand opnieuw en probeer nog eens.",
            );
            return refuse(&state, ctx, item, input, StatusCode::BAD_REQUEST).await;
        }
    };
    let content_type = match check::content_type(&name, &bytes) {
        Ok(ct) => ct,
        Err(message) => {
            input.refuse(message);
            return refuse(&state, ctx, item, input, StatusCode::BAD_REQUEST).await;
        }
    };
    let replaces = match input.replaces.trim() {
        "" => None,
        typed => match typed.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                input.errors.add(
                    "replaces",
                    "Kies een document van dit agendapunt om te vervangen, of laat het veld leeg.",
                );
                return refuse(&state, ctx, item, input, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        },
    };
    let sha = Sha256::digest(&bytes);
    let doc = queries::NewDocument {
        agenda_item_id: item.id,
        replaces,
        filename: &name,
        content_type,
        sha256: sha.as_slice(),
        content: &bytes,
        confidential: input.confidential,
    };
    let outcome = write::run(&state.db, async |tx| {
        queries::add_to_item(tx, &user, &doc).await
    })
    .await?;
    match outcome {
        Outcome::Done(doc) => {
            let to = format!("/agendapunten/{}?melding=document&document={doc}", item.id);
            Ok(Redirect::to(&to).into_response())
        }
        Outcome::Refused(errors) => {
            input.errors = errors;
            refuse(&state, ctx, item, input, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Outcome::Stale => {
            input.refuse(
                "Dit agendapunt werd intussen in behandeling genomen: u kunt er geen documenten meer aan toevoegen.",
            );
            refuse(&state, ctx, item, input, StatusCode::CONFLICT).await
        }
    }
}

/// Reads the form: the checkbox and the file, the file at most 20 MB (what
/// comes after that is not read).
async fn read_form(mut form: Multipart, input: &mut DocumentInput) -> Received {
    let mut received = Received::Nothing;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return received,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Received::TooLarge,
            Err(_) => return Received::Unreadable,
        };
        match field.name() {
            Some("confidential") => input.confidential = true,
            Some("replaces") => input.replaces = field.text().await.unwrap_or_default(),
            Some("document") => {
                let name = check::sanitise_filename(field.file_name().unwrap_or_default());
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            if bytes.len() + chunk.len() > check::MAX_BYTES {
                                return Received::TooLarge;
                            }
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                            return Received::TooLarge;
                        }
                        Err(_) => return Received::Unreadable,
                    }
                }
                received = Received::File { name, bytes };
            }
            // The CSRF token (checked already) and anything else: skipped.
            _ => {}
        }
    }
}

async fn refuse(
    state: &AppState,
    ctx: PageCtx,
    item: AgendaItem,
    input: DocumentInput,
    status: StatusCode,
) -> Result<Response> {
    let review = crate::agenda::ReviewInput::default();
    let after = Default::default();
    crate::agenda::item_page(state, ctx, item, after, review, input, status).await
}

async fn download(ctx: PageCtx, State(state): State<AppState>, Id(id): Id) -> Result<Response> {
    let reader = Reader::of(ctx.user.as_ref());
    let account = ctx.user.as_ref().map(|u| u.id);
    let from = ctx.address.clone();
    let Some(doc) = queries::get_visible(&state.db, id, reader).await? else {
        // Unknown or not for this reader: the same answer, so ids tell
        // nothing; a refusal of an existing document is recorded.
        if !queries::exists(&state.db, id).await? {
            return Err(AppError::NotFound);
        }
        tracing::warn!(document = id, ?account, "document refused");
        audit::access(
            &state.db,
            account,
            "document.refused",
            "document",
            id,
            &from,
        )
        .await?;
        // A visitor may see more once signed in (a member's link, say).
        return Err(match account {
            None => AppError::SignInRequired {
                return_to: format!("/documenten/{id}"),
            },
            Some(_) => AppError::NotFound,
        });
    };
    audit::access(
        &state.db,
        account,
        "document.download",
        "document",
        doc.id,
        &from,
    )
    .await?;
    let content = queries::content(&state.db, doc.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let value = |s: &str| HeaderValue::from_str(s).map_err(|e| AppError::Internal(e.into()));
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, value(&doc.content_type)?);
    headers.insert(
        header::CONTENT_DISPOSITION,
        value(&check::content_disposition(&doc.filename))?,
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
