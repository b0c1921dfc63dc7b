-- Follow-up of agreements: the same entry or measurement sent twice (a
-- double click, a reloaded form) is refused by the database itself.

-- One status entry per action line, date, status and note: an identical
-- second one is a duplicate, not news. The note is hashed so long notes fit
-- in the index.
CREATE UNIQUE INDEX follow_up_no_duplicate
    ON follow_up (action_line_id, recorded_on, status, md5(note));

-- A goal has one measured value per date.
ALTER TABLE goal_measurement
    ADD CONSTRAINT goal_measurement_one_per_date UNIQUE (goal_id, measured_on);
