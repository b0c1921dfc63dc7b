//! Two reference routes for `scripts/bench.sh`, registered only with
//! `--bench-routes` / `VESOC_BENCH_ROUTES=true` (never in production).
//! They go through the same layers as every page (sessions, viewer, CSRF,
//! error pages, security headers), so a page's throughput divided by theirs
//! shows what the page itself costs:
//!
//! - `/bench/hello`: a static answer, no database;
//! - `/bench/query`: one trivial query through the pool.
//!
//! The authorization test walks [`crate::app::route_table`], which never
//! includes them.

use axum::extract::State;

use crate::auth::access::{Access, Routes};
use crate::base::AppState;
use crate::base::error::Result;

pub fn routes() -> Routes {
    Routes::new()
        .get("/bench/hello", Access::Public, hello)
        .get("/bench/query", Access::Public, one_query)
}

async fn hello() -> &'static str {
    "hello"
}

async fn one_query(State(state): State<AppState>) -> Result<String> {
    let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&state.db).await?;
    Ok(format!("hello {one}"))
}
