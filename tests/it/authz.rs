//! The authorization matrix: every route of the router, for anonymous
//! visitors and each of the four roles.
//!
//! The routes come from the router's own table (`vesoc::app::route_table`),
//! so a new route is tested the moment it exists. `EXPECTED` is the
//! reviewed permission decision for each route: a route that is missing
//! here, or whose declared access differs, fails the test.

use axum::http::{Method, StatusCode};

use crate::harness::{Client, TestApp};
use vesoc::auth::Role;
use vesoc::auth::access::{Access, Decision};

/// Who may use what: the table of `design.md`, route by route.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("GET", "/", "public"),
    ("GET", "/health/live", "public"),
    ("GET", "/health/ready", "public"),
    ("GET", "/organen", "public"),
    ("GET", "/organen/{slug}", "public"),
    ("GET", "/akkoorden", "public"),
    ("GET", "/akkoorden/{slug}", "public"),
    ("GET", "/aanmelden", "anonymous"),
    ("POST", "/aanmelden", "anonymous"),
    ("GET", "/aanmelden/code", "anonymous"),
    ("POST", "/aanmelden/code", "anonymous"),
    ("GET", "/account/tweestaps", "signed-in"),
    ("POST", "/account/tweestaps", "signed-in"),
    ("POST", "/account/tweestaps/herstelcodes", "signed-in"),
    ("POST", "/account/tweestaps/uitschakelen", "signed-in"),
    ("POST", "/beheer/accounts/{id}/tweestaps", "admin"),
    ("POST", "/afmelden", "signed-in"),
    ("POST", "/account/overal-afmelden", "signed-in"),
    ("GET", "/account", "signed-in"),
    ("GET", "/mijn-werk", "signed-in"),
    ("GET", "/wachtwoord-vergeten", "anonymous"),
    ("POST", "/wachtwoord-vergeten", "anonymous"),
    // the outbox
    ("GET", "/beheer/berichten", "admin+secretariat"),
    ("POST", "/beheer/berichten/test", "admin+secretariat"),
    ("GET", "/beheer/berichten/{id}", "admin+secretariat"),
    (
        "POST",
        "/beheer/berichten/{id}/opnieuw",
        "admin+secretariat",
    ),
    // answers from invitees, through their personal link
    ("GET", "/antwoord/{token}", "public"),
    ("POST", "/antwoord/{token}", "public"),
    // what each mailbox receives; one-click unsubscribe (RFC 8058)
    ("POST", "/vergaderingen/{id}/antwoord", "signed-in"),
    ("GET", "/beheer/organen/{slug}/herinneringen", "secretariat"),
    // agenda versions
    (
        "GET",
        "/vergaderingen/{id}/agenda/versies/{letter}",
        "public",
    ),
    ("GET", "/vergaderingen/{id}/agenda/verschil", "public"),
    ("GET", "/api/oparl/agendaitem", "public"),
    ("GET", "/api/oparl/agendaitem/{item}", "public"),
    ("GET", "/api/oparl/file", "public"),
    ("GET", "/api/oparl/file/{document}", "public"),
    ("GET", "/api/oparl/legislativeterm", "public"),
    ("GET", "/api/oparl/legislativeterm/{term}", "public"),
    ("GET", "/vergaderingen/{id}/agenda/pakket.zip", "public"),
    (
        "GET",
        "/vergaderingen/{id}/agenda/versies/{letter}/pakket.zip",
        "public",
    ),
    ("GET", "/vergaderingen/{id}/agenda.pdf", "public"),
    (
        "GET",
        "/vergaderingen/{id}/agenda/versies/{letter}/agenda.pdf",
        "public",
    ),
    (
        "POST",
        "/vergaderingen/{id}/agenda/versturen",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/organen/{slug}/herinneringen",
        "secretariat",
    ),
    ("GET", "/account/berichten", "signed-in"),
    ("POST", "/account/berichten", "signed-in"),
    ("GET", "/uitschrijven/{token}", "public"),
    ("POST", "/uitschrijven/{token}", "public"),
    ("GET", "/account/wachtwoord", "signed-in"),
    ("POST", "/account/wachtwoord", "signed-in"),
    ("GET", "/wachtwoord-instellen/{token}", "public"),
    ("POST", "/wachtwoord-instellen/{token}", "public"),
    ("GET", "/beheer/accounts", "admin"),
    ("GET", "/beheer/accounts/nieuw", "admin"),
    ("POST", "/beheer/accounts", "admin"),
    ("GET", "/beheer/accounts/{id}", "admin"),
    ("POST", "/beheer/accounts/{id}", "admin"),
    ("POST", "/beheer/accounts/{id}/uitschakelen", "admin"),
    ("POST", "/beheer/accounts/{id}/inschakelen", "admin"),
    ("POST", "/beheer/accounts/{id}/herstellink", "admin"),
    ("GET", "/beheer/logboek", "admin"),
    // meetings
    ("GET", "/vergaderingen", "public"),
    ("GET", "/vergaderingen/{id}", "public"),
    ("GET", "/vergaderingen/{id}/uitnodigingen", "signed-in"),
    ("GET", "/kalender/{file}", "public"),
    ("GET", "/kalender/persoonlijk/{file}", "public"),
    ("POST", "/account/kalender", "signed-in"),
    ("POST", "/account/kalender/intrekken", "signed-in"),
    ("GET", "/beheer/vergaderingen/nieuw", "secretariat"),
    ("POST", "/beheer/vergaderingen", "secretariat"),
    ("GET", "/vergaderingen/{id}/bewerken", "secretariat"),
    ("POST", "/vergaderingen/{id}/bewerken", "secretariat"),
    ("POST", "/vergaderingen/{id}/status", "secretariat"),
    (
        "POST",
        "/vergaderingen/{id}/uitnodigingen/samenstelling",
        "secretariat",
    ),
    (
        "POST",
        "/vergaderingen/{id}/uitnodigingen/toevoegen",
        "secretariat",
    ),
    (
        "POST",
        "/vergaderingen/{id}/uitnodigingen/verwijderen",
        "secretariat",
    ),
    ("POST", "/vergaderingen/{id}/aanwezigheid", "secretariat"),
    ("POST", "/vergaderingen/{id}/verslag", "secretariat"),
    (
        "POST",
        "/vergaderingen/{id}/verslag/goedkeuren",
        "secretariat",
    ),
    // meeting series
    ("GET", "/beheer/reeksen", "secretariat"),
    ("GET", "/beheer/reeksen/nieuw", "secretariat"),
    ("POST", "/beheer/reeksen", "secretariat"),
    ("GET", "/beheer/reeksen/{id}", "secretariat"),
    ("GET", "/beheer/reeksen/{id}/wijzigen", "secretariat"),
    ("POST", "/beheer/reeksen/{id}/wijzigen", "secretariat"),
    ("POST", "/vergaderingen/{id}/overslaan", "secretariat"),
    // composition
    ("GET", "/organen/{slug}/wijzigingen", "public"),
    ("GET", "/organen/{slug}/samenstelling.csv", "public"),
    ("GET", "/beheer/organen/{slug}", "secretariat"),
    ("POST", "/beheer/organen/{slug}/mandaten", "secretariat"),
    (
        "GET",
        "/beheer/organen/{slug}/mandaten/{membership}",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/organen/{slug}/mandaten/{membership}/einde",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/organen/{slug}/mandaten/{membership}/correctie",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/organen/{slug}/mandaten/{membership}/intrekken",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/organen/{slug}/regeringswissel",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/organen/{slug}/zetels/{rule}",
        "secretariat",
    ),
    (
        "GET",
        "/beheer/organen/{slug}/mandaten/nieuw",
        "secretariat",
    ),
    (
        "GET",
        "/beheer/organen/{slug}/regeringswissel",
        "secretariat",
    ),
    ("GET", "/beheer/organen/{slug}/zetels", "secretariat"),
    ("GET", "/beheer/personen", "secretariat"),
    ("GET", "/beheer/personen/nieuw", "secretariat"),
    ("POST", "/beheer/personen", "secretariat"),
    ("GET", "/beheer/personen/{person}", "secretariat"),
    ("POST", "/beheer/personen/{person}", "secretariat"),
    ("POST", "/beheer/personen/{person}/functies", "secretariat"),
    (
        "POST",
        "/beheer/personen/{person}/bevoegdheden",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/personen/{person}/bevoegdheden/{competence}/einde",
        "secretariat",
    ),
    ("GET", "/beheer/organisaties", "secretariat"),
    ("GET", "/beheer/organisaties/nieuw", "secretariat"),
    ("POST", "/beheer/organisaties", "secretariat"),
    ("GET", "/beheer/organisaties/{organisation}", "secretariat"),
    ("POST", "/beheer/organisaties/{organisation}", "secretariat"),
    ("GET", "/api/oparl", "public"),
    ("GET", "/api/oparl/body", "public"),
    ("GET", "/api/oparl/body/{slug}", "public"),
    ("GET", "/api/oparl/gremium/{slug}", "public"),
    ("GET", "/api/oparl/organization", "public"),
    ("GET", "/api/oparl/organization/{organisation}", "public"),
    ("GET", "/api/oparl/person", "public"),
    ("GET", "/api/oparl/person/{person}", "public"),
    ("GET", "/api/oparl/membership", "public"),
    ("GET", "/api/oparl/membership/{membership}", "public"),
    ("GET", "/api/oparl/meeting", "public"),
    ("GET", "/api/oparl/meeting/{meeting}", "public"),
    ("GET", "/api/oparl/meeting/{meeting}/invitation", "public"),
    (
        "GET",
        "/api/oparl/meeting/{meeting}/resultsprotocol",
        "public",
    ),
    ("GET", "/api/oparl/paper", "public"),
    ("GET", "/api/oparl/paper/{agreement}", "public"),
    ("GET", "/api/oparl/consultation/{item}", "public"),
    // agreements
    ("GET", "/beheer/akkoorden/nieuw", "secretariat"),
    ("POST", "/beheer/akkoorden", "secretariat"),
    ("GET", "/beheer/akkoorden/{slug}", "secretariat"),
    ("POST", "/beheer/akkoorden/{slug}", "secretariat"),
    ("POST", "/beheer/akkoorden/{slug}/publiceren", "secretariat"),
    (
        "GET",
        "/beheer/akkoorden/{slug}/doelstellingen/nieuw",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/doelstellingen",
        "secretariat",
    ),
    (
        "GET",
        "/beheer/akkoorden/{slug}/doelstellingen/{goal}",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/doelstellingen/{goal}",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/doelstellingen/{goal}/verwijderen",
        "secretariat",
    ),
    (
        "GET",
        "/beheer/akkoorden/{slug}/actielijnen/nieuw",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/actielijnen",
        "secretariat",
    ),
    (
        "GET",
        "/beheer/akkoorden/{slug}/actielijnen/{line}",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/actielijnen/{line}",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/actielijnen/{line}/omhoog",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/actielijnen/{line}/omlaag",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/actielijnen/{line}/verwijderen",
        "secretariat",
    ),
    (
        "GET",
        "/beheer/akkoorden/{slug}/ondertekenaars/nieuw",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/ondertekenaars",
        "secretariat",
    ),
    (
        "POST",
        "/beheer/akkoorden/{slug}/ondertekenaars/{signatory}/verwijderen",
        "secretariat",
    ),
    (
        "GET",
        "/opvolging/actielijnen/{line}",
        "cabinet+secretariat",
    ),
    (
        "POST",
        "/opvolging/actielijnen/{line}",
        "cabinet+secretariat",
    ),
    ("GET", "/opvolging/doelstellingen/{goal}", "secretariat"),
    ("POST", "/opvolging/doelstellingen/{goal}", "secretariat"),
    // agenda
    ("GET", "/agendapunten", "cabinet+secretariat+social-partner"),
    ("GET", "/punten/{id}", "public"),
    (
        "POST",
        "/punten/{id}/belangenconflict",
        "cabinet+secretariat+social-partner",
    ),
    ("GET", "/vergaderingen/{id}/verslag", "signed-in"),
    ("GET", "/vergaderingen/{id}/verslag.pdf", "signed-in"),
    (
        "POST",
        "/vergaderingen/{id}/verslag/punten/{item}",
        "secretariat",
    ),
    (
        "POST",
        "/vergaderingen/{id}/verslag/versturen",
        "secretariat",
    ),
    (
        "POST",
        "/vergaderingen/{id}/verslag/verbeteren",
        "secretariat",
    ),
    (
        "POST",
        "/vergaderingen/{id}/besluiten/publiceren",
        "secretariat",
    ),
    ("GET", "/vergaderingen/{id}/besluiten", "public"),
    ("GET", "/vergaderingen/{id}/besluiten.pdf", "public"),
    ("GET", "/beslissingen", "public"),
    ("POST", "/vergaderingen/{id}/herinneren", "secretariat"),
    (
        "GET",
        "/agendapunten/nieuw",
        "cabinet+secretariat+social-partner",
    ),
    (
        "POST",
        "/agendapunten",
        "cabinet+secretariat+social-partner",
    ),
    (
        "GET",
        "/agendapunten/{id}",
        "cabinet+secretariat+social-partner",
    ),
    (
        "GET",
        "/agendapunten/{id}/bewerken",
        "cabinet+secretariat+social-partner",
    ),
    (
        "POST",
        "/agendapunten/{id}/bewerken",
        "cabinet+secretariat+social-partner",
    ),
    (
        "POST",
        "/agendapunten/{id}/intrekken",
        "cabinet+secretariat+social-partner",
    ),
    ("POST", "/agendapunten/{id}/beoordelen", "secretariat"),
    ("GET", "/beheer/agendapunten", "secretariat"),
    ("GET", "/vergaderingen/{id}/agenda", "secretariat"),
    (
        "POST",
        "/vergaderingen/{id}/agenda/verplaatsen",
        "secretariat",
    ),
    ("POST", "/vergaderingen/{id}/agenda/punt", "secretariat"),
    (
        "POST",
        "/vergaderingen/{id}/agenda/afhandelen",
        "secretariat",
    ),
    (
        "POST",
        "/vergaderingen/{id}/agenda/doorschuiven",
        "secretariat",
    ),
    ("GET", "/vergaderingen/{id}/agenda/afdrukken", "public"),
    // agenda: daily work
    ("POST", "/vergaderingen/{id}/agenda/plaats", "secretariat"),
    // overview and search
    ("GET", "/jaaroverzicht", "public"),
    ("GET", "/jaaroverzicht/{jaar}", "public"),
    ("GET", "/zoeken", "public"),
    // documents
    (
        "POST",
        "/agendapunten/{id}/documenten",
        "cabinet+secretariat+social-partner",
    ),
    // who may download which document is the record's rule (records.rs)
    ("GET", "/documenten/{id}", "public"),
    // action points: who may see one is its item's rule (actions.rs); who
    // may add a note or report it done, its assignee (and the secretariat)
    ("GET", "/actiepunten", "cabinet+secretariat+social-partner"),
    ("GET", "/actiepunten/{id}", "signed-in"),
    (
        "POST",
        "/actiepunten/{id}/notities",
        "cabinet+secretariat+social-partner",
    ),
    (
        "POST",
        "/actiepunten/{id}/uitgevoerd",
        "cabinet+secretariat+social-partner",
    ),
    ("POST", "/actiepunten/{id}/bevestigen", "secretariat"),
    ("POST", "/actiepunten/{id}/schrappen", "secretariat"),
    ("POST", "/actiepunten/{id}/heropenen", "secretariat"),
    ("GET", "/actiepunten/{id}/bewerken", "secretariat"),
    ("POST", "/actiepunten/{id}/bewerken", "secretariat"),
    ("GET", "/agendapunten/{id}/actiepunten/nieuw", "secretariat"),
    ("POST", "/agendapunten/{id}/actiepunten", "secretariat"),
];

