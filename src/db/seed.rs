//! The real VESOC data of the source documents (`shared/seeds/`): the two
//! bodies, their composition rules, the organisations, the people the
//! documents name, and the 2019 engagement "Iedereen aan boord".
//!
//! Nothing is invented: what the documents do not say stays empty. The one
//! outside fact is the period of the 2019–2024 legislature (the Jambon
//! government, 2 October 2019 to 30 September 2024), which bounds the mandates
//! of the people who signed the engagement.
//!
//! Every insert is keyed on a natural key and skips what exists, so seeding
//! twice gives the same rows.

use sqlx::{PgConnection, PgPool};
use time::Date;
use time::macros::date;

use crate::audit;

const LEGISLATURE_FROM: Date = date!(2019 - 10 - 02);
const LEGISLATURE_UNTIL: Date = date!(2024 - 09 - 30);
/// The 2019–2024 legislature, first and last day (open data's only
/// legislative term).
pub const LEGISLATURE: (Date, Date) = (LEGISLATURE_FROM, LEGISLATURE_UNTIL);

struct Org {
    slug: &'static str,
    name: &'static str,
    short: &'static str,
    kind: &'static str,
}

const ORGANISATIONS: &[Org] = &[
    Org {
        slug: "vlaamse-regering",
        name: "Vlaamse Regering",
        short: "Vlaamse Regering",
        kind: "government",
    },
    Org {
        slug: "unizo",
        name: "UNIZO",
        short: "UNIZO",
        kind: "employers",
    },
    Org {
        slug: "voka",
        name: "VOKA",
        short: "VOKA",
        kind: "employers",
    },
    Org {
        slug: "boerenbond",
        name: "Boerenbond",
        short: "Boerenbond",
        kind: "employers",
    },
    Org {
        slug: "verso",
        name: "Verso",
        short: "Verso",
        kind: "employers",
    },
    Org {
        slug: "acv",
        name: "ACV",
        short: "ACV",
        kind: "trade_union",
    },
    Org {
        slug: "abvv",
        name: "ABVV",
        short: "ABVV",
        kind: "trade_union",
    },
    Org {
        slug: "aclvb",
        name: "ACLVB",
        short: "ACLVB",
        kind: "trade_union",
    },
    Org {
        slug: "serv",
        name: "SERV",
        short: "SERV",
        kind: "secretariat",
    },
    Org {
        slug: "dkb",
        name: "Departement Kanselarij en Bestuur",
        short: "DKB",
        kind: "administration",
    },
    Org {
        slug: "wse",
        name: "Departement Werk en Sociale Economie",
        short: "WSE",
        kind: "administration",
    },
];

struct Person {
    slug: &'static str,
    given: &'static str,
    family: &'static str,
}

const PEOPLE: &[Person] = &[
    Person {
        slug: "jan-jambon",
        given: "Jan",
        family: "Jambon",
    },
    Person {
        slug: "hilde-crevits",
        given: "Hilde",
        family: "Crevits",
    },
    Person {
        slug: "bart-somers",
        given: "Bart",
        family: "Somers",
    },
    Person {
        slug: "ben-weyts",
        given: "Ben",
        family: "Weyts",
    },
    Person {
        slug: "danny-van-assche",
        given: "Danny",
        family: "Van Assche",
    },
    Person {
        slug: "ann-vermorgen",
        given: "Ann",
        family: "Vermorgen",
    },
    Person {
        slug: "hans-maertens",
        given: "Hans",
        family: "Maertens",
    },
    Person {
        slug: "caroline-copers",
        given: "Caroline",
        family: "Copers",
    },
    Person {
        slug: "sonja-de-becker",
        given: "Sonja",
        family: "De Becker",
    },
    Person {
        slug: "ingrid-lieten",
        given: "Ingrid",
        family: "Lieten",
    },
    Person {
        slug: "gert-truyens",
        given: "Gert",
        family: "Truyens",
    },
    Person {
        slug: "pieter-kerremans",
        given: "Pieter",
        family: "Kerremans",
    },
    Person {
        slug: "helga-coppen",
        given: "Helga",
        family: "Coppen",
    },
    Person {
        slug: "sandra-hellings",
        given: "Sandra",
        family: "Hellings",
    },
];

