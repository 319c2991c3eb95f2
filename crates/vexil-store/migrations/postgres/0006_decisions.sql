-- Triage decisions on findings: the deciding rule's or VEX document's decision as JSON, and
-- the status and rule id as columns to filter on. History records every change of them.
ALTER TABLE findings ADD COLUMN decision TEXT;
ALTER TABLE findings ADD COLUMN decision_status TEXT;
ALTER TABLE findings ADD COLUMN decision_rule TEXT;
CREATE INDEX findings_decision_rule ON findings (decision_rule);
