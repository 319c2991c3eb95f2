#!/usr/bin/env python3
"""Vexil's findings beside the scanner reports under ../shared/data/scanners, where Vexil has the
same advisory data: precision and recall per scanner (issue #6).

A fresh SQLite database gets every advisory feed of ../shared/data (OSV of every ecosystem
folder, NVD, the Debian tracker sample and its lists, Debian Packages/Sources, Alpine secdb,
the APKINDEX). Then every file under scanners/*/ that Vexil reads is imported as a release
(`vexil inventory import scan-N@1 FILE`; `inventory show --format json` gives its components
and the scanner's findings as evidence) and checked (`vexil check FILE --format json`, whose
`finding.ids` is every id of the alias group). Per (package@version, vulnerability):

- a scanner finding is *comparable* when Vexil's database holds the same advisory data: its id
  or an alias belongs to a stored alias group, and an advisory of that group names a package of
  the component's ecosystem (and, for a distro package whose release is known, that release),
  or the group has an NVD record and the component carries a CPE. The rest are counted per
  reason (id unknown to Vexil's data, data for another ecosystem or release, …). Findings the
  scanner itself suppressed (VEX, ignore rules) are not scanner findings;
- a scanner finding and a Vexil finding *agree* when they concern the same package@version and
  their id sets intersect (alias-aware: both sides expanded through the stored alias groups);
- precision = agreed Vexil findings / Vexil affected findings; recall = agreed scanner findings /
  comparable scanner findings. Informational RustSec findings (cargo-audit warnings) count on
  both sides, like vulnerabilities.

The store's own tables are read (read-only, stdlib sqlite3) for the alias groups and the
(ecosystem, name) each advisory names: `advisories`, `aliases`, `advisory_packages`.

    cargo build --release -p vexil
    scripts/compare-scanners.py [--details] [--left-out] [--vexil PATH] [--keep DIR]

Vexil findings the scanner could not have reported are left out of precision, each with its
reason: the report was made against the scanner's own test-fixture database (FIXTURE_DB); the
advisory is not among the OSV entries a govulncheck v1 stream says it considered; or the
advisory was published after the newest data the scanner can have had — the database date the
report states (Grype `db.built`, govulncheck `db_last_modified`, cargo-audit `last-updated`),
else the scan time (Trivy `CreatedAt`, Grype `timestamp`), else, as an estimate, the newest
publication among the advisories the report itself names.
"""
import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))

SCANNERS = ["trivy", "grype", "osv-scanner", "govulncheck", "pip-audit", "npm-audit", "cargo-audit"]
# Scanner statuses that mean "the scanner does not report this as affecting the package".
SUPPRESSED = re.compile(r"\(vex\)|^ignored$|^not_affected|^false_positive", re.I)
# Reports made by a scanner's own test suite against its test-fixture database (a handful of
# advisories): what they leave out says nothing about precision. Trivy's integration goldens
# (fake clock 2021-08-25), golang/vuln's testdata, Grype's presenter fixtures, npm-audit-report's.
FIXTURE_DB = re.compile(r"^trivy/(?!defectdojo-)|^govulncheck/golang-vuln-|^grype/presenter-|"
                        r"^npm-audit/npm-audit-report-fixture-")
# npm audit 7+ reports name no installed versions; these two were committed with their lockfile
# (same repository, same commit), which `vexil check` reads instead. They compare by package
# name: npm audit speaks for every installed version of a name at once.
PAIRED = {
    "npm-audit/aws-samples-cdk-integ-tests-sample.npm-audit.json":
        "lockfiles/package-lock/v3-aws-samples-cdk-integ-tests-sample/package-lock.json",
    "npm-audit/brainstem-org-django-jet-reboot.npm-audit.json":
        "lockfiles/package-lock/v3-brainstem-org-django-jet-reboot/package-lock.json",
}
DISTROS = {"Debian", "Ubuntu", "Alpine", "AlmaLinux", "Rocky Linux", "Red Hat", "SUSE", "openSUSE",
           "Wolfi", "Chainguard", "MinimOS", "Photon OS", "Azure Linux", "Mageia", "openEuler"}
