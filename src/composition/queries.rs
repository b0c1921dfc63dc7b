//! Bodies, seat rules and memberships: the SQL of the composition pages.

use serde::Serialize;
use sqlx::PgExecutor;
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "side", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Government,
    SocialPartners,
    Advisory,
    Secretariat,
}

impl Side {
    pub const ALL: [Side; 4] = [
        Side::Government,
        Side::SocialPartners,
        Side::Advisory,
        Side::Secretariat,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Side::Government => "Vlaamse Regering",
            Side::SocialPartners => "Sociale partners",
            Side::Advisory => "Met raadgevende stem",
            Side::Secretariat => "Secretariaat",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Side::Government => "government",
            Side::SocialPartners => "social-partners",
            Side::Advisory => "advisory",
            Side::Secretariat => "secretariat",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, Serialize)]
#[sqlx(type_name = "membership_role", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum MembershipRole {
    Chair,
    Member,
    Advisory,
    Substitute,
    AttendsWhenCompetent,
    Secretariat,
}

impl MembershipRole {
    pub fn label(self) -> &'static str {
        match self {
            MembershipRole::Chair => "voorzitter",
            MembershipRole::Member => "lid",
            MembershipRole::Advisory => "raadgevende stem",
            MembershipRole::Substitute => "plaatsvervanger",
            MembershipRole::AttendsWhenCompetent => {
                "neemt deel bij punten binnen de eigen bevoegdheid"
            }
            MembershipRole::Secretariat => "secretariaat",
        }
    }

    /// Does this role take one of the body's seats?
    pub fn holds_seat(self) -> bool {
        matches!(
            self,
            MembershipRole::Chair | MembershipRole::Member | MembershipRole::Advisory
        )
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Body {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub meeting_rhythm: String,
    pub chair_rule: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeatRule {
    pub side: Side,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    pub seat_count: Option<i32>,
    pub label: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Seat {
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

#[derive(Debug, Clone, sqlx::FromRow)]
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
        "SELECT r.side, r.organisation_id, o.name AS organisation_name, r.seat_count, r.label
         FROM seat_rule r LEFT JOIN organisation o ON o.id = r.organisation_id
         WHERE r.body_id = $1 ORDER BY r.position",
    )
    .bind(body_id)
    .fetch_all(db)
    .await
}

pub async fn contacts(db: impl PgExecutor<'_>, body_id: i64) -> sqlx::Result<Vec<Contact>> {
    sqlx::query_as(
        "SELECT p.slug, p.given_name || ' ' || p.family_name AS name
         FROM body_contact c JOIN person p ON p.id = c.person_id
         WHERE c.body_id = $1 ORDER BY c.position",
    )
    .bind(body_id)
    .fetch_all(db)
    .await
}

/// Who sits in the body on `on`: one query, served by the GiST index on
/// (body, period).
pub async fn composition_on(
    db: impl PgExecutor<'_>,
    body_id: i64,
    on: Date,
) -> sqlx::Result<Vec<Seat>> {
    sqlx::query_as(
        "SELECT p.slug AS person_slug, p.given_name || ' ' || p.family_name AS person_name,
                o.id AS organisation_id, o.name AS organisation_name,
                m.role, m.side, m.function_title, m.valid_from, m.valid_until,
                sp.given_name || ' ' || sp.family_name AS substitute_for
         FROM membership m
         JOIN person p ON p.id = m.person_id
         JOIN organisation o ON o.id = m.organisation_id
         LEFT JOIN membership sm ON sm.id = m.substitute_for_id
         LEFT JOIN person sp ON sp.id = sm.person_id
         WHERE m.body_id = $1
           AND daterange(m.valid_from, m.valid_until, '[]') @> $2::date
         ORDER BY m.side, (m.role = 'chair') DESC, m.role, o.name, p.family_name, p.given_name",
    )
    .bind(body_id)
    .bind(on)
    .fetch_all(db)
    .await
}
