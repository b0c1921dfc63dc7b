-- Personal calendar feeds: a secret token in the URL, stored as a hash,
-- revocable. One active token per account.
CREATE TABLE calendar_token (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES account ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE UNIQUE INDEX calendar_token_one_active ON calendar_token (account_id) WHERE revoked_at IS NULL;

-- Removing someone from an invitation list keeps who did it visible.
ALTER TABLE meeting_participant ADD COLUMN added_at timestamptz NOT NULL DEFAULT now();
