//! The composition's domain operations: each checks what only the database
//! knows, writes and audits in the caller's transaction (run them with
//! `base::write::run`) and says how it went. History is never overwritten:
//! a change ends one membership and starts another; a mistake is superseded.

use serde_json::{Value, json};
use sqlx::PgConnection;
use time::Date;

use super::queries::{
    self, MembershipRole, MembershipRow, NewMembership, OrganisationFields, OrganisationRow,
    PersonRow, PortfolioRow, SeatRule, Side, SlugTable,
};
use super::registry::slugify;
use crate::audit;
use crate::base::error::Result;
use crate::base::write::{Constraint, Outcome, on_constraint};
use crate::base::{Version, dutch};

const OVERLAP: &str = "Deze persoon heeft in dit orgaan al een mandaat met dezelfde rol in (een deel van) deze periode. Beëindig of corrigeer dat mandaat eerst, of kies andere data.";

/// Two mandates of one person with the same role may not overlap; `field`
/// is where the form shows it.
fn overlap(field: &'static str) -> [Constraint; 1] {
    [Constraint {
        name: "membership_no_overlap",
        field,
        message: OVERLAP,
    }]
}

/// Ends and audits a running membership as part of a larger change (the
/// body is locked, so no version check).
async fn end_locked(
    tx: &mut PgConnection,
    actor: i64,
    old: &MembershipRow,
    until: Date,
) -> Result<()> {
    queries::end_membership_locked(tx, old.id, until).await?;
    audit_membership(tx, actor, "end", old).await
}

/// A new mandate: a member taking a seat, a substitute, a new chair; the one
/// it replaces (as the form offered it) ends the day before.
pub async fn add_membership(
    tx: &mut PgConnection,
    actor: i64,
    new: &NewMembership,
    replaces: Option<&MembershipRow>,
) -> Result<Outcome<i64>> {
    queries::lock_body(tx, new.body_id).await?;
    if let Some(old) = replaces {
        // Re-read under the lock: what the form offered may have changed.
        let fresh = queries::membership(&mut *tx, old.id).await?;
        if fresh.map(|m| m.version) != Some(old.version) {
            return Ok(Outcome::Stale);
        }
        let until = new.valid_from.previous_day().unwrap_or(new.valid_from);
        end_locked(tx, actor, old, until).await?;
    }
    let id = match on_constraint(
        queries::insert_membership(tx, new).await,
        &overlap("valid_from"),
    )? {
        Outcome::Done(id) => id,
        refused => return Ok(refused),
    };
    let after = queries::membership(&mut *tx, id)
        .await?
        .map(|r| r.snapshot());
    audit(tx, actor, ("create", "membership", id), None, after).await?;
    Ok(Outcome::Done(id))
}

/// A new government, as the form gives it.
pub struct GovChange {
    pub on: Date,
    pub organisation_id: i64,
    pub members: Vec<(i64, MembershipRole, Option<String>)>,
}

/// A new government takes office: every government-side mandate of the body
/// still running ends the day before, and the new ones start.
pub async fn government_change(
    tx: &mut PgConnection,
    actor: i64,
    body_id: i64,
    change: &GovChange,
) -> Result<Outcome> {
    queries::lock_body(tx, body_id).await?;
    let running = queries::government_memberships_from(tx, body_id, change.on).await?;
    if let Some(late) = running.iter().find(|m| m.valid_from >= change.on) {
        return Ok(Outcome::refused(
            "date",
            format!(
                "{} heeft al een mandaat aan regeringszijde dat begint op {}. Kies een latere datum of corrigeer dat mandaat eerst.",
                late.person_name,
                dutch::nl_date(late.valid_from)
            ),
        ));
    }
    let until = change.on.previous_day().unwrap_or(change.on);
    for m in &running {
        queries::end_membership_locked(tx, m.id, until).await?;
    }
    let mut created = Vec::new();
    for (person_id, role, function_title) in &change.members {
        let new = NewMembership {
            body_id,
            person_id: *person_id,
            organisation_id: change.organisation_id,
            role: *role,
            side: Side::Government,
            function_title: function_title.clone(),
            valid_from: change.on,
            valid_until: None,
            substitute_for_id: None,
            corrects_id: None,
            note: String::new(),
        };
        match on_constraint(queries::insert_membership(tx, &new).await, &overlap("date"))? {
            Outcome::Done(id) => created.push(id),
            Outcome::Stale => return Ok(Outcome::Stale),
            Outcome::Refused(e) => return Ok(Outcome::Refused(e)),
        }
    }
    let mut after = Vec::new();
    for id in created.iter().chain(running.iter().map(|m| &m.id)) {
        if let Some(m) = queries::membership(&mut *tx, *id).await? {
            after.push(m.snapshot());
        }
    }
    audit(
        tx,
        actor,
        ("government_change", "body", body_id),
        Some(json!({ "ended": running.iter().map(MembershipRow::snapshot).collect::<Vec<_>>() })),
        Some(json!({ "from": dutch::iso_date(change.on), "memberships": after })),
    )
    .await?;
    Ok(Outcome::Done(()))
}

