#!/usr/bin/env python3
"""Writes a synthetic OSV corpus the size of the whole OSV database, for import benchmarks.

Usage: gen-osv-corpus.py OUT_DIR [RECORDS=500000] [PER_ZIP=10000] [SEED=1]

Records have the shape of real ones (ids per ecosystem, CVE aliases, summary and details text,
CVSS vectors, 1-3 affected packages with ECOSYSTEM/SEMVER ranges and explicit versions,
references, database_specific), spread over zips like osv.dev's per-ecosystem all.zip.
Deterministic for a given seed. Never committed: generated where the benchmark runs.
"""
import json
import os
import random
import sys
import zipfile

out = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 500_000
per_zip = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)

ECOSYSTEMS = [("npm", "GHSA", "SEMVER"), ("PyPI", "PYSEC", "ECOSYSTEM"), ("Maven", "GHSA", "ECOSYSTEM"),
              ("Go", "GO", "SEMVER"), ("crates.io", "RUSTSEC", "SEMVER"), ("RubyGems", "GHSA", "ECOSYSTEM"),
              ("Packagist", "GHSA", "ECOSYSTEM"), ("NuGet", "GHSA", "ECOSYSTEM")]
WORDS = ("buffer overflow injection denial service remote code execution cross site scripting path traversal "
         "deserialization untrusted input allows attackers crafted request memory corruption authentication "
         "bypass information disclosure race condition integer prototype pollution regular expression").split()
GHSA = "23456789cfghjmpqrvwx"


def ghsa():
    return "GHSA-" + "-".join("".join(rng.choice(GHSA) for _ in range(4)) for _ in range(3))


def version():
    return f"{rng.randint(0, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 40)}"


def text(n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def record(i):
    eco, prefix, rtype = ECOSYSTEMS[i % len(ECOSYSTEMS)]
    year = 2015 + i % 11
    rid = ghsa() if prefix == "GHSA" else f"{prefix}-{year}-{i:06d}"
    cve = f"CVE-{year}-{10000 + i}"
    affected = []
    for k in range(rng.choice((1, 1, 1, 2, 3))):
        fixed = version()
        versions = sorted({version() for _ in range(rng.randint(0, 20))})
        affected.append({
            "package": {"ecosystem": eco, "name": f"pkg-{rng.randint(0, 60000)}-{k}"},
            "ranges": [{"type": rtype, "events": [{"introduced": "0"}, {"fixed": fixed}]}],
            "versions": versions,
            "database_specific": {"source": "synthetic"},
        })
    return {
        "schema_version": "1.6.0",
        "id": rid,
        "modified": f"{year + 1}-0{1 + i % 9}-1{i % 10}T12:{i % 60:02d}:00Z",
        "published": f"{year}-0{1 + i % 9}-1{i % 10}T08:00:00Z",
        "aliases": [cve] if i % 4 else [cve, ghsa()],
        "summary": text(8),
        "details": text(rng.randint(30, 120)),
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": affected,
        "references": [{"type": "WEB", "url": f"https://example.org/advisories/{rid}/{r}"} for r in range(rng.randint(2, 5))],
        "database_specific": {"severity": rng.choice(("LOW", "MODERATE", "HIGH", "CRITICAL")), "cwe_ids": ["CWE-79"]},
    }


os.makedirs(out, exist_ok=True)
written = 0
part = 0
while written < total:
    n = min(per_zip, total - written)
    path = os.path.join(out, f"part-{part:04d}.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for j in range(n):
            rec = record(written + j)
            z.writestr(f"{rec['id']}.json", json.dumps(rec))
    written += n
    part += 1
print(f"{written} records in {part} zips under {out}")
