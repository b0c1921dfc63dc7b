//! Action points: reading them as a reader may see them
//! (`action_point_visible`, the rule of their agenda item), and the
//! operations that change them. Every operation validates what needs the
//! database, writes, adds its dated note and audits in the caller's
//! transaction; the audit rows carry no text (a confidential item's point
//! is not for administrators, who read the log).

use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use time::{Date, OffsetDateTime};

use crate::audit;
use crate::auth::Reader;
use crate::base::write::{Constraint, Outcome, on_constraint};
use crate::base::{Result, Version, dutch};
use crate::mail::Site;

crate::coded! {
    pub enum Status: "action_point_status" {
        Open => ("open", "open"),
        Done => ("done", "uitgevoerd"),
        Dropped => ("dropped", "geschrapt"),
    }
}

crate::coded! {
    /// What a dated note did besides being a note.
    pub enum Step: "action_point_step" {
        Note => ("note", "notitie"),
        ReportedDone => ("reported_done", "gemeld als uitgevoerd"),
        Confirmed => ("confirmed", "uitvoering bevestigd"),
        Dropped => ("dropped", "geschrapt"),
        Reopened => ("reopened", "heropend"),
    }
}

/// An action point as its pages show it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, Deserialize)]
pub struct ActionPoint {
    pub id: i64,
    pub agenda_item_id: i64,
    pub item_title: String,
    pub item_number: Option<String>,
    pub body_id: i64,
    pub body_name: String,
    pub meeting_id: Option<i64>,
    pub meeting_starts_at: Option<OffsetDateTime>,
    pub what: String,
    pub assignee_organisation_id: Option<i64>,
    pub assignee_minister_id: Option<i64>,
    pub assignee_secretariat: bool,
    /// "ACV", "kabinet Hilde Crevits", "het secretariaat".
    pub assignee: String,
    pub due_on: Date,
    pub status: Status,
    pub reported_done_at: Option<OffsetDateTime>,
    pub reported_by: Option<String>,
    pub closed_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub action_line_id: Option<i64>,
    /// The action line it feeds and its agreement, if the reader may see
    /// the agreement.
    pub action_line: Option<String>,
    pub agreement_slug: Option<String>,
    pub agreement_title: Option<String>,
    pub version: i32,
    /// Open, and its due date has passed (the reader's today).
    pub overdue: bool,
    /// The reader acts for the assignee (`action_point_assigned`).
    pub assigned_to_reader: bool,
}

/// `$1` is always the reader.
const SELECT: &str = "SELECT p.id, p.agenda_item_id, a.title AS item_title,
        coalesce(a.number, a.position::text) AS item_number, a.body_id, b.name AS body_name,
        a.meeting_id, m.starts_at AS meeting_starts_at, p.what,
        p.assignee_organisation_id, p.assignee_minister_id, p.assignee_secretariat,
        CASE WHEN p.assignee_secretariat THEN 'het secretariaat'
             WHEN p.assignee_minister_id IS NOT NULL
                  THEN 'kabinet ' || mp.given_name || ' ' || mp.family_name
             ELSE o.short_name END AS assignee,
        p.due_on, p.status, p.reported_done_at, rb.display_name AS reported_by, p.closed_at,
        p.created_at, p.action_line_id,
        CASE WHEN agreement_visible($1, ag.status) THEN trim(l.label || ' ' || l.title) END
            AS action_line,
        CASE WHEN agreement_visible($1, ag.status) THEN ag.slug END AS agreement_slug,
        CASE WHEN agreement_visible($1, ag.status) THEN ag.title END AS agreement_title,
        p.version,
        p.status = 'open' AND p.due_on < ($1::reader).today AS overdue,
        action_point_assigned($1, p) AS assigned_to_reader
    FROM action_point p
    JOIN agenda_item a ON a.id = p.agenda_item_id
    JOIN body b ON b.id = a.body_id
    LEFT JOIN meeting m ON m.id = a.meeting_id
    LEFT JOIN organisation o ON o.id = p.assignee_organisation_id
    LEFT JOIN person mp ON mp.id = p.assignee_minister_id
    LEFT JOIN account rb ON rb.id = p.reported_done_by
    LEFT JOIN action_line l ON l.id = p.action_line_id
    LEFT JOIN agreement ag ON ag.id = l.agreement_id";

