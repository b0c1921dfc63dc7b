//! Extractors every area's handlers take instead of parsing by hand.

use std::str::FromStr;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::{Deserialize, Deserializer};

use super::AppState;
use super::error::AppError;
use crate::auth::{CurrentUser, Viewer};

/// The signed-in user who acts. The route's permission has let them in;
/// without one (a route open to all that writes) the answer is "forbidden".
#[derive(Debug, Clone)]
pub struct Actor(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .and_then(|v| v.0.clone())
            .map(Actor)
            .ok_or(AppError::Forbidden)
    }
}

/// The record's id from a path with one parameter (`/vergaderingen/{id}`):
/// anything that is not an id is a record that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        parse_id(&raw).map(Id)
    }
}

/// An id from a path segment: anything else is "not found".
pub fn parse_id(raw: &str) -> Result<i64, AppError> {
    i64::from_str(raw.trim()).map_err(|_| AppError::NotFound)
}

/// The version a form was loaded with (its hidden `version` field). A
/// missing or garbled one matches no record, so the write is stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version(pub i32);

impl Default for Version {
    fn default() -> Self {
        Version(-1)
    }
}

impl Version {
    pub fn parse(raw: &str) -> Self {
        Version(raw.trim().parse().unwrap_or(-1))
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Version::parse(&String::deserialize(d)?))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The client's address, for throttling and the audit log. Behind a reverse
/// proxy (`--trust-proxy`), the last address the proxy added to
/// X-Forwarded-For; otherwise the peer of the connection. Never the client's
/// own claim.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl ClientAddr {
    pub fn of(parts: &Parts, trust_proxy: bool) -> Self {
        let forwarded = trust_proxy
            .then(|| {
                parts
                    .headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .map(str::trim)
                    .rfind(|a| a.parse::<std::net::IpAddr>().is_ok())
                    .map(str::to_string)
            })
            .flatten();
        let peer = || {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "onbekend".to_string())
        };
        ClientAddr(forwarded.unwrap_or_else(peer))
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr::of(parts, state.config.trust_proxy))
    }
}
