//! Agreements: public pages for published agreements; drafts only for
//! signed-in users.

pub mod action_lines;
pub mod agreement;
pub mod chart;
mod editor;
pub mod follow_up;
pub mod goals;
pub mod queries;
pub mod signatories;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;

use crate::auth::access::{Access, FOLLOW_UP, Routes, SECRETARIAT};
use crate::auth::{CurrentUser, Reader, Role};
use crate::base::AppState;
use crate::base::error::{AppError, Result};
use crate::base::{PageCtx, dutch, page};
use crate::cache::stored::Kind;
use crate::composition::Side;
use chart::Chart;
pub use queries::Agreement;
pub use queries::follow_up::FollowUpStatus;
use queries::follow_up::{FollowUpEntry, Measurement};
use queries::{Commitment, Discussion, Goal, Signatory};

pub fn routes() -> Routes {
    Routes::new()
        .get("/akkoorden", Access::Public, list)
        .get("/akkoorden/{slug}", Access::Public, show)
        // the editor, part by part
        .merge(agreement::routes())
        .merge(goals::routes())
        .merge(action_lines::routes())
        .merge(signatories::routes())
        // follow-up
        .get(
            "/opvolging/actielijnen/{line}",
            FOLLOW_UP,
            follow_up::line_form,
        )
        .post(
            "/opvolging/actielijnen/{line}",
            FOLLOW_UP,
            follow_up::create_entry,
        )
        .get(
            "/opvolging/doelstellingen/{goal}",
            SECRETARIAT,
            follow_up::goal_form,
        )
        .post(
            "/opvolging/doelstellingen/{goal}",
            SECRETARIAT,
            follow_up::create_measurement,
        )
}

#[derive(Template)]
#[template(path = "agreements/list.html")]
struct ListPage {
    ctx: PageCtx,
    agreements: Vec<Agreement>,
}

async fn list(ctx: PageCtx, State(state): State<AppState>) -> Result<Response> {
    let agreements = queries::list(&state.db, Reader::of(ctx.user.as_ref())).await?;
    Ok(page::render(&ListPage { ctx, agreements }))
}

/// One node of the action-line tree, flattened for the template: after a
/// node with children a list opens; after a leaf, `closes` lists close.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct TreeNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub label: String,
    pub title: String,
    pub depth: usize,
    pub has_children: bool,
    pub closes: usize,
    /// First and last among its siblings: no "up" or "down" button there.
    pub first: bool,
    pub last: bool,
    /// Competences set on this line (the editor shows them).
    pub competences: Vec<String>,
    /// This line or one above it has a competence: some cabinet can follow
    /// it up (set by the editor, see [`mark_linked`]).
    pub linked: bool,
    /// Its follow-up, newest first.
    pub history: History,
    /// Whether the viewer may add follow-up here.
    pub may_follow_up: bool,
    /// The action points that feed this line, with their notes (those the
    /// viewer may see).
    pub action_points: Vec<crate::actions::LinePoint>,
}

impl TreeNode {
    pub fn latest(&self) -> Option<&Latest> {
        self.history.latest.as_ref()
    }
}

/// A line's newest follow-up, for its badge: its status and day.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Latest {
    pub status: FollowUpStatus,
    #[serde(with = "dutch::day")]
    pub recorded_on: time::Date,
}

impl Latest {
    pub fn date(&self) -> dutch::NlDate {
        dutch::NlDate(self.recorded_on)
    }
}

/// A line's follow-up as the agreement page shows it: how many entries,
/// the newest (its badge) and the list, rendered when the page's model is
/// built. Writing a hundred entries from their fields on every request,
/// and decoding them first, was a third of the page's own CPU read back
/// cold (docs/performance.md, session 11); they change only with the
/// model.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct History {
    pub count: usize,
    pub latest: Option<Latest>,
    pub list: page::Rendered,
}

/// The entries of one line, as `agreements/history.html` writes them.
#[derive(Template)]
#[template(path = "agreements/history.html")]
struct HistoryList<'a> {
    entries: &'a [FollowUpEntry],
}