/// The four ministers who signed, with their portfolio as written and its
/// competences.
struct Minister {
    person: &'static str,
    title: &'static str,
    chair: bool,
    competences: &'static [&'static str],
}

const MINISTERS: &[Minister] = &[
    Minister {
        person: "jan-jambon",
        title: "Minister-president van de Vlaamse Regering en Vlaams minister van Buitenlandse Zaken, Cultuur, ICT en Facilitair Management",
        chair: true,
        competences: &[
            "Buitenlandse Zaken",
            "Cultuur",
            "ICT",
            "Facilitair Management",
        ],
    },
    Minister {
        person: "hilde-crevits",
        title: "Vice minister-president en Vlaams minister van Economie, Innovatie, Werk, Sociale economie en Landbouw",
        chair: false,
        competences: &[
            "Economie",
            "Innovatie",
            "Werk",
            "Sociale economie",
            "Landbouw",
        ],
    },
    Minister {
        person: "bart-somers",
        title: "Vice minister-president en Vlaams minister van Binnenlands Bestuur, Bestuurszaken, Inburgering en Gelijke Kansen",
        chair: false,
        competences: &[
            "Binnenlands Bestuur",
            "Bestuurszaken",
            "Inburgering",
            "Gelijke Kansen",
        ],
    },
    Minister {
        person: "ben-weyts",
        title: "Vice minister-president en Vlaams minister van Onderwijs, Sport, Dierenwelzijn en Vlaamse Rand",
        chair: false,
        competences: &["Onderwijs", "Sport", "Dierenwelzijn", "Vlaamse Rand"],
    },
];

/// The social-partner signatories, in the order of the document.
const SOCIAL_PARTNERS: &[(&str, &str)] = &[
    ("unizo", "danny-van-assche"),
    ("acv", "ann-vermorgen"),
    ("voka", "hans-maertens"),
    ("abvv", "caroline-copers"),
    ("boerenbond", "sonja-de-becker"),
    ("verso", "ingrid-lieten"),
    ("aclvb", "gert-truyens"),
];

struct Body {
    slug: &'static str,
    name: &'static str,
    kind: &'static str,
    description: &'static str,
    rhythm: &'static str,
    chair_rule: &'static str,
    meeting_kinds: &'static [&'static str],
    /// side, organisation, seat count, label
    seats: &'static [(
        &'static str,
        Option<&'static str>,
        Option<i32>,
        &'static str,
    )],
    contacts: &'static [&'static str],
}

pub const VESOC: &str = "vesoc-overleg";
pub const WORKING_GROUP: &str = "vesoc-werkgroep";

const BODIES: &[Body] = &[
    Body {
        slug: VESOC,
        name: "(In)formeel VESOC-overleg",
        kind: "consultation",
        description: "Het tripartiete overleg tussen de Vlaamse sociale partners en de Vlaamse Regering over sociaal-economische thema's in het Vlaams Economisch Sociaal Overlegcomité (VESOC). \
Het formeel VESOC-overleg komt bijeen om VESOC-akkoorden af te sluiten. Het informeel VESOC-overleg bereidt deze akkoorden voor en bespreekt sociaal-economische thema's die op de agenda geplaatst worden. \
De overige ministers van de Vlaamse Regering nemen deel aan de vergadering als er punten op de agenda staan die tot hun bevoegdheden behoren.",
        rhythm: "Er is frequenter informeel dan formeel VESOC-overleg. Tijdens de legislatuur 2019-2024: minstens 2 x per jaar (VESOC-engagement 2019).",
        chair_rule: "De minister-president zit de vergadering voor.",
        meeting_kinds: &["formal", "informal"],
        seats: &[
            (
                "government",
                Some("vlaamse-regering"),
                Some(4),
                "VESOC-ministers",
            ),
            (
                "social_partners",
                None,
                Some(16),
                "leden van de Vlaamse sociale partners",
            ),
            (
                "advisory",
                Some("dkb"),
                Some(1),
                "secretaris-generaal van het Departement Kanselarij en Bestuur",
            ),
            (
                "advisory",
                Some("wse"),
                Some(1),
                "secretaris-generaal van het Departement Werk en Sociale Economie",
            ),
            (
                "advisory",
                Some("serv"),
                Some(1),
                "administrateur-generaal van de SERV",
            ),
            (
                "advisory",
                Some("serv"),
                Some(1),
                "adjunct-administrateur-generaal van de SERV",
            ),
            (
                "secretariat",
                Some("serv"),
                None,
                "De SERV staat in voor de praktische werking (secretariaat) van het VESOC.",
            ),
        ],
        contacts: &["pieter-kerremans", "helga-coppen"],
    },
    Body {
        slug: WORKING_GROUP,
        name: "VESOC-werkgroep",
        kind: "working_group",
        description: "De VESOC-werkgroep bereidt het (in)formeel VESOC-overleg mee voor en focust daarbij op beleidsopvolging én beleidsbeslissing. \
Zowel de sociale partners als de vertegenwoordigers van de Vlaamse Regering kunnen agendapunten aanreiken.",
        rhythm: "De VESOC-werkgroep komt in principe maandelijks bijeen.",
        chair_rule: "Een vertegenwoordiger van de minister-president zit de vergadering voor, tenzij anders bepaald door het VESOC.",
        meeting_kinds: &["working_group"],
        seats: &[
            (
                "government",
                Some("vlaamse-regering"),
                None,
                "vertegenwoordigers van de Vlaamse Regering: kabinetten van de VESOC-ministers, kabinet Werk, kabinetten andere vakministers volgens de agenda",
            ),
            (
                "social_partners",
                None,
                None,
                "vertegenwoordigers van de sociale partners",
            ),
            (
                "secretariat",
                Some("serv"),
                None,
                "De SERV staat in voor het secretariaat van de VESOC-werkgroep.",
            ),
        ],
        contacts: &["sandra-hellings"],
    },
];

