-- The whole VESOC domain. Later migrations add behaviour, not foundations.
-- The database guards its own invariants: every status and kind is an enum,
-- every relation a foreign key, every period a checked range.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- ---------------------------------------------------------------------------
-- Organisations and people
-- ---------------------------------------------------------------------------

CREATE TYPE organisation_kind AS ENUM (
    'government', 'employers', 'trade_union', 'secretariat', 'administration'
);

CREATE TABLE organisation (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL CHECK (length(trim(name)) > 0),
    short_name  text NOT NULL CHECK (length(trim(short_name)) > 0),
    kind        organisation_kind NOT NULL,
    website     text CHECK (website IS NULL OR website ~ '^https?://'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    modified_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE person (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    given_name  text NOT NULL CHECK (length(trim(given_name)) > 0),
    family_name text NOT NULL CHECK (length(trim(family_name)) > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    modified_at timestamptz NOT NULL DEFAULT now()
);

-- A public function held by a person over time ("Minister-president van de
-- Vlaamse Regering ..."). Dates stay NULL where the sources do not give them.
CREATE TABLE person_function (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id       bigint NOT NULL REFERENCES person ON DELETE CASCADE,
    organisation_id bigint REFERENCES organisation,
    title           text NOT NULL CHECK (length(trim(title)) > 0),
    valid_from      date,
    valid_until     date,
    CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from),
    UNIQUE NULLS NOT DISTINCT (person_id, title, valid_from)
);

-- Competences (bevoegdheden) of ministers, so that the ministers concerned by
-- an agenda item can be invited.
CREATE TABLE competence (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE CHECK (length(trim(name)) > 0)
);

CREATE TABLE minister_competence (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id     bigint NOT NULL REFERENCES person,
    competence_id bigint NOT NULL REFERENCES competence,
    valid_from    date NOT NULL,
    valid_until   date,
    CHECK (valid_until IS NULL OR valid_until >= valid_from),
    EXCLUDE USING gist (
        person_id WITH =, competence_id WITH =,
        daterange(valid_from, valid_until, '[]') WITH &&
    )
);

-- ---------------------------------------------------------------------------
-- Bodies and their composition
-- ---------------------------------------------------------------------------

CREATE TYPE body_kind AS ENUM ('consultation', 'working_group');
CREATE TYPE meeting_kind AS ENUM ('formal', 'informal', 'working_group');
CREATE TYPE side AS ENUM ('government', 'social_partners', 'advisory', 'secretariat');
CREATE TYPE membership_role AS ENUM (
    'chair', 'member', 'advisory', 'substitute', 'attends_when_competent', 'secretariat'
);

CREATE TABLE body (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug           text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name           text NOT NULL CHECK (length(trim(name)) > 0),
    kind           body_kind NOT NULL,
    description    text NOT NULL DEFAULT '',
    meeting_rhythm text NOT NULL DEFAULT '',
    chair_rule     text NOT NULL DEFAULT '',
    sort_order     integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    modified_at    timestamptz NOT NULL DEFAULT now()
);

-- Which kinds of meeting a body holds: formal and informal meetings share the
-- composition of the (in)formal VESOC; the working group holds its own.
CREATE TABLE body_meeting_kind (
    body_id bigint NOT NULL REFERENCES body ON DELETE CASCADE,
    kind    meeting_kind NOT NULL,
    PRIMARY KEY (body_id, kind)
);

-- Composition rules are data, not code: "16 leden van de Vlaamse sociale
-- partners", "4 VESOC-ministers", the advisory members. seat_count NULL means
-- the sources give no number.
CREATE TABLE seat_rule (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id         bigint NOT NULL REFERENCES body ON DELETE CASCADE,
    side            side NOT NULL,
    organisation_id bigint REFERENCES organisation,
    seat_count      integer CHECK (seat_count IS NULL OR seat_count > 0),
    label           text NOT NULL CHECK (length(trim(label)) > 0),
    position        integer NOT NULL,
    UNIQUE (body_id, position)
);

CREATE TABLE body_contact (
    body_id   bigint NOT NULL REFERENCES body ON DELETE CASCADE,
    person_id bigint NOT NULL REFERENCES person,
    position  integer NOT NULL,
    PRIMARY KEY (body_id, person_id)
);

-- A seat held by a person in a body, for an organisation, in a period.
-- History is never overwritten: a change ends one membership and starts the
-- next. valid_until is the last day of the mandate (inclusive).
CREATE TABLE membership (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id            bigint NOT NULL REFERENCES body,
    person_id          bigint NOT NULL REFERENCES person,
    organisation_id    bigint NOT NULL REFERENCES organisation,
    role               membership_role NOT NULL,
    side               side NOT NULL,
    function_title     text,
    valid_from         date NOT NULL,
    valid_until        date,
    -- a substitute names whom they replace
    substitute_for_id  bigint REFERENCES membership,
    -- a correction says which record it corrects, and why
    corrects_id        bigint REFERENCES membership,
    note               text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    modified_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_until IS NULL OR valid_until >= valid_from),
    CHECK ((role = 'substitute') = (substitute_for_id IS NOT NULL)),
    CONSTRAINT membership_no_overlap EXCLUDE USING gist (
        body_id WITH =, person_id WITH =, role WITH =,
        daterange(valid_from, valid_until, '[]') WITH &&
    )
);
CREATE INDEX membership_body_period ON membership
    USING gist (body_id, daterange(valid_from, valid_until, '[]'));

-- ---------------------------------------------------------------------------
-- Accounts (defined early: almost everything records who did it)
-- ---------------------------------------------------------------------------

CREATE TYPE account_role AS ENUM ('admin', 'secretariat', 'cabinet', 'social_partner');

CREATE TABLE account (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email              text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$'),
    display_name       text NOT NULL CHECK (length(trim(display_name)) > 0),
    role               account_role NOT NULL,
    organisation_id    bigint REFERENCES organisation,
    -- the minister a cabinet account acts for
    minister_id        bigint REFERENCES person,
    person_id          bigint REFERENCES person,
    password_hash      text,
    -- changed on every password change, role change or disabling: sessions
    -- that carry an older stamp are ended
    security_stamp     uuid NOT NULL DEFAULT gen_random_uuid(),
    disabled_at        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    modified_at        timestamptz NOT NULL DEFAULT now(),
    version            integer NOT NULL DEFAULT 1,
    CONSTRAINT account_email_key UNIQUE (email),
    CHECK (role <> 'social_partner' OR organisation_id IS NOT NULL),
    CHECK (role <> 'cabinet' OR minister_id IS NOT NULL)
);

CREATE TYPE token_purpose AS ENUM ('set_password');

-- One-time links: only a hash of the token is stored.
CREATE TABLE one_time_token (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES account ON DELETE CASCADE,
    purpose     token_purpose NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    created_by  bigint REFERENCES account,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CHECK (expires_at > created_at)
);

-- Sign-in attempts, shared by every server instance, for throttling.
CREATE TABLE login_attempt (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login      text NOT NULL,
    address    text NOT NULL,
    succeeded  boolean NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempt_login_at ON login_attempt (login, at);
CREATE INDEX login_attempt_address_at ON login_attempt (address, at);

-- Every write, in the same transaction as the write.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    account_id  bigint REFERENCES account,
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   text,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_account ON audit_log (account_id, at DESC);

-- ---------------------------------------------------------------------------
-- Meetings
-- ---------------------------------------------------------------------------

CREATE TYPE meeting_status AS ENUM ('planned', 'convened', 'held', 'cancelled');

CREATE TABLE meeting (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id       bigint NOT NULL,
    kind          meeting_kind NOT NULL,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    location      text NOT NULL DEFAULT '',
    online_url    text CHECK (online_url IS NULL OR online_url ~ '^https?://'),
    notes         text NOT NULL DEFAULT '',
    status        meeting_status NOT NULL DEFAULT 'planned',
    cancel_reason text,
    -- iCalendar SEQUENCE, bumped on every change that calendar clients see
    sequence      integer NOT NULL DEFAULT 0,
    version       integer NOT NULL DEFAULT 1,
    created_by    bigint REFERENCES account,
    created_at    timestamptz NOT NULL DEFAULT now(),
    modified_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (body_id, kind) REFERENCES body_meeting_kind (body_id, kind),
    CHECK (ends_at > starts_at),
    CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))
);
CREATE INDEX meeting_body_starts ON meeting (body_id, starts_at);
CREATE INDEX meeting_starts ON meeting (starts_at);

-- Rescheduling keeps the old date visible.
CREATE TABLE meeting_reschedule (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id      bigint NOT NULL REFERENCES meeting ON DELETE CASCADE,
    old_starts_at   timestamptz NOT NULL,
    old_ends_at     timestamptz NOT NULL,
    new_starts_at   timestamptz NOT NULL,
    new_ends_at     timestamptz NOT NULL,
    reason          text NOT NULL DEFAULT '',
    changed_by      bigint REFERENCES account,
    changed_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE invitation_reason AS ENUM ('composition', 'competence', 'advisory', 'added');
CREATE TYPE attendance AS ENUM ('present', 'excused', 'absent', 'represented');

-- The invitation list and, after the meeting, the attendance register.
CREATE TABLE meeting_participant (
    meeting_id         bigint NOT NULL REFERENCES meeting ON DELETE CASCADE,
    person_id          bigint NOT NULL REFERENCES person,
    organisation_id    bigint REFERENCES organisation,
    reason             invitation_reason NOT NULL,
    invited            boolean NOT NULL DEFAULT true,
    attendance         attendance,
    represented_by     text,
    PRIMARY KEY (meeting_id, person_id),
    CHECK (coalesce(attendance = 'represented', false) = (represented_by IS NOT NULL))
);

CREATE TYPE minutes_status AS ENUM ('draft', 'approved');

CREATE TABLE minutes (
    meeting_id   bigint PRIMARY KEY REFERENCES meeting ON DELETE CASCADE,
    text         text NOT NULL DEFAULT '',
    status       minutes_status NOT NULL DEFAULT 'draft',
    approved_on  date,
    version      integer NOT NULL DEFAULT 1,
    modified_by  bigint REFERENCES account,
    modified_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'approved') = (approved_on IS NOT NULL))
);