/// Turns the depth-first rows into nodes that know how to nest.
pub fn flatten_tree(rows: Vec<queries::action_lines::ActionLineRow>) -> Vec<TreeNode> {
    let mut depth_of = std::collections::HashMap::new();
    let mut remaining: std::collections::HashMap<Option<i64>, usize> =
        std::collections::HashMap::new();
    for row in &rows {
        *remaining.entry(row.parent_id).or_default() += 1;
    }
    let mut seen: std::collections::HashMap<Option<i64>, usize> = std::collections::HashMap::new();
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
        let index = seen.entry(row.parent_id).or_default();
        let first = *index == 0;
        *index += 1;
        let last = *index == remaining.get(&row.parent_id).copied().unwrap_or(0);
        nodes.push(TreeNode {
            id: row.id,
            parent_id: row.parent_id,
            label: row.label.clone(),
            title: row.title.clone(),
            depth,
            has_children,
            closes,
            first,
            last,
            competences: Vec::new(),
            linked: false,
            history: History::default(),
            may_follow_up: false,
            action_points: Vec::new(),
        });
    }
    nodes
}

/// Marks the lines that have a competence, themselves or through a line
/// above them: the others no cabinet can follow up. The nodes come parents
/// first, as [`flatten_tree`] makes them.
pub fn mark_linked(nodes: &mut [TreeNode]) {
    let mut linked = std::collections::HashSet::new();
    for n in nodes {
        n.linked = !n.competences.is_empty() || n.parent_id.is_some_and(|p| linked.contains(&p));
        if n.linked {
            linked.insert(n.id);
        }
    }
}

/// The agreements `reader` may see, newest first: the choices of an agenda
/// item's "concerns agreement" field.
pub async fn visible(
    db: impl sqlx::PgExecutor<'_>,
    reader: Reader,
) -> sqlx::Result<Vec<Agreement>> {
    queries::list(db, reader).await
}

/// The action lines of each agreement `reader` may see, depth-first, as
/// (agreement title, [(line id, "label title")]): what an action point can
/// feed.
pub async fn line_choices(
    db: &sqlx::PgPool,
    reader: Reader,
) -> sqlx::Result<Vec<(String, Vec<(i64, String)>)>> {
    let mut groups = Vec::new();
    for a in queries::list(db, reader).await? {
        let lines = queries::action_lines::action_lines(db, a.id).await?;
        if !lines.is_empty() {
            let named = lines
                .into_iter()
                .map(|l| (l.id, format!("{} {}", l.label, l.title).trim().to_string()))
                .collect();
            groups.push((a.text.title, named));
        }
    }
    Ok(groups)
}

/// The agreement an agenda item concerns, if `reader` may see it.
pub async fn visible_by_id(
    db: impl sqlx::PgExecutor<'_>,
    id: i64,
    reader: Reader,
) -> sqlx::Result<Option<Agreement>> {
    queries::visible_by_id(db, id, reader).await
}

#[derive(Template)]
#[template(path = "agreements/show.html")]
struct ShowPage<'a> {
    ctx: &'a PageCtx,
    title: &'a str,
    content: Content<'a>,
}

/// An agreement's page without its layout (`agreements/content.html`).
#[derive(Template)]
#[template(path = "agreements/content.html")]
struct ShowContent<'a> {
    /// Read for who is signed in only: see [`PublicView`].
    ctx: &'a PageCtx,
    agreement: &'a Agreement,
    commitments: &'a [Commitment],
    goals: &'a [GoalView],
    lines: &'a [TreeNode],
    government: &'a [Signatory],
    social_partners: &'a [Signatory],
    /// Why a cabinet can follow up none of the lines, when it cannot.
    no_follow_up: Option<String>,
    /// The agenda items that dealt with it, those the reader may see.
    discussions: &'a [Discussion],
    /// The lines the viewer may follow up: `None` for all of them.
    allowed: Option<Vec<i64>>,
}

impl ShowContent<'_> {
    /// Whether the viewer may add follow-up to line `n`.
    fn may_follow_up(&self, n: &TreeNode) -> bool {
        self.allowed.as_deref().is_none_or(|a| a.contains(&n.id))
    }
}

/// The content of the page: rendered for this request, or kept in the
/// public model.
enum Content<'a> {
    Now(ShowContent<'a>),
    Kept(&'a page::Rendered),
}

impl askama::FastWritable for Content<'_> {
    fn write_into(
        &self,
        dest: &mut dyn std::fmt::Write,
        values: &dyn askama::Values,
    ) -> askama::Result<()> {
        match self {
            Content::Now(content) => content.render_into_with_values(dest, values),
            Content::Kept(kept) => kept.write_into(dest, values),
        }
    }
}

