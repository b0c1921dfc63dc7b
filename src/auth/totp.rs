//! Time-based one-time passwords (RFC 6238, via totp-rs) and recovery codes.
//! Time is a parameter everywhere, so that tests can fix the clock.

use base64::Engine;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Totp};

pub const ISSUER: &str = "VESOC";
const RECOVERY_CODES: usize = 10;
/// No 0/O, 1/l/I: codes are typed from paper.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// 160 random bits, as RFC 4226 recommends.
pub fn new_secret() -> Vec<u8> {
    rand::random::<[u8; 20]>().to_vec()
}

fn totp(secret: &[u8], account: &str) -> anyhow::Result<Totp> {
    Builder::new()
        .with_secret(secret.to_vec())
        // a colon would split the label in authenticator apps
        .with_account_name(account.replace(':', " "))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|e| anyhow::anyhow!("totp: {e:?}"))
}

/// The time step of a valid code at `now` (one step of skew either way),
/// if it is later than `last_step`: each code is accepted once.
pub fn verify(secret: &[u8], code: &str, now: u64, last_step: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let step = totp(secret, "x").ok()?.check(&code, now)?;
    let step = i64::try_from(step).ok()?;
    (step > last_step).then_some(step)
}

/// The code an authenticator app shows at `now` (for tests and checks).
pub fn code_at(secret: &[u8], now: u64) -> String {
    totp(secret, "x")
        .map(|t| t.generate(now).to_string())
        .unwrap_or_default()
}

pub fn now() -> u64 {
    u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

/// The secret as people type it into an app.
pub fn base32(secret: &[u8]) -> String {
    totp_rs::Secret::from(secret.to_vec()).to_base32()
}

/// The otpauth:// link as a QR code, as an SVG data URL for an <img>: no
/// inline markup needed, and the CSP allows data: images.
pub fn qr_data_url(secret: &[u8], account: &str) -> anyhow::Result<String> {
    let url = totp(secret, account)?
        .to_url()
        .map_err(|e| anyhow::anyhow!("otpauth: {e:?}"))?;
    let code = qrcode::QrCode::new(url.as_bytes())?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..12)
                .map(|_| {
                    let i = usize::from(rand::random::<u8>()) % RECOVERY_ALPHABET.len();
                    char::from(RECOVERY_ALPHABET[i])
                })
                .collect();
            format!(
                "{}-{}-{}",
                chars[..4].iter().collect::<String>(),
                chars[4..8].iter().collect::<String>(),
                chars[8..].iter().collect::<String>()
            )
        })
        .collect()
}

/// Recovery codes are random enough that a plain hash suffices; typing
/// variants (case, spaces, dashes) hash the same.
pub fn hash_recovery_code(code: &str) -> Vec<u8> {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(normal.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B, SHA-1, truncated to 6 digits.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_follow_rfc_6238() {
        assert_eq!(code_at(RFC_SECRET, 59), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109), "081804");
        assert_eq!(code_at(RFC_SECRET, 1_234_567_890), "005924");
        assert_eq!(code_at(RFC_SECRET, 2_000_000_000), "279037");
    }

    #[test]
    fn a_code_is_valid_one_step_either_way_and_only_once() {
        let t = 1_234_567_890;
        let code = code_at(RFC_SECRET, t);
        let step = verify(RFC_SECRET, &code, t, 0).expect("valid now");
        assert_eq!(step, 41_152_263);
        assert!(verify(RFC_SECRET, &code, t + 30, 0).is_some(), "30 s later");
        assert!(verify(RFC_SECRET, &code, t + 90, 0).is_none(), "90 s later");
        assert!(verify(RFC_SECRET, &code, t, step).is_none(), "replayed");
        assert!(
            verify(RFC_SECRET, "005 924", t, 0).is_some(),
            "spaces are fine"
        );
        assert!(verify(RFC_SECRET, "00592", t, 0).is_none());
        assert!(verify(RFC_SECRET, "abcdef", t, 0).is_none());
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_the_same_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert_eq!(
            hash_recovery_code("abcd-efgh-jkmn"),
            hash_recovery_code("ABCD EFGH JKMN")
        );
    }

    #[test]
    fn the_qr_code_is_an_svg_data_url() {
        let url = qr_data_url(RFC_SECRET, "a@b.be").expect("qr");
        assert!(url.starts_with("data:image/svg+xml;base64,"));
    }
}
