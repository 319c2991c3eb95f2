#!/usr/bin/env bash
# Feed-import benchmark: every real file under ../shared/data/advisories/osv and feeds/, then a
# 500,000-record synthetic OSV corpus (first import and unchanged re-import), on SQLite and, when
# VEXIL_BENCH_POSTGRES_URL (an admin URL; a `vexil_bench` database is recreated) is set, PostgreSQL.
# Prints one line per step: seconds, records, records/s, peak RSS. Usage:
#   scripts/bench-feeds.sh [CORPUS_DIR=/tmp/vexil-osv-corpus]
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data
corpus=${1:-/tmp/vexil-osv-corpus}
cargo build --release -q -p vexil
vexil=$PWD/target/release/vexil
[ -d "$corpus" ] || python3 scripts/gen-osv-corpus.py "$corpus" 500000 10000

run() { # label database feed sources...
  local label=$1 db=$2 feed=$3; shift 3
  local out; out=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$out.time" "$vexil" --database "$db" feeds import "$feed" "$@" --format json >"$out"
  read -r secs rss <"$out.time"
  local records; records=$(python3 -c "import json,sys; d=json.load(open('$out')); print(sum(s['records'] for s in d['sources']))")
  python3 -c "print(f'| {\"$label\":<34} | {$records:>8} | {$secs:>7.2f} | {$records/max($secs,0.001):>10,.0f} | {$rss/1024:>6.0f} |')"
  rm -f "$out" "$out.time"
}

bench() { # database label
  local db=$1 name=$2
  echo "## $name"
  echo "| step | records | seconds | records/s | peak RSS MiB |"
  echo "|---|---:|---:|---:|---:|"
  run "real: osv (13 ecosystems)" "$db" osv $data/advisories/osv
  run "real: nvd" "$db" nvd $data/feeds/nvd
  run "real: debian tracker + lists" "$db" debian $data/feeds/debian/vunnel-tracker-data.json $data/feeds/debian/osv.dev-tracker-mock.json $data/feeds/debian/vuln-list-update-CVE-list.txt $data/feeds/debian/vuln-list-update-DSA-list.txt $data/feeds/debian/vunnel-DSA-list.txt
  run "real: debian-packages" "$db" debian-packages $data/feeds/debian/appstream-generator-chromodoris-main-amd64-Packages.gz $data/feeds/debian/vuln-list-update-buster-main-Sources.txt
  run "real: alpine secdb" "$db" alpine $data/feeds/alpine/secdb-json $data/feeds/alpine/secdb-yaml
  run "real: apkindex" "$db" apkindex $data/feeds/alpine/apkindex/alpine-x86-APKINDEX.tar.gz
  run "real: kev" "$db" kev $data/feeds/kev/known_exploited_vulnerabilities.json
  run "real: epss" "$db" epss $data/feeds/epss/epss_scores-current-head.csv $data/feeds/epss/vunnel-example-1.csv
  run "synthetic OSV, first import" "$db" osv "$corpus"
  run "synthetic OSV, unchanged re-import" "$db" osv "$corpus"
  echo
}

tmp=$(mktemp -d)
bench "sqlite://$tmp/vexil.db" "SQLite"
if [ -n "${VEXIL_BENCH_POSTGRES_URL:-}" ]; then
  psql "$VEXIL_BENCH_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS vexil_bench" -c "CREATE DATABASE vexil_bench" >/dev/null 2>&1
  bench "${VEXIL_BENCH_POSTGRES_URL%/*}/vexil_bench" "PostgreSQL"
fi
rm -rf "$tmp"