/// The one rule, bound to the reader `$1`.
const VISIBLE: &str =
    "action_point_visible($1, a, (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)";

/// The point, if `reader` may see it.
pub async fn get_visible(
    db: impl PgExecutor<'_>,
    id: i64,
    reader: Reader,
) -> sqlx::Result<Option<ActionPoint>> {
    sqlx::query_as(&format!("{SELECT} WHERE p.id = $2 AND {VISIBLE}"))
        .bind(reader)
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn exists(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM action_point WHERE id = $1)")
        .bind(id)
        .fetch_one(db)
        .await
}

crate::coded! {
    /// Which points a list shows.
    pub enum Filter {
        Open => ("open", "open"),
        Overdue => ("te-laat", "te laat"),
        Reported => ("gemeld", "gemeld als uitgevoerd, te bevestigen"),
        All => ("alle", "alle"),
    }
}

/// The points `reader` may see: all of them (`assigned_only` false, the
/// secretariat's list) or those assigned to the reader ("Onze
/// actiepunten"), as `filter` says; open ones first, by due date.
pub async fn list(
    db: impl PgExecutor<'_>,
    reader: Reader,
    assigned_only: bool,
    filter: Filter,
) -> sqlx::Result<Vec<ActionPoint>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE {VISIBLE} AND (NOT $2 OR action_point_assigned($1, p))
           AND CASE $3
                 WHEN 'open' THEN p.status = 'open'
                 WHEN 'te-laat' THEN p.status = 'open' AND p.due_on < ($1::reader).today
                 WHEN 'gemeld' THEN p.status = 'open' AND p.reported_done_at IS NOT NULL
                 ELSE true END
         ORDER BY p.status <> 'open', p.due_on, p.id"
    ))
    .bind(reader)
    .bind(assigned_only)
    .bind(filter.code())
    .fetch_all(db)
    .await
}

/// The points that come from agenda item `item`, oldest first.
pub async fn of_item(
    db: impl PgExecutor<'_>,
    item: i64,
    reader: Reader,
) -> sqlx::Result<Vec<ActionPoint>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE p.agenda_item_id = $2 AND {VISIBLE} ORDER BY p.id"
    ))
    .bind(reader)
    .bind(item)
    .fetch_all(db)
    .await
}

/// The points of the items `items` `reader` may see, by item: one query
/// for a page that lists many items (the minutes).
pub async fn of_items(
    db: impl PgExecutor<'_>,
    items: &[i64],
    reader: Reader,
) -> sqlx::Result<Vec<ActionPoint>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE p.agenda_item_id = ANY($2) AND {VISIBLE} ORDER BY p.agenda_item_id, p.id"
    ))
    .bind(reader)
    .bind(items)
    .fetch_all(db)
    .await
}

/// The open points of body `body` that come from its meetings before
/// `before` (the day of the meeting whose agenda shows them), those
/// `reader` may see, by due date, the overdue ones marked: the standing
/// item "Opvolging actiepunten" of the agenda builder, the meeting page and
/// the convocation.
pub async fn open_for_body(
    db: impl PgExecutor<'_>,
    body: i64,
    reader: Reader,
    before: Date,
) -> sqlx::Result<Vec<ActionPoint>> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE a.body_id = $2 AND p.status = 'open'
           AND (m.starts_at AT TIME ZONE 'Europe/Brussels')::date < $3 AND {VISIBLE}
         ORDER BY p.due_on, p.id"
    ))
    .bind(reader)
    .bind(body)
    .bind(before)
    .fetch_all(db)
    .await
}

