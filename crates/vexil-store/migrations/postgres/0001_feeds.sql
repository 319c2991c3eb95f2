-- Advisory feeds: advisories stored whole, indexed by package for matching; aliases; enrichment;
-- distro package indexes; and the import log. Timestamps are RFC 3339 UTC text.
CREATE TABLE advisories (
    feed        TEXT NOT NULL,
    id          TEXT NOT NULL,
    modified    TEXT,
    published   TEXT,
    withdrawn   TEXT,
    malicious   BOOLEAN NOT NULL,
    source      TEXT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (feed, id)
);

CREATE TABLE advisory_packages (
    feed        TEXT NOT NULL,
    advisory_id TEXT NOT NULL,
    ecosystem   TEXT NOT NULL,
    name        TEXT NOT NULL
);
CREATE INDEX advisory_packages_lookup ON advisory_packages (ecosystem, name);
CREATE INDEX advisory_packages_owner ON advisory_packages (feed, advisory_id);

CREATE TABLE aliases (
    feed        TEXT NOT NULL,
    advisory_id TEXT NOT NULL,
    alias       TEXT NOT NULL
);
CREATE INDEX aliases_alias ON aliases (alias);
CREATE INDEX aliases_owner ON aliases (feed, advisory_id);

CREATE TABLE kev (
    cve         TEXT PRIMARY KEY,
    date_added  TEXT NOT NULL,
    due_date    TEXT,
    ransomware  TEXT NOT NULL,
    body        TEXT NOT NULL
);

CREATE TABLE epss (
    cve           TEXT PRIMARY KEY,
    epss          DOUBLE PRECISION NOT NULL,
    percentile    DOUBLE PRECISION NOT NULL,
    model_version TEXT,
    score_date    TEXT
);

CREATE TABLE debian_binaries (
    binary_name    TEXT NOT NULL,
    version        TEXT NOT NULL,
    architecture   TEXT NOT NULL,
    source         TEXT NOT NULL,
    source_version TEXT,
    PRIMARY KEY (binary_name, version, architecture)
);

CREATE TABLE apk_index (
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    arch       TEXT NOT NULL,
    origin     TEXT NOT NULL,
    maintainer TEXT,
    PRIMARY KEY (name, version, arch)
);

CREATE TABLE imports (
    id              BIGSERIAL PRIMARY KEY,
    feed            TEXT NOT NULL,
    source          TEXT NOT NULL,
    digest          TEXT NOT NULL,
    records         BIGINT NOT NULL,
    changed         BIGINT NOT NULL,
    newest_modified TEXT,
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    outcome         TEXT NOT NULL
);
CREATE INDEX imports_digest ON imports (feed, digest);
