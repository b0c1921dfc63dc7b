//! Bodies, seat rules and memberships: the SQL of the composition pages.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor};
use time::{Date, OffsetDateTime};

use crate::auth::{CurrentUser, Reader};
use crate::base::dutch::iso_date;

crate::coded! {
    // The form and CSS code "social-partners" is older than the database's
    // `social_partners` (sqlx maps that one by `rename_all`): kept, links use it.
    pub enum Side: "side" {
        Government => ("government", "Vlaamse Regering"),
        SocialPartners => ("social-partners", "Sociale partners"),
        Advisory => ("advisory", "Met raadgevende stem"),
        Secretariat => ("secretariat", "Secretariaat"),
    }
}

impl Side {
    /// "3 van de 16 zetels {seats_of()}": whose seats they are.
    pub fn seats_of(self) -> &'static str {
        match self {
            Side::Government => "van de Vlaamse Regering",
            Side::SocialPartners => "van de sociale partners",
            Side::Advisory => "met raadgevende stem",
            Side::Secretariat => "van het secretariaat",
        }
    }
}

crate::coded! {
    // In the order of the forms' lists.
    pub enum MembershipRole: "membership_role" {
        Chair => ("chair", "voorzitter"),
        Member => ("member", "lid"),
        Substitute => ("substitute", "plaatsvervanger"),
        Advisory => ("advisory", "raadgevende stem"),
        AttendsWhenCompetent => ("attends_when_competent", "neemt deel bij punten binnen de eigen bevoegdheid"),
        Secretariat => ("secretariat", "secretariaat"),
    }
}