fn access_name(access: Access) -> String {
    match access {
        Access::Public => "public".into(),
        Access::Anonymous => "anonymous".into(),
        Access::SignedIn => "signed-in".into(),
        Access::Roles(roles) => {
            let mut names: Vec<&str> = roles
                .iter()
                .map(|r| match r {
                    Role::Admin => "admin",
                    Role::Secretariat => "secretariat",
                    Role::Cabinet => "cabinet",
                    Role::SocialPartner => "social-partner",
                })
                .collect();
            names.sort_unstable();
            names.join("+")
        }
    }
}

#[test]
fn every_route_has_a_reviewed_permission_decision() {
    let table = vesoc::app::route_table();
    for route in &table {
        let expected = EXPECTED
            .iter()
            .find(|(m, p, _)| *m == route.method.as_str() && *p == route.path)
            .unwrap_or_else(|| {
                panic!(
                    "{} {} has no entry in EXPECTED: decide who may use it",
                    route.method, route.path
                )
            });
        assert_eq!(
            expected.2,
            access_name(route.access),
            "{} {}: declared access differs from the reviewed decision",
            route.method,
            route.path
        );
    }
    for (m, p, _) in EXPECTED {
        assert!(
            table
                .iter()
                .any(|r| r.method.as_str() == *m && r.path == *p),
            "{m} {p} is in EXPECTED but not in the router"
        );
    }
}

