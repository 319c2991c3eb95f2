#!/usr/bin/env python3
"""Scan and "am I affected?" benchmark against the 500,000-record synthetic OSV corpus.

1. Imports the corpus (scripts/gen-osv-corpus.py, generated when missing) into a SQLite database
   once (reused by later runs: target/scan-bench/corpus.db).
2. Scan: per run, a generated 10,000-component CycloneDX SBOM (npm packages named like the
   corpus's, random versions) is imported as a new release and `vexil scan` is timed end to end
   (process start to exit: read the release, look candidates up, match, enrich, record the
   findings in one transaction). `--format json` reports where the time went (matching alone).
3. Affected: 1,000 releases of 20 components each (every tenth holds a package a chosen CVE
   names, at an affected version) and `vexil affected CVE --format json` timed end to end.
Peak RSS from GNU time. Prints Markdown for docs/benchmarks.md.

Usage: cargo build --release -p vexil && scripts/bench-scan.py [RUNS=7] [CORPUS_DIR]
"""
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VEXIL = ROOT / "target/release/vexil"
WORK = ROOT / "target/scan-bench"
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
CORPUS = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/vexil-osv-corpus")
DB = WORK / "corpus.db"
URL = f"sqlite://{DB}"


def vexil(*args: str) -> tuple[float, int, str]:
    """Runs vexil under GNU time: wall seconds, peak RSS in KiB, stdout."""
    start = time.perf_counter()
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%M", str(VEXIL), "--database", URL, *args],
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if out.returncode not in (0, 1):
        sys.exit(f"vexil {' '.join(args)} failed ({out.returncode}):\n{out.stderr}")
    rss = int(out.stderr.strip().splitlines()[-1])
    return elapsed, rss, out.stdout


def sbom(path: Path, components: list[tuple[str, str]]) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [
            {"type": "library", "name": n, "version": v, "purl": f"pkg:npm/{n}@{v}"}
            for n, v in components
        ],
    }
    path.write_text(json.dumps(doc))


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    if not DB.exists():
        if not CORPUS.exists():
            subprocess.run([sys.executable, str(ROOT / "scripts/gen-osv-corpus.py"), str(CORPUS)], check=True)
        t, _, _ = vexil("feeds", "import", "osv", str(CORPUS))
        print(f"corpus imported in {t:.1f} s", file=sys.stderr)
    rng = random.Random(7)

    # Scan: a new 10,000-component release per run.
    existing = {r["version"] for r in json.loads(vexil("inventory", "list", "--project", "big", "--format", "json")[2])}
    scans = []
    for run in range(RUNS):
        version = f"{len(existing) + run + 1}"
        components = {(f"pkg-{rng.randint(0, 60000)}-{rng.randint(0, 2)}",
                       f"{rng.randint(0, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 40)}") for _ in range(10_000)}
        path = WORK / "big.cdx.json"
        sbom(path, sorted(components)[:10_000])
        vexil("inventory", "import", f"big@{version}", str(path))
        t, rss, out = vexil("scan", f"big@{version}", "--format", "json")
        report = json.loads(out)[0]
        scans.append((t, rss, report))
    # A rescan of the last release: nothing new, every finding seen again.
    t_re, rss_re, out = vexil("scan", f"big@{len(existing) + RUNS}", "--format", "json")
    rescan = json.loads(out)[0]

    # Affected: 1,000 small releases, every tenth holding a package the chosen CVE names.
    con = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    cve, package = con.execute(
        "SELECT s.alias, p.name FROM aliases s JOIN advisory_packages p "
        "ON p.feed = s.feed AND p.advisory_id = s.advisory_id "
        "WHERE s.alias LIKE 'CVE-%' AND p.ecosystem = 'npm' ORDER BY s.alias LIMIT 1"
    ).fetchone()
    releases = con.execute("SELECT COUNT(*) FROM releases r JOIN projects p ON p.id = r.project_id "
                           "WHERE p.name LIKE 'fleet-%'").fetchone()[0]
    con.close()
    if releases < 1000:
        for i in range(releases, 1000):
            comps = [(f"pkg-{rng.randint(0, 60000)}-0", "1.0.0") for _ in range(19)]
            comps.append((package if i % 10 == 0 else f"pkg-{rng.randint(0, 60000)}-1", "0.0.1"))
            path = WORK / "fleet.cdx.json"
            sbom(path, comps)
            vexil("inventory", "import", f"fleet-{i:04d}@1", str(path))
    affected = []
    for _ in range(RUNS):
        t, rss, out = vexil("affected", cve, "--format", "json")
        answers = json.loads(out)
        affected.append((t, rss, answers))

    med = lambda xs: statistics.median(xs)
    print(f"## Scan and affected ({RUNS} runs, medians; corpus {CORPUS})\n")
    print("| measure | median | min | max | peak RSS |")
    print("|---|---:|---:|---:|---:|")
    ts = [s[0] * 1000 for s in scans]
    print(f"| `vexil scan` of a new 10,000-component release, end to end | {med(ts):.0f} ms | {min(ts):.0f} ms | "
          f"{max(ts):.0f} ms | {max(s[1] for s in scans) / 1024:.0f} MiB |")
    for key, label in [("read_ms", "reading the release"), ("lookup_ms", "candidate lookup"),
                       ("matching_ms", "matching alone"), ("enrich_ms", "severity, KEV, EPSS"),
                       ("record_ms", "recording (one transaction)")]:
        xs = [s[2]["durations"][key] for s in scans]
        print(f"| — {label} | {med(xs):.0f} ms | {min(xs):.0f} ms | {max(xs):.0f} ms | |")
    print(f"| `vexil scan` again (nothing new) | {t_re * 1000:.0f} ms | | | {rss_re / 1024:.0f} MiB |")
    ta = [a[0] * 1000 for a in affected]
    print(f"| `vexil affected {cve}` across 1,000 releases | {med(ta):.0f} ms | {min(ta):.0f} ms | {max(ta):.0f} ms | "
          f"{max(a[1] for a in affected) / 1024:.0f} MiB |")
    r = scans[-1][2]
    print(f"\nPer scan: {r['components']} components, {r['advisories']} candidate advisories, {r['new']} new findings "
          f"(open: {r['open']}); rescan: {rescan['new']} new, {rescan['resolved']} resolved.")
    hit = sum(1 for a in affected[-1][2] if a["verdict"] == "affected")
    print(f"Affected: {len(affected[-1][2])} releases answered, {hit} affected (package `{package}`).")


if __name__ == "__main__":
    main()
