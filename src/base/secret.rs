//! Random secrets handed out once (one-time links, calendar links, device
//! cookies): the holder keeps the token, the database only its hash.

use base64::Engine;
use sha2::{Digest, Sha256};

/// A new token: 32 random bytes in base64url without padding (43
/// characters).
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of a token: its SHA-256 hash.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
