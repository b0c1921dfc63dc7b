//! Health endpoints for load balancers and process supervisors.

use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::access::{Access, Routes};
use crate::base::AppState;

pub fn routes() -> Routes {
    Routes::new().get("/health/live", Access::Public, live).get(
        "/health/ready",
        Access::Public,
        ready,
    )
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// The process answers: nothing else is checked.
async fn live() -> Response {
    plain(StatusCode::OK, "ok\n")
}

/// The database answers too, within a second.
async fn ready(State(state): State<AppState>) -> Response {
    let check = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.db);
    match tokio::time::timeout(Duration::from_secs(1), check).await {
        Ok(Ok(_)) => plain(StatusCode::OK, "ok\n"),
        _ => plain(StatusCode::SERVICE_UNAVAILABLE, "databank onbereikbaar\n"),
    }
}
