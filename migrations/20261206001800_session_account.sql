-- Who a session is signed in as, beside its record (which the session
-- store keeps as MessagePack, unreadable here): the store writes both on
-- every save, and reads a session together with its account in one query
-- (src/auth/mod.rs `session_and_user`). A signed-in request read the
-- session, then the account it names: two round trips where one does.
-- NULL for a session not signed in, and for one saved before this column:
-- then the account is read on its own, as before.
ALTER TABLE tower_sessions.session
    ADD COLUMN account_id bigint,
    ADD COLUMN security_stamp uuid;
