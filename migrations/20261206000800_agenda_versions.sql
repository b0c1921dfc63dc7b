-- Agenda versions. Convening a meeting sends its agenda and freezes
-- version A; each later sending of a changed agenda freezes the next
-- letter (B, C…: the "aanvullende agenda"). A version keeps what it listed:
-- per item its number, place, title, kind, confidentiality and the
-- documents attached at that moment. What changed between two versions is
-- worked out from these rows.

CREATE TABLE agenda_version (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meeting ON DELETE CASCADE,
    letter     text NOT NULL CHECK (letter ~ '^[A-Z]$'),
    sent_at    timestamptz NOT NULL DEFAULT now(),
    sent_by    bigint REFERENCES account,
    -- the agenda as the meeting dealt with it (vastgestelde agenda): the
    -- last version when the meeting is marked held
    adopted    boolean NOT NULL DEFAULT false,
    UNIQUE (meeting_id, letter)
);
CREATE UNIQUE INDEX agenda_version_adopted ON agenda_version (meeting_id) WHERE adopted;

CREATE TABLE agenda_version_item (
    version_id     bigint NOT NULL REFERENCES agenda_version ON DELETE CASCADE,
    agenda_item_id bigint NOT NULL REFERENCES agenda_item ON DELETE CASCADE,
    position       integer NOT NULL,
    number         text NOT NULL,
    title          text NOT NULL,
    kind           agenda_item_kind NOT NULL,
    confidential   boolean NOT NULL,
    -- the documents attached then: [{"id", "filename", "confidential"}]
    documents      jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (version_id, agenda_item_id)
);

-- Pages show versions, and the meeting page lists them: their writes empty
-- the page caches like any other.
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON agenda_version FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON agenda_version_item FOR EACH STATEMENT EXECUTE FUNCTION notify_change();

-- An item as a sent version listed it: the rule of `agenda_item_visible`,
-- except that the item need not be on the agenda any more (a withdrawn
-- item stays in the version that listed it, for whoever may see it).
CREATE FUNCTION agenda_item_visible_listed(r reader, a agenda_item, meeting_day date)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (r).reads_all
        OR agenda_item_owned(r, a)
        OR NOT agenda_item_under_embargo(a)
        OR reader_sits_in(r, a.body_id, meeting_day)
$$;

-- Meetings convened or held before versions existed: their agenda as it
-- stands is their version A.
WITH v AS (
    INSERT INTO agenda_version (meeting_id, letter, sent_at)
    SELECT id, 'A', modified_at FROM meeting WHERE status IN ('convened', 'held')
    RETURNING id, meeting_id)
INSERT INTO agenda_version_item (version_id, agenda_item_id, position, number, title, kind,
                                 confidential, documents)
SELECT v.id, a.id, a.position, coalesce(a.number, a.position::text), a.title, a.kind,
       a.confidential,
       coalesce((SELECT jsonb_agg(jsonb_build_object('id', d.id, 'filename', d.filename,
                                                     'confidential', d.confidential) ORDER BY d.id)
                 FROM document d WHERE d.agenda_item_id = a.id), '[]')
FROM v JOIN agenda_item a ON a.meeting_id = v.meeting_id AND agenda_item_on_agenda(a);