/// Records that exist, for the path parameters.
pub(crate) struct Samples {
    account: i64,
    meeting: i64,
    calendar_token: String,
    line: i64,
    goal: i64,
    signatory: i64,
    /// An agenda item per role: a proposer only sees their own.
    items: Vec<(Option<Role>, i64)>,
    /// A document everyone may download: of an item on the meeting's agenda.
    document: i64,
    /// A message in the outbox.
    mail: i64,
    /// The item on the meeting's agenda that `document` belongs to.
    public_item: i64,
    /// A meeting series of the working group.
    series: i64,
    /// An action point of `public_item` per role, given to that role's
    /// organisation, minister or the secretariat: its assignee may act.
    action_points: Vec<(Option<Role>, i64)>,
}

impl Samples {
    fn item(&self, role: Option<Role>) -> i64 {
        self.items
            .iter()
            .find(|(r, _)| *r == role)
            .or(self.items.first())
            .map(|(_, id)| *id)
            .expect("a sample agenda item")
    }

    fn action_point(&self, role: Option<Role>) -> i64 {
        self.action_points
            .iter()
            .find(|(r, _)| *r == role)
            .or(self.action_points.first())
            .map(|(_, id)| *id)
            .expect("a sample action point")
    }
}

/// The first goal, a leaf action line within the test cabinet's competences
/// today, and a signatory of the seeded agreement. The seeded minister
/// competences ended with the 2019–2024 legislature, so the test gives the
/// cabinet's minister (Hilde Crevits) "Werk" again.
async fn agreement_samples(app: &TestApp) -> (i64, i64, i64) {
    let id = |sql: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    let line =
        id("SELECT l.id FROM action_line l WHERE l.title = 'Kwalitatief werkplekleren'").await;
    sqlx::query(
        "INSERT INTO minister_competence (person_id, competence_id, valid_from)
         SELECT p.id, c.id, DATE '2026-01-01' FROM person p, competence c
         WHERE p.slug = 'hilde-crevits' AND c.name = 'Werk'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO action_line_competence (action_line_id, competence_id)
         SELECT $1, id FROM competence WHERE name = 'Werk'",
    )
    .bind(line)
    .execute(&app.db)
    .await
    .unwrap();
    (
        line,
        id("SELECT min(id) FROM goal").await,
        id("SELECT min(id) FROM signatory").await,
    )
}

