//! CSV downloads (the composition, the yearly overview): UTF-8, `;`
//! separated, text cells defused against formulas.

use axum::response::{IntoResponse, Response};

/// One cell of a CSV line. Text is always defused; a number is written as
/// it is, so that a genuine negative number stays a number (only an `i64`
/// can be one: its text is digits after an optional `-`, never a formula).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(i64),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n)
    }
}

impl From<i32> for Cell {
    fn from(n: i32) -> Self {
        Cell::Number(n.into())
    }
}

/// What a spreadsheet may read as the start of a formula (OWASP, CSV
/// injection), or strip before reading one: `=`, `+`, `-`, `@`, a tab, a
/// carriage return, NUL.
const FORMULA_START: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\0'];

/// One CSV text field: quoted, quotes doubled, and a leading formula
/// character defused with a `'`, so that a spreadsheet never reads a name
/// or a title as a formula.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(FORMULA_START) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// One CSV number field, quoted like the text fields.
pub fn number(n: i64) -> String {
    format!("\"{n}\"")
}

/// One line: semicolon-separated (as Belgian spreadsheets expect), CRLF.
pub fn line(out: &mut String, cells: &[Cell]) {
    let line: Vec<String> = cells
        .iter()
        .map(|c| match c {
            Cell::Text(s) => field(s),
            Cell::Number(n) => number(*n),
        })
        .collect();
    out.push_str(&line.join(";"));
    out.push_str("\r\n");
}

/// `body` as a CSV download named `filename` (ours, never user input:
/// slugs, dates and years only).
pub fn download(filename: &str, body: String) -> super::error::Result<Response> {
    let disposition = format!("attachment; filename=\"{filename}\"");
    let disposition = axum::http::HeaderValue::from_str(&disposition).map_err(|e| {
        super::error::AppError::Internal(anyhow::anyhow!("content-disposition: {e}"))
    })?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("Jan"), "\"Jan\"");
        assert_eq!(field("a;b"), "\"a;b\"");
        assert_eq!(field("a \"b\""), "\"a \"\"b\"\"\"");
        assert_eq!(field("zeg \"ja\""), "\"zeg \"\"ja\"\"\"");
        assert_eq!(field("=1+1"), "\"'=1+1\"");
    }

    #[test]
    fn csv_text_starting_like_a_formula_is_defused() {
        for (text, written) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+32 2 209 01 11", "\"'+32 2 209 01 11\""),
            ("-2+3+cmd|' /C calc'!A0", "\"'-2+3+cmd|' /C calc'!A0\""),
            ("@SUM(A1:A9)", "\"'@SUM(A1:A9)\""),
            ("\t=1", "\"'\t=1\""),
            ("\r=1", "\"'\r=1\""),
            ("\0=1", "\"'\0=1\""),
            // Text that merely looks like a negative number is text too.
            ("-5", "\"'-5\""),
        ] {
            assert_eq!(field(text), written, "{text:?}");
        }
        // Inside, or after another first character, nothing to defuse.
        for text in [
            "Jan = Piet",
            "a+b",
            "e-mail",
            "jan@serv.be",
            " =1",
            "'=1",
            "5",
        ] {
            assert_eq!(field(text), format!("\"{text}\""), "{text:?}");
        }
    }

    #[test]
    fn csv_numbers_are_written_as_numbers() {
        let mut out = String::new();
        line(
            &mut out,
            &[
                Cell::from("-3"),
                Cell::from(-3_i64),
                Cell::from(0_i64),
                Cell::from(2021_i32),
                Cell::from(String::from("=A1")),
            ],
        );
        assert_eq!(out, "\"'-3\";\"-3\";\"0\";\"2021\";\"'=A1\"\r\n");
    }
}