pub const AGREEMENT_2019: &str = "iedereen-aan-boord-2019";

const COMMITMENTS: &[&str] = &[
    "De Vlaamse Regering en de Vlaamse sociale partners van de SERV engageren zich om tijdens de legislatuur 2019-2024 over sociaal-economische thema’s op regelmatige basis (minstens 2 x per jaar) met elkaar te overleggen in het kader van VESOC en te streven naar een afsluiten van een aantal VESOC-akkoorden. Hiertoe worden vandaag de werkingsprincipes onder de vorm van een protocol bekrachtigd en ondertekend door de leden van het VESOC.",
    "De Vlaamse Regering en de Vlaamse sociale partners van de SERV engageren zich om op korte termijn de handen in elkaar te slaan en over te gaan tot de ondertekening van een VESOC-akkoord “Iedereen aan boord, samen voor meer mensen aan de slag, 120 000 mensen extra aan het werk”.",
    "De Vlaamse Regering en de Vlaamse sociale partners van de SERV engageren zich om in de legislatuur 2019-2024 thema’s uit het SERV werkprogramma te bespreken en te onderhandelen richting een VESOC-akkoord.",
];

/// text as in the document (its first bullet holds two goals: the 120,000
/// and the 80 %), target value, target unit
const GOALS: &[(&str, Option<i64>, Option<&str>)] = &[
    (
        "120.000 Vlamingen extra aan een job helpen door de algemene werkzaamheid, in het bijzonder deze van personen met een arbeidshandicap, ouderen, kortgeschoolden en personen met een migratieachtergrond te laten stijgen.",
        Some(120_000),
        Some("Vlamingen extra aan het werk"),
    ),
    (
        "We zetten hiermee stappen op weg naar een werkzaamheidsgraad van 80%.",
        Some(80),
        Some("% werkzaamheidsgraad"),
    ),
    (
        "blijvend inzetten op de aanpak van de krapte en de mismatches op de arbeidsmarkt",
        None,
        None,
    ),
    (
        "iedereen aan boord krijgen en duurzaam aan boord houden.",
        None,
        None,
    ),
];

struct Line {
    label: &'static str,
    title: &'static str,
    children: &'static [Line],
}

const fn line(label: &'static str, title: &'static str) -> Line {
    Line {
        label,
        title,
        children: &[],
    }
}

