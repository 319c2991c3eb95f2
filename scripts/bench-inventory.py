#!/usr/bin/env python3
"""End-to-end inventory import benchmark: the release binary reading, recognising, parsing and
writing a generated 10,000-component CycloneDX SBOM and a 5,000-entry package-lock.json into a
fresh SQLite database (process start, schema migration and commit included), then importing the
same release again (replace + history). Prints a Markdown table for docs/benchmarks.md.

Usage: cargo build --release -p vexil && scripts/bench-inventory.py [RUNS]
"""
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
REAL = [
    "sbom/cyclonedx/bom-examples/keycloak-10.0.2.bom.json",
    "sbom/cyclonedx/bom-examples/juice-shop.via_npm.flat.bom.1.4.json",
    "sbom/spdx/redhat/rhel-9.2-main+eus.spdx.json",
    "lockfiles/package-lock/v3-aws-samples-cdk-integ-tests-sample/package-lock.json",
    "lockfiles/cargo-lock/rustsec-workspace-v4/Cargo.lock",
    "lockfiles/uv-lock/vunnel/uv.lock",
    "os-packages/rpm/rpm-qa-tsv/fedora26_many.tsv",
    "scanners/grype/defectdojo-many_vulns.json",
]
VEXIL = ROOT / "target/release/vexil"
INPUTS = ROOT / "target/inventory-bench"


def run(db: str, release: str, path: Path) -> tuple[float, int]:
    """One `vexil inventory import` process: wall seconds and the components it stored."""
    start = time.perf_counter()
    out = subprocess.run(
        [str(VEXIL), "--database", db, "inventory", "import", release, str(path), "--output", "json"],
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    return elapsed, json.loads(out.stdout)["components"]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    subprocess.run([sys.executable, str(ROOT / "scripts/gen-inventory-bench.py"), str(INPUTS)], check=True)
    print("| input | components | first import (median of %d) | components/s | re-import (replace) |" % runs)
    print("|---|---:|---:|---:|---:|")
    for name in ["bom-10k.cdx.json", "package-lock.json"]:
        path = INPUTS / name
        first, again = [], []
        count = 0
        for i in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                db = f"sqlite://{tmp}/vexil.db"
                t, count = run(db, "bench@1", path)
                first.append(t)
                t, _ = run(db, "bench@1", path)
                again.append(t)
        m = statistics.median(first)
        print(
            f"| {name} | {count} | {m * 1000:.0f} ms (min {min(first) * 1000:.0f}, max {max(first) * 1000:.0f}) "
            f"| {count / m:,.0f} | {statistics.median(again) * 1000:.0f} ms |"
        )
    if not SHARED.exists():
        print(f"skipped real files: {SHARED} is absent")
        return
    print()
    print("| real file | bytes | components | first import (median of %d) |" % runs)
    print("|---|---:|---:|---:|")
    for rel in REAL:
        path = SHARED / rel
        times = []
        count = 0
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                t, count = run(f"sqlite://{tmp}/vexil.db", "real@1", path)
                times.append(t)
        print(f"| {rel} | {path.stat().st_size:,} | {count:,} | {statistics.median(times) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
