-- Time-based one-time passwords (RFC 6238) as a second factor.
CREATE TABLE account_totp (
    account_id      bigint PRIMARY KEY REFERENCES account ON DELETE CASCADE,
    secret          bytea NOT NULL CHECK (length(secret) >= 20),
    enabled_at      timestamptz NOT NULL DEFAULT now(),
    -- the last time step accepted: a code is accepted once (RFC 6238 §5.2)
    last_step       bigint NOT NULL DEFAULT 0
);

-- One-time recovery codes, stored as hashes.
CREATE TABLE recovery_code (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES account ON DELETE CASCADE,
    code_hash   bytea NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, code_hash)
);
