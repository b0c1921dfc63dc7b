-- Sign-in hardening (issue 15): device cookies, and attempts counted before
-- they are evaluated.

-- Browsers that signed in to an account before (OWASP, "Slow down online
-- guessing attacks with device cookies"). The browser holds a random token
-- in a cookie; only its SHA-256 is stored, here, so that every instance
-- knows it. Such a browser is exempt from the account-wide limit for
-- unknown browsers and has a limit of its own (src/accounts/throttle.rs).
-- No page shows these rows: no change notification (see
-- 20261125000900_change_notifications.sql).
CREATE TABLE known_device (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id    bigint NOT NULL REFERENCES account ON DELETE CASCADE,
    token_hash    bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_device_account ON known_device (account_id);

-- An attempt is now counted (as a failure) before its password or code is
-- checked, and marked succeeded afterwards when it was right.
--   device_id:  the known browser it came from, if any;
--   pending_id: the password step a code belongs to (at most five wrong
--               codes per password step).
ALTER TABLE login_attempt
    ADD COLUMN device_id bigint REFERENCES known_device ON DELETE SET NULL,
    ADD COLUMN pending_id uuid;
CREATE INDEX login_attempt_device_at ON login_attempt (device_id, at) WHERE device_id IS NOT NULL;
CREATE INDEX login_attempt_pending ON login_attempt (pending_id) WHERE pending_id IS NOT NULL;