/// Routes a role may use whose sample record that role may not see: the
/// record's rule (docs/access.md, checked channel by channel in
/// records.rs) answers "not found". Administrators sit in no body.
fn record_refuses(path: &str, role: Option<Role>) -> bool {
    matches!(
        (path, role),
        ("/vergaderingen/{id}/uitnodigingen", Some(Role::Admin))
            // minutes are for the members of the body and the secretariat
            | (
                "/vergaderingen/{id}/verslag" | "/vergaderingen/{id}/verslag.pdf",
                Some(Role::Admin)
            )
    )
}

/// Fills in a route's path parameters with records that exist.
pub(crate) fn concrete(path: &str, s: &Samples, role: Option<Role>) -> String {
    let id = if path.starts_with("/vergaderingen") {
        s.meeting
    } else if path.starts_with("/agendapunten") {
        s.item(role)
    } else if path.starts_with("/documenten") {
        s.document
    } else if path.starts_with("/punten") {
        s.public_item
    } else if path.starts_with("/beheer/berichten") {
        s.mail
    } else if path.starts_with("/beheer/reeksen") {
        s.series
    } else if path.starts_with("/actiepunten") {
        s.action_point(role)
    } else {
        s.account
    };
    let file = if path.starts_with("/kalender/persoonlijk") {
        format!("{}.ics", s.calendar_token)
    } else {
        "vesoc-werkgroep.ics".to_string()
    };
    path.replace("{slug}", slug_for(path))
        .replace("{id}", &id.to_string())
        .replace("{file}", &file)
        .replace("{token}", "ongeldige-link")
        .replace("{letter}", "A")
        .replace("{item}", &s.public_item.to_string())
        .replace("{document}", &s.document.to_string())
        .replace("{term}", "2019-2024")
        .replace("{line}", &s.line.to_string())
        .replace("{goal}", &s.goal.to_string())
        .replace("{signatory}", &s.signatory.to_string())
        // composition and open data: records of the seed (the first
        // membership, seat rule and competence are Jan Jambon's and the
        // (in)formal VESOC's)
        .replace("{person}", "jan-jambon")
        .replace("{organisation}", "acv")
        .replace("{membership}", "1")
        .replace("{rule}", "1")
        .replace("{competence}", "1")
        .replace("{meeting}", &s.meeting.to_string())
        .replace("{agreement}", "iedereen-aan-boord-2019")
        .replace("{jaar}", "2024")
}

