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
VEXIL = ROOT / "target/release/vexil"
INPUTS = ROOT / "target/inventory-bench"


def run(db: str, release: str, path: Path) -> tuple[float, int]:
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


if __name__ == "__main__":
    main()
