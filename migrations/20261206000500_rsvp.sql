-- Answers from invitees: present, excused, or represented by a named
-- substitute, given through a personal link in the convocation (no
-- sign-in) until the meeting starts. Only the link's hash is kept; a link
-- answers for one invitee of one meeting.

CREATE TYPE rsvp_answer AS ENUM ('present', 'excused', 'represented');

ALTER TABLE meeting_participant
    ADD COLUMN answer rsvp_answer,
    ADD COLUMN substitute text CHECK (substitute IS NULL OR length(trim(substitute)) BETWEEN 1 AND 200),
    ADD COLUMN answered_at timestamptz,
    ADD CONSTRAINT meeting_participant_substitute
        CHECK (coalesce(answer = 'represented', false) = (substitute IS NOT NULL)),
    ADD CONSTRAINT meeting_participant_answered CHECK ((answer IS NULL) = (answered_at IS NULL));

CREATE TABLE rsvp_link (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    meeting_id  bigint NOT NULL,
    person_id   bigint NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (meeting_id, person_id) REFERENCES meeting_participant ON DELETE CASCADE
);
CREATE INDEX rsvp_link_participant ON rsvp_link (meeting_id, person_id);