impl std::fmt::Display for Content<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        askama::FastWritable::write_into(self, f, &()).map_err(|_| std::fmt::Error)
    }
}

// Both are our templates' output, escaped where they wrote values.
impl askama::filters::HtmlSafe for Content<'_> {}

/// An agreement's page as a kind of reader sees it, built once per change
/// and kept (`Cache::data`; for the public, rendered into a [`PublicView`]
/// and stored): the tree, its follow-up and the goals' charts were rebuilt,
/// and all of it cloned, on every request.
#[derive(serde::Serialize, serde::Deserialize)]
struct AgreementView {
    agreement: Agreement,
    commitments: Vec<Commitment>,
    goals: Vec<GoalView>,
    lines: Vec<TreeNode>,
    government: Vec<Signatory>,
    social_partners: Vec<Signatory>,
    discussions: Vec<Discussion>,
}

/// The public's agreement page, kept as its read model (`Cache::stored`):
/// the content rendered when the model is built, for a visitor who is not
/// signed in. Read back, a page is one copy: decoding the view and
/// rendering it were two thirds of vesoc's work for a cold page
/// (callgrind, docs/performance.md "Session 13").
#[derive(serde::Serialize, serde::Deserialize)]
struct PublicView {
    title: String,
    content: page::Rendered,
}

impl PublicView {
    fn of(view: &AgreementView) -> Result<PublicView> {
        let ctx = PageCtx::default();
        let content = page::Rendered::of(&view.content(&ctx, Some(Vec::new()), None))?;
        Ok(PublicView {
            title: view.agreement.text.title.clone(),
            content,
        })
    }
}

impl AgreementView {
    fn content<'a>(
        &'a self,
        ctx: &'a PageCtx,
        allowed: Option<Vec<i64>>,
        no_follow_up: Option<String>,
    ) -> ShowContent<'a> {
        ShowContent {
            ctx,
            agreement: &self.agreement,
            commitments: &self.commitments,
            goals: &self.goals,
            lines: &self.lines,
            government: &self.government,
            social_partners: &self.social_partners,
            no_follow_up,
            discussions: &self.discussions,
            allowed,
        }
    }
}

/// The public agreement page's read model. Which agenda items and action
/// points the public sees moves with the clock (an embargo ending).
pub static AGREEMENT: Kind = Kind {
    name: "agreement",
    tables: &[
        "account",
        "action_line",
        "action_point",
        "action_point_note",
        "agenda_item",
        "agreement",
        "agreement_commitment",
        "body",
        "follow_up",
        "goal",
        "goal_measurement",
        "meeting",
        "organisation",
        "person",
        "signatory",
    ],
    clock: true,
    most: None,
};