-- ---------------------------------------------------------------------------
-- Agenda items
-- ---------------------------------------------------------------------------

CREATE TYPE agenda_item_kind AS ENUM ('information', 'discussion', 'decision');
CREATE TYPE agenda_item_status AS ENUM (
    'submitted', 'in_review', 'returned', 'accepted', 'deferred', 'rejected', 'withdrawn', 'dealt_with'
);
CREATE TYPE agenda_outcome AS ENUM ('noted', 'discussed', 'decided');

CREATE TABLE agenda_item (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id                 bigint NOT NULL REFERENCES body,
    meeting_id              bigint REFERENCES meeting,
    proposer_organisation_id bigint REFERENCES organisation,
    proposer_minister_id    bigint REFERENCES person,
    proposer_account_id     bigint REFERENCES account,
    title                   text NOT NULL CHECK (length(trim(title)) > 0),
    explanation             text NOT NULL DEFAULT '',
    kind                    agenda_item_kind NOT NULL,
    status                  agenda_item_status NOT NULL DEFAULT 'submitted',
    answer                  text,
    -- order on the agenda, and the number printed (frozen once sent)
    position                integer,
    number                  text,
    outcome                 agenda_outcome,
    decision_text           text,
    confidential            boolean NOT NULL DEFAULT false,
    embargo_until           timestamptz,
    carried_over_from_id    bigint REFERENCES agenda_item,
    -- the approval of a meeting's minutes is itself an agenda item
    approves_minutes_of_id  bigint REFERENCES meeting,
    version                 integer NOT NULL DEFAULT 1,
    created_at              timestamptz NOT NULL DEFAULT now(),
    modified_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'rejected' OR answer IS NOT NULL),
    CHECK (position IS NULL OR meeting_id IS NOT NULL),
    CHECK (outcome IS NULL OR status = 'dealt_with'),
    CONSTRAINT agenda_item_position_key UNIQUE (meeting_id, position) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE INDEX agenda_item_meeting ON agenda_item (meeting_id);
