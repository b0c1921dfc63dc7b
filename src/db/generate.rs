//! `vesoc generate`: a large, clearly fake history for benchmarks and
//! performance tests. Never part of the seed, never for production.
//!
//! Everything generated is marked: people's slugs start with
//! `gegenereerd-` and their family names end with "(gegenereerd)"; titles,
//! notes and document contents say "gegenereerd". Names are made from a
//! fixed list of syllables. The same seed gives the same data: one seeded
//! PRNG drives every choice, and the history ends on a fixed date
//! ([`HISTORY_END`]) rather than today.
//!
//! Speed: rows are built in memory, ids are reserved from the identity
//! sequences up front (so rows can point at each other before they are
//! written), and each table is written with one `INSERT … SELECT FROM
//! unnest(…)` per table, all in one transaction.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use time::macros::{date, time};
use time::{Date, Duration, Month, PrimitiveDateTime, Weekday};

use super::seed;

/// The generated history ends here (inclusive of its year): meetings
/// before it were held or cancelled, later ones are planned.
pub const HISTORY_END: Date = date!(2026 - 11 - 25);

/// Legislatures in the generated history.
const LEGISLATURES: i32 = 5;

#[derive(Debug, Clone)]
pub struct Options {
    pub years: i32,
    pub seed: u64,
    /// Generate even when the database holds more than the seed data.
    pub force: bool,
}

#[derive(Debug, Default)]
pub struct Summary {
    pub people: usize,
    pub memberships: usize,
    pub meetings: usize,
    pub agenda_items: usize,
    pub documents: usize,
    pub participants: usize,
    pub agreements: usize,
    pub action_lines: usize,
    pub follow_ups: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} personen, {} mandaten, {} vergaderingen, {} agendapunten, {} documenten, \
             {} deelnemers, {} akkoorden, {} actielijnen, {} opvolgingen",
            self.people,
            self.memberships,
            self.meetings,
            self.agenda_items,
            self.documents,
            self.participants,
            self.agreements,
            self.action_lines,
            self.follow_ups
        )
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "ven", "dor", "sel", "tu", "bri", "no", "fa", "gel", "hu", "jan", "ke",
    "lin", "mar", "ol", "pie", "ter", "wim", "ys", "zan", "de",
];

const TOPICS: &[&str] = &[
    "Arbeidsmarkt",
    "Duaal leren",
    "Loopbaanbegeleiding",
    "Energiekosten",
    "Kinderopvang",
    "Mobiliteit",
    "Opleidingsincentives",
    "Sociale economie",
    "Digitalisering",
    "Relance",
    "Armoedebestrijding",
    "Begroting",
];

const ASPECTS: &[&str] = &[
    "stand van zaken",
    "voorstel",
    "evaluatie",
    "opvolging",
    "advies",
    "timing",
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn name(rng: &mut StdRng, syllables: usize) -> String {
    let s: String = (0..syllables).map(|_| *pick(rng, SYLLABLES)).collect();
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => s,
    }
}

fn day(d: Date, n: i64) -> Date {
    d + Duration::days(n)
}

fn weekday_on_or_after(mut d: Date) -> Date {
    while matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
        d = d.next_day().unwrap_or(d);
    }
    d
}

fn ymd(y: i32, m: u8, d: u8) -> anyhow::Result<Date> {
    Ok(Date::from_calendar_date(y, Month::try_from(m)?, d)?)
}

/// Reserves `n` ids of a table's identity column, so that rows can refer
/// to each other before they are written (`OVERRIDING SYSTEM VALUE`).
async fn reserve_ids(c: &mut PgConnection, table: &str, n: usize) -> sqlx::Result<Vec<i64>> {
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2::bigint)",
    )
    .bind(table)
    .bind(n as i64)
    .fetch_all(&mut *c)
    .await?;
    ids.sort_unstable();
    Ok(ids)
}

struct Membership {
    body: usize,
    person: usize,
    org: i64,
    role: &'static str,
    side: &'static str,
    title: Option<String>,
    from: Date,
    until: Option<Date>,
    substitute_for: Option<usize>,
    corrects: Option<usize>,
    superseded: bool,
}

impl Membership {
    fn covers(&self, d: Date) -> bool {
        self.from <= d && self.until.is_none_or(|u| d <= u)
    }
}

struct Meeting {
    body: usize,
    kind: &'static str,
    starts: PrimitiveDateTime,
    status: &'static str,
    rescheduled: bool,
}