/// A dated note.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, Deserialize)]
pub struct Note {
    pub step: Step,
    pub text: String,
    /// Who wrote it, and for whom they act.
    pub who: String,
    #[serde(with = "dutch::day")]
    pub day: Date,
}

/// Who wrote note `n` (of `account acc`), as the notes show it.
const WHO: &str = "coalesce(acc.display_name
            || coalesce(' (' || CASE WHEN acc.role = 'secretariat' THEN 'secretariaat'
                                     WHEN acc.minister_id IS NOT NULL
                                          THEN 'kabinet ' || km.given_name || ' ' || km.family_name
                                     ELSE ko.short_name END || ')', ''), '')";

/// The notes of point `point`, oldest first.
pub async fn notes(db: impl PgExecutor<'_>, point: i64) -> sqlx::Result<Vec<Note>> {
    sqlx::query_as(&format!(
        "SELECT n.step, n.text, {WHO} AS who, (n.at AT TIME ZONE 'Europe/Brussels')::date AS day
         FROM action_point_note n
         LEFT JOIN account acc ON acc.id = n.account_id
         LEFT JOIN organisation ko ON ko.id = acc.organisation_id
         LEFT JOIN person km ON km.id = acc.minister_id
         WHERE n.action_point_id = $1 ORDER BY n.at, n.id"
    ))
    .bind(point)
    .fetch_all(db)
    .await
}

/// An action point that feeds an action line, with its notes: what the
/// line's follow-up shows of it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, Deserialize)]
pub struct LinePoint {
    pub id: i64,
    pub action_line_id: i64,
    pub what: String,
    pub assignee: String,
    pub due_on: Date,
    pub status: Status,
    pub notes: Json<Vec<Note>>,
}

/// The points `reader` may see that feed the action lines of agreement
/// `agreement` (or only line `line`), with their notes, in one query: the
/// lines' follow-up.
pub async fn on_lines(
    db: impl PgExecutor<'_>,
    agreement: Option<i64>,
    line: Option<i64>,
    reader: Reader,
) -> sqlx::Result<Vec<LinePoint>> {
    sqlx::query_as(&format!(
        "SELECT p.id, p.action_line_id, p.what,
                CASE WHEN p.assignee_secretariat THEN 'het secretariaat'
                     WHEN p.assignee_minister_id IS NOT NULL
                          THEN 'kabinet ' || mp.given_name || ' ' || mp.family_name
                     ELSE o.short_name END AS assignee,
                p.due_on, p.status,
                coalesce((SELECT json_agg(json_build_object(
                                'step', n.step, 'text', n.text, 'who', {WHO},
                                'day', (n.at AT TIME ZONE 'Europe/Brussels')::date)
                            ORDER BY n.at, n.id)
                          FROM action_point_note n
                          LEFT JOIN account acc ON acc.id = n.account_id
                          LEFT JOIN organisation ko ON ko.id = acc.organisation_id
                          LEFT JOIN person km ON km.id = acc.minister_id
                          WHERE n.action_point_id = p.id), '[]') AS notes
         FROM action_point p
         JOIN action_line l ON l.id = p.action_line_id
         JOIN agenda_item a ON a.id = p.agenda_item_id
         LEFT JOIN meeting m ON m.id = a.meeting_id
         LEFT JOIN organisation o ON o.id = p.assignee_organisation_id
         LEFT JOIN person mp ON mp.id = p.assignee_minister_id
         WHERE ($2::bigint IS NULL OR l.agreement_id = $2)
           AND ($3::bigint IS NULL OR p.action_line_id = $3)
           AND {VISIBLE}
         ORDER BY p.id"
    ))
    .bind(reader)
    .bind(agreement)
    .bind(line)
    .fetch_all(db)
    .await
}

