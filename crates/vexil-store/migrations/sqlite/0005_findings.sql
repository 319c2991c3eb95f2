-- Findings: what each scan concluded per (release, component, vulnerability alias group), with
-- an append-only history of events, and the scans themselves. Timestamps are RFC 3339 UTC text.

-- Components are looked up by the name advisories use (lowercase; PEP 503 for PyPI), so that
-- "who has package X" across releases is an index lookup. The backfill approximates PEP 503;
-- every import from now on writes the exact form.
ALTER TABLE components ADD COLUMN lookup_name TEXT;
ALTER TABLE components ADD COLUMN source_lookup_name TEXT;
ALTER TABLE components ADD COLUMN has_cpe BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE components SET
    lookup_name = CASE
        WHEN ecosystem = 'PyPI' OR ecosystem LIKE 'PyPI:%'
            THEN replace(replace(lower(name), '_', '-'), '.', '-')
        ELSE lower(name)
    END,
    source_lookup_name = lower(source_name),
    has_cpe = body LIKE '%"cpes"%';
CREATE INDEX components_lookup ON components (lookup_name);
CREATE INDEX components_source_lookup ON components (source_lookup_name);

-- Severity needs every advisory of a group by id, whatever its feed.
CREATE INDEX advisories_id ON advisories (id);

CREATE TABLE scans (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    release_id  BIGINT NOT NULL REFERENCES releases (id),
    revision    BIGINT NOT NULL,
    scanned_at  TEXT NOT NULL,
    components  BIGINT NOT NULL,
    advisories  BIGINT NOT NULL,
    open        BIGINT NOT NULL,
    new         BIGINT NOT NULL,
    resolved    BIGINT NOT NULL,
    reactivated BIGINT NOT NULL,
    changed     BIGINT NOT NULL
);
CREATE INDEX scans_release ON scans (release_id);

-- `ids` is the alias group as a JSON array; `body` the last observation whole (explanation,
-- severity reason, KEV and EPSS details) as JSON. The columns are what listings filter on.
CREATE TABLE findings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    release_id    BIGINT NOT NULL REFERENCES releases (id),
    purl          TEXT NOT NULL,
    name          TEXT NOT NULL,
    version       TEXT,
    ecosystem     TEXT,
    vuln          TEXT NOT NULL,
    ids           TEXT NOT NULL,
    state         TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    fixed_version TEXT,
    malicious     BOOLEAN NOT NULL,
    informational TEXT,
    severity      TEXT NOT NULL,
    kev           BOOLEAN NOT NULL,
    epss          DOUBLE PRECISION,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    body          TEXT NOT NULL
);
CREATE INDEX findings_release ON findings (release_id, state);
CREATE INDEX findings_vuln ON findings (vuln);

CREATE TABLE finding_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id BIGINT NOT NULL REFERENCES findings (id),
    scan_id    BIGINT REFERENCES scans (id),
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX finding_events_finding ON finding_events (finding_id);

-- History is append-only: the database itself refuses to change or remove an event.
CREATE TRIGGER finding_events_no_update BEFORE UPDATE ON finding_events
BEGIN SELECT RAISE(ABORT, 'finding history is append-only'); END;
CREATE TRIGGER finding_events_no_delete BEFORE DELETE ON finding_events
BEGIN SELECT RAISE(ABORT, 'finding history is append-only'); END;