/// A seat rule's count and label, if nobody changed it meanwhile.
pub async fn update_rule(
    tx: &mut PgConnection,
    actor: i64,
    before: &SeatRule,
    seen: Version,
    seat_count: Option<i32>,
    label: &str,
) -> Result<Outcome> {
    if !queries::update_seat_rule(tx, before.id, seen.0, seat_count, label).await? {
        return Ok(Outcome::Stale);
    }
    audit(tx, actor, ("update", "seat_rule", before.id), Some(json!({ "seat_count": before.seat_count, "label": before.label, "version": before.version })), Some(json!({ "seat_count": seat_count, "label": label, "version": before.version + 1 }))).await?;
    Ok(Outcome::Done(()))
}

/// A member leaves: the last day of the mandate is set, once.
pub async fn end_membership(
    tx: &mut PgConnection,
    actor: i64,
    m: &MembershipRow,
    seen: Version,
    until: Date,
) -> Result<Outcome> {
    if !queries::end_membership(tx, m.id, seen.0, until).await? {
        return Ok(Outcome::Stale);
    }
    audit_membership(tx, actor, "end", m).await?;
    Ok(Outcome::Done(()))
}

/// A mistake corrected: the membership stops counting and `new`, which names
/// it and says why, takes its place; its substitutes follow. The new id.
pub async fn correct_membership(
    tx: &mut PgConnection,
    actor: i64,
    m: &MembershipRow,
    seen: Version,
    new: &NewMembership,
) -> Result<Outcome<i64>> {
    if !m.counts() {
        return Ok(Outcome::refused(
            "form",
            "Dit mandaat telt al niet meer mee: corrigeer de correctie ervan.",
        ));
    }
    queries::lock_body(tx, m.body_id).await?;
    let note = format!("Gecorrigeerd: {}", new.note);
    if !queries::supersede(tx, m.id, seen.0, actor, &note).await? {
        return Ok(Outcome::Stale);
    }
    let new_id = match on_constraint(
        queries::insert_membership(tx, new).await,
        &overlap("valid_from"),
    )? {
        Outcome::Done(id) => id,
        refused => return Ok(refused),
    };
    let repointed = queries::repoint_substitutes(tx, m.id, new_id).await?;
    let after = queries::membership(&mut *tx, new_id)
        .await?
        .map(|r| r.snapshot());
    audit(
        tx,
        actor,
        ("correct", "membership", m.id),
        Some(m.snapshot()),
        Some(json!({ "correction": after, "substitutes_repointed": repointed })),
    )
    .await?;
    Ok(Outcome::Done(new_id))
}

/// A mandate recorded by mistake, with nothing to put in its place.
pub async fn withdraw_membership(
    tx: &mut PgConnection,
    actor: i64,
    m: &MembershipRow,
    seen: Version,
    note: &str,
) -> Result<Outcome> {
    if !queries::supersede(tx, m.id, seen.0, actor, note).await? {
        return Ok(Outcome::Stale);
    }
    audit_membership(tx, actor, "withdraw", m).await?;
    Ok(Outcome::Done(()))
}

/// Records `(action, entity, id)` by `actor`, with the entity before and
/// after, in the operation's transaction.
async fn audit(
    tx: &mut PgConnection,
    actor: i64,
    (action, entity, id): (&str, &str, i64),
    before: Option<Value>,
    after: Option<Value>,
) -> Result<()> {
    let id = Some(id.to_string());
    audit::Entry::of(action, entity, id)
        .before_opt(before)
        .after_opt(after)
        .write(tx, actor)
        .await?;
    Ok(())
}

/// Audits a change to one membership: `m` before, the row as it is now after.
async fn audit_membership(
    tx: &mut PgConnection,
    actor: i64,
    action: &str,
    m: &MembershipRow,
) -> Result<()> {
    let after = queries::membership(&mut *tx, m.id)
        .await?
        .map(|r| r.snapshot());
    audit(
        tx,
        actor,
        (action, "membership", m.id),
        Some(m.snapshot()),
        after,
    )
    .await?;
    Ok(())
}

/// A new person, under a free slug made of the name. The slug.
pub async fn create_person(
    tx: &mut PgConnection,
    actor: i64,
    given: &str,
    family: &str,
    email: Option<&str>,
) -> Result<Outcome<String>> {
    let slug = queries::free_slug(
        tx,
        SlugTable::Person,
        &slugify(&format!("{given} {family}")),
    )
    .await?;
    let id = queries::create_person(tx, &slug, given, family, email).await?;
    audit(
        tx,
        actor,
        ("create", "person", id),
        None,
        Some(
            json!({ "id": id, "slug": slug, "given_name": given, "family_name": family,
                     "email": email }),
        ),
    )
    .await?;
    Ok(Outcome::Done(slug))
}