/// The counts of a year's action points (those of its meetings' items),
/// per body: what became of them.
#[derive(Debug, Clone, Default, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct YearCount {
    pub body_name: String,
    pub opened: i64,
    pub on_time: i64,
    pub late: i64,
    pub dropped: i64,
    pub open: i64,
    pub overdue: i64,
}

/// Counts only, of every point (no text of any, confidential or not): done
/// on time when done (as reported, else as confirmed) on or before its due
/// date; overdue when still open after it (`today`).
pub async fn year_counts(
    db: impl PgExecutor<'_>,
    year: i32,
    today: Date,
) -> sqlx::Result<Vec<YearCount>> {
    sqlx::query_as(
        "SELECT b.name AS body_name, count(*) AS opened,
                count(*) FILTER (WHERE p.status = 'done' AND d.day <= p.due_on) AS on_time,
                count(*) FILTER (WHERE p.status = 'done' AND d.day > p.due_on) AS late,
                count(*) FILTER (WHERE p.status = 'dropped') AS dropped,
                count(*) FILTER (WHERE p.status = 'open') AS open,
                count(*) FILTER (WHERE p.status = 'open' AND p.due_on < $2) AS overdue
         FROM action_point p
         JOIN agenda_item a ON a.id = p.agenda_item_id
         JOIN meeting m ON m.id = a.meeting_id
         JOIN body b ON b.id = a.body_id
         CROSS JOIN LATERAL (
             SELECT (coalesce(p.reported_done_at, p.closed_at) AT TIME ZONE 'Europe/Brussels')::date
                    AS day) d
         WHERE m.starts_at >= make_timestamptz($1, 1, 1, 0, 0, 0, 'Europe/Brussels')
           AND m.starts_at < make_timestamptz($1 + 1, 1, 1, 0, 0, 0, 'Europe/Brussels')
         GROUP BY b.id, b.name, b.sort_order
         ORDER BY b.sort_order, b.name",
    )
    .bind(year)
    .bind(today)
    .fetch_all(db)
    .await
}

// --- the choices of the form ---

/// A choice of the form: its id and what it shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// The organisations a point can be given to: not the government as a
/// whole (a minister's cabinet acts for it) and not the secretariat's own
/// (the secretariat is a choice of its own).
pub async fn organisations(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "SELECT id, short_name || CASE WHEN short_name <> name THEN ' (' || name || ')' ELSE '' END
                AS name
         FROM organisation WHERE kind NOT IN ('government', 'secretariat')
         ORDER BY short_name, id",
    )
    .fetch_all(db)
    .await
}

/// The ministers whose cabinet a point can be given to: whoever holds or
/// held a minister's competences, or has a cabinet account acting for them.
pub async fn ministers(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "SELECT p.id, p.given_name || ' ' || p.family_name AS name FROM person p
         WHERE EXISTS (SELECT 1 FROM minister_competence mc WHERE mc.person_id = p.id)
            OR EXISTS (SELECT 1 FROM account acc WHERE acc.minister_id = p.id)
         ORDER BY p.family_name, p.given_name, p.id",
    )
    .fetch_all(db)
    .await
}

// --- the operations ---

/// Who must act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    Organisation(i64),
    Minister(i64),
    Secretariat,
}

impl Assignee {
    /// The form's value: `organisatie-12`, `kabinet-3`, `secretariaat`.
    pub fn code(self) -> String {
        match self {
            Assignee::Organisation(id) => format!("organisatie-{id}"),
            Assignee::Minister(id) => format!("kabinet-{id}"),
            Assignee::Secretariat => "secretariaat".to_string(),
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim();
        if code == "secretariaat" {
            return Some(Assignee::Secretariat);
        }
        let (kind, id) = code.split_once('-')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "organisatie" => Some(Assignee::Organisation(id)),
            "kabinet" => Some(Assignee::Minister(id)),
            _ => None,
        }
    }