DEBIAN = {"woody": "3.0", "sarge": "3.1", "etch": "4", "lenny": "5", "squeeze": "6", "wheezy": "7",
          "jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12",
          "trixie": "13", "forky": "14"}


def run(vexil: str, db: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([vexil, "--database", db, *args], capture_output=True, text=True)


def import_feeds(vexil: str, db: str) -> None:
    feeds = DATA / "feeds"
    debian = feeds / "debian"
    steps = [("osv", p) for p in sorted((DATA / "advisories/osv").iterdir()) if p.is_dir()]
    steps += [
        ("nvd", feeds / "nvd"),
        # vuln-list-update-DLA-list.txt is malformed on purpose (one bad file imports nothing).
        ("debian", debian / "vunnel-tracker-data.json", debian / "osv.dev-tracker-mock.json",
         debian / "vuln-list-update-CVE-list.txt", debian / "vuln-list-update-DSA-list.txt",
         debian / "vunnel-DSA-list.txt"),
        ("debian-packages", debian / "appstream-generator-chromodoris-main-amd64-Packages.gz",
         debian / "vuln-list-update-buster-main-Sources.txt"),
        ("alpine", feeds / "alpine/secdb-json", feeds / "alpine/secdb-yaml"),
        ("apkindex", feeds / "alpine/apkindex/alpine-x86-APKINDEX.tar.gz"),
    ]
    for feed, *paths in steps:
        out = run(vexil, db, "feeds", "import", feed, *map(str, paths))
        if out.returncode != 0:
            sys.exit(f"vexil feeds import {feed} failed:\n{out.stderr}")


def base_of(ecosystem: str | None) -> str:
    return (ecosystem or "").split(":", 1)[0]


def release_of(ecosystem: str | None, purl: str = "") -> str | None:
    """A distro release, normalised: Debian by number, Alpine `v3.X`, RPM distros by major."""
    base, _, release = (ecosystem or "").partition(":")
    if not release and base in DISTROS:
        m = re.search(r"[?&]distro=([^&#]+)", purl)
        release = m.group(1).rsplit("-", 1)[-1] if m else ""
    release = release.strip().lower().removesuffix(":lts")
    if not release:
        return None
    if base == "Debian":
        return DEBIAN.get(release, release.split(".")[0])
    if base == "Alpine":
        parts = release.lstrip("v").split(".")
        return "v" + ".".join(parts[:2])
    if base in DISTROS and release[:1].isdigit() and base != "Ubuntu":
        return release.split(".")[0]
    return release


def norm_name(ecosystem: str | None, name: str) -> str:
    name = name.lower()
    return re.sub(r"[-_.]+", "-", name) if base_of(ecosystem) == "PyPI" else name


class Advisories:
    """Alias groups and the packages each group names, from the store's tables."""

    def __init__(self, path: str) -> None:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.parent: dict[str, str] = {}
        feeds: dict[str, set[str]] = defaultdict(set)
        published: dict[str, str] = {}
        for feed, ident, body in con.execute("SELECT feed, id, body FROM advisories"):
            self.add(ident)
            feeds[ident.upper()].add(feed)
            record = json.loads(body)
            for up in record.get("upstream", []):
                self.union(ident, up)
            # The Go vulndb leaves `published` at Go's zero time.
            if record.get("published") and not record["published"].startswith("0001"):
                published[ident.upper()] = record["published"][:10]
        for _, ident, alias in con.execute("SELECT feed, advisory_id, alias FROM aliases"):
            self.union(ident, alias)
        self.packages: dict[str, set[tuple[str, str | None, str]]] = defaultdict(set)
        for ident, ecosystem, name in con.execute("SELECT advisory_id, ecosystem, name FROM advisory_packages"):
            self.packages[self.find(ident)].add((base_of(ecosystem), release_of(ecosystem), norm_name(ecosystem, name)))
        self.nvd: set[str] = {self.find(i) for i, f in feeds.items() if "nvd" in f}
        self.members: dict[str, set[str]] = defaultdict(set)
        for ident in self.parent:
            self.members[self.find(ident)].add(ident)
        # A group's publication: its earliest advisory's (the issue was public from then on); for
        # a group without dates, January 1 of its CVE's (else GO-, RUSTSEC-, PYSEC-) id year, a
        # lower bound of its publication.
        self.published: dict[str, str] = {}
        for ident, date in published.items():
            g = self.find(ident)
            self.published[g] = min(date, self.published.get(g, date))
        for g, members in self.members.items():
            if g not in self.published:
                years = [m.group(1) for i in members if (m := re.match(r"(?:CVE|GO|RUSTSEC|PYSEC)-(\d{4})-", i))]
                if years:
                    self.published[g] = f"{max(years)}-01-01"
        con.close()

    def reported(self, group: str) -> str:
        """When a scanner could report the group at the latest-known estimate: its publication,
        but no later than the end of its CVE's year (a late-dated distro or Bitnami record must
        not make a 2019 CVE look new)."""
        years = [m.group(1) for i in self.members[group] if (m := re.match(r"CVE-(\d{4})-", i))]
        return min([self.published[group]] + [f"{y}-12-31" for y in years])

    def add(self, ident: str) -> str:
        return self.parent.setdefault(ident.upper(), ident.upper())

    def find(self, ident: str) -> str:
        ident = self.add(ident)
        while self.parent[ident] != ident:
            self.parent[ident] = self.parent[self.parent[ident]]
            ident = self.parent[ident]
        return ident

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def group(self, ids: set[str]) -> str | None:
        known = sorted({self.find(i) for i in ids if i.upper() in self.parent})
        return known[0] if known else None

    def expand(self, ids: set[str]) -> set[str]:
        out = {i.upper() for i in ids}
        for i in ids:
            if i.upper() in self.parent:
                out |= self.members[self.find(i)]
        return out


def comparable(adv: Advisories, ids: set[str], component: dict | None, by_name: bool = False) -> str | None:
    """None when Vexil has the same data for this finding, else why not."""
    group = adv.group(ids)
    eco = (component or {}).get("ecosystem")
    base = base_of(eco)
    if component is None:
        return "package not among Vexil's components"
    if not component.get("version") and not by_name:
        return "the report gives no installed version (npm audit 7+ lists ranges only)"
    if group is None:
        return f"id unknown to Vexil's data ({base or 'no ecosystem'})"
    if component.get("cpes") and group in adv.nvd:
        return None
    if not base:
        return "component without an OSV ecosystem (purl type Vexil cannot match)"
    named = [p for p in adv.packages.get(group, ()) if p[0] == base]
    if not named:
        return f"id known, but Vexil's data for it names no {base} package"
    release = release_of(eco, component.get("purl", ""))
    if base in DISTROS:
        # Distro data is per source package; resolving a binary to it is Vexil's job, so any
        # package of the release counts as the same data.
        if release and not any(p[1] in (None, release) for p in named):
            return f"id known for {base}, but not for release {release}"
        return None
    if not any(p[2] == norm_name(eco, component["name"]) for p in named):
        return f"id known, but Vexil's data for it names another {base} package"
    return None


def report_date(path: Path, adv: Advisories, scanner_ids: list[set[str]]) -> tuple[str | None, str]:
    """The newest advisory data the scanner can have had: the date its report states for its
    database (or, failing that, for the scan), else the newest publication among the
    advisories it reported (a lower bound of its database's age), else none."""
    text = path.read_text(errors="replace")
    for pattern, what in [
        (r'"descriptor".*?"db".*?"built":\s*"([0-9-]{10})', "grype database built"),
        (r'"db_last_modified":\s*"([0-9-]{10})', "govulncheck db_last_modified"),
        (r'"last-updated":\s*"([0-9-]{10})', "cargo-audit database last-updated"),
        (r'"descriptor".*?"timestamp":\s*"([0-9-]{10})', "grype scan time"),
        (r'"CreatedAt":\s*"([0-9-]{10})', "Trivy CreatedAt"),
    ]:
        m = re.search(pattern, text, re.S)
        if m:
            return m.group(1), what
    dates = [adv.reported(g) for ids in scanner_ids if (g := adv.group(ids)) and g in adv.published]
    return (max(dates), "newest advisory it reported") if dates else (None, "no date")


def key(component: dict) -> tuple[str, str, str]:
    eco = component.get("ecosystem")
    return base_of(eco), norm_name(eco, component.get("name", "")), component.get("version") or ""


def compare_report(vexil: str, db: str, adv: Advisories, n: int, path: Path) -> dict | str:
    release = f"scan-{n}@1"
    out = run(vexil, db, "inventory", "import", release, str(path))
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1]
        return last.split("caused by:")[-1].strip().split(". Vexil reads")[0]
    shown = json.loads(run(vexil, db, "inventory", "show", release, "--format", "json").stdout)
    paired = PAIRED.get(str(path.relative_to(DATA / "scanners")))
    checked = run(vexil, db, "check", str(DATA / paired if paired else path), "--format", "json")
    if checked.returncode not in (0, 1):
        return "vexil check: " + checked.stderr.strip()
    findings = json.loads(checked.stdout)["findings"]
    components = shown["components"]
    if paired:
        for row in findings:
            row["version"] = ""
    by_purl = {c["purl"]: c for c in components}
    by_name = {(norm_name(c.get("ecosystem"), c["name"]), c.get("version") or ""): c for c in components}

    # Vexil: every finding per component key, any verdict.
    vexil_rows: dict[tuple, list[dict]] = defaultdict(list)
    for row in findings:
        vexil_rows[key(row)].append(row)

    # Scanner findings, one per (package, alias group).
    scanner: dict[tuple, dict] = {}
    suppressed = 0
    for e in shown.get("evidence", []):
        if SUPPRESSED.search(e.get("status") or ""):
            suppressed += 1
            continue
        c = by_purl.get(e.get("purl") or "")
        if c is None:
            c = next((x for x in components if x["name"] == e["package"] and x.get("version") == e.get("version")),
                     None) or by_name.get((e["package"].lower(), e.get("version") or ""))
        ids = {e["vuln_id"], *e.get("aliases", [])}
        pkg = key(c) if c else ("", e["package"].lower(), e.get("version") or "")
        group = adv.group(ids) or e["vuln_id"].upper()
        entry = scanner.setdefault((pkg, group), {"ids": set(), "component": c, "evidence": e, "pkg": pkg})
        entry["ids"] |= ids

    result = {"scanner": [], "vexil": [], "suppressed": suppressed, "not_comparable": Counter(),
              "left_out": [], "fixed_differ": []}
    agreed_vexil: set[int] = set()
    for (pkg, _), s in sorted(scanner.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        why = comparable(adv, s["ids"], s["component"], by_name=bool(paired))
        if why:
            result["not_comparable"][why] += 1
            result["left_out"].append(f"{'/'.join(pkg)} {','.join(sorted(s['ids']))}: {why}")
            continue
        expanded = adv.expand(s["ids"])
        rows = [r for r in vexil_rows.get(pkg, []) if expanded & {i.upper() for i in r["finding"]["ids"]}]
        hit = [r for r in rows if r["finding"]["verdict"] == "affected"]
        for r in hit:
            agreed_vexil.add(id(r))
        said = s["evidence"].get("fixed_version")
        # The scanner's fixed version(s) as versions: `>=0.14.3 || >=0.13.10, <0.14.0`, `1.2, 1.3`.
        said_versions = {v.lstrip("v") for v in re.findall(r"(?<![<\w.])(?:>=|\^|=)?\s*(v?\d[\w.+~:-]*)", said or "")
                         if not re.search(r"<\s*" + re.escape(v), said or "")}
        if hit and said and not any(r["finding"].get("fixed_version") and
                                    r["finding"]["fixed_version"].lstrip("v") in said_versions for r in hit):
            result["fixed_differ"].append(f"{'/'.join(pkg)} {','.join(sorted(s['ids']))}: scanner fixed {said}, "
                                          f"Vexil fixed {hit[0]['finding'].get('fixed_version')}")
        result["scanner"].append({
            "pkg": pkg, "ids": sorted(s["ids"]), "agree": bool(hit), "evidence": s["evidence"],
            "vexil": rows[0] if rows else None,
        })
    cutoff, source = report_date(path, adv, [s["ids"] for s in scanner.values()])
    fixture = FIXTURE_DB.search(str(path.relative_to(DATA / "scanners")))
    text = path.read_text(errors="replace")
    # govulncheck's protocol v1 stream carries every OSV entry it considered for the modules.
    considered = set(re.findall(r'"(GO-\d{4}-\d+)"', text)) if re.search(r'"osv":\s*\{', text) else None
    result["cutoff"] = (cutoff, source)
    result["vexil_not_comparable"] = Counter()
    for pkg, rows in sorted(vexil_rows.items()):
        for r in rows:
            if r["finding"]["verdict"] != "affected":
                continue
            ids = {i.upper() for i in r["finding"]["ids"]}
            if id(r) not in agreed_vexil:
                # A scanner finding left out as not comparable may still name it.
                if any(p == pkg and adv.expand(s["ids"]) & ids for (p, _), s in scanner.items()):
                    agreed_vexil.add(id(r))
            published = adv.published.get(adv.group(ids) or "")
            if id(r) not in agreed_vexil:
                why = None
                if fixture:
                    why = "the scanner ran on its test-fixture database"
                elif considered is not None and not ids & considered:
                    why = "not among the OSV entries govulncheck's report says it considered"
                elif cutoff and published and published > cutoff:
                    why = "advisory published after the scanner's data"
                if why:
                    result["vexil_not_comparable"][why] += 1
                    continue
            result["vexil"].append({"pkg": pkg, "row": r, "agree": id(r) in agreed_vexil,
                                    "published": published,
                                    "scanner_ids": sorted({i for (p, _), s in scanner.items() if p == pkg
                                                           for i in s["ids"]})})
    return result


def why_vexil(row: dict | None) -> str:
    if row is None:
        return "no Vexil finding"
    f = row["finding"]
    m = f["matches"][0]["explanation"] if f["matches"] else {}
    return f"Vexil {f['verdict']} ({m.get('advisory', '?')}: {m.get('reason', '')})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--details", action="store_true", help="print every disagreement")
    ap.add_argument("--vexil", default=str(TARGET / "release/vexil"), help="the vexil binary")
    ap.add_argument("--left-out", action="store_true",
                    help="also print every scanner finding not comparable, with the reason")
    ap.add_argument("--keep", help="keep the database in this directory instead of a temporary one")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(args.keep or tmp)
        where.mkdir(parents=True, exist_ok=True)
        path = where / "vexil.db"
        path.unlink(missing_ok=True)
        db = f"sqlite://{path}"
        import_feeds(args.vexil, db)
        adv = Advisories(str(path))
        totals: dict[str, dict] = {}
        details: list[str] = []
        unread: list[str] = []
        cutoffs: list[str] = []
        left_out: list[str] = []
        fixed_differ: list[str] = []
        n = 0
        for scanner in SCANNERS:
            t = totals[scanner] = {"reports": 0, "unread": 0, "findings": 0, "comparable": 0, "agreed_s": 0,
                                   "vexil": 0, "agreed_v": 0, "suppressed": 0, "why": Counter(),
                                   "vwhy": Counter()}
            for f in sorted(p for p in (DATA / "scanners" / scanner).rglob("*") if p.is_file()):
                n += 1
                r = compare_report(args.vexil, db, adv, n, f)
                name = f.relative_to(DATA / "scanners")
                if isinstance(r, str):
                    t["unread"] += 1
                    unread.append(f"{name}: {r}")
                    continue
                t["reports"] += 1
                t["suppressed"] += r["suppressed"]
                t["why"] += r["not_comparable"]
                t["vwhy"] += r["vexil_not_comparable"]
                cutoffs.append(f"{name}: {r['cutoff'][0] or '-'} ({r['cutoff'][1]})")
                t["findings"] += len(r["scanner"]) + sum(r["not_comparable"].values())
                t["comparable"] += len(r["scanner"])
                t["agreed_s"] += sum(s["agree"] for s in r["scanner"])
                t["vexil"] += len(r["vexil"])
                t["agreed_v"] += sum(v["agree"] for v in r["vexil"])
                left_out += [f"{name}: {x}" for x in r["left_out"]]
                fixed_differ += [f"{name}: {x}" for x in r["fixed_differ"]]
                for s in r["scanner"]:
                    if not s["agree"]:
                        e = s["evidence"]
                        details.append(f"{name}: scanner only: {'/'.join(s['pkg'])} {','.join(s['ids'])} "
                                       f"[status {e.get('status')}, fixed {e.get('fixed_version')}] — {why_vexil(s['vexil'])}")
                for v in r["vexil"]:
                    if not v["agree"]:
                        f_ = v["row"]["finding"]
                        details.append(f"{name}: vexil only: {'/'.join(v['pkg'])} {f_['vuln']} "
                                       f"({','.join(f_['ids'])}) published {v['published']} fixed {f_.get('fixed_version')} — "
                                       f"{why_vexil(v['row'])}; scanner ids on this package: "
                                       f"{','.join(v['scanner_ids']) or '-'}")

        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:.1f} %" if b else "-"

        print("| scanner | reports read | scanner findings | comparable | agreed | recall | "
              "Vexil affected (counted) | agreed | precision |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s, t in totals.items():
            print(f"| {s} | {t['reports']} | {t['findings']} | {t['comparable']} | {t['agreed_s']} | "
                  f"{pct(t['agreed_s'], t['comparable'])} | {t['vexil']} | {t['agreed_v']} | "
                  f"{pct(t['agreed_v'], t['vexil'])} |")
        s_all = {k: sum(t[k] for t in totals.values()) for k in ("findings", "comparable", "agreed_s", "vexil", "agreed_v")}
        print(f"| **all** | {sum(t['reports'] for t in totals.values())} | {s_all['findings']} | "
              f"{s_all['comparable']} | {s_all['agreed_s']} | {pct(s_all['agreed_s'], s_all['comparable'])} | "
              f"{s_all['vexil']} | {s_all['agreed_v']} | {pct(s_all['agreed_v'], s_all['vexil'])} |")
        print("\nLeft out, per scanner and reason (scanner findings not comparable; Vexil findings not counted):")
        for s, t in totals.items():
            for why, count in t["why"].most_common():
                print(f"  {s}: {count} {why}")
            for why, count in t["vwhy"].most_common():
                print(f"  {s}: {count} Vexil findings not counted: {why}")
            if t["suppressed"]:
                print(f"  {s}: {t['suppressed']} suppressed by the scanner itself (VEX, ignore rules): not counted")
        print(f"\nFiles Vexil does not read as a report ({len(unread)}):")
        for u in unread:
            print(f"  {u}")
        if args.left_out:
            print(f"\nScanner findings not comparable ({len(left_out)}):")
            for x in left_out:
                print(f"  {x}")
        if args.details:
            print(f"\nAgreed findings whose fixed version differs ({len(fixed_differ)}):")
            for x in fixed_differ:
                print(f"  {x}")
            print("\nThe newest advisory data each scanner can have had (Vexil findings published later are not counted):")
            for c in cutoffs:
                print(f"  {c}")
            print(f"\nDisagreements ({len(details)}):")
            for d in details:
                print(f"  {d}")


if __name__ == "__main__":
    main()