/// Fills the database with `opts.years` of generated history.
pub async fn generate(pool: &PgPool, opts: &Options) -> anyhow::Result<Summary> {
    anyhow::ensure!(
        (1..=60).contains(&opts.years),
        "--years moet tussen 1 en 60 liggen"
    );
    seed::seed_if_empty(pool).await?;
    let mut tx = pool.begin().await?;
    let c = &mut *tx;
    let existing: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM meeting) + (SELECT count(*) FROM agenda_item)
              + (SELECT count(*) FROM person WHERE slug LIKE 'gegenereerd-%')",
    )
    .fetch_one(&mut *c)
    .await?;
    anyhow::ensure!(
        existing == 0 || opts.force,
        "De databank bevat meer dan de brongegevens (vergaderingen, agendapunten of gegenereerde \
         personen). Gebruik --force om toch gegevens toe te voegen."
    );
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut summary = Summary::default();
    let tag = opts.seed;

    // --- what the seed provides ---
    let body_ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM body WHERE slug = ANY($1) ORDER BY array_position($1, slug)",
    )
    .bind(vec![seed::VESOC, seed::WORKING_GROUP])
    .fetch_all(&mut *c)
    .await?;
    anyhow::ensure!(body_ids.len() == 2, "de twee organen ontbreken");
    let orgs: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, slug, kind::text FROM organisation ORDER BY id")
            .fetch_all(&mut *c)
            .await?;
    let org = |slug: &str| -> anyhow::Result<i64> {
        orgs.iter()
            .find(|(_, s, _)| s == slug)
            .map(|(id, _, _)| *id)
            .with_context(|| format!("organisatie {slug} ontbreekt"))
    };
    let government = org("vlaamse-regering")?;
    let serv = org("serv")?;
    let advisory = [org("dkb")?, org("wse")?];
    let partners: Vec<i64> = orgs
        .iter()
        .filter(|(_, _, k)| k == "employers" || k == "trade_union")
        .map(|(id, _, _)| *id)
        .collect();
    let competences: Vec<i64> = sqlx::query_scalar("SELECT id FROM competence ORDER BY id")
        .fetch_all(&mut *c)
        .await?;

    // --- people ---
    const PEOPLE: usize = 300;
    let person_ids = reserve_ids(c, "person", PEOPLE).await?;
    let mut given = Vec::with_capacity(PEOPLE);
    let mut family = Vec::with_capacity(PEOPLE);
    let mut slugs = Vec::with_capacity(PEOPLE);
    for i in 0..PEOPLE {
        let g = name(&mut rng, 2);
        let f = name(&mut rng, 3);
        slugs.push(format!("gegenereerd-{tag}-{}", i + 1));
        given.push(g);
        family.push(format!("{f} (gegenereerd)"));
    }
    execute!(
        c,
        "INSERT INTO person (id, slug, given_name, family_name) OVERRIDING SYSTEM VALUE
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])",
        &person_ids,
        &slugs,
        &given,
        &family,
    );
    summary.people = PEOPLE;
    let display = |p: usize| format!("{} {}", given[p], family[p]);

    // --- memberships over five legislatures ---
    let first_year = HISTORY_END.year() - opts.years + 1;
    let start = ymd(first_year, 1, 1)?;
    let legislatures = LEGISLATURES.min(opts.years);
    let bounds: Vec<Date> = (0..=legislatures)
        .map(|k| ymd(first_year + k * opts.years / legislatures, 1, 1))
        .collect::<anyhow::Result<_>>()?;
    // (body, side, role, organisations to rotate through, seats, with substitutes)
    type Seat = (usize, &'static str, &'static str, Vec<i64>, usize, bool);
    let seats: Vec<Seat> = vec![
        (0, "government", "chair", vec![government], 1, false),
        (0, "government", "member", vec![government], 4, true),
        (
            0,
            "government",
            "attends_when_competent",
            vec![government],
            3,
            false,
        ),
        (0, "social_partners", "member", partners.clone(), 16, true),
        (0, "advisory", "advisory", advisory.to_vec(), 2, false),
        (0, "secretariat", "secretariat", vec![serv], 2, false),
        (1, "government", "member", vec![government], 6, true),
        (1, "social_partners", "member", partners.clone(), 16, true),
        (1, "advisory", "advisory", advisory.to_vec(), 2, false),
        (1, "secretariat", "secretariat", vec![serv], 2, false),
    ];
    let mut ms: Vec<Membership> = Vec::new();
    // Periods already taken per (body, person, role): the overlap constraint.
    type Taken = HashMap<(usize, usize, &'static str), Vec<(Date, Option<Date>)>>;
    let mut busy: Taken = HashMap::new();
    let mut free_person =
        |rng: &mut StdRng, body: usize, role: &'static str, from: Date, until: Option<Date>| {
            loop {
                let p = rng.random_range(0..PEOPLE);
                let spans = busy.entry((body, p, role)).or_default();
                let clash = spans.iter().any(|(f, u)| {
                    u.is_none_or(|u| from <= u) && until.is_none_or(|until| *f <= until)
                });
                if !clash {
                    spans.push((from, until));
                    return p;
                }
            }
        };
    for k in 0..legislatures as usize {
        let (leg_from, leg_next) = (bounds[k], bounds[k + 1]);
        let last = k + 1 == legislatures as usize;
        for (body, side, role, seat_orgs, count, with_substitute) in &seats {
            for n in 0..*count {
                let organisation = seat_orgs[n % seat_orgs.len()];
                let segments = rng.random_range(3..=6);
                let len = (leg_next - leg_from).whole_days();
                let mut cuts: Vec<i64> = (1..segments)
                    .map(|_| rng.random_range(30..len - 30))
                    .collect();
                cuts.sort_unstable();
                cuts.dedup();
                let mut from = leg_from;
                for s in 0..=cuts.len() {
                    let until = match cuts.get(s) {
                        Some(cut) => Some(day(leg_from, *cut - 1)),
                        None if last => None,
                        None => Some(day(leg_next, -1)),
                    };
                    let title = match *role {
                        "chair" => Some("Minister-president (gegenereerd)".to_string()),
                        "secretariat" => Some("Secretariaat (gegenereerd)".to_string()),
                        _ => None,
                    };
                    let person = free_person(&mut rng, *body, role, from, until);
                    let held = Membership {
                        body: *body,
                        person,
                        org: organisation,
                        role,
                        side,
                        title,
                        from,
                        until,
                        substitute_for: None,
                        corrects: None,
                        superseded: false,
                    };
                    // Now and then a mandate was first recorded with a
                    // wrong start date and then corrected.
                    let corrects = rng.random_bool(0.02).then(|| {
                        ms.push(Membership {
                            title: held.title.clone(),
                            from: day(from, 31).min(until.unwrap_or(HISTORY_END)),
                            superseded: true,
                            ..held
                        });
                        ms.len() - 1
                    });
                    ms.push(Membership { corrects, ..held });
                    let member = ms.len() - 1;
                    if *with_substitute {
                        let sub = free_person(&mut rng, *body, "substitute", from, until);
                        ms.push(Membership {
                            person: sub,
                            role: "substitute",
                            title: None,
                            substitute_for: Some(member),
                            ..held
                        });
                    }
                    if let Some(u) = until {
                        from = day(u, 1);
                    }
                }
            }
        }
    }
    let m_ids = reserve_ids(c, "membership", ms.len()).await?;
    execute!(
        c,
        "INSERT INTO membership (id, body_id, person_id, organisation_id, role, side, function_title,
                                 valid_from, valid_until, substitute_for_id, corrects_id, note,
                                 superseded_at, superseded_note)
         OVERRIDING SYSTEM VALUE
         SELECT id, body, person, org, role::membership_role, side::side, title, vfrom, vuntil,
                sub, corr, 'gegenereerd',
                CASE WHEN sup THEN vfrom::timestamptz + interval '40 days' END,
                CASE WHEN sup THEN 'Verkeerde begindatum (gegenereerd)' END
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
                     $7::text[], $8::date[], $9::date[], $10::bigint[], $11::bigint[], $12::bool[])
              AS u(id, body, person, org, role, side, title, vfrom, vuntil, sub, corr, sup)",
        &m_ids,
        ms.iter().map(|m| body_ids[m.body]).collect::<Vec<_>>(),
        ms.iter().map(|m| person_ids[m.person]).collect::<Vec<_>>(),
        ms.iter().map(|m| m.org).collect::<Vec<_>>(),
        ms.iter().map(|m| m.role).collect::<Vec<_>>(),
        ms.iter().map(|m| m.side).collect::<Vec<_>>(),
        ms.iter().map(|m| m.title.clone()).collect::<Vec<_>>(),
        ms.iter().map(|m| m.from).collect::<Vec<_>>(),
        ms.iter().map(|m| m.until).collect::<Vec<_>>(),
        ms.iter()
            .map(|m| m.substitute_for.map(|i| m_ids[i]))
            .collect::<Vec<_>>(),
        ms.iter()
            .map(|m| m.corrects.map(|i| m_ids[i]))
            .collect::<Vec<_>>(),
        ms.iter().map(|m| m.superseded).collect::<Vec<_>>(),
    );
    summary.memberships = ms.len();

    // --- meetings: monthly working group, about eight (in)formal VESOC a year ---
    let mut meetings: Vec<Meeting> = Vec::new();
    for year in first_year..=HISTORY_END.year() {
        for month in (1..=12u8).filter(|m| *m != 8) {
            let d = weekday_on_or_after(ymd(year, month, rng.random_range(5..=24))?);
            meetings.push(Meeting {
                body: 1,
                kind: "working_group",
                starts: PrimitiveDateTime::new(d, time!(10:00)),
                status: "",
                rescheduled: false,
            });
        }
        let mut months: Vec<u8> = vec![1, 2, 3, 4, 5, 6, 9, 10, 11, 12];
        while months.len() > 8 {
            let i = rng.random_range(0..months.len());
            months.remove(i);
        }
        for month in months {
            let d = weekday_on_or_after(ymd(year, month, rng.random_range(3..=26))?);
            meetings.push(Meeting {
                body: 0,
                kind: if rng.random_bool(0.3) {
                    "formal"
                } else {
                    "informal"
                },
                starts: PrimitiveDateTime::new(d, time!(14:00)),
                status: "",
                rescheduled: false,
            });
        }
    }
    meetings.sort_by_key(|m| (m.starts, m.body));
    for m in &mut meetings {
        let d = m.starts.date();
        m.status = if d < HISTORY_END {
            if rng.random_bool(0.05) {
                "cancelled"
            } else {
                "held"
            }
        } else if d < day(HISTORY_END, 30) {
            "convened"
        } else {
            "planned"
        };
        m.rescheduled = rng.random_bool(0.06);
    }
    let meeting_ids = reserve_ids(c, "meeting", meetings.len()).await?;
    execute!(
        c,
        "INSERT INTO meeting (id, body_id, kind, starts_at, ends_at, location, status, cancel_reason,
                              sequence, notes)
         OVERRIDING SYSTEM VALUE
         SELECT id, body, kind::meeting_kind, s AT TIME ZONE 'Europe/Brussels',
                (s + interval '2 hours') AT TIME ZONE 'Europe/Brussels', 'SERV, Brussel',
                status::meeting_status,
                CASE WHEN status = 'cancelled' THEN 'Onvoldoende agendapunten (gegenereerd)' END,
                CASE WHEN moved THEN 1 ELSE 0 END, 'gegenereerd'
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::timestamp[], $5::text[], $6::bool[])
              AS u(id, body, kind, s, status, moved)",
        &meeting_ids,
        meetings.iter().map(|m| body_ids[m.body]).collect::<Vec<_>>(),
        meetings.iter().map(|m| m.kind).collect::<Vec<_>>(),
        meetings.iter().map(|m| m.starts).collect::<Vec<_>>(),
        meetings.iter().map(|m| m.status).collect::<Vec<_>>(),
        meetings.iter().map(|m| m.rescheduled).collect::<Vec<_>>(),
    );
    // Rescheduled meetings were first planned a week earlier.
    execute!(
        c,
        "INSERT INTO meeting_reschedule (meeting_id, old_starts_at, old_ends_at, new_starts_at,
                                         new_ends_at, reason, changed_at)
         SELECT id, starts_at - interval '7 days', ends_at - interval '7 days', starts_at, ends_at,
                'Verplaatst (gegenereerd)', starts_at - interval '30 days'
         FROM meeting WHERE id = ANY($1) AND sequence = 1",
        &meeting_ids,
    );
    summary.meetings = meetings.len();

    // --- agenda items with their documents ---
    let mut it_meeting: Vec<Option<i64>> = Vec::new();
    let mut it_body = Vec::new();
    let mut it_proposer = Vec::new();
    let mut it_title = Vec::new();
    let mut it_kind = Vec::new();
    let mut it_status = Vec::new();
    let mut it_answer: Vec<Option<String>> = Vec::new();
    let mut it_position: Vec<Option<i32>> = Vec::new();
    let mut it_outcome: Vec<Option<&str>> = Vec::new();
    let mut it_decision: Vec<Option<String>> = Vec::new();
    let mut it_confidential = Vec::new();
    let mut it_approves: Vec<Option<i64>> = Vec::new();
    let mut last_held: [Option<i64>; 2] = [None, None];
    let all_orgs: Vec<i64> = orgs.iter().map(|(id, _, _)| *id).collect();
    for (m, &mid) in meetings.iter().zip(&meeting_ids) {
        let n = if m.body == 1 {
            rng.random_range(22..=38)
        } else {
            rng.random_range(20..=36)
        };
        let mut position = 0;
        for i in 0..n {
            let kind = *pick(&mut rng, &["information", "discussion", "decision"]);
            let approves = if i == 0 { last_held[m.body] } else { None };
            let rejected = approves.is_none() && rng.random_bool(0.02);
            let (status, on_agenda) = match m.status {
                _ if rejected => ("rejected", false),
                "held" => ("dealt_with", true),
                "cancelled" => ("deferred", false),
                "convened" => ("accepted", true),
                _ => match rng.random_range(0..3) {
                    0 => ("submitted", false),
                    1 => ("in_review", false),
                    _ => ("accepted", true),
                },
            };
            if on_agenda {
                position += 1;
            }
            it_meeting.push((!rejected).then_some(mid));
            it_body.push(body_ids[m.body]);
            it_proposer.push(*pick(&mut rng, &all_orgs));
            it_title.push(match approves {
                Some(_) => "Goedkeuring van het verslag van de vorige vergadering (gegenereerd)"
                    .to_string(),
                None => {
                    format!(
                        "{}: {} (gegenereerd)",
                        pick(&mut rng, TOPICS),
                        pick(&mut rng, ASPECTS)
                    )
                }
            });
            it_kind.push(kind);
            it_status.push(status);
            it_answer.push(
                rejected.then(|| "Buiten de bevoegdheid van het VESOC (gegenereerd)".to_string()),
            );
            it_position.push(on_agenda.then_some(position));
            let dealt = status == "dealt_with";
            it_outcome.push(dealt.then_some(match kind {
                "information" => "noted",
                "discussion" => "discussed",
                _ => "decided",
            }));
            it_decision
                .push((dealt && kind == "decision").then(|| "Besluit (gegenereerd)".to_string()));
            it_confidential.push(rng.random_bool(0.05));
            it_approves.push(approves);
        }
        if m.status == "held" {
            last_held[m.body] = Some(mid);
        }
    }
    let item_ids = reserve_ids(c, "agenda_item", it_title.len()).await?;
    execute!(
        c,
        "INSERT INTO agenda_item (id, meeting_id, body_id, proposer_organisation_id, title, kind,
                                 status, answer, position, number, outcome, decision_text,
                                 confidential, approves_minutes_of_id, explanation)
         OVERRIDING SYSTEM VALUE
         SELECT id, meeting, body, proposer, title, kind::agenda_item_kind,
                status::agenda_item_status, answer, pos, pos::text, outcome::agenda_outcome,
                decision, conf, approves, 'Toelichting (gegenereerd).'
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[],
                     $6::text[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[],
                     $12::bool[], $13::bigint[])
              AS u(id, meeting, body, proposer, title, kind, status, answer, pos, outcome,
                   decision, conf, approves)",
        &item_ids,
        &it_meeting,
        &it_body,
        &it_proposer,
        &it_title,
        &it_kind,
        &it_status,
        &it_answer,
        &it_position,
        &it_outcome,
        &it_decision,
        &it_confidential,
        &it_approves,
    );
    summary.agenda_items = item_ids.len();

    let mut doc_item = Vec::new();
    let mut doc_name = Vec::new();
    let mut doc_content: Vec<Vec<u8>> = Vec::new();
    let mut doc_confidential = Vec::new();
    for (i, &item) in item_ids.iter().enumerate() {
        for n in 0..rng.random_range(0..=2) {
            doc_item.push(item);
            doc_name.push(format!("nota-{item}-{}.txt", n + 1));
            doc_content.push(
                format!("Gegenereerd document {} bij agendapunt {item}.\n", n + 1).into_bytes(),
            );
            doc_confidential.push(it_confidential[i]);
        }
    }
    let sizes: Vec<i64> = doc_content.iter().map(|d| d.len() as i64).collect();
    let hashes: Vec<Vec<u8>> = doc_content
        .iter()
        .map(|d| Sha256::digest(d).to_vec())
        .collect();
    execute!(
        c,
        "INSERT INTO document (agenda_item_id, filename, content_type, size_bytes, sha256, content,
                              confidential)
         SELECT item, name, 'text/plain', size, hash, content, conf
         FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bytea[], $5::bytea[], $6::bool[])
              AS u(item, name, size, hash, content, conf)",
        &doc_item,
        &doc_name,
        &sizes,
        &hashes,
        &doc_content,
        &doc_confidential,
    );
    summary.documents = doc_item.len();

    // --- invitations and attendance, minutes ---
    let mut p_meeting = Vec::new();
    let mut p_person = Vec::new();
    let mut p_org = Vec::new();
    let mut p_reason = Vec::new();
    let mut p_attendance: Vec<Option<&str>> = Vec::new();
    let mut p_represented: Vec<Option<String>> = Vec::new();
    let mut min_meeting = Vec::new();
    let mut min_text = Vec::new();
    let mut min_approved: Vec<Option<Date>> = Vec::new();
    for (i, (m, &mid)) in meetings.iter().zip(&meeting_ids).enumerate() {
        if !matches!(m.status, "held" | "convened") {
            continue;
        }
        let on = m.starts.date();
        let mut seen = HashSet::new();
        for mem in ms
            .iter()
            .filter(|x| x.body == m.body && !x.superseded && x.role != "substitute" && x.covers(on))
        {
            if !seen.insert(mem.person) {
                continue;
            }
            p_meeting.push(mid);
            p_person.push(person_ids[mem.person]);
            p_org.push(mem.org);
            p_reason.push(if mem.role == "advisory" {
                "advisory"
            } else {
                "composition"
            });
            if m.status == "held" {
                let r = rng.random_range(0..100);
                let (a, by) = match r {
                    0..80 => ("present", None),
                    80..90 => ("excused", None),
                    90..95 => ("absent", None),
                    _ => (
                        "represented",
                        Some(format!(
                            "{} (plaatsvervanger)",
                            display(rng.random_range(0..PEOPLE))
                        )),
                    ),
                };
                p_attendance.push(Some(a));
                p_represented.push(by);
            } else {
                p_attendance.push(None);
                p_represented.push(None);
            }
        }
        if m.status == "held" {
            let next_held = meetings[i + 1..]
                .iter()
                .find(|n| n.body == m.body && n.status == "held")
                .map(|n| n.starts.date());
            min_meeting.push(mid);
            min_text.push(format!(
                "Verslag (gegenereerd) van de vergadering van {on}. De agendapunten werden besproken."
            ));
            min_approved.push(next_held);
        }
    }
    execute!(
        c,
        "INSERT INTO meeting_participant (meeting_id, person_id, organisation_id, reason, invited,
                                         attendance, represented_by)
         SELECT meeting, person, org, reason::invitation_reason, true, att::attendance, rep
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[])
              AS u(meeting, person, org, reason, att, rep)",
        &p_meeting,
        &p_person,
        &p_org,
        &p_reason,
        &p_attendance,
        &p_represented,
    );
    summary.participants = p_meeting.len();
    execute!(
        c,
        "INSERT INTO minutes (meeting_id, text, status, approved_on)
         SELECT meeting, text, CASE WHEN approved IS NULL THEN 'draft' ELSE 'approved' END::minutes_status,
                approved
         FROM unnest($1::bigint[], $2::text[], $3::date[]) AS u(meeting, text, approved)",
        &min_meeting,
        &min_text,
        &min_approved,
    );

    // --- agreements with goals, action-line trees, follow-up, signatories ---
    const AGREEMENTS: usize = 50;
    let formal: Vec<(i64, Date)> = meetings
        .iter()
        .zip(&meeting_ids)
        .filter(|(m, _)| m.kind == "formal" && m.status == "held")
        .map(|(m, id)| (*id, m.starts.date()))
        .collect();
    let agreement_ids = reserve_ids(c, "agreement", AGREEMENTS).await?;
    let mut a_slug = Vec::new();
    let mut a_title = Vec::new();
    let mut a_meeting: Vec<Option<i64>> = Vec::new();
    let mut a_on = Vec::new();
    let mut a_published = Vec::new();
    // commitments
    let (mut c_agr, mut c_pos, mut c_text) = (Vec::new(), Vec::new(), Vec::new());
    // goals and measurements
    let mut goals: Vec<(i64, i32, f64, f64, Date, Date)> = Vec::new();
    let mut measures: Vec<(usize, Date, f64)> = Vec::new();
    // action lines: (agreement, parent index, position, label, title)
    let mut lines: Vec<(i64, Option<usize>, i32, String, String)> = Vec::new();
    let mut line_competence: Vec<(usize, i64)> = Vec::new();
    let mut follow: Vec<(usize, Date, &'static str)> = Vec::new();
    // signatories: (agreement, position, side, person, org, capacity)
    let mut signs: Vec<(i64, i32, &'static str, i64, i64, String)> = Vec::new();
    const ROMAN: [&str; 4] = ["i.", "ii.", "iii.", "iv."];
    for (n, &aid) in agreement_ids.iter().enumerate() {
        let (meeting, on) = match formal.is_empty() {
            false if rng.random_bool(0.7) => {
                let (id, d) = *pick(&mut rng, &formal);
                (Some(id), d)
            }
            _ => (
                None,
                day(
                    start,
                    rng.random_range(0..(HISTORY_END - start).whole_days()),
                ),
            ),
        };
        a_slug.push(format!("gegenereerd-{tag}-akkoord-{}", n + 1));
        a_title.push(format!(
            "Akkoord {} over {} (gegenereerd)",
            n + 1,
            pick(&mut rng, TOPICS).to_lowercase()
        ));
        a_meeting.push(meeting);
        a_on.push(on);
        a_published.push(rng.random_bool(0.9));
        for p in 1..=rng.random_range(3..=6) {
            c_agr.push(aid);
            c_pos.push(p);
            c_text.push(format!("Engagement {p} (gegenereerd)."));
        }
        for p in 1..=rng.random_range(2..=3) {
            let baseline = f64::from(rng.random_range(20..60));
            let target = baseline + f64::from(rng.random_range(5..30));
            goals.push((aid, p, target, baseline, on, day(on, 365 * 5)));
            let g = goals.len() - 1;
            let mut value = baseline;
            for y in 1..=rng.random_range(3..=6) {
                let d = day(on, 365 * y);
                if d > HISTORY_END {
                    break;
                }
                value += f64::from(rng.random_range(-2..6));
                measures.push((g, d, value));
            }
        }
        for t in 0..rng.random_range(3..=5) {
            let theme = lines.len();
            lines.push((
                aid,
                None,
                t + 1,
                String::new(),
                format!("Thema {} (gegenereerd)", t + 1),
            ));
            if !competences.is_empty() {
                line_competence.push((theme, *pick(&mut rng, &competences)));
            }
            for a in 0..rng.random_range(2..=4u8) {
                let child = lines.len();
                lines.push((
                    aid,
                    Some(theme),
                    i32::from(a) + 1,
                    format!("{}.", char::from(b'a' + a)),
                    format!("Actielijn {}{} (gegenereerd)", t + 1, char::from(b'a' + a)),
                ));
                let grandchildren = rng.random_range(0..=3usize);
                for (r, roman) in ROMAN.iter().enumerate().take(grandchildren) {
                    lines.push((
                        aid,
                        Some(child),
                        r as i32 + 1,
                        roman.to_string(),
                        format!("Deelactie {roman} (gegenereerd)"),
                    ));
                }
            }
        }
        let signed_people: Vec<usize> = {
            let mut s = HashSet::new();
            while s.len() < 8 {
                s.insert(rng.random_range(0..PEOPLE));
            }
            let mut v: Vec<usize> = s.into_iter().collect();
            v.sort_unstable();
            v
        };
        for (i, p) in signed_people.into_iter().enumerate() {
            let (side, o, capacity) = if i < 3 {
                ("government", government, "Vlaams minister (gegenereerd)")
            } else {
                (
                    "social_partners",
                    partners[i % partners.len()],
                    "Voorzitter (gegenereerd)",
                )
            };
            signs.push((
                aid,
                i as i32 + 1,
                side,
                person_ids[p],
                o,
                capacity.to_string(),
            ));
        }
    }
    execute!(
        c,
        "INSERT INTO agreement (id, slug, body_id, title, subtitle, kind_label, concluded_on,
                               meeting_id, period_from, period_until, introduction, status,
                               published_at)
         OVERRIDING SYSTEM VALUE
         SELECT id, slug, $7, title, 'Gegenereerd voor prestatietests', 'VESOC-akkoord', d, meeting,
                extract(year FROM d)::int, extract(year FROM d)::int + 4,
                'Inleiding (gegenereerd).',
                CASE WHEN pub THEN 'published' ELSE 'draft' END::agreement_status,
                CASE WHEN pub THEN d::timestamptz + interval '7 days' END
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::date[], $5::bigint[], $6::bool[])
              AS u(id, slug, title, d, meeting, pub)",
        &agreement_ids,
        &a_slug,
        &a_title,
        &a_on,
        &a_meeting,
        &a_published,
        body_ids[0],
    );
    execute!(
        c,
        "INSERT INTO agreement_commitment (agreement_id, position, text)
         SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[])",
        &c_agr,
        &c_pos,
        &c_text,
    );
    let goal_ids = reserve_ids(c, "goal", goals.len()).await?;
    execute!(
        c,
        "INSERT INTO goal (id, agreement_id, position, text, target_value, target_unit,
                          baseline_value, baseline_on, deadline)
         OVERRIDING SYSTEM VALUE
         SELECT id, agr, pos, 'Doelstelling ' || pos || ' (gegenereerd)', target::numeric, '%',
                base::numeric, since, deadline
         FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::float8[], $5::float8[],
                     $6::date[], $7::date[]) AS u(id, agr, pos, target, base, since, deadline)",
        &goal_ids,
        goals.iter().map(|g| g.0).collect::<Vec<_>>(),
        goals.iter().map(|g| g.1).collect::<Vec<_>>(),
        goals.iter().map(|g| g.2).collect::<Vec<_>>(),
        goals.iter().map(|g| g.3).collect::<Vec<_>>(),
        goals.iter().map(|g| g.4).collect::<Vec<_>>(),
        goals.iter().map(|g| g.5).collect::<Vec<_>>(),
    );
    execute!(
        c,
        "INSERT INTO goal_measurement (goal_id, measured_on, value, note)
         SELECT goal, d, v::numeric, 'gegenereerd'
         FROM unnest($1::bigint[], $2::date[], $3::float8[]) AS u(goal, d, v)",
        measures.iter().map(|m| goal_ids[m.0]).collect::<Vec<_>>(),
        measures.iter().map(|m| m.1).collect::<Vec<_>>(),
        measures.iter().map(|m| m.2).collect::<Vec<_>>(),
    );
    let line_ids = reserve_ids(c, "action_line", lines.len()).await?;
    execute!(
        c,
        "INSERT INTO action_line (id, agreement_id, parent_id, position, label, title)
         OVERRIDING SYSTEM VALUE
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[], $5::text[],
                              $6::text[])",
        &line_ids,
        lines.iter().map(|l| l.0).collect::<Vec<_>>(),
        lines
            .iter()
            .map(|l| l.1.map(|p| line_ids[p]))
            .collect::<Vec<_>>(),
        lines.iter().map(|l| l.2).collect::<Vec<_>>(),
        lines.iter().map(|l| l.3.clone()).collect::<Vec<_>>(),
        lines.iter().map(|l| l.4.clone()).collect::<Vec<_>>(),
    );
    execute!(
        c,
        "INSERT INTO action_line_competence (action_line_id, competence_id)
         SELECT * FROM unnest($1::bigint[], $2::bigint[])",
        line_competence
            .iter()
            .map(|l| line_ids[l.0])
            .collect::<Vec<_>>(),
        line_competence.iter().map(|l| l.1).collect::<Vec<_>>(),
    );
    let agreement_day: HashMap<i64, Date> = agreement_ids
        .iter()
        .copied()
        .zip(a_on.iter().copied())
        .collect();
    for (i, l) in lines.iter().enumerate() {
        let mut d = agreement_day.get(&l.0).copied().unwrap_or(start);
        for _ in 0..rng.random_range(0..=4) {
            d = day(d, rng.random_range(60..400));
            if d > HISTORY_END {
                break;
            }
            let status = *pick(
                &mut rng,
                &["not_started", "ongoing", "ongoing", "achieved", "delayed"],
            );
            follow.push((i, d, status));
        }
    }
    execute!(
        c,
        "INSERT INTO follow_up (action_line_id, recorded_on, status, note)
         SELECT line, d, status::follow_up_status, 'Stand van zaken (gegenereerd)'
         FROM unnest($1::bigint[], $2::date[], $3::text[]) AS u(line, d, status)",
        follow.iter().map(|f| line_ids[f.0]).collect::<Vec<_>>(),
        follow.iter().map(|f| f.1).collect::<Vec<_>>(),
        follow.iter().map(|f| f.2).collect::<Vec<_>>(),
    );
    execute!(
        c,
        "INSERT INTO signatory (agreement_id, position, side, person_id, organisation_id, capacity)
         SELECT agr, pos, side::side, person, org, cap
         FROM unnest($1::bigint[], $2::int[], $3::text[], $4::bigint[], $5::bigint[], $6::text[])
              AS u(agr, pos, side, person, org, cap)",
        signs.iter().map(|s| s.0).collect::<Vec<_>>(),
        signs.iter().map(|s| s.1).collect::<Vec<_>>(),
        signs.iter().map(|s| s.2).collect::<Vec<_>>(),
        signs.iter().map(|s| s.3).collect::<Vec<_>>(),
        signs.iter().map(|s| s.4).collect::<Vec<_>>(),
        signs.iter().map(|s| s.5.clone()).collect::<Vec<_>>(),
    );
    summary.agreements = AGREEMENTS;
    summary.action_lines = lines.len();
    summary.follow_ups = follow.len();

    tx.commit().await?;
    // Fresh statistics, so that the planner sees the new sizes at once.
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(summary)
}
