-- Action points: what a meeting decided that someone must now do. The
-- secretariat adds them from an agenda item dealt with at a meeting (its
-- section of the minutes): what, who must act (an organisation, a minister's
-- cabinet, or the secretariat) and by when. The one who must act adds notes
-- and reports it done; the secretariat confirms it, drops it or reopens it.
-- Open points of a body come back on the agenda of its next meetings
-- ("Opvolging actiepunten"); a point linked to an action line of an
-- agreement shows its notes in that line's follow-up.

CREATE TYPE action_point_status AS ENUM ('open', 'done', 'dropped');
-- What a dated note did besides being a note.
CREATE TYPE action_point_step AS ENUM ('note', 'reported_done', 'confirmed', 'dropped', 'reopened');

CREATE TABLE action_point (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- the item whose section of the minutes it comes from; the body, the
    -- meeting and who may see it follow from the item
    agenda_item_id           bigint NOT NULL REFERENCES agenda_item ON DELETE CASCADE,
    what                     text NOT NULL CHECK (length(trim(what)) > 0 AND length(what) <= 2000),
    -- who must act: exactly one of an organisation, a minister (the
    -- minister's cabinet) or the secretariat
    assignee_organisation_id bigint REFERENCES organisation,
    assignee_minister_id     bigint REFERENCES person,
    assignee_secretariat     boolean NOT NULL DEFAULT false,
    due_on                   date NOT NULL,
    status                   action_point_status NOT NULL DEFAULT 'open',
    -- the assignee's "done", waiting for the secretariat's confirmation
    reported_done_at         timestamptz,
    reported_done_by         bigint REFERENCES account,
    -- confirmed done, or dropped
    closed_at                timestamptz,
    closed_by                bigint REFERENCES account,
    -- the agreement's action line it feeds, if any
    action_line_id           bigint REFERENCES action_line ON DELETE SET NULL,
    version                  integer NOT NULL DEFAULT 1,
    created_by               bigint REFERENCES account,
    created_at               timestamptz NOT NULL DEFAULT now(),
    modified_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT action_point_one_assignee CHECK (
        num_nonnulls(assignee_organisation_id, assignee_minister_id)
            + assignee_secretariat::integer = 1),
    CONSTRAINT action_point_closed CHECK ((status = 'open') = (closed_at IS NULL)),
    CONSTRAINT action_point_reported CHECK (reported_done_at IS NOT NULL OR reported_done_by IS NULL)
);
CREATE INDEX action_point_item ON action_point (agenda_item_id);
CREATE INDEX action_point_open ON action_point (due_on) WHERE status = 'open';
CREATE INDEX action_point_organisation ON action_point (assignee_organisation_id)
    WHERE assignee_organisation_id IS NOT NULL;
CREATE INDEX action_point_minister ON action_point (assignee_minister_id)
    WHERE assignee_minister_id IS NOT NULL;
CREATE INDEX action_point_line ON action_point (action_line_id) WHERE action_line_id IS NOT NULL;

-- Dated notes, never changed: who, when, the text, and what the note did.
CREATE TABLE action_point_note (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action_point_id bigint NOT NULL REFERENCES action_point ON DELETE CASCADE,
    step            action_point_step NOT NULL,
    text            text NOT NULL DEFAULT '' CHECK (length(text) <= 2000),
    account_id      bigint REFERENCES account,
    at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT action_point_note_text CHECK (step <> 'note' OR length(trim(text)) > 0)
);
CREATE INDEX action_point_note_point ON action_point_note (action_point_id, at, id);

-- Pages show both (the meeting page, the agreement page): their writes
-- empty the page caches like any other.
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON action_point FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON action_point_note FOR EACH STATEMENT EXECUTE FUNCTION notify_change();

-- Who may see an action point, with its notes: whoever may see the agenda
-- item it comes from (`a`), on the day of that item's meeting. One rule,
-- the item's: a confidential item's points stay with the members of its
-- body, the proposer and the secretariat until the item's release time.
CREATE FUNCTION action_point_visible(r reader, a agenda_item, meeting_day date)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT agenda_item_visible(r, a, meeting_day)
$$;

-- Does the reader act for the point's assignee? The secretariat for the
-- secretariat, a cabinet for its minister, anyone else for their
-- organisation (as `agenda_item_owned` decides for proposers).
CREATE FUNCTION action_point_assigned(r reader, p action_point)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(
        CASE WHEN p.assignee_secretariat THEN (r).reads_all
             WHEN (r).minister_id IS NOT NULL THEN p.assignee_minister_id = (r).minister_id
             ELSE p.assignee_organisation_id = (r).organisation_id
        END, false)
$$;

-- The assignee as a reader of the visibility rules, whether or not it has
-- an account: an organisation reads as that organisation, a minister as a
-- member of the government (as a convocation reads it), the secretariat
-- reads all. A point may only be given to an assignee that may see its item.
CREATE FUNCTION action_point_assignee_reader(organisation bigint, minister bigint,
                                             secretariat boolean, today date)
RETURNS reader LANGUAGE sql STABLE AS $$
    SELECT ROW(coalesce(secretariat, false), true,
               CASE WHEN minister IS NOT NULL
                    THEN (SELECT o.id FROM organisation o WHERE o.kind = 'government'
                          ORDER BY o.id LIMIT 1)
                    ELSE organisation END,
               minister, today)::reader
$$;

-- Whoever must act hears of it, as their mailbox chose (`mail::notify`).
-- Not used in this migration: a new enum value is usable once committed.
ALTER TYPE notification_kind ADD VALUE 'action_point';