    fn columns(self) -> (Option<i64>, Option<i64>, bool) {
        match self {
            Assignee::Organisation(id) => (Some(id), None, false),
            Assignee::Minister(id) => (None, Some(id), false),
            Assignee::Secretariat => (None, None, true),
        }
    }

    fn of(p: &ActionPoint) -> Option<Self> {
        match (
            p.assignee_organisation_id,
            p.assignee_minister_id,
            p.assignee_secretariat,
        ) {
            (_, _, true) => Some(Assignee::Secretariat),
            (_, Some(m), _) => Some(Assignee::Minister(m)),
            (Some(o), _, _) => Some(Assignee::Organisation(o)),
            _ => None,
        }
    }
}

/// What the form sets, checked.
#[derive(Debug, Clone)]
pub struct Fields {
    pub what: String,
    pub assignee: Assignee,
    pub due_on: Date,
    pub action_line_id: Option<i64>,
}

impl Fields {
    /// What the audit log keeps: no text.
    fn audited(&self, item: i64, status: Status) -> Value {
        let (organisation, minister, secretariat) = self.assignee.columns();
        json!({
            "agenda_item_id": item,
            "assignee_organisation_id": organisation,
            "assignee_minister_id": minister,
            "assignee_secretariat": secretariat,
            "due_on": dutch::iso_date(self.due_on),
            "status": status.code(),
            "action_line_id": self.action_line_id,
        })
    }
}

/// A record the form names that went away meanwhile.
const GONE: [Constraint; 3] = [
    Constraint {
        name: "action_point_action_line_id_fkey",
        field: "action_line_id",
        message: "Deze actielijn bestaat niet meer. Kies een andere, of geen.",
    },
    Constraint {
        name: "action_point_assignee_organisation_id_fkey",
        field: "assignee",
        message: "Deze organisatie bestaat niet meer. Kies een andere.",
    },
    Constraint {
        name: "action_point_assignee_minister_id_fkey",
        field: "assignee",
        message: "Deze minister bestaat niet meer. Kies een andere.",
    },
];

/// The item a point comes from, as the checks need it.
#[derive(Debug, sqlx::FromRow)]
struct Source {
    on_agenda: bool,
    meeting_day: Option<Date>,
    /// The assignee may see the item (`agenda_item_visible` as the
    /// assignee reads it).
    assignee_sees: bool,
}

async fn source(
    conn: &mut PgConnection,
    item: i64,
    assignee: Assignee,
) -> sqlx::Result<Option<Source>> {
    let (organisation, minister, secretariat) = assignee.columns();
    sqlx::query_as(
        "SELECT agenda_item_on_agenda(a) AS on_agenda,
                (m.starts_at AT TIME ZONE 'Europe/Brussels')::date AS meeting_day,
                agenda_item_visible(action_point_assignee_reader($2, $3, $4, $5), a,
                                    (m.starts_at AT TIME ZONE 'Europe/Brussels')::date)
                    AS assignee_sees
         FROM agenda_item a LEFT JOIN meeting m ON m.id = a.meeting_id
         WHERE a.id = $1 FOR SHARE OF a",
    )
    .bind(item)
    .bind(organisation)
    .bind(minister)
    .bind(secretariat)
    .bind(dutch::today())
    .fetch_optional(conn)
    .await
}

/// The checks that need the item: on a meeting's agenda, a due date not
/// before that meeting, an assignee who may see it.
fn check_source(source: Option<Source>, f: &Fields) -> Option<Outcome<i64>> {
    let Some(source) = source else {
        return Some(Outcome::Stale);
    };
    let (true, Some(day)) = (source.on_agenda, source.meeting_day) else {
        return Some(Outcome::refused(
            "form",
            "Actiepunten komen uit de bespreking van een agendapunt op een vergadering: dit punt \
             staat (nog) op geen agenda.",
        ));
    };
    if f.due_on < day {
        return Some(Outcome::refused(
            "due_on",
            format!(
                "De termijn kan niet vóór de vergadering van {} liggen.",
                dutch::nl_date(day)
            ),
        ));
    }
    if !source.assignee_sees {
        return Some(Outcome::refused(
            "assignee",
            "Wie u koos, mag dit vertrouwelijke agendapunt niet zien, en dus ook het actiepunt \
             niet: kies een organisatie of kabinet dat in het orgaan zetelt.",
        ));
    }
    None
}

