#!/usr/bin/env python3
"""Prints the version-ordering benchmark table for docs/benchmarks.md from criterion's results.

Run after `cargo bench -p vexil-version --bench compare`; reads target/criterion/<scheme>/.
"""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
rows = []
for group in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "report"):
    cells = {}
    for bench in ("compare", "parse+compare"):
        base = group / bench.replace("+", "_")
        if not base.exists():
            base = group / bench
        try:
            estimates = json.loads((base / "new" / "estimates.json").read_text())
            meta = json.loads((base / "new" / "benchmark.json").read_text())
        except FileNotFoundError:
            continue
        elements = meta["throughput"]["Elements"]
        ns = estimates["median"]["point_estimate"]
        cells[bench] = (elements, elements / ns * 1e3)  # million per second
    if cells:
        rows.append((group.name, cells))

print("| scheme | vector pairs | pre-parsed compare (M/s) | parse + compare (M/s) |")
print("|---|---:|---:|---:|")
for name, cells in rows:
    pairs = cells.get("compare", cells.get("parse+compare"))[0]
    pre = f"{cells['compare'][1]:.1f}" if "compare" in cells else "—"
    both = f"{cells['parse+compare'][1]:.2f}" if "parse+compare" in cells else "—"
    print(f"| {name} | {pairs} | {pre} | {both} |")
