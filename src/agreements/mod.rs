//! Agreements: public pages for published agreements; drafts only for
//! signed-in users.

pub mod queries;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use crate::app::AppState;
use crate::auth::access::{Access, Routes};
use crate::composition::queries::Side;
use crate::error::{AppError, Result};
use crate::web::{self, PageCtx};
use queries::{Agreement, Commitment, Goal, Signatory};

pub fn routes() -> Routes {
    Routes::new().get("/akkoorden", Access::Public, list).get(
        "/akkoorden/{slug}",
        Access::Public,
        show,
    )
}

#[derive(Template)]
#[template(path = "agreements/list.html")]
struct ListPage {
    ctx: PageCtx,
    agreements: Vec<Agreement>,
}

async fn list(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let agreements = queries::list(&state.db, ctx.user.is_some()).await?;
    Ok(web::render(&ListPage { ctx, agreements }))
}

/// One node of the action-line tree, flattened for the template: after a
/// node with children a list opens; after a leaf, `closes` lists close.
pub struct TreeNode {
    pub id: i64,
    pub label: String,
    pub title: String,
    pub depth: usize,
    pub has_children: bool,
    pub closes: usize,
}

/// Turns the depth-first rows into nodes that know how to nest.
pub fn flatten_tree(rows: Vec<queries::ActionLineRow>) -> Vec<TreeNode> {
    let mut depth_of = std::collections::HashMap::new();
    let mut nodes: Vec<TreeNode> = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let depth = row
            .parent_id
            .and_then(|p| depth_of.get(&p).map(|d| d + 1))
            .unwrap_or(0);
        depth_of.insert(row.id, depth);
        let next_depth = rows.get(i + 1).map(|n| {
            n.parent_id
                .and_then(|p| depth_of.get(&p).map(|d| d + 1))
                .unwrap_or(0)
        });
        let has_children = rows.get(i + 1).is_some_and(|n| n.parent_id == Some(row.id));
        let closes = if has_children {
            0
        } else {
            depth - next_depth.unwrap_or(0).min(depth)
        };
        nodes.push(TreeNode {
            id: row.id,
            label: row.label.clone(),
            title: row.title.clone(),
            depth,
            has_children,
            closes,
        });
    }
    nodes
}

#[derive(Template)]
#[template(path = "agreements/show.html")]
struct ShowPage {
    ctx: PageCtx,
    agreement: Agreement,
    commitments: Vec<Commitment>,
    goals: Vec<Goal>,
    lines: Vec<TreeNode>,
    government: Vec<Signatory>,
    social_partners: Vec<Signatory>,
}

async fn show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response> {
    let agreement = queries::by_slug(&state.db, &slug)
        .await?
        .filter(|a| a.published || ctx.user.is_some())
        .ok_or(AppError::NotFound)?;
    let commitments = queries::commitments(&state.db, agreement.id).await?;
    let goals = queries::goals(&state.db, agreement.id).await?;
    let lines = flatten_tree(queries::action_lines(&state.db, agreement.id).await?);
    let (government, social_partners) = queries::signatories(&state.db, agreement.id)
        .await?
        .into_iter()
        .partition(|s| s.side == Side::Government);
    Ok(web::render(&ShowPage {
        ctx,
        agreement,
        commitments,
        goals,
        lines,
        government,
        social_partners,
    }))
}

impl Agreement {
    pub fn period(&self) -> Option<String> {
        match (self.period_from, self.period_until) {
            (Some(f), Some(u)) => Some(format!("{f}–{u}")),
            (Some(f), None) => Some(format!("vanaf {f}")),
            _ => None,
        }
    }

    pub fn concluded_label(&self) -> String {
        match self.concluded_on {
            Some(d) => web::nl_date(d),
            None => "niet vermeld in het document".to_string(),
        }
    }
}

impl Goal {
    /// "120.000 Vlamingen extra aan het werk"
    pub fn target(&self) -> Option<String> {
        let value = self.target_value.as_deref()?;
        let unit = self.target_unit.as_deref().unwrap_or_default();
        let value = web::nl_number(value);
        Some(if unit.starts_with('%') {
            format!("{value}{unit}")
        } else {
            format!("{value} {unit}")
        })
    }
}
