#!/usr/bin/env python3
"""`vexil rules plan` and `rules apply` over 100,000 findings and 1,000 rules (issue #7 target:
< 2 s each on SQLite), and `vex export` of the largest release when the command exists.

Builds once (target/rules-bench/): a copy of the scan benchmark's corpus database
(scripts/bench-scan.py makes it), releases of 10,000 npm components at version 0.0.1 (so most
advisories naming them apply) scanned until the store holds >= 100,000 findings, and 1,000
generated rules: 500 auto rules by component name, 298 by vulnerability id, 2 broad ones (every
low and medium finding of a project), 200 triage rules by vulnerability and project. Then times, whole process: plan, the first apply (records every
decision), a second apply (idempotent: nothing to change), and plan again.

Usage: cargo build --release -p vexil && scripts/bench-scan.py 1 && scripts/bench-rules.py [RUNS=5]
"""
import json
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
WORK = ROOT / "target/rules-bench"
CORPUS_DB = ROOT / "target/scan-bench/corpus.db"
DB = WORK / "rules.db"
URL = f"sqlite://{DB}"
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


def vexil(*args: str, ok=(0,)) -> tuple[float, int, str]:
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", str(VEXIL), "--database", URL, *args],
                         capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if out.returncode not in ok:
        sys.exit(f"vexil {' '.join(args)} failed ({out.returncode}):\n{out.stderr}")
    return elapsed, int(out.stderr.strip().splitlines()[-1]), out.stdout


