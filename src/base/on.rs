//! What a handler that acts on a record starts from, so that handlers take
//! one extractor instead of the same five: the page's context, who acts,
//! the state and the record the path names (a meeting, an agenda item, a
//! body, a person…), each kind loading itself ([`Named`]).

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use super::error::{AppError, Result};
use super::{Actor, AppState, PageCtx};
use crate::auth::CurrentUser;

/// A page on the record its path names (`()` for none): the page's
/// context, who acts, the state and the record. A record that does not
/// exist, or that the user may not see, is "not found".
pub struct On<R> {
    pub ctx: PageCtx,
    pub actor: CurrentUser,
    pub state: AppState,
    pub record: R,
}

/// A record a path names, by the path's parameters in their order; `ctx`
/// says who asks (for records whose visibility depends on it).
pub trait Named: Sized {
    fn load(
        state: &AppState,
        ctx: &PageCtx,
        path: &[String],
    ) -> impl Future<Output = Result<Self>> + Send;
}

/// The path's `n`-th parameter; missing, it names nothing.
pub fn param(path: &[String], n: usize) -> &str {
    path.get(n).map_or("", String::as_str)
}

impl Named for () {
    async fn load(_: &AppState, _: &PageCtx, _: &[String]) -> Result<()> {
        Ok(())
    }
}

impl<R: Named> FromRequestParts<AppState> for On<R> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let Ok(ctx) = PageCtx::from_request_parts(parts, state).await;
        let Actor(actor) = Actor::from_request_parts(parts, state).await?;
        // No parameters (a new record) or unreadable ones: none.
        let path: Vec<String> = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map(|Path(params)| params.into_iter().map(|(_, value)| value).collect())
            .unwrap_or_default();
        Ok(On {
            record: R::load(state, &ctx, &path).await?,
            state: state.clone(),
            ctx,
            actor,
        })
    }
}