impl MembershipRole {
    /// Does this role take one of the body's seats?
    pub fn holds_seat(self) -> bool {
        matches!(
            self,
            MembershipRole::Chair | MembershipRole::Member | MembershipRole::Advisory
        )
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Body {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub meeting_rhythm: String,
    pub chair_rule: String,
}

/// A rule of how many seats of a side (or of one organisation on it) a
/// body has: for the public page, its checks and the editor alike.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct SeatRule {
    pub id: i64,
    pub side: Side,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    pub seat_count: Option<i32>,
    pub label: String,
    pub version: i32,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Seat {
    pub membership_id: i64,
    pub person_slug: String,
    pub person_name: String,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub role: MembershipRole,
    pub side: Side,
    pub function_title: Option<String>,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    pub substitute_for: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct Contact {
    pub slug: String,
    pub name: String,
}

pub async fn list_bodies(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Body>> {
    sqlx::query_as(
        "SELECT id, slug, name, description, meeting_rhythm, chair_rule
         FROM body ORDER BY sort_order, name",
    )
    .fetch_all(db)
    .await
}

pub async fn body_by_slug(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<Body>> {
    sqlx::query_as(
        "SELECT id, slug, name, description, meeting_rhythm, chair_rule
         FROM body WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(db)
    .await
}

pub async fn seat_rules(db: impl PgExecutor<'_>, body_id: i64) -> sqlx::Result<Vec<SeatRule>> {
    sqlx::query_as(
        "SELECT r.id, r.side, r.organisation_id, o.name AS organisation_name, r.seat_count,
                r.label, r.version
         FROM seat_rule r LEFT JOIN organisation o ON o.id = r.organisation_id
         WHERE r.body_id = $1 ORDER BY r.position",
    )
    .bind(body_id)
    .fetch_all(db)
    .await
}

/// The public body page's first query (of two): a body with its SERV
/// contact persons, its seat rules, and the last day before `on` on which
/// someone held a mandate of it (where the sources stop naming its
/// members). The small lists come as JSON; the seats, the long list, come
/// as rows of their own query ([`composition_on`]): PostgreSQL builds JSON
/// for 50 seats slower than it sends them as rows.
pub async fn body_page(
    db: impl PgExecutor<'_>,
    slug: &str,
    on: Date,
) -> sqlx::Result<Option<(Body, Vec<Contact>, Vec<SeatRule>, Option<Date>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        body: Body,
        contacts: Json<Vec<Contact>>,
        rules: Json<Vec<SeatRule>>,
        last_named: Option<Date>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT b.id, b.slug, b.name, b.description, b.meeting_rhythm, b.chair_rule,
                (SELECT coalesce(json_agg(json_build_object(
                            'slug', p.slug, 'name', p.given_name || ' ' || p.family_name)
                          ORDER BY c.position), '[]')
                 FROM body_contact c JOIN person p ON p.id = c.person_id
                 WHERE c.body_id = b.id) AS contacts,
                (SELECT coalesce(json_agg(json_build_object(
                            'id', r.id, 'side', r.side, 'organisation_id', r.organisation_id,
                            'organisation_name', o.name, 'seat_count', r.seat_count,
                            'label', r.label, 'version', r.version) ORDER BY r.position), '[]')
                 FROM seat_rule r LEFT JOIN organisation o ON o.id = r.organisation_id
                 WHERE r.body_id = b.id) AS rules,
                -- An open end is 'infinity': never before a date, so this is
                -- the last end, read backwards from the index on the ends.
                (SELECT max(coalesce(m.valid_until, 'infinity')) FROM membership m
                 WHERE m.body_id = b.id AND m.superseded_at IS NULL
                   AND coalesce(m.valid_until, 'infinity') < $2) AS last_named
         FROM body b
         WHERE b.slug = $1",
    )
    .bind(slug)
    .bind(on)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.body, r.contacts.0, r.rules.0, r.last_named)))
}

/// Who sits in the body on `on`: one query, served by the B-tree on
/// (body, end, start) of migration `…1400` (the GiST index on the period
/// visited every open-ended mandate for today's composition).
pub async fn composition_on(
    db: impl PgExecutor<'_>,
    body_id: i64,
    on: Date,
) -> sqlx::Result<Vec<Seat>> {
    sqlx::query_as(
        "SELECT m.id AS membership_id, p.slug AS person_slug, p.given_name || ' ' || p.family_name AS person_name,
                o.id AS organisation_id, o.name AS organisation_name,
                m.role, m.side, m.function_title, m.valid_from, m.valid_until,
                -- A subquery, not a join: joined, the planner hashed all
                -- memberships of all bodies to find the few substitutes.
                (SELECT sp.given_name || ' ' || sp.family_name
                 FROM membership sm JOIN person sp ON sp.id = sm.person_id
                 WHERE sm.id = m.substitute_for_id) AS substitute_for
         FROM membership m
         JOIN person p ON p.id = m.person_id
         JOIN organisation o ON o.id = m.organisation_id
         WHERE m.body_id = $1 AND m.superseded_at IS NULL
           AND coalesce(m.valid_until, 'infinity') >= $2 AND m.valid_from <= $2
         ORDER BY m.side, (m.role = 'chair') DESC, m.role, o.name, p.family_name, p.given_name",
    )
    .bind(body_id)
    .bind(on)
    .fetch_all(db)
    .await
}

/// The days around `on` in which the body's composition stays as it is on
/// `on`: from its last change up to `on` to its next one (a mandate starting,
/// or ending the day before). None on a side without a change.
pub async fn unchanged_around(
    db: impl PgExecutor<'_>,
    body_id: i64,
    on: Date,
) -> sqlx::Result<(Option<Date>, Option<Date>)> {
    sqlx::query_as(
        "SELECT max(v.d) FILTER (WHERE v.d <= $2), min(v.d) FILTER (WHERE v.d > $2)
         FROM membership m, LATERAL (VALUES (m.valid_from), (m.valid_until + 1)) v(d)
         WHERE m.body_id = $1 AND m.superseded_at IS NULL AND v.d IS NOT NULL",
    )
    .bind(body_id)
    .bind(on)
    .fetch_one(db)
    .await
}

// ---------------------------------------------------------------------------
// Management: memberships
// ---------------------------------------------------------------------------

/// A membership as the editor sees it, superseded ones included.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct MembershipRow {
    pub id: i64,
    pub body_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub role: MembershipRole,
    pub side: Side,
    pub function_title: Option<String>,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    pub substitute_for_id: Option<i64>,
    pub substitute_for: Option<String>,
    pub corrects_id: Option<i64>,
    pub note: String,
    #[serde(with = "crate::base::dutch::moment_option")]
    pub superseded_at: Option<OffsetDateTime>,
    pub superseded_note: Option<String>,
    pub version: i32,
}

const MEMBERSHIP_SELECT: &str = "
    SELECT m.id, m.body_id, m.person_id, p.given_name || ' ' || p.family_name AS person_name,
           m.organisation_id, o.name AS organisation_name, m.role, m.side, m.function_title,
           m.valid_from, m.valid_until, m.substitute_for_id,
           sp.given_name || ' ' || sp.family_name AS substitute_for,
           m.corrects_id, m.note, m.superseded_at, m.superseded_note, m.version
    FROM membership m
    JOIN person p ON p.id = m.person_id
    JOIN organisation o ON o.id = m.organisation_id
    LEFT JOIN membership sm ON sm.id = m.substitute_for_id
    LEFT JOIN person sp ON sp.id = sm.person_id";

impl MembershipRow {
    /// Before/after for the audit log.
    pub fn snapshot(&self) -> Value {
        json!({
            "id": self.id,
            "body_id": self.body_id,
            "person_id": self.person_id,
            "organisation_id": self.organisation_id,
            "role": self.role.code(),
            "side": self.side.code(),
            "function_title": self.function_title,
            "valid_from": iso_date(self.valid_from),
            "valid_until": self.valid_until.map(iso_date),
            "substitute_for_id": self.substitute_for_id,
            "corrects_id": self.corrects_id,
            "note": self.note,
            "superseded": self.superseded_at.is_some(),
            "superseded_note": self.superseded_note,
            "version": self.version,
        })
    }

