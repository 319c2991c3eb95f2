//! Comparisons per second per scheme over the real vectors in `../shared/data/versions/`:
//! on pre-parsed versions, and parse + compare from strings.
//!
//! Run: `cargo bench -p vexil-version --bench compare`; `scripts/bench-table.py` turns the
//! results into the table in `docs/benchmarks.md`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vexil_version::vectors::{self, BareLines, Check};
use vexil_version::{Scheme, Version};

/// The vector files each scheme is measured on.
const FILES: &[(Scheme, &[&str])] = &[
    (
        Scheme::Dpkg,
        &[
            "debian-osv-scalibr-generated.txt",
            "debian-dpkg.txt",
            "debian-osv-scalibr.txt",
        ],
    ),
    (
        Scheme::Apk,
        &[
            "alpine-osv-scalibr-generated.txt",
            "alpine-apk-tools.txt",
            "alpine-osv-scalibr.txt",
        ],
    ),
    (Scheme::Rpm, &["redhat-osv-scalibr.txt"]),
    (Scheme::Semver, &["semver-osv-scalibr.txt"]),
    (Scheme::Go, &["semver-osv-scalibr.txt"]),
    (Scheme::Pub, &["pub-osv-scalibr.txt"]),
    (Scheme::Pep440, &["pypi-osv-scalibr.txt"]),
    (Scheme::Maven, &["maven-osv-scalibr.txt"]),
    (Scheme::NuGet, &["nuget-osv-scalibr.txt"]),
    (
        Scheme::RubyGems,
        &[
            "rubygems-osv-scalibr-generated.txt",
            "rubygems-osv-scalibr.txt",
        ],
    ),
    (
        Scheme::Packagist,
        &[
            "packagist-osv-scalibr-generated.txt",
            "packagist-osv.dev.txt",
        ],
    ),
    (Scheme::Hackage, &["hackage-osv-scalibr.txt"]),
    (
        Scheme::Cran,
        &["cran-osv-scalibr-generated.txt", "cran-osv-scalibr.txt"],
    ),
];

fn pairs(files: &[&str]) -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/versions");
    let mut pairs = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
            eprintln!("skipped: {} is absent", dir.join(file).display());
            continue;
        };
        let cases = vectors::parse(&text, BareLines::MustBeValid).unwrap_or_default();
        for case in cases {
            if let Check::Compare { a, op, b } = case.check
                && !op.fuzzy
            {
                pairs.push((a, b));
            }
        }
    }
    pairs
}

fn bench(c: &mut Criterion) {
    for &(scheme, files) in FILES {
        let strings = pairs(files);
        let parsed: Vec<(Version, Version)> = strings
            .iter()
            .filter_map(|(a, b)| Some((scheme.parse(a).ok()?, scheme.parse(b).ok()?)))
            .collect();
        if parsed.is_empty() {
            continue;
        }
        let mut group = c.benchmark_group(scheme.name());
        group.throughput(Throughput::Elements(parsed.len() as u64));
        group.bench_function("compare", |bench| {
            bench.iter(|| {
                for (a, b) in &parsed {
                    black_box(black_box(a).compare(black_box(b)));
                }
            })
        });
        group.throughput(Throughput::Elements(strings.len() as u64));
        group.bench_function("parse+compare", |bench| {
            bench.iter(|| {
                for (a, b) in &strings {
                    black_box(scheme.compare_str(black_box(a), black_box(b)).ok());
                }
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = bench
}
criterion_main!(benches);
