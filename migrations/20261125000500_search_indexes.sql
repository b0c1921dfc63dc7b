-- Full-text search (Dutch). GIN expression indexes on the texts that grow
-- with use: agenda items, meetings' place and notes, action lines. The
-- search queries use exactly these expressions, so the planner can use them.
-- Agreements and people are few and are searched on their whole text
-- (commitments, goals, functions from other tables), without an index.

CREATE INDEX agenda_item_fts ON agenda_item USING gin (
    to_tsvector('dutch'::regconfig, title || ' ' || explanation || ' ' || coalesce(decision_text, ''))
);

CREATE INDEX meeting_fts ON meeting USING gin (
    to_tsvector('dutch'::regconfig, location || ' ' || notes)
);

CREATE INDEX action_line_fts ON action_line USING gin (
    to_tsvector('dutch'::regconfig, title)
);
