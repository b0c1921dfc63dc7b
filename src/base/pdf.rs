//! PDF documents, rendered on the server by typst used as a library: real
//! text (tagged, so it can be searched, copied and read aloud), the
//! language set (Dutch, Belgium), and bookmarks from the headings.
//!
//! A document is a typst template (`templates/pdf/`) and its data. The data
//! go in as one JSON text (`sys.inputs.data`) that the template decodes and
//! reads field by field: a user's text stays a string value in typst, shown
//! as text and never parsed as markup or code, so a title such as
//! `#panic("x")` is printed, not run. Templates import the house style,
//! `/vesoc.typ` (page, letterhead, language), which this module serves; typst
//! reads nothing else: no files, no packages, no system fonts.
//!
//! The fonts (Libertinus Serif, SIL Open Font License, in
//! `templates/pdf/fonts/`) are part of the binary and parsed once. Rendering
//! is CPU work of a few milliseconds: [`render`] runs it on the blocking pool.

use std::sync::LazyLock;

use anyhow::anyhow;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, Duration, IntoValue, Smart, Str};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::base::error::Result;

/// A typst template: its name (for its file id and error messages) and its
/// source, compiled into the binary (`include_str!`).
#[derive(Debug)]
pub struct Template {
    pub name: &'static str,
    pub source: &'static str,
}

/// The house style every template imports as `/vesoc.typ`.
const HOUSE: Template = Template {
    name: "vesoc.typ",
    source: include_str!("../../templates/pdf/vesoc.typ"),
};

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let files: [&'static [u8]; 3] = [
        include_bytes!("../../templates/pdf/fonts/LibertinusSerif-Regular.otf"),
        include_bytes!("../../templates/pdf/fonts/LibertinusSerif-Bold.otf"),
        include_bytes!("../../templates/pdf/fonts/LibertinusSerif-Italic.otf"),
    ];
    let fonts: Vec<Font> = files
        .into_iter()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// Renders `template` with `data` into a PDF, on the blocking pool. A
/// failure (a template error, a panic in typst) is an internal error: the
/// reader gets the error page, the log the reason.
pub async fn render<T: Serialize>(template: &'static Template, data: &T) -> Result<Vec<u8>> {
    let json = serde_json::to_string(data).map_err(anyhow::Error::from)?;
    let pdf = tokio::task::spawn_blocking(move || render_blocking(template, json))
        .await
        .map_err(|e| anyhow!("PDF {}: {e}", template.name))??;
    Ok(pdf)
}

/// A rendered PDF as the answer to a download: shown in the browser's
/// viewer (`inline`) under `filename`, never kept by a cache (what it holds
/// depends on who asked).
pub fn inline(pdf: Vec<u8>, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        pdf,
    )
        .into_response()
}

/// Renders `template` with the JSON text `data`. Blocking: see [`render`].
pub fn render_blocking(template: &Template, data: String) -> anyhow::Result<Vec<u8>> {
    let mut inputs = Dict::new();
    inputs.insert("data".into(), Str::from(data).into_value());
    let world = Documents {
        library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
        main: source(template)?,
        house: source(&HOUSE)?,
    };
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| failed(template, &errors))?;
    let options = typst_pdf::PdfOptions {
        creator: Smart::Custom(Some("vesoc".into())),
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| failed(template, &errors))?;
    // typst memoizes what it computed; keep only what the last few
    // documents used, or a long-running server would keep them all.
    typst::comemo::evict(10);
    Ok(pdf)
}

fn failed(template: &Template, errors: &[SourceDiagnostic]) -> anyhow::Error {
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    anyhow!("PDF {}: {}", template.name, messages.join("; "))
}

fn source(template: &Template) -> anyhow::Result<Source> {
    let path = VirtualPath::new(format!("/{}", template.name))
        .map_err(|e| anyhow!("PDF {}: {e:?}", template.name))?;
    let id = RootedPath::new(VirtualRoot::Project, path).intern();
    Ok(Source::new(id, template.source.to_string()))
}

/// What typst may see while it renders one document: the standard library
/// with the data, the template, the house style and the fonts.
struct Documents {
    library: LazyHash<Library>,
    main: Source,
    house: Source,
}

impl World for Documents {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        [&self.main, &self.house]
            .into_iter()
            .find(|s| s.id() == id)
            .cloned()
            .ok_or(FileError::AccessDenied)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.source(id).map(Bytes::from_string)
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    /// No date: what a document says of time comes with its data.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// A text in paragraphs: split at blank lines; a single line break stays
/// one (typst breaks the line at it).
pub fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// "Kennisgenomen": a label at the start of a sentence.
pub fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST: Template = Template {
        name: "test.typ",
        source: r#"#import "/vesoc.typ": house
#let data = json(bytes(sys.inputs.data))
#show: house.with(title: data.title, footer: data.title)
#outline(title: "Inhoud")
#heading(level: 1, data.title)
#data.body
"#,
    };

    fn text_of(pdf: &[u8]) -> String {
        let file = std::env::temp_dir().join(format!("vesoc-pdf-{}.pdf", uuid::Uuid::new_v4()));
        std::fs::write(&file, pdf).expect("write the PDF");
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&file)
            .arg("-")
            .output()
            .expect("pdftotext (Debian's poppler-utils) is needed: apt-get install poppler-utils");
        std::fs::remove_file(&file).ok();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn user_text_is_printed_as_text_never_run_as_markup() {
        let title = r#"#panic("x") ] *a* $b$ <c> @d"#;
        let data = serde_json::json!({ "title": title, "body": "_schuin_ #lorem(3) \\ `code`" });
        let pdf = render_blocking(&TEST, data.to_string()).expect("a PDF");
        assert!(pdf.starts_with(b"%PDF-"));
        let text = text_of(&pdf);
        assert!(text.contains(title), "{text}");
        assert!(text.contains("_schuin_ #lorem(3) \\ `code`"), "{text}");
        assert!(text.contains("VESOC · Vlaams Economisch Sociaal Overlegcomité"));
        assert!(text.contains("Pagina 1 van 1"), "{text}");
        // The language, the title and the bookmarks are in the catalog.
        let raw = String::from_utf8_lossy(&pdf);
        assert!(raw.contains("/Lang(nl-BE)"), "no /Lang");
        assert!(raw.contains("/Outlines"), "no bookmarks");
    }

    #[test]
    fn a_broken_template_is_an_error_not_a_panic() {
        let broken = Template {
            name: "broken.typ",
            source: "#let data = json(bytes(sys.inputs.data))\n#data.missing",
        };
        let error = render_blocking(&broken, "{}".into()).expect_err("an error");
        assert!(error.to_string().contains("broken.typ"), "{error}");
        // No file outside the templates can be read.
        let reads = Template {
            name: "reads.typ",
            source: r#"#read("/etc/passwd")"#,
        };
        assert!(render_blocking(&reads, "{}".into()).is_err());
    }

    #[test]
    fn paragraphs_split_at_blank_lines_only() {
        let text = "Eerste alinea,\r\nnog steeds.\r\n\r\n\r\n  Tweede.  \n\n";
        assert_eq!(
            paragraphs(text),
            vec![
                "Eerste alinea,\nnog steeds.".to_string(),
                "Tweede.".to_string()
            ]
        );
        assert!(paragraphs("  \n\n ").is_empty());
        assert_eq!(capitalized("kennisgenomen"), "Kennisgenomen");
    }
}
