#!/usr/bin/env python3
"""Vexil side by side with cargo-audit on the same moment of the RustSec database.

cargo-audit reads ../shared/data/advisories/rustsec-advisory-db (native layout); Vexil reads its
OSV export ../shared/data/advisories/osv/crates.io, imported into a fresh SQLite database. Both
check every Cargo.lock under ../shared/data/lockfiles/cargo-lock. Prints, per lock, the advisory
ids each reports (vulnerabilities and informational warnings apart), whether they agree, and the
wall time of each tool (median of RUNS runs) with the ratio.

cargo-audit is not part of CI (it takes ~15 minutes to build here):
    cargo install cargo-audit --locked --root /work/tools
    cargo build --release -p vexil
    CARGO_AUDIT=/work/tools/bin/cargo-audit scripts/compare-cargo-audit.py [RUNS]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
VEXIL = ROOT / "target/release/vexil"
CARGO_AUDIT = os.environ.get("CARGO_AUDIT", "cargo-audit")


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - start, out


def cargo_audit(lock: Path) -> tuple[set[str], set[str], list[float]]:
    cmd = [CARGO_AUDIT, "audit", "--db", str(DATA / "advisories/rustsec-advisory-db"), "--no-fetch",
           "--no-yanked", "--stale", "--json", "--file", str(lock)]
    times, out = [], None
    for _ in range(RUNS):
        t, out = timed(cmd)
        times.append(t)
    report = json.loads(out.stdout)
    vulns = {v["advisory"]["id"] for v in report["vulnerabilities"]["list"]}
    warnings = {
        w["advisory"]["id"]
        for kind in (report.get("warnings") or {}).values()
        for w in kind
        if w.get("advisory")
    }
    return vulns, warnings, times


def vexil(db: str, lock: Path) -> tuple[set[str], set[str], list[float]]:
    cmd = [str(VEXIL), "--database", db, "check", str(lock), "--format", "json"]
    times, out = [], None
    for _ in range(RUNS):
        t, out = timed(cmd)
        times.append(t)
    if out.returncode not in (0, 1):
        sys.exit(f"vexil check failed on {lock}: {out.stderr}")
    report = json.loads(out.stdout)
    vulns, warnings = set(), set()
    for row in report["findings"]:
        f = row["finding"]
        if f["verdict"] != "affected":
            continue
        ids = {m["explanation"]["advisory"] for m in f["matches"] if m["verdict"] == "affected"}
        (warnings if f.get("informational") else vulns).update(i for i in ids if i.startswith("RUSTSEC-"))
    return vulns, warnings, times


RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def main() -> None:
    locks = sorted((DATA / "lockfiles/cargo-lock").glob("*/Cargo.lock"))
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite://{tmp}/vexil.db"
        subprocess.run([str(VEXIL), "--database", db, "feeds", "import", "osv",
                        str(DATA / "advisories/osv/crates.io")], check=True, capture_output=True)
        print("| Cargo.lock | cargo-audit | vexil | agree | cargo-audit ms | vexil ms | ratio |")
        print("|---|---|---|---|---:|---:|---:|")
        agree = 0
        for lock in locks:
            cv, cw, ct = cargo_audit(lock)
            vv, vw, vt = vexil(db, lock)
            same = cv == vv and cw == vw
            agree += same
            show = lambda v, w: ", ".join(sorted(v)) + (" / warnings: " + ", ".join(sorted(w)) if w else "") or "-"
            c_ms, v_ms = statistics.median(ct) * 1000, statistics.median(vt) * 1000
            print(f"| {lock.parent.name} | {show(cv, cw)} | {show(vv, vw)} | {'yes' if same else 'NO'} "
                  f"| {c_ms:.0f} | {v_ms:.0f} | {c_ms / v_ms:.1f}x |")
        print(f"\nagreement: {agree} of {len(locks)} locks report the same advisory ids")


if __name__ == "__main__":
    main()