fn slug_for(path: &str) -> &'static str {
    if path.starts_with("/organen")
        || path.starts_with("/beheer/organen")
        || path.starts_with("/api/oparl/body")
        || path.starts_with("/api/oparl/gremium")
    {
        "vesoc-overleg"
    } else if path.starts_with("/akkoorden") || path.starts_with("/beheer/akkoorden") {
        "iedereen-aan-boord-2019"
    } else if path.contains("{slug}") {
        panic!("no sample value for {{slug}} in {path}: add one")
    } else {
        ""
    }
}

/// Records for every path parameter: the admin actions on {id} act upon
/// an account that is none of the test's clients, so no client loses its
/// session midway.
pub(crate) async fn samples(app: &TestApp) -> Samples {
    // The records that admin actions on {id} act upon: not one of the
    // clients below, so no client loses its session midway.
    let target = app
        .account(Role::SocialPartner, "doelwit@test.vesoc.be")
        .await;
    let meeting = app
        .meeting("vesoc-werkgroep", "working_group", "2026-06-10 10:00+02")
        .await;
    // It was convened: its agenda was sent once, version A.
    sqlx::query("UPDATE meeting SET status = 'convened' WHERE id = $1")
        .bind(meeting)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO agenda_version (meeting_id, letter, starts_at, ends_at, location, invitees)
         SELECT id, 'A', starts_at, ends_at, location, meeting_invitation_list(id)
         FROM meeting WHERE id = $1",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let calendar_token = vesoc::accounts::new_calendar_token(&mut tx, target)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (line, goal, signatory) = agreement_samples(app).await;
    // One submitted agenda item per proposing side, each its own.
    let mut items = Vec::new();
    for (role, org, minister) in [
        (Role::SocialPartner, "acv", None),
        (Role::Cabinet, "vlaamse-regering", Some("hilde-crevits")),
        (Role::Secretariat, "serv", None),
    ] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO agenda_item (body_id, proposer_organisation_id, proposer_minister_id, title, kind)
             VALUES ((SELECT id FROM body WHERE slug = 'vesoc-werkgroep'),
                     (SELECT id FROM organisation WHERE slug = $1),
                     (SELECT id FROM person WHERE slug = $2), 'Voorbeeldpunt', 'discussion')
             RETURNING id",
        )
        .bind(org)
        .bind(minister)
        .fetch_one(&app.db)
        .await
        .unwrap();
        items.push((Some(role), id));
    }
    // A public document of a public item: on the meeting's agenda.
    let document: i64 = sqlx::query_scalar(
        "WITH item AS (
             INSERT INTO agenda_item (body_id, meeting_id, proposer_organisation_id, title, kind,
                                      status, position)
             VALUES ((SELECT id FROM body WHERE slug = 'vesoc-werkgroep'), $1,
                     (SELECT id FROM organisation WHERE slug = 'serv'), 'Openbaar punt',
                     'discussion', 'accepted', 1)
             RETURNING id)
         INSERT INTO document (agenda_item_id, filename, content_type, size_bytes, sha256, content)
         SELECT id, 'nota.txt', 'text/plain; charset=utf-8', 5, sha256('nota.'::bytea), 'nota.'::bytea
         FROM item
         RETURNING id",
    )
    .bind(meeting)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let mail = sqlx::query_scalar(
        "INSERT INTO mail_message (kind, recipient, subject, body_text, message_id, status, attempts, last_error)
         VALUES ('test', 'iemand@voorbeeld.be', 'Testbericht', 'Tekst', '<authz@vesoc>', 'failed', 1, '550 nee')
         RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let public_item = sqlx::query_scalar("SELECT agenda_item_id FROM document WHERE id = $1")
        .bind(document)
        .fetch_one(&app.db)
        .await
        .unwrap();
    // The meeting's minutes are approved: its members may read them.
    sqlx::query(
        "INSERT INTO minutes (meeting_id, text, status, approved_on)
         VALUES ($1, 'Het verslag.', 'approved', '2026-07-01')",
    )
    .bind(meeting)
    .execute(&app.db)
    .await
    .unwrap();
    // It concerns the published agreement: open data has its consultation.
    sqlx::query(
        "UPDATE agenda_item SET agreement_id = (SELECT id FROM agreement WHERE slug = $2)
         WHERE id = $1",
    )
    .bind(public_item)
    .bind("iedereen-aan-boord-2019")
    .execute(&app.db)
    .await
    .unwrap();
    let series = sqlx::query_scalar(
        "INSERT INTO meeting_series (body_id, kind, rrule, starts_local, ends_local, first_date,
                                     last_date)
         SELECT id, 'working_group', 'FREQ=MONTHLY;UNTIL=20270630T215900Z;BYDAY=2TU', '10:00',
                '12:00', '2026-09-01', '2027-06-30'
         FROM body WHERE slug = 'vesoc-werkgroep' RETURNING id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let mut action_points = Vec::new();
    for (role, assignee) in [
        (
            Role::SocialPartner,
            "(SELECT id FROM organisation WHERE slug = 'acv'), NULL, false",
        ),
        (
            Role::Cabinet,
            "NULL, (SELECT id FROM person WHERE slug = 'hilde-crevits'), false",
        ),
        (Role::Secretariat, "NULL, NULL, true"),
    ] {
        let id: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO action_point (agenda_item_id, what, assignee_organisation_id,
                                       assignee_minister_id, assignee_secretariat, due_on)
             VALUES ($1, 'Voorbeeldactie', {assignee}, DATE '2026-07-01') RETURNING id"
        ))
        .bind(public_item)
        .fetch_one(&app.db)
        .await
        .unwrap();
        action_points.push((Some(role), id));
    }
    Samples {
        series,
        action_points,
        public_item,
        mail,
        document,
        account: target,
        meeting,
        calendar_token,
        line,
        goal,
        signatory,
        items,
    }
}