/// Adds a point to agenda item `item`; whoever must act hears of it.
pub async fn create(
    conn: &mut PgConnection,
    actor: i64,
    site: &Site,
    item: i64,
    f: &Fields,
) -> Result<Outcome<i64>> {
    let found = source(&mut *conn, item, f.assignee).await?;
    if let Some(refused) = check_source(found, f) {
        return Ok(refused);
    }
    let (organisation, minister, secretariat) = f.assignee.columns();
    let inserted = sqlx::query_scalar(
        "INSERT INTO action_point (agenda_item_id, what, assignee_organisation_id,
                                   assignee_minister_id, assignee_secretariat, due_on,
                                   action_line_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(item)
    .bind(&f.what)
    .bind(organisation)
    .bind(minister)
    .bind(secretariat)
    .bind(f.due_on)
    .bind(f.action_line_id)
    .bind(actor)
    .fetch_one(&mut *conn)
    .await;
    let id: i64 = match on_constraint(inserted, &GONE)? {
        Outcome::Done(id) => id,
        Outcome::Stale => return Ok(Outcome::Stale),
        Outcome::Refused(errors) => return Ok(Outcome::Refused(errors)),
    };
    audit::Entry::new("create", "action_point", id)
        .after(f.audited(item, Status::Open))
        .write(conn, actor)
        .await?;
    super::notices::assigned(conn, actor, site, id).await?;
    Ok(Outcome::Done(id))
}

/// Changes what a point says, who must act, by when and the action line
/// it feeds, if nobody changed it since `seen`; a new assignee hears of it.
pub async fn update(
    conn: &mut PgConnection,
    actor: i64,
    site: &Site,
    before: &ActionPoint,
    seen: Version,
    f: &Fields,
) -> Result<Outcome<i64>> {
    let found = source(&mut *conn, before.agenda_item_id, f.assignee).await?;
    if let Some(refused) = check_source(found, f) {
        return Ok(refused);
    }
    let (organisation, minister, secretariat) = f.assignee.columns();
    let updated = sqlx::query_scalar(
        "UPDATE action_point SET what = $3, assignee_organisation_id = $4,
                assignee_minister_id = $5, assignee_secretariat = $6, due_on = $7,
                action_line_id = $8, version = version + 1, modified_at = now()
         WHERE id = $1 AND version = $2 RETURNING status",
    )
    .bind(before.id)
    .bind(seen.0)
    .bind(&f.what)
    .bind(organisation)
    .bind(minister)
    .bind(secretariat)
    .bind(f.due_on)
    .bind(f.action_line_id)
    .fetch_optional(&mut *conn)
    .await;
    let status: Status = match on_constraint(updated, &GONE)? {
        Outcome::Done(Some(status)) => status,
        Outcome::Done(None) | Outcome::Stale => return Ok(Outcome::Stale),
        Outcome::Refused(errors) => return Ok(Outcome::Refused(errors)),
    };
    let old = Fields {
        what: before.what.clone(),
        assignee: Assignee::of(before).unwrap_or(f.assignee),
        due_on: before.due_on,
        action_line_id: before.action_line_id,
    };
    audit::Entry::new("update", "action_point", before.id)
        .before(json!({
            "fields": old.audited(before.agenda_item_id, before.status),
            "what_changed": old.what != f.what,
        }))
        .after(f.audited(before.agenda_item_id, status))
        .write(conn, actor)
        .await?;
    if old.assignee != f.assignee && status == Status::Open {
        super::notices::assigned(conn, actor, site, before.id).await?;
    }
    Ok(Outcome::Done(before.id))
}

/// A change of state, with the note it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The assignee: done, waiting for the secretariat.
    ReportDone,
    /// The secretariat: done.
    Confirm,
    /// The secretariat: no longer to do.
    Drop,
    /// The secretariat: to do again.
    Reopen,
}