CREATE INDEX agenda_item_proposer ON agenda_item (proposer_organisation_id);
CREATE INDEX agenda_item_status ON agenda_item (status);

CREATE TABLE agenda_item_competence (
    agenda_item_id bigint NOT NULL REFERENCES agenda_item ON DELETE CASCADE,
    competence_id  bigint NOT NULL REFERENCES competence,
    PRIMARY KEY (agenda_item_id, competence_id)
);

-- Each transition with who, when and why.
CREATE TABLE agenda_item_event (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agenda_item_id bigint NOT NULL REFERENCES agenda_item ON DELETE CASCADE,
    from_status    agenda_item_status,
    to_status      agenda_item_status NOT NULL,
    comment        text NOT NULL DEFAULT '',
    account_id     bigint REFERENCES account,
    at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE document (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agenda_item_id bigint REFERENCES agenda_item ON DELETE CASCADE,
    meeting_id     bigint REFERENCES meeting ON DELETE CASCADE,
    filename       text NOT NULL CHECK (length(trim(filename)) > 0),
    content_type   text NOT NULL,
    size_bytes     bigint NOT NULL CHECK (size_bytes > 0),
    sha256         bytea NOT NULL CHECK (length(sha256) = 32),
    content        bytea NOT NULL,
    confidential   boolean NOT NULL DEFAULT false,
    uploaded_by    bigint REFERENCES account,
    uploaded_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((agenda_item_id IS NULL) <> (meeting_id IS NULL))
);

-- ---------------------------------------------------------------------------
-- Agreements and their follow-up
-- ---------------------------------------------------------------------------

CREATE TYPE agreement_status AS ENUM ('draft', 'published');
CREATE TYPE follow_up_status AS ENUM ('not_started', 'ongoing', 'achieved', 'delayed', 'dropped');

CREATE TABLE agreement (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug           text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    body_id        bigint NOT NULL REFERENCES body,
    title          text NOT NULL CHECK (length(trim(title)) > 0),
    subtitle       text NOT NULL DEFAULT '',
    kind_label     text NOT NULL DEFAULT '',
    -- NULL where the source gives no date
    concluded_on   date,
    meeting_id     bigint REFERENCES meeting,
    period_from    integer,
    period_until   integer,
    introduction   text NOT NULL DEFAULT '',
    status         agreement_status NOT NULL DEFAULT 'draft',
    published_at   timestamptz,
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    modified_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'published') = (published_at IS NOT NULL)),
    CHECK (period_until IS NULL OR period_from IS NULL OR period_until >= period_from)
);