    pub fn counts(&self) -> bool {
        self.superseded_at.is_none()
    }

    pub fn is_open(&self) -> bool {
        self.valid_until.is_none()
    }

    pub fn period(&self) -> crate::base::dutch::Period {
        period(Some(self.valid_from), self.valid_until)
    }

    pub fn choice_label(&self) -> String {
        format!(
            "{} ({}, {}, {})",
            self.person_name,
            self.role.label(),
            self.organisation_name,
            self.period()
        )
    }
}

pub async fn membership(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<MembershipRow>> {
    sqlx::query_as(&format!("{MEMBERSHIP_SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Every membership of a body, newest first, superseded ones included.
pub async fn memberships_of_body(
    db: impl PgExecutor<'_>,
    body_id: i64,
) -> sqlx::Result<Vec<MembershipRow>> {
    sqlx::query_as(&format!(
        "{MEMBERSHIP_SELECT} WHERE m.body_id = $1
         ORDER BY m.valid_from DESC, m.side, p.family_name, m.id DESC"
    ))
    .bind(body_id)
    .fetch_all(db)
    .await
}

/// The memberships of a body that count: the ones a new member can
/// replace or a substitute can stand in for.
pub async fn counting_memberships(
    db: impl PgExecutor<'_>,
    body_id: i64,
) -> sqlx::Result<Vec<MembershipRow>> {
    sqlx::query_as(&format!(
        "{MEMBERSHIP_SELECT} WHERE m.body_id = $1 AND m.superseded_at IS NULL
         ORDER BY m.side, p.family_name, p.given_name, m.valid_from"
    ))
    .bind(body_id)
    .fetch_all(db)
    .await
}

/// The corrections of a membership and what they corrected, in order.
pub async fn corrections_of(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Vec<MembershipRow>> {
    sqlx::query_as(&format!(
        "{MEMBERSHIP_SELECT} WHERE m.corrects_id = $1 ORDER BY m.id"
    ))
    .bind(id)
    .fetch_all(db)
    .await
}

#[derive(Debug, Clone)]
pub struct NewMembership {
    pub body_id: i64,
    pub person_id: i64,
    pub organisation_id: i64,
    pub role: MembershipRole,
    pub side: Side,
    pub function_title: Option<String>,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    pub substitute_for_id: Option<i64>,
    pub corrects_id: Option<i64>,
    pub note: String,
}

pub async fn insert_membership(conn: &mut PgConnection, m: &NewMembership) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO membership (body_id, person_id, organisation_id, role, side, function_title,
                                 valid_from, valid_until, substitute_for_id, corrects_id, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(m.body_id)
    .bind(m.person_id)
    .bind(m.organisation_id)
    .bind(m.role)
    .bind(m.side)
    .bind(&m.function_title)
    .bind(m.valid_from)
    .bind(m.valid_until)
    .bind(m.substitute_for_id)
    .bind(m.corrects_id)
    .bind(&m.note)
    .fetch_one(conn)
    .await
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// The change `sql` makes to the row `$1` if its version is still `$2`, the
/// one the form was loaded with; the new values are bound after.
fn versioned(sql: &str, id: i64, seen_version: i32) -> PgQuery<'_> {
    sqlx::query(sql).bind(id).bind(seen_version)
}

/// Runs a change of one row: false when it changed none (the row's version
/// or state is no longer the one seen).
async fn changed_one(conn: &mut PgConnection, query: PgQuery<'_>) -> sqlx::Result<bool> {
    Ok(query.execute(conn).await?.rows_affected() == 1)
}

/// Ends an open-ended membership on `until` (its last day), if nobody
/// changed it since `seen_version`. False when it was changed meanwhile.
pub async fn end_membership(
    conn: &mut PgConnection,
    id: i64,
    seen_version: i32,
    until: Date,
) -> sqlx::Result<bool> {
    let query = versioned(
        "UPDATE membership SET valid_until = $3, version = version + 1, modified_at = now()
         WHERE id = $1 AND version = $2 AND superseded_at IS NULL AND valid_until IS NULL",
        id,
        seen_version,
    );
    changed_one(conn, query.bind(until)).await
}

/// Ends a membership as part of a larger change (replacement, new
/// government): the body row is locked, so no version check is needed.
pub async fn end_membership_locked(
    conn: &mut PgConnection,
    id: i64,
    until: Date,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE membership SET valid_until = $2, version = version + 1, modified_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(until)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks a membership as no longer counting (recorded by mistake).
pub async fn supersede(
    conn: &mut PgConnection,
    id: i64,
    seen_version: i32,
    actor: i64,
    note: &str,
) -> sqlx::Result<bool> {
    let query = versioned(
        "UPDATE membership SET superseded_at = now(), superseded_by = $3, superseded_note = $4,
                version = version + 1, modified_at = now()
         WHERE id = $1 AND version = $2 AND superseded_at IS NULL",
        id,
        seen_version,
    );
    changed_one(conn, query.bind(actor).bind(note)).await
}

/// Substitutes of a corrected membership now stand in for its correction.
pub async fn repoint_substitutes(conn: &mut PgConnection, old: i64, new: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE membership SET substitute_for_id = $2, version = version + 1, modified_at = now()
         WHERE substitute_for_id = $1 AND superseded_at IS NULL",
    )
    .bind(old)
    .bind(new)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Serialises changes to one body's composition.
pub async fn lock_body(conn: &mut PgConnection, body_id: i64) -> sqlx::Result<()> {
    sqlx::query("SELECT id FROM body WHERE id = $1 FOR UPDATE")
        .bind(body_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The government-side memberships that still run on `on` or start later.
pub async fn government_memberships_from(
    conn: &mut PgConnection,
    body_id: i64,
    on: Date,
) -> sqlx::Result<Vec<MembershipRow>> {
    sqlx::query_as(&format!(
        "{MEMBERSHIP_SELECT} WHERE m.body_id = $1 AND m.side = 'government'
           AND m.superseded_at IS NULL AND (m.valid_until IS NULL OR m.valid_until >= $2)
         ORDER BY m.id"
    ))
    .bind(body_id)
    .bind(on)
    .fetch_all(conn)
    .await
}

/// Memberships that count and start or end between two dates (inclusive).
pub async fn memberships_changing(
    db: impl PgExecutor<'_>,
    body_id: i64,
    from: Date,
    until: Date,
) -> sqlx::Result<Vec<MembershipRow>> {
    sqlx::query_as(&format!(
        "{MEMBERSHIP_SELECT} WHERE m.body_id = $1 AND m.superseded_at IS NULL
           AND (m.valid_from BETWEEN $2 AND $3 OR m.valid_until BETWEEN $2 AND $3)
         ORDER BY m.id"
    ))
    .bind(body_id)
    .bind(from)
    .bind(until)
    .fetch_all(db)
    .await
}

// ---------------------------------------------------------------------------
// Management: seat rules
// ---------------------------------------------------------------------------

/// Changes a rule's seat count and label if nobody changed it meanwhile.
pub async fn update_seat_rule(
    conn: &mut PgConnection,
    id: i64,
    seen_version: i32,
    seat_count: Option<i32>,
    label: &str,
) -> sqlx::Result<bool> {
    let query = versioned(
        "UPDATE seat_rule SET seat_count = $3, label = $4, version = version + 1
         WHERE id = $1 AND version = $2",
        id,
        seen_version,
    );
    changed_one(conn, query.bind(seat_count).bind(label)).await
}

// ---------------------------------------------------------------------------
// Management: people, organisations, competences
// ---------------------------------------------------------------------------

/// An entry of a select list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

pub async fn person_choices(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "SELECT id, given_name || ' ' || family_name AS name FROM person
         ORDER BY family_name, given_name, id",
    )
    .fetch_all(db)
    .await
}

pub async fn organisation_choices(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as("SELECT id, name FROM organisation ORDER BY name, id")
        .fetch_all(db)
        .await
}

/// The kind of every organisation, which decides the side of its members.
pub async fn organisation_kinds(
    db: impl PgExecutor<'_>,
) -> sqlx::Result<Vec<(i64, OrganisationKind)>> {
    sqlx::query_as("SELECT id, kind FROM organisation ORDER BY id")
        .fetch_all(db)
        .await
}

pub async fn government_organisation(db: impl PgExecutor<'_>) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM organisation WHERE kind = 'government' ORDER BY id LIMIT 1")
        .fetch_optional(db)
        .await
}

impl OrganisationKind {
    /// The side its members take, where the kind decides it: a government
    /// sits on the government side, employers and trade unions are the
    /// social partners, the secretariat is the secretariat. An
    /// administration's side is chosen per mandate.
    pub fn side(self) -> Option<Side> {
        match self {
            OrganisationKind::Government => Some(Side::Government),
            OrganisationKind::Employers | OrganisationKind::TradeUnion => {
                Some(Side::SocialPartners)
            }
            OrganisationKind::Secretariat => Some(Side::Secretariat),
            OrganisationKind::Administration => None,
        }
    }
}

crate::coded! {
    pub enum OrganisationKind: "organisation_kind" {
        Government => ("government", "regering"),
        Employers => ("employers", "werkgeversorganisatie"),
        TradeUnion => ("trade_union", "vakbond"),
        Secretariat => ("secretariat", "secretariaat"),
        Administration => ("administration", "administratie"),
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrganisationRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub short_name: String,
    pub kind: OrganisationKind,
    pub website: Option<String>,
    pub version: i32,
}

impl OrganisationRow {
    pub fn snapshot(&self) -> Value {
        json!({
            "id": self.id, "slug": self.slug, "name": self.name, "short_name": self.short_name,
            "kind": self.kind.code(), "website": self.website, "version": self.version,
        })
    }
}

pub struct OrganisationFields {
    pub name: String,
    pub short_name: String,
    pub kind: OrganisationKind,
    pub website: Option<String>,
}

pub async fn organisations(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<OrganisationRow>> {
    sqlx::query_as(
        "SELECT id, slug, name, short_name, kind, website, version FROM organisation
         ORDER BY kind, name",
    )
    .fetch_all(db)
    .await
}

pub async fn organisation_by_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
) -> sqlx::Result<Option<OrganisationRow>> {
    sqlx::query_as(
        "SELECT id, slug, name, short_name, kind, website, version FROM organisation
         WHERE slug = $1",
    )
    .bind(slug)
    .fetch_optional(db)
    .await
}

pub async fn create_organisation(
    conn: &mut PgConnection,
    slug: &str,
    f: &OrganisationFields,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO organisation (slug, name, short_name, kind, website)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(slug)
    .bind(&f.name)
    .bind(&f.short_name)
    .bind(f.kind)
    .bind(&f.website)
    .fetch_one(conn)
    .await
}

pub async fn update_organisation(
    conn: &mut PgConnection,
    id: i64,
    seen_version: i32,
    f: &OrganisationFields,
) -> sqlx::Result<bool> {
    let query = versioned(
        "UPDATE organisation SET name = $3, short_name = $4, kind = $5, website = $6,
                version = version + 1, modified_at = now()
         WHERE id = $1 AND version = $2",
        id,
        seen_version,
    );
    changed_one(
        conn,
        query
            .bind(&f.name)
            .bind(&f.short_name)
            .bind(f.kind)
            .bind(&f.website),
    )
    .await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: i64,
    pub slug: String,
    pub given_name: String,
    pub family_name: String,
    /// Private: for convocations; shown only in the secretariat's register.
    pub email: Option<String>,
    pub version: i32,
    /// The functions valid today, joined for lists.
    pub functions: String,
}

impl PersonRow {
    pub fn name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    pub fn snapshot(&self) -> Value {
        json!({
            "id": self.id, "slug": self.slug, "given_name": self.given_name,
            "family_name": self.family_name, "email": self.email, "version": self.version,
        })
    }
}

const PERSON_SELECT: &str = "
    SELECT p.id, p.slug, p.given_name, p.family_name, p.email, p.version,
           coalesce((SELECT string_agg(f.title, '; ' ORDER BY f.valid_from NULLS FIRST)
                     FROM person_function f
                     WHERE f.person_id = p.id
                       AND (f.valid_from IS NULL OR f.valid_from <= $1)
                       AND (f.valid_until IS NULL OR f.valid_until >= $1)), '') AS functions
    FROM person p";

/// Everyone, with today's functions: the functions aggregated once and
/// joined (as a sub-select per person, as [`PERSON_SELECT`] has it, it ran
/// once for each of the 300 people).
pub async fn people(db: impl PgExecutor<'_>, today: Date) -> sqlx::Result<Vec<PersonRow>> {
    sqlx::query_as(
        "SELECT p.id, p.slug, p.given_name, p.family_name, p.email, p.version,
                coalesce(f.functions, '') AS functions
         FROM person p
         LEFT JOIN (SELECT f.person_id,
                           string_agg(f.title, '; ' ORDER BY f.valid_from NULLS FIRST) AS functions
                    FROM person_function f
                    WHERE (f.valid_from IS NULL OR f.valid_from <= $1)
                      AND (f.valid_until IS NULL OR f.valid_until >= $1)
                    GROUP BY f.person_id) f ON f.person_id = p.id
         ORDER BY p.family_name, p.given_name, p.id",
    )
    .bind(today)
    .fetch_all(db)
    .await
}

pub async fn person_by_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
    today: Date,
) -> sqlx::Result<Option<PersonRow>> {
    sqlx::query_as(&format!("{PERSON_SELECT} WHERE p.slug = $2"))
        .bind(today)
        .bind(slug)
        .fetch_optional(db)
        .await
}

pub async fn slug_taken(
    conn: &mut PgConnection,
    table: SlugTable,
    slug: &str,
) -> sqlx::Result<bool> {
    let sql = match table {
        SlugTable::Person => "SELECT EXISTS (SELECT 1 FROM person WHERE slug = $1)",
        SlugTable::Organisation => "SELECT EXISTS (SELECT 1 FROM organisation WHERE slug = $1)",
    };
    sqlx::query_scalar(sql).bind(slug).fetch_one(conn).await
}

#[derive(Debug, Clone, Copy)]
pub enum SlugTable {
    Person,
    Organisation,
}

/// A free slug made from `base`: "jan-jambon", else "jan-jambon-2", ...
pub async fn free_slug(
    conn: &mut PgConnection,
    table: SlugTable,
    base: &str,
) -> sqlx::Result<String> {
    let mut candidate = base.to_string();
    let mut n = 1;
    while slug_taken(conn, table, &candidate).await? {
        n += 1;
        candidate = format!("{base}-{n}");
    }
    Ok(candidate)
}

pub async fn create_person(
    conn: &mut PgConnection,
    slug: &str,
    given_name: &str,
    family_name: &str,
    email: Option<&str>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO person (slug, given_name, family_name, email) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(slug)
    .bind(given_name)
    .bind(family_name)
    .bind(email)
    .fetch_one(conn)
    .await
}

pub async fn update_person(
    conn: &mut PgConnection,
    id: i64,
    seen_version: i32,
    given_name: &str,
    family_name: &str,
    email: Option<&str>,
) -> sqlx::Result<bool> {
    let query = versioned(
        "UPDATE person SET given_name = $3, family_name = $4, email = $5, version = version + 1,
                modified_at = now()
         WHERE id = $1 AND version = $2",
        id,
        seen_version,
    );
    changed_one(conn, query.bind(given_name).bind(family_name).bind(email)).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FunctionRow {
    pub id: i64,
    pub title: String,
    pub organisation_name: Option<String>,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
}

/// A period as the pages say it: "1 januari 2020 – 31 december 2024",
/// "sinds …", "tot …" ([`dutch::Period`], written straight into a page).
pub fn period(from: Option<Date>, until: Option<Date>) -> crate::base::dutch::Period {
    crate::base::dutch::Period { from, until }
}

impl FunctionRow {
    pub fn period(&self) -> crate::base::dutch::Period {
        period(self.valid_from, self.valid_until)
    }
}

pub async fn functions_of(
    db: impl PgExecutor<'_>,
    person_id: i64,
) -> sqlx::Result<Vec<FunctionRow>> {
    sqlx::query_as(
        "SELECT f.id, f.title, o.name AS organisation_name, f.valid_from, f.valid_until
         FROM person_function f LEFT JOIN organisation o ON o.id = f.organisation_id
         WHERE f.person_id = $1 ORDER BY f.valid_from DESC NULLS LAST, f.id",
    )
    .bind(person_id)
    .fetch_all(db)
    .await
}

pub async fn insert_function(
    conn: &mut PgConnection,
    person_id: i64,
    organisation_id: Option<i64>,
    title: &str,
    valid_from: Option<Date>,
    valid_until: Option<Date>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO person_function (person_id, organisation_id, title, valid_from, valid_until)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(person_id)
    .bind(organisation_id)
    .bind(title)
    .bind(valid_from)
    .bind(valid_until)
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortfolioRow {
    pub id: i64,
    pub competence: String,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
}

impl PortfolioRow {
    pub fn period(&self) -> crate::base::dutch::Period {
        period(Some(self.valid_from), self.valid_until)
    }
}

pub async fn portfolio_of(
    db: impl PgExecutor<'_>,
    person_id: i64,
) -> sqlx::Result<Vec<PortfolioRow>> {
    sqlx::query_as(
        "SELECT mc.id, c.name AS competence, mc.valid_from, mc.valid_until
         FROM minister_competence mc JOIN competence c ON c.id = mc.competence_id
         WHERE mc.person_id = $1 ORDER BY mc.valid_until DESC NULLS FIRST, c.name",
    )
    .bind(person_id)
    .fetch_all(db)
    .await
}

pub async fn portfolio_entry(
    db: impl PgExecutor<'_>,
    person_id: i64,
    id: i64,
) -> sqlx::Result<Option<PortfolioRow>> {
    sqlx::query_as(
        "SELECT mc.id, c.name AS competence, mc.valid_from, mc.valid_until
         FROM minister_competence mc JOIN competence c ON c.id = mc.competence_id
         WHERE mc.person_id = $1 AND mc.id = $2",
    )
    .bind(person_id)
    .bind(id)
    .fetch_optional(db)
    .await
}

pub async fn competence_names(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT name FROM competence ORDER BY name")
        .fetch_all(db)
        .await
}

/// The competence of that name, created when new.
pub async fn competence_id(conn: &mut PgConnection, name: &str) -> sqlx::Result<i64> {
    sqlx::query("INSERT INTO competence (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT id FROM competence WHERE name = $1")
        .bind(name)
        .fetch_one(conn)
        .await
}

pub async fn insert_portfolio(
    conn: &mut PgConnection,
    person_id: i64,
    competence_id: i64,
    valid_from: Date,
    valid_until: Option<Date>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO minister_competence (person_id, competence_id, valid_from, valid_until)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(person_id)
    .bind(competence_id)
    .bind(valid_from)
    .bind(valid_until)
    .fetch_one(conn)
    .await
}

/// Ends an open-ended competence; false when it already has an end.
pub async fn end_portfolio(conn: &mut PgConnection, id: i64, until: Date) -> sqlx::Result<bool> {
    let query = sqlx::query(
        "UPDATE minister_competence SET valid_until = $2
         WHERE id = $1 AND valid_until IS NULL AND valid_from <= $2",
    );
    changed_one(conn, query.bind(id).bind(until)).await
}

// --- who sits in a body (a composition rule, asked by every area) ---

/// Does the user's organisation (or minister) sit in the body on `on`?
/// By a named mandate, or by a seat rule of the body for their side or
/// organisation: the working group's members are not named, its seats are.
/// The secretariat sits everywhere (`reader_sits_in`).
pub async fn sits_in(
    db: impl PgExecutor<'_>,
    user: &CurrentUser,
    body_id: i64,
    on: Date,
) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT reader_sits_in($1, $2, $3)")
        .bind(Reader::on(Some(user), on))
        .bind(body_id)
        .bind(on)
        .fetch_one(db)
        .await
}

/// The bodies `reader` sits in today: those whose meetings' internals it
/// may see, for the personal calendar and search.
pub async fn member_bodies(db: impl PgExecutor<'_>, reader: Reader) -> sqlx::Result<Vec<i64>> {
    // One query for all bodies, not one per body.
    sqlx::query_scalar("SELECT id FROM body WHERE reader_sits_in($1, id, NULL) ORDER BY sort_order")
        .bind(reader)
        .fetch_all(db)
        .await
}

/// Every body as (id, slug, name), for a form's choice.
pub async fn body_choices(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<(i64, String, String)>> {
    sqlx::query_as("SELECT id, slug, name FROM body ORDER BY sort_order, name")
        .fetch_all(db)
        .await
}