def findings() -> int:
    con = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    n = con.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
    con.close()
    return n


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    if not DB.exists():
        if not CORPUS_DB.exists():
            sys.exit("run scripts/bench-scan.py first: it imports the corpus this benchmark copies")
        # The copy keeps the scan benchmark's releases and findings: they count toward 100,000.
        shutil.copy(CORPUS_DB, DB)
    n = 0
    while findings() < 100_000:
        n += 1
        comps = sorted({f"pkg-{rng.randint(0, 60000)}-0" for _ in range(10_000)})
        doc = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
               "components": [{"type": "library", "name": c, "version": "0.0.1", "purl": f"pkg:npm/{c}@0.0.1"}
                              for c in comps]}
        path = WORK / "release.cdx.json"
        path.write_text(json.dumps(doc))
        vexil("inventory", "import", f"rb-{n % 4}-app@{n}", str(path))
        vexil("scan", f"rb-{n % 4}-app@{n}")
    total = findings()

    con = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    names = [r[0] for r in con.execute("SELECT DISTINCT name FROM findings ORDER BY name LIMIT 2000")]
    vulns = [r[0] for r in con.execute("SELECT DISTINCT vuln FROM findings ORDER BY vuln LIMIT 2000")]
    con.close()
    rules_dir = WORK / "repo"
    shutil.rmtree(rules_dir, ignore_errors=True)
    (rules_dir / "rules/auto").mkdir(parents=True)
    (rules_dir / "rules/triage").mkdir(parents=True)
    auto, triage = [], []
    for i in range(500):
        auto.append(f'[[rule]]\nid = "name-{i}"\nkind = "auto"\ncomponent = {{ name = "^{rng.choice(names)}$" }}\n'
                    f'status = "not_affected"\njustification = "vulnerable_code_not_in_execute_path"\n'
                    f'reason = "generated"\npriority = {i % 3}\n')
    # Broad rules that absorb much of the backlog (every low and medium finding of two projects).
    for i in range(2):
        auto.append(f'[[rule]]\nid = "broad-{i}"\nkind = "auto"\nvuln = "^CVE-20"\nproject = "^rb-{i}-"\n'
                    f'when = {{ max_severity = "medium" }}\nstatus = "not_affected"\n'
                    f'justification = "inline_mitigations_already_exist"\nreason = "generated"\n')
    for i in range(298):
        auto.append(f'[[rule]]\nid = "vuln-{i}"\nkind = "auto"\nvuln = "^{rng.choice(vulns)}$"\n'
                    f'when = {{ max_severity = "high" }}\nstatus = "under_investigation"\nreason = "generated"\n')
    for i in range(200):
        triage.append(f'[[rule]]\nid = "triage-{i}"\nvuln = "^{rng.choice(vulns)}$"\nproject = "^rb-{i % 4}-"\n'
                      f'status = "affected"\naction_statement = "update"\nreason = "generated"\n'
                      f'issue = "https://git.example.org/isms/issues/{i}"\nrecheck = 2027-06-01\n')
    (rules_dir / "rules/auto/generated.toml").write_text("\n".join(auto))
    (rules_dir / "rules/triage/generated.toml").write_text("\n".join(triage))
    today = ["--today", "2026-11-23"]

    rows = []
    plans, applies, reapplies = [], [], []
    for run in range(RUNS):
        # Start each run from no decisions, so the first apply writes them all.
        con = sqlite3.connect(DB)
        con.execute("UPDATE findings SET decision = NULL, decision_status = NULL, decision_rule = NULL")
        con.commit()
        con.close()
        t, rss, out = vexil("rules", "plan", "--format", "json", *today, str(rules_dir))
        plan = json.loads(out)
        plans.append((t, rss, len(plan["changes"])))
        t, rss, out = vexil("rules", "apply", "--format", "json", *today, str(rules_dir))
        applies.append((t, rss, json.loads(out)["applied"]))
        t, rss, out = vexil("rules", "apply", "--format", "json", *today, str(rules_dir))
        reapplies.append((t, rss, json.loads(out)["applied"]))

    # `vex export` of one release of >= 10,000 findings (15,000 components at 0.0.1).
    big = "vexbig@1"
    con = sqlite3.connect(f"file:{DB}?mode=ro", uri=True)
    have = con.execute("SELECT COUNT(*) FROM findings f JOIN releases r ON r.id = f.release_id "
                       "JOIN projects p ON p.id = r.project_id WHERE p.name = 'vexbig'").fetchone()[0]
    con.close()
    if have < 10_000:
        comps = sorted({f"pkg-{rng.randint(0, 60000)}-{rng.randint(0, 1)}" for _ in range(16_000)})
        doc = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
               "components": [{"type": "library", "name": c, "version": "0.0.1", "purl": f"pkg:npm/{c}@0.0.1"}
                              for c in comps]}
        path = WORK / "vexbig.cdx.json"
        path.write_text(json.dumps(doc))
        vexil("inventory", "import", big, str(path))
        _, _, out = vexil("scan", big, "--format", "json")
        have = json.loads(out)[0]["new"]
    exports = {}
    for fmt in ("openvex", "cyclonedx", "csaf"):
        exports[fmt] = [vexil("vex", "export", big, "--format", fmt, "--output", str(WORK / f"big.{fmt}.json"))
                        for _ in range(RUNS)]

    med = statistics.median
    print(f"## Rules over {total:,} findings and 1,000 rules ({RUNS} runs, medians)\n")
    print("| measure | median | min | max | peak RSS | changes |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, xs in [("`rules plan` (nothing decided yet)", plans), ("`rules apply`, first (records every decision)", applies),
                      ("`rules apply` again (nothing to change)", reapplies)]:
        ts = [x[0] * 1000 for x in xs]
        print(f"| {label} | {med(ts):.0f} ms | {min(ts):.0f} ms | {max(ts):.0f} ms | {max(x[1] for x in xs) / 1024:.0f} MiB | {xs[-1][2]:,} |")
    print(f"\n`vex export` of a release with {have:,} findings:\n")
    print("| format | median | min | max | peak RSS | bytes |")
    print("|---|---:|---:|---:|---:|---:|")
    for fmt, xs in exports.items():
        ts = [x[0] * 1000 for x in xs]
        size = (WORK / f"big.{fmt}.json").stat().st_size
        print(f"| {fmt} | {med(ts):.0f} ms | {min(ts):.0f} ms | {max(ts):.0f} ms | {max(x[1] for x in xs) / 1024:.0f} MiB | {size:,} |")


if __name__ == "__main__":
    main()