pub async fn update_person(
    tx: &mut PgConnection,
    actor: i64,
    person: &PersonRow,
    seen: Version,
    given: &str,
    family: &str,
    email: Option<&str>,
) -> Result<Outcome> {
    if !queries::update_person(tx, person.id, seen.0, given, family, email).await? {
        return Ok(Outcome::Stale);
    }
    audit(
        tx,
        actor,
        ("update", "person", person.id),
        Some(person.snapshot()),
        Some(
            json!({ "given_name": given, "family_name": family, "email": email,
                     "version": person.version + 1 }),
        ),
    )
    .await?;
    Ok(Outcome::Done(()))
}

/// A public function of a person, as the form gives it.
pub struct NewFunction {
    pub organisation_id: Option<i64>,
    pub title: String,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
}

pub async fn add_function(
    tx: &mut PgConnection,
    actor: i64,
    person_id: i64,
    f: &NewFunction,
) -> Result<Outcome<i64>> {
    let inserted = queries::insert_function(
        tx,
        person_id,
        f.organisation_id,
        &f.title,
        f.valid_from,
        f.valid_until,
    )
    .await;
    let id = match on_constraint(
        inserted,
        &[Constraint {
            name: "person_function_person_id_title_valid_from_key",
            field: "title",
            message: "Deze persoon heeft deze functie al vanaf dezelfde datum.",
        }],
    )? {
        Outcome::Done(id) => id,
        refused => return Ok(refused),
    };
    let after = Some(json!({
        "person_id": person_id, "organisation_id": f.organisation_id, "title": f.title,
        "valid_from": f.valid_from.map(dutch::iso_date), "valid_until": f.valid_until.map(dutch::iso_date),
    }));
    audit(tx, actor, ("create", "person_function", id), None, after).await?;
    Ok(Outcome::Done(id))
}

/// A minister's competence from a date; a new competence name is added to
/// the list.
pub async fn add_competence(
    tx: &mut PgConnection,
    actor: i64,
    person_id: i64,
    name: &str,
    from: Date,
    until: Option<Date>,
) -> Result<Outcome<i64>> {
    let competence_id = queries::competence_id(tx, name).await?;
    let inserted = queries::insert_portfolio(tx, person_id, competence_id, from, until).await;
    let id = match on_constraint(
        inserted,
        &[Constraint {
            name: "minister_competence_no_overlap",
            field: "valid_from",
            message: "Deze persoon heeft deze bevoegdheid al in (een deel van) deze periode.",
        }],
    )? {
        Outcome::Done(id) => id,
        refused => return Ok(refused),
    };
    let after = Some(json!({
        "person_id": person_id, "competence": name,
        "valid_from": dutch::iso_date(from), "valid_until": until.map(dutch::iso_date),
    }));
    audit(
        tx,
        actor,
        ("create", "minister_competence", id),
        None,
        after,
    )
    .await?;
    Ok(Outcome::Done(id))
}

/// Ends an open-ended competence; stale when it has an end by now.
pub async fn end_competence(
    tx: &mut PgConnection,
    actor: i64,
    entry: &PortfolioRow,
    until: Date,
) -> Result<Outcome> {
    if !queries::end_portfolio(tx, entry.id, until).await? {
        return Ok(Outcome::Stale);
    }
    audit(
        tx,
        actor,
        ("end", "minister_competence", entry.id),
        Some(json!({ "competence": entry.competence, "valid_until": null })),
        Some(json!({ "competence": entry.competence, "valid_until": dutch::iso_date(until) })),
    )
    .await?;
    Ok(Outcome::Done(()))
}

/// A new organisation, under a free slug made of its short name. The slug.
pub async fn create_organisation(
    tx: &mut PgConnection,
    actor: i64,
    fields: &OrganisationFields,
) -> Result<Outcome<String>> {
    let slug =
        queries::free_slug(tx, SlugTable::Organisation, &slugify(&fields.short_name)).await?;
    let id = queries::create_organisation(tx, &slug, fields).await?;
    let after = queries::organisation_by_slug(&mut *tx, &slug)
        .await?
        .map(|r| r.snapshot());
    audit(tx, actor, ("create", "organisation", id), None, after).await?;
    Ok(Outcome::Done(slug))
}

pub async fn update_organisation(
    tx: &mut PgConnection,
    actor: i64,
    o: &OrganisationRow,
    seen: Version,
    fields: &OrganisationFields,
) -> Result<Outcome> {
    if !queries::update_organisation(tx, o.id, seen.0, fields).await? {
        return Ok(Outcome::Stale);
    }
    let after = queries::organisation_by_slug(&mut *tx, &o.slug)
        .await?
        .map(|r| r.snapshot());
    audit(
        tx,
        actor,
        ("update", "organisation", o.id),
        Some(o.snapshot()),
        after,
    )
    .await?;
    Ok(Outcome::Done(()))
}
