//! What the forms that prove who one is (the password at sign-in, the code
//! step, the current password on the account pages) take from the request,
//! and the steps they share: a password counted and checked by the
//! throttle, and the end of a complete sign-in.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use sqlx::PgConnection;
use tower_sessions::Session;
use uuid::Uuid;

use super::queries;
use super::throttle::{self, Attempter, Checked, Counted, DeviceCookie, Outcome};
use crate::auth::{CurrentUser, csrf};
use crate::base::error::Result;
use crate::base::{AppState, ClientAddr, PageCtx};

/// The page's context, the state, the session, and where the attempt comes
/// from: the client's address and the browser's device cookie, which the
/// throttle counts by.
pub struct Prover {
    pub ctx: PageCtx,
    pub state: AppState,
    pub session: Session,
    pub address: String,
    pub device: DeviceCookie,
}

impl FromRequestParts<AppState> for Prover {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> std::result::Result<Self, Response> {
        let Ok(ctx) = PageCtx::from_request_parts(parts, state).await;
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Ok(ClientAddr(address)) = ClientAddr::from_request_parts(parts, state).await;
        let Ok(device) = DeviceCookie::from_request_parts(parts, state).await;
        Ok(Prover {
            ctx,
            state: state.clone(),
            session,
            address,
            device,
        })
    }
}

impl Prover {
    /// Who tries `login` from here; `pending` is the password step a code
    /// belongs to.
    pub fn attempter<'a>(&'a self, login: &'a str, pending: Option<Uuid>) -> Attempter<'a> {
        Attempter {
            login,
            address: &self.address,
            device: &self.device,
            pending,
        }
    }

    /// The session's CSRF token, for a page with a form.
    pub async fn csrf(&self) -> Result<String> {
        csrf::token(&self.session).await
    }

    /// A password typed for `login`: [`throttle::check_password`] from here.
    pub async fn check_password(
        &self,
        login: &str,
        typed: &str,
        stored: impl Future<Output = sqlx::Result<Option<String>>>,
        account_id: Option<i64>,
        failed: Outcome,
    ) -> Result<Checked> {
        let who = self.attempter(login, None);
        throttle::check_password(&self.state.db, &who, typed, stored, account_id, failed).await
    }

    /// The signed-in user's current password, typed to confirm a change to
    /// their own account: guessing it in someone else's open session counts
    /// like guessing it at sign-in. A wrong one is settled as `failed`.
    pub async fn check_current_password(
        &self,
        user: &CurrentUser,
        typed: &str,
        failed: Outcome,
    ) -> Result<Checked> {
        let stored = queries::password_hash(&self.state.db, user.id);
        self.check_password(&user.email, typed, stored, Some(user.id), failed)
            .await
    }

    /// [`throttle::settle`] for `account_id`, from here.
    pub async fn settle(
        &self,
        conn: &mut PgConnection,
        attempt: &Counted,
        account_id: i64,
        outcome: Outcome,
    ) -> sqlx::Result<()> {
        throttle::settle(conn, attempt, Some(account_id), &self.address, outcome).await
    }

    /// The end of a complete sign-in: the session starts (renewed) and the
    /// browser goes on to `to`, with its device cookie set or renewed.
    pub async fn signed_in(
        &self,
        account_id: i64,
        stamp: Uuid,
        to: &str,
        device_token: &str,
    ) -> Result<Response> {
        let response = super::go_on(&self.session, account_id, stamp, to).await?;
        let secure = self.state.config.secure_cookies;
        Ok(throttle::with_device_cookie(response, device_token, secure))
    }
}