async fn show(
    ctx: PageCtx,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response> {
    let reader = Reader::of(ctx.user.as_ref());
    // Built in a box of its own when it runs: the page's future, moved on
    // every request, would otherwise hold the build's queries, and copying
    // it was a twentieth of a page read back from its stored model
    // (callgrind). An unknown agreement is an error, and errors are not
    // kept.
    let read = async { Box::pin(read_view(&state, &slug, reader)).await };
    if !reader.signed_in {
        let build = async { PublicView::of(&read.await?) };
        let kept = state
            .cache
            .stored(&state.db, &AGREEMENT, slug.clone(), build)
            .await?;
        return Ok(page::render(&ShowPage {
            ctx: &ctx,
            title: &kept.title,
            content: Content::Kept(&kept.content),
        }));
    }
    // Kept in memory until the next change, per reader: the agenda items
    // that dealt with it and the action points that feed its lines follow
    // the items' rule (a confidential one for its body's members), so the
    // key is the whole reader, today included (a handful of kinds of
    // readers).
    let key = format!("agreement {slug} {reader:?}");
    let view = state.cache.data(key, read).await?;
    let allowed = follow_up_lines(&state, ctx.user.as_ref(), view.agreement.id).await?;
    let no_follow_up = match (&ctx.user, allowed.as_deref()) {
        (Some(u), Some([])) if u.role == Role::Cabinet && !view.lines.is_empty() => {
            Some(no_line_within_competence(u.minister_name.as_deref()))
        }
        _ => None,
    };
    Ok(page::render(&ShowPage {
        ctx: &ctx,
        title: &view.agreement.text.title,
        content: Content::Now(view.content(&ctx, allowed, no_follow_up)),
    }))
}

/// The agreement's page as `reader` sees it, read from its tables.
async fn read_view(state: &AppState, slug: &str, reader: Reader) -> Result<AgreementView> {
    let page = queries::page_by_slug(&state.db, slug, reader)
        .await?
        .ok_or(AppError::NotFound)?;
    // Side by side: after a write every waiting request waits for this
    // build, so its time is everybody's.
    let (lines, follow_ups) = tokio::try_join!(
        queries::action_lines::action_lines(&state.db, page.agreement.id),
        queries::follow_up::follow_ups(&state.db, page.agreement.id),
    )?;
    // The points that feed its lines, as the reader may see them (their
    // items' rule): asked only when there are any.
    let mut points = if lines.iter().any(|l| l.has_points) {
        crate::actions::on_lines(&state.db, Some(page.agreement.id), None, reader).await?
    } else {
        Vec::new()
    };
    let mut lines = flatten_tree(lines);
    attach_follow_up(&mut lines, follow_ups, Some(&[]))?;
    for n in &mut lines {
        let (here, rest) = points.into_iter().partition(|p| p.action_line_id == n.id);
        n.action_points = here;
        points = rest;
    }
    let (government, social_partners) = page
        .signatories
        .0
        .into_iter()
        .partition(|s| s.side == Side::Government);
    Ok(AgreementView {
        goals: goal_views(page.goals.0, page.measurements.0)?,
        commitments: page.commitments.0,
        discussions: page.discussions.0,
        agreement: page.agreement,
        lines,
        government,
        social_partners,
    })
}

/// What a cabinet reads when none of an agreement's lines is within its
/// minister's competences.
fn no_line_within_competence(minister: Option<&str>) -> String {
    let minister = minister.map_or_else(|| "uw minister".to_string(), |m| format!("minister {m}"));
    format!(
        "U kunt bij dit akkoord geen opvolging geven: geen enkele actielijn is gekoppeld aan de \
         bevoegdheden van {minister} vandaag. Het secretariaat koppelt actielijnen aan \
         bevoegdheden in de akkoordeditor: vraag het secretariaat de actielijnen te koppelen die \
         onder uw minister vallen."
    )
}

/// A goal with its measured values and their chart. Kept as
/// [`StoredGoal`]: a [`Goal`] flattens its fields, which only
/// self-describing formats (JSON) read back.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(into = "StoredGoal", from = "StoredGoal")]
pub struct GoalView {
    pub goal: Goal,
    pub measurements: Vec<Measurement>,
    /// Its chart, rendered when the model is built (`agreements/chart.html`):
    /// a few hundred coordinates written on every request were a twentieth
    /// of the page read back cold.
    pub chart: Option<page::Rendered>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredGoal {
    id: i64,
    position: i32,
    fields: queries::goals::GoalFields,
    measurements: Vec<Measurement>,
    chart: Option<page::Rendered>,
}

impl From<GoalView> for StoredGoal {
    fn from(g: GoalView) -> Self {
        StoredGoal {
            id: g.goal.id,
            position: g.goal.position,
            fields: g.goal.fields,
            measurements: g.measurements,
            chart: g.chart,
        }
    }
}

impl From<StoredGoal> for GoalView {
    fn from(g: StoredGoal) -> Self {
        GoalView {
            goal: Goal {
                id: g.id,
                position: g.position,
                fields: g.fields,
            },
            measurements: g.measurements,
            chart: g.chart,
        }
    }
}

fn goal_views(goals: Vec<Goal>, measurements: Vec<Measurement>) -> Result<Vec<GoalView>> {
    goals
        .into_iter()
        .map(|goal| {
            let measurements: Vec<Measurement> = measurements
                .iter()
                .filter(|m| m.goal_id == goal.id)
                .cloned()
                .collect();
            let chart = Chart::for_goal(&goal.fields, &measurements)
                .map(|c| page::Rendered::of(&ChartSvg { g: &goal, c: &c }))
                .transpose()?;
            Ok(GoalView {
                goal,
                measurements,
                chart,
            })
        })
        .collect()
}

/// A goal's chart, as `agreements/chart.html` draws it.
#[derive(Template)]
#[template(path = "agreements/chart.html")]
struct ChartSvg<'a> {
    g: &'a Goal,
    c: &'a Chart,
}

/// The lines on which the viewer may record follow-up: `None` for all of
/// them (the secretariat), the lines within the minister's competences for
/// a cabinet, none for anyone else.
pub async fn follow_up_lines(
    state: &AppState,
    user: Option<&CurrentUser>,
    agreement: i64,
) -> Result<Option<Vec<i64>>> {
    Ok(match user {
        Some(u) if u.role == Role::Secretariat => None,
        Some(CurrentUser {
            role: Role::Cabinet,
            minister_id: Some(m),
            ..
        }) => Some(
            queries::follow_up::lines_within_competence(&state.db, agreement, *m, dutch::today())
                .await?,
        ),
        _ => Some(Vec::new()),
    })
}

/// Hangs each line's follow-up entries (newest first) on its node.
pub fn attach_follow_up(
    nodes: &mut [TreeNode],
    entries: Vec<FollowUpEntry>,
    allowed: Option<&[i64]>,
) -> Result<()> {
    let mut by_line: std::collections::HashMap<i64, Vec<FollowUpEntry>> =
        std::collections::HashMap::new();
    for e in entries {
        by_line.entry(e.action_line_id).or_default().push(e);
    }
    for n in nodes {
        let entries = by_line.remove(&n.id).unwrap_or_default();
        n.history = History {
            count: entries.len(),
            list: page::Rendered::of(&HistoryList { entries: &entries })?,
            latest: entries.first().map(|e| Latest {
                status: e.status,
                recorded_on: e.recorded_on,
            }),
        };
        n.may_follow_up = allowed.is_none_or(|a| a.contains(&n.id));
    }
    Ok(())
}

impl FollowUpEntry {
    pub fn date(&self) -> dutch::NlDate {
        dutch::NlDate(self.recorded_on)
    }
}

impl Discussion {
    pub fn when(&self) -> String {
        dutch::nl_datetime(self.starts_at)
    }
}

impl Measurement {
    pub fn date(&self) -> dutch::NlDate {
        dutch::NlDate(self.measured_on)
    }

    pub fn shown(&self) -> dutch::NlNumber<'_> {
        dutch::NlNumber(&self.value_text)
    }
}

