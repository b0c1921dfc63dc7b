-- An agenda item can concern an agreement: the follow-up of "Iedereen aan
-- boord" on a meeting's agenda, say. The agreement's page lists the
-- meetings that dealt with it, and open data shows each as an OParl
-- Consultation (a paper dealt with at an agenda item).
ALTER TABLE agenda_item ADD COLUMN agreement_id bigint REFERENCES agreement;
CREATE INDEX agenda_item_agreement ON agenda_item (agreement_id) WHERE agreement_id IS NOT NULL;
