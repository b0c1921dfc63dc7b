//! Permissions are data, in one place: every route is registered through
//! [`Routes`] with the [`Access`] it needs, and that decision is enforced by a
//! layer on the route itself. There is no other way to add a route, so no
//! route can be added without a decision; the authorization test walks
//! [`Routes::table`].

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use crate::auth::{Role, Viewer};
use crate::base::AppState;
use crate::base::error::AppError;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everyone, signed in or not.
    Public,
    /// Only visitors who are not signed in (the sign-in form).
    Anonymous,
    /// Every signed-in account.
    SignedIn,
    /// Signed-in accounts with one of these roles.
    Roles(&'static [Role]),
}

/// The role sets of the table in `design.md`.
pub const ADMIN: Access = Access::Roles(&[Role::Admin]);
pub const SECRETARIAT: Access = Access::Roles(&[Role::Secretariat]);
pub const PROPOSERS: Access =
    Access::Roles(&[Role::SocialPartner, Role::Cabinet, Role::Secretariat]);
pub const FOLLOW_UP: Access = Access::Roles(&[Role::Cabinet, Role::Secretariat]);

/// What a role (or an anonymous visitor) gets from a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    SignIn,
    Forbid,
    /// Signed-in users asking for the sign-in form go home.
    GoHome,
}

impl Access {
    pub fn decide(self, role: Option<Role>) -> Decision {
        match (self, role) {
            (Access::Public, _) => Decision::Allow,
            (Access::Anonymous, None) => Decision::Allow,
            (Access::Anonymous, Some(_)) => Decision::GoHome,
            (_, None) => Decision::SignIn,
            (Access::SignedIn, Some(_)) => Decision::Allow,
            (Access::Roles(roles), Some(r)) if roles.contains(&r) => Decision::Allow,
            (Access::Roles(_), Some(_)) => Decision::Forbid,
        }
    }
}

impl Access {
    /// Why a role outside the route's roles is refused, in Dutch: who the
    /// page is for ("Deze pagina is voor kabinetten en het secretariaat.").
    pub fn refusal(self) -> Option<String> {
        let Access::Roles(roles) = self else {
            return None;
        };
        let names: Vec<&str> = roles.iter().map(|r| for_whom(*r)).collect();
        let whom = match names.split_last() {
            None => return None,
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} en {last}", rest.join(", ")),
        };
        Some(format!("Deze pagina is voor {whom}."))
    }
}

/// Who a role is, as a group ("voor …").
fn for_whom(role: Role) -> &'static str {
    match role {
        Role::Admin => "beheerders",
        Role::Secretariat => "het secretariaat",
        Role::Cabinet => "kabinetten",
        Role::SocialPartner => "sociale partners",
    }
}

/// What the refused user can do: see with which account they are signed in.
fn signed_in_as(role: Role) -> String {
    let account = match role {
        Role::Admin => "een beheerdersaccount",
        Role::Secretariat => "een account van het secretariaat",
        Role::Cabinet => "een kabinetsaccount",
        Role::SocialPartner => "een account van een sociale partner",
    };
    format!(
        "U bent aangemeld met {account}. Hebt u deze pagina nodig voor uw werk, vraag dan de beheerder bij de SERV om een account met die rol."
    )
}

async fn enforce(State(access): State<Access>, req: Request, next: Next) -> Response {
    let role = req.extensions().get::<Viewer>().and_then(Viewer::role);
    match access.decide(role) {
        Decision::Allow => next.run(req).await,
        Decision::GoHome => axum::response::Redirect::to("/").into_response(),
        Decision::Forbid => {
            tracing::warn!(path = %req.uri().path(), ?role, "permission refused");
            match (access.refusal(), role) {
                (Some(reason), Some(role)) => {
                    AppError::forbidden(format!("{reason} {}", signed_in_as(role))).into_response()
                }
                _ => AppError::Forbidden.into_response(),
            }
        }
        Decision::SignIn => {
            // After sign-in, a GET goes back to where the visitor was; a POST
            // cannot be replayed, so it goes back to the referring page or home.
            let return_to = if req.method() == Method::GET {
                req.uri()
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default()
            } else {
                "/".to_string()
            };
            AppError::SignInRequired { return_to }.into_response()
        }
    }
}

/// One registered route: method, path pattern, and who may use it.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// A router that records the permission decision of every route.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteSpec>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Routes {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, access, get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, access, post(handler))
    }

    /// A POST route whose request body may be larger than the global limit
    /// (uploads). The limit applies to this route only.
    pub fn post_with_limit<H, T>(
        self,
        path: &'static str,
        access: Access,
        limit: usize,
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let route = post(handler).layer(DefaultBodyLimit::max(limit));
        self.add(Method::POST, path, access, route)
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        route: MethodRouter<AppState>,
    ) -> Self {
        let guarded = route.route_layer(middleware::from_fn_with_state(access, enforce));
        self.router = self.router.route(path, guarded);
        self.table.push(RouteSpec {
            method,
            path,
            access,
        });
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    pub fn table(&self) -> &[RouteSpec] {
        &self.table
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_says_who_the_page_is_for() {
        assert_eq!(
            SECRETARIAT.refusal().as_deref(),
            Some("Deze pagina is voor het secretariaat.")
        );
        assert_eq!(
            ADMIN.refusal().as_deref(),
            Some("Deze pagina is voor beheerders.")
        );
        assert_eq!(
            FOLLOW_UP.refusal().as_deref(),
            Some("Deze pagina is voor kabinetten en het secretariaat.")
        );
        assert_eq!(
            PROPOSERS.refusal().as_deref(),
            Some("Deze pagina is voor sociale partners, kabinetten en het secretariaat.")
        );
        assert_eq!(Access::SignedIn.refusal(), None);
    }
}
