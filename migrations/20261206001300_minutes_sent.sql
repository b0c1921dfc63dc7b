-- Minutes can be sent to the members for comments before they are
-- approved (draft → sent → approved), with a notification of their own.
-- Alone in this migration: a new enum value cannot be used in the
-- transaction that adds it.
ALTER TYPE minutes_status ADD VALUE 'sent' BEFORE 'approved';
ALTER TYPE notification_kind ADD VALUE 'minutes_for_comments';
