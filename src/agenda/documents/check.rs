//! What an upload must be: a sane file name, an allowed extension, and
//! content whose first bytes match that extension.

use crate::base::dutch;

pub const MAX_BYTES: usize = 20 * 1024 * 1024;
const MAX_NAME_CHARS: usize = 200;

const PDF: &[u8] = b"%PDF-";
const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG: &[u8] = b"\xFF\xD8\xFF";

/// The allowed extensions: the content type we serve them with and the
/// bytes they start with (`None`: plain UTF-8 text).
fn kind(ext: &str) -> Option<(&'static str, Option<&'static [u8]>)> {
    Some(match ext {
        "pdf" => ("application/pdf", Some(PDF)),
        "docx" => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Some(ZIP),
        ),
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Some(ZIP),
        ),
        "pptx" => (
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            Some(ZIP),
        ),
        "odt" => ("application/vnd.oasis.opendocument.text", Some(ZIP)),
        "ods" => ("application/vnd.oasis.opendocument.spreadsheet", Some(ZIP)),
        "doc" => ("application/msword", Some(OLE)),
        "xls" => ("application/vnd.ms-excel", Some(OLE)),
        "ppt" => ("application/vnd.ms-powerpoint", Some(OLE)),
        "png" => ("image/png", Some(PNG)),
        "jpg" | "jpeg" => ("image/jpeg", Some(JPEG)),
        "txt" => ("text/plain; charset=utf-8", None),
        _ => return None,
    })
}

pub const ALLOWED: &str = "PDF, Word (.docx, .doc), Excel (.xlsx, .xls), PowerPoint (.pptx, .ppt), OpenDocument (.odt, .ods), PNG, JPEG of tekst (.txt)";

/// The last path part of what the browser sent, without control
/// characters, at most 200 characters (the extension kept).
pub fn sanitise_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned;
    }
    match cleaned.rsplit_once('.') {
        Some((stem, ext)) if ext.chars().count() <= 10 => {
            let keep = MAX_NAME_CHARS - ext.chars().count() - 1;
            let stem: String = stem.chars().take(keep).collect();
            format!("{}.{ext}", stem.trim_end())
        }
        _ => cleaned.chars().take(MAX_NAME_CHARS).collect(),
    }
}

/// The content type to store, or the Dutch reason for refusing the file.
pub fn content_type(filename: &str, content: &[u8]) -> Result<&'static str, String> {
    if filename.is_empty() {
        return Err("Kies een bestand om toe te voegen.".to_string());
    }
    if content.is_empty() {
        return Err(format!("Het bestand „{filename}” is leeg."));
    }
    if content.len() > MAX_BYTES {
        return Err(
            "Het bestand is groter dan 20 MB. Verklein het en probeer opnieuw.".to_string(),
        );
    }
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((ct, magic)) = kind(&ext) else {
        return Err(format!(
            "Dit soort bestand is niet toegelaten. Toegelaten zijn: {ALLOWED}."
        ));
    };
    let ok = match magic {
        Some(m) => content.starts_with(m),
        None => !content.contains(&0) && std::str::from_utf8(content).is_ok(),
    };
    if ok {
        Ok(ct)
    } else {
        Err(format!(
            "De inhoud van „{filename}” past niet bij de extensie .{ext}. Controleer of u het juiste bestand koos."
        ))
    }
}

/// `Content-Disposition` for a download: an ASCII fallback and the exact
/// name in RFC 5987 / 6266 form.
pub fn content_disposition(filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in filename.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// "1,2 MB", "340 kB", "12 bytes".
pub fn human_size(bytes: i64) -> String {
    HumanSize(bytes).to_string()
}

/// A document's size as [`human_size`] says it, written straight into a
/// page (a meeting's agenda lists every document): only digits, a comma,
/// letters and a space, so a page writes it unescaped (`base::page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanSize(pub i64);

impl HumanSize {
    pub fn write_to(self, w: &mut (impl std::fmt::Write + ?Sized)) -> std::fmt::Result {
        let bytes = self.0;
        if bytes < 1024 {
            dutch::write_int(w, bytes, 1)?;
            w.write_str(" bytes")
        } else if bytes < 1024 * 1024 {
            dutch::write_int(w, (bytes + 512) / 1024, 1)?;
            w.write_str(" kB")
        } else {
            let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
            dutch::write_int(w, tenths / 10, 1)?;
            w.write_char(',')?;
            dutch::write_int(w, tenths % 10, 1)?;
            w.write_str(" MB")
        }
    }
}

impl std::fmt::Display for HumanSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.write_to(f)
    }
}

crate::base::page::written_unescaped!(HumanSize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_said_in_bytes_kilobytes_or_megabytes() {
        assert_eq!(human_size(12), "12 bytes");
        assert_eq!(human_size(340 * 1024), "340 kB");
        assert_eq!(human_size(1_258_291), "1,2 MB");
        assert_eq!(human_size(20 * 1024 * 1024), "20,0 MB");
    }

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(sanitise_filename("C:\\Users\\x\\nota.pdf"), "nota.pdf");
        assert_eq!(sanitise_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_filename("a\r\nb\u{202E}fdp.exe"), "abfdp.exe");
        assert_eq!(sanitise_filename(".htaccess"), "htaccess");
        let long = format!("{}.pdf", "x".repeat(300));
        let s = sanitise_filename(&long);
        assert_eq!(s.chars().count(), 200);
        assert!(s.ends_with(".pdf"));
    }

    #[test]
    fn extension_and_magic_bytes_must_agree() {
        assert_eq!(content_type("a.PDF", b"%PDF-1.7"), Ok("application/pdf"));
        assert!(content_type("a.pdf", PNG).is_err());
        assert!(content_type("a.exe", b"MZ").is_err());
        assert!(content_type("a.docx", b"PK\x03\x04rest").is_ok());
        assert!(content_type("a.doc", OLE).is_ok());
        assert!(content_type("a.txt", b"hallo\0").is_err());
        assert!(content_type("a.txt", b"\xff\xfe").is_err());
        assert!(content_type("a.txt", "café".as_bytes()).is_ok());
        assert!(content_type("a.pdf", b"").is_err());
        assert!(content_type("pdf", b"%PDF-").is_err());
    }

    #[test]
    fn disposition_is_safe() {
        assert_eq!(
            content_disposition("nota \"x\" é.pdf"),
            "attachment; filename=\"nota _x_ _.pdf\"; filename*=UTF-8''nota%20%22x%22%20%C3%A9.pdf"
        );
    }
}