impl Transition {
    fn step(self) -> Step {
        match self {
            Transition::ReportDone => Step::ReportedDone,
            Transition::Confirm => Step::Confirmed,
            Transition::Drop => Step::Dropped,
            Transition::Reopen => Step::Reopened,
        }
    }

    /// The update, for the point `$1` seen at version `$2` by account `$3`;
    /// no row when its state no longer allows it.
    fn sql(self) -> &'static str {
        match self {
            Transition::ReportDone => {
                "UPDATE action_point SET reported_done_at = now(), reported_done_by = $3,
                        version = version + 1, modified_at = now()
                 WHERE id = $1 AND version = $2 AND status = 'open' AND reported_done_at IS NULL
                 RETURNING status"
            }
            Transition::Confirm => {
                "UPDATE action_point SET status = 'done', closed_at = now(), closed_by = $3,
                        version = version + 1, modified_at = now()
                 WHERE id = $1 AND version = $2 AND status = 'open'
                 RETURNING status"
            }
            Transition::Drop => {
                "UPDATE action_point SET status = 'dropped', closed_at = now(), closed_by = $3,
                        version = version + 1, modified_at = now()
                 WHERE id = $1 AND version = $2 AND status = 'open'
                 RETURNING status"
            }
            Transition::Reopen => {
                "UPDATE action_point SET status = 'open', closed_at = NULL, closed_by = NULL,
                        reported_done_at = NULL, reported_done_by = NULL,
                        version = version + 1, modified_at = now()
                 WHERE id = $1 AND version = $2 AND status <> 'open' AND $3::bigint IS NOT NULL
                 RETURNING status"
            }
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            Transition::ReportDone => "report_done",
            Transition::Confirm => "confirm",
            Transition::Drop => "drop",
            Transition::Reopen => "reopen",
        }
    }
}

/// Moves point `point` on, if nobody changed it since `seen` and its state
/// allows it (else stale), with a dated note (`text` may be empty).
pub async fn transition(
    conn: &mut PgConnection,
    actor: i64,
    point: i64,
    seen: Version,
    to: Transition,
    text: &str,
) -> Result<Outcome> {
    let status: Option<Status> = sqlx::query_scalar(to.sql())
        .bind(point)
        .bind(seen.0)
        .bind(actor)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(status) = status else {
        return Ok(Outcome::Stale);
    };
    write_note(conn, actor, point, to.step(), text).await?;
    audit::Entry::new(to.audit_action(), "action_point", point)
        .after(json!({ "status": status.code(), "with_note": !text.is_empty() }))
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

/// Adds a note to point `point`.
pub async fn add_note(
    conn: &mut PgConnection,
    actor: i64,
    point: i64,
    text: &str,
) -> Result<Outcome> {
    let open: Option<i64> = sqlx::query_scalar("SELECT id FROM action_point WHERE id = $1")
        .bind(point)
        .fetch_optional(&mut *conn)
        .await?;
    if open.is_none() {
        return Ok(Outcome::Stale);
    }
    write_note(conn, actor, point, Step::Note, text).await?;
    audit::Entry::new("note", "action_point", point)
        .write(conn, actor)
        .await?;
    Ok(Outcome::Done(()))
}

async fn write_note(
    conn: &mut PgConnection,
    actor: i64,
    point: i64,
    step: Step,
    text: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO action_point_note (action_point_id, step, text, account_id)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(point)
    .bind(step)
    .bind(text)
    .bind(actor)
    .execute(conn)
    .await?;
    Ok(())
}
