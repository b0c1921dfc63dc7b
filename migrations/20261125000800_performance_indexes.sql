-- Indexes for the pages measured by scripts/bench.sh (see docs/performance.md).

-- The action-line tree is walked from parent to children (and deleting a
-- line cascades to its children): without this, every step of the
-- recursive query scanned all action lines of all agreements.
CREATE INDEX action_line_parent ON action_line (parent_id);

-- The meeting page lists a meeting's reschedules.
CREATE INDEX meeting_reschedule_meeting ON meeting_reschedule (meeting_id);

-- The documents of a meeting's agenda items (the meeting page) and of a
-- meeting: without these, every meeting page scanned all documents.
CREATE INDEX document_agenda_item ON document (agenda_item_id);
CREATE INDEX document_meeting ON document (meeting_id);
