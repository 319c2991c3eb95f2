#!/usr/bin/env python3
"""Vexil side by side with pip-audit on the same OSV data.

pip-audit asks an OSV API; here that is a small local server on 127.0.0.1 answering
`POST /v1/query` from ../shared/data/advisories/osv/pypi (ranges evaluated with `packaging`, as
osv.dev evaluates PyPI). Vexil has the same records imported into a fresh SQLite database. Both
audit every pinned requirements.txt under ../shared/data/lockfiles/requirements-txt; the script
prints the advisory ids each reports per file and whether they agree. (pip-audit's default
service is unreachable here and would report every package "not found" with exit 0 — that is not
agreement, so the server counts the queries it answered.)

Not part of CI:
    python3 -m venv /work/tools/pa && /work/tools/pa/bin/pip install pip-audit pyyaml
    cargo build --release -p vexil
    /work/tools/pa/bin/python scripts/compare-pip-audit.py      # `packaging` and PyYAML from that venv
"""
import json
import re
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
VEXIL = ROOT / "target/release/vexil"
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def load_records() -> dict[str, list[dict]]:
    by_name: dict[str, list[dict]] = {}
    for path in sorted((DATA / "advisories/osv/pypi").rglob("*")):
        if path.suffix == ".json":
            record = json.loads(path.read_text())
        elif path.suffix in (".yaml", ".yml"):
            record = yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # every scalar as written
        else:
            continue
        for affected in record.get("affected", []):
            package = affected.get("package", {})
            if package.get("ecosystem") == "PyPI":
                by_name.setdefault(normalise(package["name"]), []).append(record)
    return by_name


def is_affected(record: dict, name: str, version: str) -> bool:
    """osv.dev's PyPI evaluation: listed versions, or ECOSYSTEM ranges ordered by PEP 440."""
    try:
        v = Version(version)
    except InvalidVersion:
        return False
    for affected in record.get("affected", []):
        package = affected.get("package", {})
        if package.get("ecosystem") != "PyPI" or normalise(package.get("name", "")) != name:
            continue
        if version in affected.get("versions", []):
            return True
        for r in affected.get("ranges", []):
            if r.get("type") != "ECOSYSTEM":
                continue
            events = []
            for e in r.get("events", []):
                (kind, value), = e.items()
                try:
                    at = Version("0") if value == "0" else Version(value)
                except InvalidVersion:
                    continue
                events.append((at, kind != "introduced", kind, value))
            events.sort()
            inside = False
            for at, _, kind, _ in events:
                if kind == "introduced" and v >= at:
                    inside = True
                elif kind == "fixed" and v >= at:
                    inside = False
                elif kind == "last_affected" and v > at:
                    inside = False
            if inside:
                return True
    return False


RECORDS: dict[str, list[dict]] = {}
ANSWERED = [0]


class OsvApi(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = normalise(query["package"]["name"])
        version = query["version"]
        vulns = [r for r in RECORDS.get(name, []) if is_affected(r, name, version)]
        body = json.dumps({"vulns": vulns} if vulns else {}, default=str).encode()
        ANSWERED[0] += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def pip_audit(url: str, requirements: Path) -> set[str] | str:
    out = subprocess.run(
        [str(PIP_AUDIT), "-r", str(requirements), "--no-deps", "--disable-pip", "-s", "osv",
         "--osv-url", url, "-f", "json", "--progress-spinner", "off"],
        capture_output=True, text=True)
    if not out.stdout.strip():
        return "error: " + (out.stderr.strip().splitlines() or ["no output"])[-1]
    report = json.loads(out.stdout)
    deps = report["dependencies"] if isinstance(report, dict) else report
    return {v["id"] for d in deps for v in d.get("vulns", [])}


def vexil(db: str, requirements: Path) -> set[str]:
    out = subprocess.run([str(VEXIL), "--database", db, "check", str(requirements), "--format", "json"],
                         capture_output=True, text=True)
    report = json.loads(out.stdout)
    return {m["explanation"]["advisory"] for row in report["findings"] if row["finding"]["verdict"] == "affected"
            for m in row["finding"]["matches"] if m["verdict"] == "affected"}


def pinned_at_advisory_versions(out: Path) -> list[Path]:
    """Requirements files (100 pins each) pinning every PyPI package of the advisory set at a
    version its own advisories name (a listed affected version, else an `introduced` or `fixed`
    event), so both tools meet affected and fixed versions, not only clean ones."""
    pins = []
    for name, records in sorted(RECORDS.items()):
        candidates = []
        for r in records:
            for a in r.get("affected", []):
                if normalise(a.get("package", {}).get("name", "")) != name:
                    continue
                candidates += a.get("versions", [])[:1]
                for rg in a.get("ranges", []):
                    for e in rg.get("events", []):
                        candidates += [v for v in e.values() if v != "0"]
        for v in candidates:
            try:
                Version(v)
            except InvalidVersion:
                continue
            pins.append(f"{name}=={v}")
            break
    files = []
    for i in range(0, len(pins), 100):
        path = out / f"advisory-pins-{i // 100:02}" / "requirements.txt"
        path.parent.mkdir()
        path.write_text("\n".join(pins[i:i + 100]) + "\n")
        files.append(path)
    return files


def main() -> None:
    RECORDS.update(load_records())
    server = ThreadingHTTPServer(("127.0.0.1", 0), OsvApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    files = sorted((DATA / "lockfiles/requirements-txt").glob("*/requirements.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        files += pinned_at_advisory_versions(Path(tmp))
        db = f"sqlite://{tmp}/vexil.db"
        subprocess.run([str(VEXIL), "--database", db, "feeds", "import", "osv", str(DATA / "advisories/osv/pypi")],
                       check=True, capture_output=True)
        print("| requirements.txt | pip-audit | vexil | agree |")
        print("|---|---|---|---|")
        agree = compared = 0
        for f in files:
            p = pip_audit(url, f)
            v = vexil(db, f)
            if isinstance(p, str):
                print(f"| {f.parent.name} | {p} | {', '.join(sorted(v)) or '-'} | not compared |")
                continue
            compared += 1
            agree += p == v
            print(f"| {f.parent.name} | {', '.join(sorted(p)) or '-'} | {', '.join(sorted(v)) or '-'} | "
                  f"{'yes' if p == v else 'NO'} |")
    print(f"\nagreement: {agree} of {compared} files compared; the local OSV API answered {ANSWERED[0]} queries")


if __name__ == "__main__":
    main()
