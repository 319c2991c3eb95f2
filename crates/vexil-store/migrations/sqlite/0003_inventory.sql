-- Inventory: projects, their releases, each release's components (as its latest import left
-- them), dependency edges, scanner evidence, the documents they came from, and the history of
-- every change between imports. Timestamps are RFC 3339 UTC text.
CREATE TABLE projects (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE releases (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    version    TEXT NOT NULL,
    revision   BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (project_id, version)
);

CREATE TABLE release_documents (
    release_id BIGINT NOT NULL REFERENCES releases (id),
    ordinal    BIGINT NOT NULL,
    name       TEXT NOT NULL,
    format     TEXT NOT NULL,
    digest     TEXT NOT NULL,
    components BIGINT NOT NULL,
    evidence   BIGINT NOT NULL,
    warnings   TEXT NOT NULL,
    PRIMARY KEY (release_id, ordinal)
);

-- `body` holds what has no column (hashes, CPEs, licences, location) as JSON; `ordinal` is the
-- component's place in the release, which dependency edges refer to.
CREATE TABLE components (
    release_id     BIGINT NOT NULL REFERENCES releases (id),
    ordinal        BIGINT NOT NULL,
    purl           TEXT NOT NULL,
    ecosystem      TEXT,
    name           TEXT NOT NULL,
    version        TEXT,
    source_name    TEXT,
    source_version TEXT,
    scope          TEXT,
    direct         BOOLEAN,
    body           TEXT NOT NULL,
    PRIMARY KEY (release_id, purl)
);
CREATE INDEX components_package ON components (ecosystem, name);

-- Edges between components by ordinal (a release's edges outnumber its components several
-- times, and two purls per edge would be most of an import's bytes); an end that is not a
-- component (an SBOM's subject) is named by its purl instead.
CREATE TABLE component_dependencies (
    release_id   BIGINT NOT NULL REFERENCES releases (id),
    from_ordinal BIGINT,
    from_purl    TEXT,
    to_ordinal   BIGINT,
    to_purl      TEXT
);
CREATE INDEX component_dependencies_release ON component_dependencies (release_id);

CREATE TABLE scanner_evidence (
    release_id    BIGINT NOT NULL REFERENCES releases (id),
    ordinal       BIGINT NOT NULL,
    tool          TEXT NOT NULL,
    vuln_id       TEXT NOT NULL,
    purl          TEXT,
    package       TEXT NOT NULL,
    version       TEXT,
    fixed_version TEXT,
    severity      TEXT,
    body          TEXT NOT NULL,
    PRIMARY KEY (release_id, ordinal)
);
CREATE INDEX scanner_evidence_vuln ON scanner_evidence (vuln_id);

CREATE TABLE inventory_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    release_id  BIGINT NOT NULL REFERENCES releases (id),
    revision    BIGINT NOT NULL,
    imported_at TEXT NOT NULL,
    documents   BIGINT NOT NULL,
    components  BIGINT NOT NULL,
    added       BIGINT NOT NULL,
    removed     BIGINT NOT NULL,
    changed     BIGINT NOT NULL
);
CREATE INDEX inventory_imports_release ON inventory_imports (release_id, revision);

CREATE TABLE inventory_events (
    release_id  BIGINT NOT NULL REFERENCES releases (id),
    revision    BIGINT NOT NULL,
    ordinal     BIGINT NOT NULL,
    change      TEXT NOT NULL,
    package     TEXT NOT NULL,
    old_version TEXT,
    new_version TEXT,
    PRIMARY KEY (release_id, revision, ordinal)
);