#[tokio::test]
async fn every_route_answers_each_role_as_decided() {
    let app = TestApp::seeded().await;
    let samples = samples(&app).await;

    let mut clients: Vec<(Option<Role>, Client)> = vec![(None, app.client())];
    for role in Role::ALL {
        clients.push((Some(role), app.signed_in(role).await));
    }

    let mut table = vesoc::app::route_table();
    // Signing out last, so the other routes see a signed-in client.
    table.sort_by_key(|r| r.path == "/afmelden");

    for route in &table {
        {
            for (role, client) in clients.iter_mut() {
                let path = concrete(route.path, &samples, *role);
                let expected = route.access.decide(*role);
                let page = if route.method == Method::GET {
                    client.get(&path).await
                } else {
                    client.post_form(&path, &[]).await
                };
                let who = format!("{role:?} {} {path}", route.method);
                match expected {
                    Decision::SignIn => {
                        assert_eq!(page.status, StatusCode::SEE_OTHER, "{who}");
                        let to = page.location().unwrap_or_default();
                        assert!(to.starts_with("/aanmelden"), "{who} → {to}");
                    }
                    Decision::Forbid => {
                        assert_eq!(page.status, StatusCode::FORBIDDEN, "{who}");
                        assert_eq!(page.select("h1"), vec!["Geen toegang"], "{who}");
                    }
                    Decision::GoHome => {
                        assert_eq!(page.status, StatusCode::SEE_OTHER, "{who}");
                        assert_eq!(page.location(), Some("/"), "{who}");
                    }
                    Decision::Allow => {
                        assert_ne!(page.status, StatusCode::FORBIDDEN, "{who}");
                        assert!(
                            !page
                                .location()
                                .unwrap_or_default()
                                .starts_with("/aanmelden"),
                            "{who}"
                        );
                        assert!(!page.status.is_server_error(), "{who}: {}", page.status);
                        if route.method == Method::GET {
                            let ok = page.status == StatusCode::OK
                                // an invalid one-time link is refused as such
                                || (path.contains("ongeldige-link") && page.status == StatusCode::BAD_REQUEST)
                                // the route is open to the role, the sample record is not
                                || (record_refuses(route.path, *role)
                                    && page.status == StatusCode::NOT_FOUND);
                            assert!(ok, "{who}: {}", page.status);
                        }
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn a_post_without_permission_changes_nothing() {
    let app = TestApp::seeded().await;
    let target = app
        .account(Role::SocialPartner, "doelwit@test.vesoc.be")
        .await;
    let before = app.count("SELECT count(*) FROM audit_log").await;
    for role in [Role::Secretariat, Role::Cabinet, Role::SocialPartner] {
        let mut c = app.signed_in(role).await;
        let after_sign_in = app.count("SELECT count(*) FROM audit_log").await;
        let page = c
            .post_form(&format!("/beheer/accounts/{target}/uitschakelen"), &[])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let page = c
            .post_form(
                "/beheer/accounts",
                &[
                    ("email", "x@y.be"),
                    ("display_name", "X"),
                    ("role", "admin"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.count("SELECT count(*) FROM audit_log").await,
            after_sign_in
        );
    }
    assert!(app.count("SELECT count(*) FROM audit_log").await > before);
    assert_eq!(
        app.count("SELECT count(*) FROM account WHERE disabled_at IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT count(*) FROM account WHERE email = 'x@y.be'")
            .await,
        0
    );
}