-- The numbered commitments of the text ("1. De Vlaamse Regering ... engageren zich ...").
CREATE TABLE agreement_commitment (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id bigint NOT NULL REFERENCES agreement ON DELETE CASCADE,
    position     integer NOT NULL,
    text         text NOT NULL CHECK (length(trim(text)) > 0),
    UNIQUE (agreement_id, position)
);

CREATE TABLE goal (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id   bigint NOT NULL REFERENCES agreement ON DELETE CASCADE,
    position       integer NOT NULL,
    text           text NOT NULL CHECK (length(trim(text)) > 0),
    target_value   numeric,
    target_unit    text,
    baseline_value numeric,
    baseline_on    date,
    deadline       date,
    UNIQUE (agreement_id, position),
    CHECK ((target_value IS NULL) = (target_unit IS NULL))
);

CREATE TABLE goal_measurement (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    goal_id     bigint NOT NULL REFERENCES goal ON DELETE CASCADE,
    measured_on date NOT NULL,
    value       numeric NOT NULL,
    note        text NOT NULL DEFAULT '',
    author_id   bigint REFERENCES account,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A tree: themes, then a., b., then i., ii., ... as in the documents.
CREATE TABLE action_line (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id bigint NOT NULL REFERENCES agreement ON DELETE CASCADE,
    parent_id    bigint REFERENCES action_line ON DELETE CASCADE,
    position     integer NOT NULL,
    label        text NOT NULL DEFAULT '',
    title        text NOT NULL CHECK (length(trim(title)) > 0),
    UNIQUE NULLS NOT DISTINCT (agreement_id, parent_id, position),
    CHECK (parent_id IS DISTINCT FROM id)
);

CREATE TABLE action_line_competence (
    action_line_id bigint NOT NULL REFERENCES action_line ON DELETE CASCADE,
    competence_id  bigint NOT NULL REFERENCES competence,
    PRIMARY KEY (action_line_id, competence_id)
);

CREATE TABLE follow_up (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action_line_id bigint NOT NULL REFERENCES action_line ON DELETE CASCADE,
    recorded_on    date NOT NULL,
    status         follow_up_status NOT NULL,
    note           text NOT NULL DEFAULT '',
    author_id      bigint REFERENCES account,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX follow_up_action_line ON follow_up (action_line_id, recorded_on, id);

CREATE TABLE signatory (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agreement_id    bigint NOT NULL REFERENCES agreement ON DELETE CASCADE,
    position        integer NOT NULL,
    side            side NOT NULL,
    person_id       bigint NOT NULL REFERENCES person,
    organisation_id bigint NOT NULL REFERENCES organisation,
    -- the capacity exactly as written on the document
    capacity        text NOT NULL,
    UNIQUE (agreement_id, position),
    UNIQUE (agreement_id, person_id)
);
