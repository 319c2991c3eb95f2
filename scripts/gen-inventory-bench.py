#!/usr/bin/env python3
"""Generates the inventory benchmark inputs (deterministic, seeded):

  OUT/bom-10k.cdx.json      a CycloneDX 1.6 JSON SBOM with 10,000 components (npm, Maven, PyPI,
                            Go, Debian), hashes, licences, and a dependency graph (3 edges each)
  OUT/package-lock.json     an npm package-lock v3 with 5,000 entries: nested node_modules, dev and
                            optional flags, integrity hashes, dependency maps

Usage: scripts/gen-inventory-bench.py OUT_DIR
"""
import hashlib
import json
import random
import sys
from pathlib import Path

rng = random.Random(20261123)


def sha(s: str, n: int = 64) -> str:
    return hashlib.sha256(s.encode()).hexdigest()[:n]


def cyclonedx(n: int) -> dict:
    components = []
    for i in range(n):
        kind = i % 5
        v = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"
        if kind == 0:
            name, purl, group = f"pkg-{i}", f"pkg:npm/pkg-{i}@{v}", None
        elif kind == 1:
            group = f"org.example.g{i % 97}"
            name, purl = f"artifact-{i}", f"pkg:maven/{group}/artifact-{i}@{v}"
        elif kind == 2:
            name, purl, group = f"py-dist-{i}", f"pkg:pypi/py-dist-{i}@{v}", None
        elif kind == 3:
            name, purl, group = f"github.com/org{i % 50}/mod{i}", f"pkg:golang/github.com/org{i % 50}/mod{i}@v{v}", None
            v = "v" + v
        else:
            v = f"{v}-{rng.randint(1, 5)}"
            name, purl, group = f"libdeb{i}", f"pkg:deb/debian/libdeb{i}@{v}?arch=amd64&distro=debian-12", None
        c = {
            "type": "library",
            "bom-ref": purl,
            "name": name,
            "version": v,
            "purl": purl,
            "hashes": [{"alg": "SHA-256", "content": sha(purl)}],
            "licenses": [{"license": {"id": rng.choice(["MIT", "Apache-2.0", "BSD-3-Clause"])}}],
            "scope": "required" if i % 7 else "optional",
        }
        if group:
            c["group"] = group
        components.append(c)
    deps = []
    for i, c in enumerate(components):
        targets = sorted({rng.randrange(n) for _ in range(3)} - {i})
        deps.append({"ref": c["bom-ref"], "dependsOn": [components[t]["bom-ref"] for t in targets]})
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2026-11-23T00:00:00Z",
            "component": {"type": "application", "bom-ref": "root", "name": "bench-app", "version": "1.0.0"},
        },
        "components": components,
        "dependencies": [{"ref": "root", "dependsOn": [c["bom-ref"] for c in components[:50]]}] + deps,
    }


def package_lock(n: int) -> dict:
    packages = {
        "": {
            "name": "bench-app",
            "version": "1.0.0",
            "dependencies": {},
            "devDependencies": {},
        }
    }
    top = []
    top_names = []
    for i in range(n):
        name = f"@scope{i % 40}/lib-{i}" if i % 4 == 0 else f"lib-{i}"
        v = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"
        # One entry in ten is nested under an earlier top-level package.
        if top and i % 10 == 9:
            parent = rng.choice(top)
            path = f"{parent}/node_modules/{name}"
        else:
            path = f"node_modules/{name}"
            top.append(path)
            top_names.append(name)
        entry = {
            "version": v,
            "resolved": f"https://registry.npmjs.org/{name}/-/{name.split('/')[-1]}-{v}.tgz",
            "integrity": "sha512-" + hashlib.sha512(path.encode()).digest().hex()[:86] + "==",
        }
        if i % 3 == 0:
            entry["dev"] = True
        elif i % 17 == 0:
            entry["optional"] = True
        # Dependencies on hoisted packages, which Node's lookup finds from anywhere.
        deps = {}
        for _ in range(rng.randint(0, 3) if top_names else 0):
            dep = rng.choice(top_names)
            if dep != name:
                deps[dep] = "^0.0.0 || >=0"
        if deps:
            entry["dependencies"] = deps
        packages[path] = entry
        if i < 100 and path == f"node_modules/{name}":
            key = "devDependencies" if entry.get("dev") else "dependencies"
            packages[""][key][name] = "^" + v
    return {"name": "bench-app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "target/inventory-bench")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bom-10k.cdx.json").write_text(json.dumps(cyclonedx(10_000), indent=2) + "\n")
    (out / "package-lock.json").write_text(json.dumps(package_lock(5_000), indent=2) + "\n")
    print(f"wrote {out}/bom-10k.cdx.json and {out}/package-lock.json")


if __name__ == "__main__":
    main()