const ACTION_LINES: &[Line] = &[
    Line {
        label: "",
        title: "Iedereen aan het werk",
        children: &[
            Line {
                label: "a.",
                title: "Meervoudig en breed participatie- en activeringsbeleid",
                children: &[
                    line(
                        "i.",
                        "Begeleiding op maat via een versterkt en aanklampend activeringsbeleid",
                    ),
                    line(
                        "ii.",
                        "Bijzondere aandacht voor personen met migratieachtergrond (SERV actielijst en SERV advies meisjes met migratieachtergrond) met focus op geïntegreerde taaltrajecten",
                    ),
                    line("iii.", "Gedegen doelgroepenbeleid"),
                    line(
                        "iv.",
                        "Werken meer lonend maken o.a. door onderzoek en invoering van een vorm van Vlaamse jobbonus",
                    ),
                    line(
                        "v.",
                        "Financiële drempels voor alleenstaande ouders en gezinnen wegwerken",
                    ),
                    line(
                        "vi.",
                        "Flexibele en kwaliteitsvolle en betaalbare kinderopvang",
                    ),
                    line(
                        "vii.",
                        "Potentiële arbeidsreserve: verbreding van de activeringsaanpak naar o.a. RIZIV-gerechtigden, leefloners, NEET-jongeren en gerichte strategieën binnen de grote groep huisvrouwen en mannen",
                    ),
                    line("viii.", "Ondernemerschap als volwaardige keuze"),
                    line("ix.", "Versterkte interregionale mobiliteit"),
                    line("x.", "Omvattend migratiebeleid"),
                    line(
                        "xi.",
                        "Sociale economie met aandacht voor ondersteuning, in-en doorstroom",
                    ),
                    line("xii.", "Kwalitatief werkplekleren"),
                ],
            },
            Line {
                label: "b.",
                title: "Goed bestuur van arbeidsmarktbeleid",
                children: &[
                    line(
                        "i.",
                        "Een sterke arbeidsmarktregie vanuit VDAB in samenwerking met de lokale besturen en andere actoren",
                    ),
                    line("ii.", "Evaluatie van activeringsmaatregelen"),
                    line("iii.", "Verbeterde arbeidsmarktmonitoring"),
                    line("iv.", "Financieel onderbouwd VDAB managementplan"),
                ],
            },
        ],
    },
    Line {
        label: "",
        title: "Iedereen duurzaam aan het werk houden",
        children: &[
            line("a.", "Inzetten op werkbaar werk voor iedereen"),
            line("b.", "Ervaren werknemers duurzaam aan het werk houden"),
        ],
    },
    Line {
        label: "",
        title: "Excellent Onderwijs én ontwikkelen van levenslang leren",
        children: &[
            line("a.", "Participatie aan levenslang leren verhogen"),
            line(
                "b.",
                "Aantrekkelijk onderwijs-en opleidingsaanbod voor iedereen",
            ),
        ],
    },
    Line {
        label: "",
        title: "Iedereen digitaal",
        children: &[
            line("a.", "Digitale competenties en vaardigheden ontwikkelen"),
            line(
                "b.",
                "Futureproof VDAB via dienstverleningsmodel 2020 met digitale contactstrategie",
            ),
        ],
    },
];

/// Seeds when the database holds no body yet (the first start).
pub async fn seed_if_empty(pool: &PgPool) -> anyhow::Result<bool> {
    let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM body)")
        .fetch_one(pool)
        .await?;
    if empty {
        seed(pool).await?;
    }
    Ok(empty)
}