impl queries::AgreementText {
    pub fn period(&self) -> Option<String> {
        match (self.period_from, self.period_until) {
            (Some(f), Some(u)) => Some(format!("{f}–{u}")),
            (Some(f), None) => Some(format!("vanaf {f}")),
            _ => None,
        }
    }

    pub fn concluded_label(&self) -> String {
        match self.concluded_on {
            Some(d) => dutch::nl_date(d),
            None => "niet vermeld in het document".to_string(),
        }
    }
}

impl queries::goals::GoalFields {
    pub fn baseline(&self) -> Option<String> {
        let value = dutch::nl_number(self.baseline_value.as_deref()?);
        Some(match self.baseline_on {
            Some(d) => format!("{value} (op {})", dutch::nl_date(d)),
            None => value,
        })
    }

    pub fn deadline_label(&self) -> Option<dutch::NlDate> {
        self.deadline.map(dutch::NlDate)
    }

    /// "120.000 Vlamingen extra aan het werk"
    pub fn target(&self) -> Option<String> {
        let value = self.target_value.as_deref()?;
        let unit = self.target_unit.as_deref().unwrap_or_default();
        let value = dutch::nl_number(value);
        Some(if unit.starts_with('%') {
            format!("{value}{unit}")
        } else {
            format!("{value} {unit}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::FollowUpStatus;

    /// The agreement page writes the statuses' codes and labels with
    /// `|safe`: they must hold nothing HTML reads as markup.
    #[test]
    fn statuses_need_no_escaping() {
        for s in FollowUpStatus::ALL {
            for text in [s.code(), s.label()] {
                assert!(!text.contains(['<', '>', '&', '"', '\'']), "{text}");
            }
        }
    }
}
