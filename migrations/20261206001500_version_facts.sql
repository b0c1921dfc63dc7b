-- A sent agenda version is a record of what was sent: besides its items it
-- keeps the meeting as it sent it, its hours, place, online link and
-- invitation list. Moving the meeting or changing who is invited later
-- leaves the version as it was; its page and PDF show these, the current
-- agenda the meeting as it stands.

-- Those invited to meeting `m` as a version keeps them, in the order of the
-- invitation list (`meetings::queries::participants`, without those no
-- longer invited): [{"name", "organisation", "reason"}], the reason's code.
CREATE FUNCTION meeting_invitation_list(m bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object(
                        'name', p.given_name || ' ' || p.family_name,
                        'organisation', o.name, 'reason', mp.reason)
                    ORDER BY mp.reason, o.name NULLS LAST, p.family_name, p.given_name), '[]')
    FROM meeting_participant mp
    JOIN person p ON p.id = mp.person_id
    LEFT JOIN organisation o ON o.id = mp.organisation_id
    WHERE mp.meeting_id = m AND mp.invited
$$;

ALTER TABLE agenda_version
    ADD COLUMN starts_at  timestamptz,
    ADD COLUMN ends_at    timestamptz,
    ADD COLUMN location   text,
    ADD COLUMN online_url text,
    ADD COLUMN invitees   jsonb;

-- Versions sent before this: what they sent was not kept, so the meeting's
-- hours, place and invitation list as they stand now are the best we know.
UPDATE agenda_version v
SET starts_at = m.starts_at, ends_at = m.ends_at, location = m.location,
    online_url = m.online_url, invitees = meeting_invitation_list(m.id)
FROM meeting m WHERE m.id = v.meeting_id;

ALTER TABLE agenda_version
    ALTER COLUMN starts_at SET NOT NULL,
    ALTER COLUMN ends_at SET NOT NULL,
    ALTER COLUMN location SET NOT NULL,
    ALTER COLUMN invitees SET NOT NULL;