/// Loads the data of the documents; what exists is left as it is.
/// Returns the number of rows added.
pub async fn seed(pool: &PgPool) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await?;
    let mut added = 0u64;
    let c = &mut *tx;

    for o in ORGANISATIONS {
        added += execute!(
            c,
            "INSERT INTO organisation (slug, name, short_name, kind)
             VALUES ($1, $2, $3, $4::organisation_kind) ON CONFLICT (slug) DO NOTHING",
            o.slug,
            o.name,
            o.short,
            o.kind,
        )
        .rows_affected();
    }
    for p in PEOPLE {
        added += execute!(
            c,
            "INSERT INTO person (slug, given_name, family_name)
             VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING",
            p.slug,
            p.given,
            p.family,
        )
        .rows_affected();
    }

    let government = org_id(c, "vlaamse-regering").await?;
    for m in MINISTERS {
        let person = person_id(c, m.person).await?;
        added += execute!(
            c,
            "INSERT INTO person_function (person_id, organisation_id, title, valid_from, valid_until)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            person,
            government,
            m.title,
            LEGISLATURE_FROM,
            LEGISLATURE_UNTIL,
        )
        .rows_affected();
        for name in m.competences {
            added += execute!(
                c,
                "INSERT INTO competence (name) VALUES ($1) ON CONFLICT DO NOTHING",
                name,
            )
            .rows_affected();
            added += execute!(
                c,
                "INSERT INTO minister_competence (person_id, competence_id, valid_from, valid_until)
                 SELECT $1, id, $3, $4 FROM competence WHERE name = $2
                 ON CONFLICT DO NOTHING",
                person,
                name,
                LEGISLATURE_FROM,
                LEGISLATURE_UNTIL,
            )
            .rows_affected();
        }
    }

    for (sort, b) in BODIES.iter().enumerate() {
        added += execute!(
            c,
            "INSERT INTO body (slug, name, kind, description, meeting_rhythm, chair_rule, sort_order)
             VALUES ($1, $2, $3::body_kind, $4, $5, $6, $7) ON CONFLICT (slug) DO NOTHING",
            b.slug,
            b.name,
            b.kind,
            b.description,
            b.rhythm,
            b.chair_rule,
            i32::try_from(sort)?,
        )
        .rows_affected();
        let body = body_id(c, b.slug).await?;
        for kind in b.meeting_kinds {
            added += execute!(
                c,
                "INSERT INTO body_meeting_kind (body_id, kind) VALUES ($1, $2::meeting_kind)
                 ON CONFLICT DO NOTHING",
                body,
                kind,
            )
            .rows_affected();
        }
        for (position, (side, org, count, label)) in b.seats.iter().enumerate() {
            let org = match org {
                Some(slug) => Some(org_id(c, slug).await?),
                None => None,
            };
            added += execute!(
                c,
                "INSERT INTO seat_rule (body_id, side, organisation_id, seat_count, label, position)
                 VALUES ($1, $2::side, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                body,
                side,
                org,
                count,
                label,
                i32::try_from(position)?,
            )
            .rows_affected();
        }
        for (position, slug) in b.contacts.iter().enumerate() {
            let person = person_id(c, slug).await?;
            added += execute!(
                c,
                "INSERT INTO body_contact (body_id, person_id, position) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                body,
                person,
                i32::try_from(position)?,
            )
            .rows_affected();
        }
    }

    // The signatories of 2019 sit in the (in)formal VESOC for the legislature.
    let vesoc = body_id(c, VESOC).await?;
    for m in MINISTERS {
        let person = person_id(c, m.person).await?;
        let role = if m.chair { "chair" } else { "member" };
        added += insert_membership(
            c,
            vesoc,
            person,
            government,
            role,
            "government",
            Some(m.title),
        )
        .await?;
    }
    for (org, person) in SOCIAL_PARTNERS {
        let person = person_id(c, person).await?;
        let org = org_id(c, org).await?;
        added +=
            insert_membership(c, vesoc, person, org, "member", "social_partners", None).await?;
    }

    added += seed_agreement(c, vesoc, government).await?;

    if added > 0 {
        audit::Entry::of("seed", "database", None)
            .after(serde_json::json!({ "rows_added": added }))
            .write(c, None)
            .await?;
    }
    tx.commit().await?;
    Ok(added)
}

