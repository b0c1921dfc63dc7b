-- Recurring meetings: a series of a body ("elke tweede dinsdag van de maand,
-- 10:00–12:00, van september tot juni") makes planned meetings, one per date
-- its rule yields. The rule is an RFC 5545 RRULE (FREQ, INTERVAL, BYDAY,
-- BYMONTH, UNTIL), expanded by the `rrule` crate from DTSTART = first_date at
-- starts_local in Europe/Brussels; times are local, so 10:00 stays 10:00
-- across a change of daylight saving time.
CREATE TABLE meeting_series (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id       bigint NOT NULL,
    kind          meeting_kind NOT NULL,
    rrule         text NOT NULL CHECK (rrule ~ '^FREQ='),
    starts_local  time NOT NULL,
    ends_local    time NOT NULL,
    first_date    date NOT NULL,
    last_date     date NOT NULL,
    location      text NOT NULL DEFAULT '',
    -- The skipped dates (EXDATE): the rule never makes them again.
    exdates       date[] NOT NULL DEFAULT '{}',
    created_by    bigint REFERENCES account,
    created_at    timestamptz NOT NULL DEFAULT now(),
    modified_by   bigint REFERENCES account,
    modified_at   timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1,
    FOREIGN KEY (body_id, kind) REFERENCES body_meeting_kind (body_id, kind),
    CHECK (ends_local > starts_local),
    CHECK (last_date >= first_date)
);
CREATE INDEX meeting_series_body ON meeting_series (body_id);

-- A meeting of a series knows its series and the date the rule gave it
-- (its RECURRENCE-ID), which stays when the meeting is moved. A meeting
-- whose kind, date, time or place was changed through the meeting form is
-- `changed_by_hand`: later changes of the series leave it alone (as they
-- leave every meeting that is no longer planned).
ALTER TABLE meeting
    ADD COLUMN series_id bigint REFERENCES meeting_series,
    ADD COLUMN series_date date,
    ADD COLUMN changed_by_hand boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT meeting_series_date CHECK ((series_id IS NULL) = (series_date IS NULL));
-- One standing meeting per date of a series; a cancelled one (a skipped
-- date, one the series dropped) does not hold its date.
CREATE UNIQUE INDEX meeting_series_occurrence ON meeting (series_id, series_date)
    WHERE series_id IS NOT NULL AND status <> 'cancelled';

-- Pages show series (migration 20261125000900): tell the caches.
CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON meeting_series FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
