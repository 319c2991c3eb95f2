#!/usr/bin/env python3
"""End-to-end inventory import benchmark: the release binary reading, recognising, parsing and
writing a generated 10,000-component CycloneDX SBOM and a 5,000-entry package-lock.json into a
fresh SQLite database (process start, schema migration and commit included), then importing the
same release again (replace + history). Prints a Markdown table for docs/benchmarks.md.

Usage: cargo build --release -p vexil && scripts/bench-inventory.py [RUNS]
With VEXIL_BENCH_POSTGRES_URL=postgres://USER@HOST:PORT/postgres set (and `psql` on PATH), the
generated inputs are also imported into a fresh PostgreSQL database per run.
"""
import os
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


class Database:
    """A fresh database for one run: a SQLite file in a temporary folder, or a new PostgreSQL
    database on the server named by VEXIL_BENCH_POSTGRES_URL."""

    counter = 0

    def __init__(self, postgres: str | None):
        self.postgres = postgres

    def __enter__(self) -> str:
        if self.postgres is None:
            self.tmp = tempfile.TemporaryDirectory()
            return f"sqlite://{self.tmp.name}/vexil.db"
        Database.counter += 1
        self.name = f"vexil_bench_{os.getpid()}_{Database.counter}"
        subprocess.run(["psql", self.postgres, "-qc", f"CREATE DATABASE {self.name}"], check=True)
        return self.postgres.rsplit("/", 1)[0] + "/" + self.name

    def __exit__(self, *exc) -> None:
        if self.postgres is None:
            self.tmp.cleanup()
        else:
            subprocess.run(["psql", self.postgres, "-qc", f"DROP DATABASE {self.name}"], check=True)


def generated(runs: int, postgres: str | None) -> None:
    backend = "PostgreSQL" if postgres else "SQLite"
    print(f"| input ({backend}) | components | first import (median of {runs}) | components/s | re-import (replace) |")
    print("|---|---:|---:|---:|---:|")
    for name in ["bom-10k.cdx.json", "package-lock.json"]:
        path = INPUTS / name
        first, again = [], []
        count = 0
        for _ in range(runs):
            with Database(postgres) as db:
                t, count = run(db, "bench@1", path)
                first.append(t)
                t, _ = run(db, "bench@1", path)
                again.append(t)
        m = statistics.median(first)
        print(
            f"| {name} | {count} | {m * 1000:.0f} ms (min {min(first) * 1000:.0f}, max {max(first) * 1000:.0f}) "
            f"| {count / m:,.0f} | {statistics.median(again) * 1000:.0f} ms |"
        )


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    subprocess.run([sys.executable, str(ROOT / "scripts/gen-inventory-bench.py"), str(INPUTS)], check=True)
    generated(runs, None)
    postgres = os.environ.get("VEXIL_BENCH_POSTGRES_URL")
    if postgres:
        print()
        generated(runs, postgres)
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