async fn seed_agreement(c: &mut PgConnection, vesoc: i64, government: i64) -> anyhow::Result<u64> {
    let mut added = execute!(
        c,
        "INSERT INTO agreement (slug, body_id, title, subtitle, kind_label, period_from, period_until,
                                introduction, status, published_at)
         VALUES ($1, $2, $3, $4, $5, 2019, 2024, $6, 'published', now())
         ON CONFLICT (slug) DO NOTHING",
        AGREEMENT_2019,
        vesoc,
        "Iedereen aan boord – samen voor meer mensen aan de slag",
        "120 000 mensen extra aan het werk",
        "VESOC-engagement tussen Vlaamse Regering en Vlaamse sociale partners SERV",
        "De Vlaamse Regering en de Vlaamse sociale partners van de SERV willen samen hun schouders zetten onder volgende doelstellingen voor de periode 2019-2024.",
    )
    .rows_affected();
    let agreement: i64 = sqlx::query_scalar("SELECT id FROM agreement WHERE slug = $1")
        .bind(AGREEMENT_2019)
        .fetch_one(&mut *c)
        .await?;

    for (i, text) in COMMITMENTS.iter().enumerate() {
        added += execute!(
            c,
            "INSERT INTO agreement_commitment (agreement_id, position, text) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            agreement,
            i32::try_from(i + 1)?,
            text,
        )
        .rows_affected();
    }
    for (i, (text, value, unit)) in GOALS.iter().enumerate() {
        added += execute!(
            c,
            "INSERT INTO goal (agreement_id, position, text, target_value, target_unit)
             VALUES ($1, $2, $3, $4::bigint::numeric, $5) ON CONFLICT DO NOTHING",
            agreement,
            i32::try_from(i + 1)?,
            text,
            value,
            unit,
        )
        .rows_affected();
    }
    // Depth-first, an explicit stack instead of async recursion.
    let mut stack: Vec<(Option<i64>, usize, &Line)> = ACTION_LINES
        .iter()
        .enumerate()
        .rev()
        .map(|(i, l)| (None, i, l))
        .collect();
    while let Some((parent, position, l)) = stack.pop() {
        let position = i32::try_from(position + 1)?;
        added += execute!(
            c,
            "INSERT INTO action_line (agreement_id, parent_id, position, label, title)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            agreement,
            parent,
            position,
            l.label,
            l.title,
        )
        .rows_affected();
        let id: i64 = sqlx::query_scalar(
            "SELECT id FROM action_line
             WHERE agreement_id = $1 AND parent_id IS NOT DISTINCT FROM $2 AND position = $3",
        )
        .bind(agreement)
        .bind(parent)
        .bind(position)
        .fetch_one(&mut *c)
        .await?;
        for (i, child) in l.children.iter().enumerate().rev() {
            stack.push((Some(id), i, child));
        }
    }

    let mut position = 0;
    for m in MINISTERS {
        position += 1;
        let person = person_id(c, m.person).await?;
        added += insert_signatory(
            c,
            agreement,
            position,
            "government",
            person,
            government,
            m.title,
        )
        .await?;
    }
    for (org_slug, person) in SOCIAL_PARTNERS {
        position += 1;
        let person = person_id(c, person).await?;
        let org = org_id(c, org_slug).await?;
        let short: String = sqlx::query_scalar("SELECT short_name FROM organisation WHERE id = $1")
            .bind(org)
            .fetch_one(&mut *c)
            .await?;
        let capacity = format!("Voor {short}");
        added += insert_signatory(
            c,
            agreement,
            position,
            "social_partners",
            person,
            org,
            &capacity,
        )
        .await?;
    }
    Ok(added)
}

async fn insert_membership(
    c: &mut PgConnection,
    body: i64,
    person: i64,
    organisation: i64,
    role: &str,
    side: &str,
    function_title: Option<&str>,
) -> anyhow::Result<u64> {
    Ok(execute!(
        c,
        "INSERT INTO membership (body_id, person_id, organisation_id, role, side, function_title,
                                 valid_from, valid_until)
         VALUES ($1, $2, $3, $4::membership_role, $5::side, $6, $7, $8)
         ON CONFLICT DO NOTHING",
        body,
        person,
        organisation,
        role,
        side,
        function_title,
        LEGISLATURE_FROM,
        LEGISLATURE_UNTIL,
    )
    .rows_affected())
}

async fn insert_signatory(
    c: &mut PgConnection,
    agreement: i64,
    position: i32,
    side: &str,
    person: i64,
    organisation: i64,
    capacity: &str,
) -> anyhow::Result<u64> {
    Ok(execute!(
        c,
        "INSERT INTO signatory (agreement_id, position, side, person_id, organisation_id, capacity)
         VALUES ($1, $2, $3::side, $4, $5, $6) ON CONFLICT DO NOTHING",
        agreement,
        position,
        side,
        person,
        organisation,
        capacity,
    )
    .rows_affected())
}

async fn org_id(c: &mut PgConnection, slug: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT id FROM organisation WHERE slug = $1")
        .bind(slug)
        .fetch_one(c)
        .await
}

async fn person_id(c: &mut PgConnection, slug: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT id FROM person WHERE slug = $1")
        .bind(slug)
        .fetch_one(c)
        .await
}

async fn body_id(c: &mut PgConnection, slug: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT id FROM body WHERE slug = $1")
        .bind(slug)
        .fetch_one(c)
        .await
}
