//! "Mijn werk": the start page after signing in, one per role, with what
//! is waiting for the user. It only reads; every action links to the page
//! of the area that does it.

mod queries;

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::auth::access::{Access, Routes};
use crate::auth::{Reader, Role};
use crate::base::error::Result;
use crate::base::extract::Actor;
use crate::base::{AppState, PageCtx, dutch, page};
use crate::meetings::{MeetingStatus, MinutesStatus};
use queries::{AgendaLine, Competences, Line, MeetingState, Proposal};

pub const PATH: &str = crate::auth::START_PAGE;

pub fn routes() -> Routes {
    Routes::new().get(PATH, Access::SignedIn, start)
}

/// What a cabinet can follow up, per agreement, and why there is nothing
/// when there is not.
#[derive(Debug, Default)]
pub struct FollowUp {
    pub agreements: Vec<AgreementLines>,
    pub competences: Option<Competences>,
}

#[derive(Debug)]
pub struct AgreementLines {
    pub slug: String,
    pub title: String,
    pub lines: Vec<Line>,
}

/// Lines come ordered by agreement: one group per agreement.
fn by_agreement(lines: Vec<Line>) -> Vec<AgreementLines> {
    let mut groups: Vec<AgreementLines> = Vec::new();
    for line in lines {
        match groups.last_mut() {
            Some(g) if g.slug == line.agreement_slug => g.lines.push(line),
            _ => groups.push(AgreementLines {
                slug: line.agreement_slug.clone(),
                title: line.agreement_title.clone(),
                lines: vec![line],
            }),
        }
    }
    groups
}

#[derive(Template)]
#[template(path = "work/start.html")]
struct StartPage {
    ctx: PageCtx,
    role: Role,
    to_review: Vec<Proposal>,
    proposals: Vec<Proposal>,
    meetings: Vec<Meeting>,
    follow_up: FollowUp,
    accounts: Option<queries::Accounts>,
}

/// A meeting with its checklist and, for members, its agenda.
pub struct Meeting {
    pub state: MeetingState,
    pub agenda: Vec<AgendaLine>,
}

async fn start(
    ctx: PageCtx,
    Actor(user): Actor,
    State(state): State<AppState>,
) -> Result<Response> {
    let db = &state.db;
    let reader = Reader::of(Some(&user));
    let role = user.role;
    let to_review = match role {
        Role::Secretariat => queries::to_review(db).await?,
        _ => Vec::new(),
    };
    let proposals = match role {
        Role::SocialPartner | Role::Cabinet => queries::open_proposals(db, reader).await?,
        _ => Vec::new(),
    };
    let states = match role {
        Role::Admin => Vec::new(),
        _ => queries::meetings(db, reader).await?,
    };
    let ids: Vec<i64> = states.iter().map(|m| m.id).collect();
    let mut agendas = match role {
        Role::SocialPartner | Role::Cabinet if !ids.is_empty() => {
            queries::agendas(db, reader, &ids).await?
        }
        _ => Vec::new(),
    };
    let meetings = states
        .into_iter()
        .map(|state| {
            let (agenda, rest) = agendas.drain(..).partition(|a| a.meeting_id == state.id);
            agendas = rest;
            Meeting { state, agenda }
        })
        .collect();
    let follow_up = match user.minister_id {
        Some(minister) if role == Role::Cabinet => {
            let today = dutch::today();
            let lines = queries::lines_of_minister(db, minister, today).await?;
            let competences = if lines.is_empty() {
                Some(queries::competences(db, minister, today).await?)
            } else {
                None
            };
            FollowUp {
                agreements: by_agreement(lines),
                competences,
            }
        }
        _ => FollowUp::default(),
    };
    let accounts = match role {
        Role::Admin => Some(queries::accounts(db).await?),
        _ => None,
    };
    Ok(page::no_store(page::render(&StartPage {
        ctx,
        role,
        to_review,
        proposals,
        meetings,
        follow_up,
        accounts,
    })))
}

/// One step of a meeting's checklist.
pub struct Step {
    pub label: &'static str,
    pub done: bool,
    /// What is still to do, when it is not done.
    pub todo: String,
}

impl Meeting {
    pub fn when(&self) -> String {
        dutch::nl_datetime(self.state.starts_at)
    }

    /// "VESOC-werkgroep", not "VESOC-werkgroep · VESOC-werkgroep".
    pub fn title(&self) -> String {
        let kind = self.state.kind.label();
        if kind.eq_ignore_ascii_case(&self.state.body_name) {
            self.state.body_name.clone()
        } else {
            format!("{} · {}", self.state.body_name, kind)
        }
    }

    pub fn is_past(&self) -> bool {
        self.state.ends_at < time::OffsetDateTime::now_utc()
    }

    /// Where the meeting stands, from the agenda to approved minutes.
    pub fn checklist(&self) -> Vec<Step> {
        let m = &self.state;
        let convened = matches!(m.status, MeetingStatus::Convened | MeetingStatus::Held);
        let held = m.status == MeetingStatus::Held;
        let plural =
            |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        vec![
            Step {
                label: "Agenda",
                done: m.on_agenda > 0 && m.to_review == 0,
                todo: match (m.on_agenda, m.to_review) {
                    (0, 0) => "nog geen punten".into(),
                    (_, 0) => String::new(),
                    (_, n) => plural(n, "voorstel te beoordelen", "voorstellen te beoordelen"),
                },
            },
            Step {
                label: "Uitnodigingen",
                done: m.invited > 0,
                todo: "nog niemand uitgenodigd".into(),
            },
            Step {
                label: "Bijeengeroepen",
                done: convened,
                todo: "nog niet".into(),
            },
            Step {
                label: "Gehouden",
                done: held,
                todo: if self.is_past() {
                    "nog niet als gehouden gemarkeerd".into()
                } else {
                    String::new()
                },
            },
            Step {
                label: "Aanwezigheden",
                done: m.attendance > 0,
                todo: if held {
                    "nog niet geregistreerd".into()
                } else {
                    String::new()
                },
            },
            Step {
                label: "Verslag",
                done: m.minutes == Some(MinutesStatus::Approved),
                todo: match m.minutes {
                    Some(MinutesStatus::Draft) => "ontwerp, nog niet goedgekeurd".into(),
                    Some(MinutesStatus::Sent) => {
                        "ter opmerkingen verstuurd, nog niet goedgekeurd".into()
                    }
                    _ if held => "nog geen verslag".into(),
                    _ => String::new(),
                },
            },
        ]
    }

    /// The first step that is not done, as a short status for members.
    pub fn next_step(&self) -> Option<Step> {
        self.checklist().into_iter().find(|s| !s.done)
    }
}

impl Proposal {
    pub fn submitted(&self) -> String {
        dutch::nl_date(dutch::brussels(self.created_at).date())
    }

    pub fn meeting_when(&self) -> Option<String> {
        self.meeting_starts_at.map(dutch::nl_datetime)
    }
}

impl AgendaLine {
    pub fn shown_number(&self) -> String {
        self.number
            .clone()
            .or_else(|| self.position.map(|p| p.to_string()))
            .unwrap_or_default()
    }
}

impl Line {
    pub fn recorded(&self) -> Option<String> {
        self.recorded_on.map(dutch::nl_date)
    }
}

impl Competences {
    pub fn ended(&self) -> Option<String> {
        self.last_ended.map(dutch::nl_date)
    }
}
