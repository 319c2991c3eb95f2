//! Every vector file under `../shared/data/versions/` passes, line for line.
//!
//! No line is skipped: upstream's own "invalid, do string sort" lines are part of apk-tools'
//! contract and are checked like the rest.

use vexil_version::Scheme;
use vexil_version::vectors::{self, BareLines};

use crate::shared;

fn check(file: &str, scheme: Scheme, bare: BareLines, expected_cases: usize) {
    let Some(path) = shared::data(&format!("versions/{file}")) else {
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let cases = vectors::parse(&text, bare).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(cases.len(), expected_cases, "{file}: number of cases read");
    let report = vectors::run(scheme, &cases);
    let failures: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
    assert!(
        failures.is_empty(),
        "{file} under {scheme}: {} passed, {} failed:\n{}",
        report.passed,
        failures.len(),
        failures.join("\n")
    );
}

macro_rules! vector_files {
    ($( $test:ident: $file:literal, $scheme:ident, $bare:ident, $count:literal; )*) => {
        $(
            #[test]
            fn $test() {
                check($file, Scheme::$scheme, BareLines::$bare, $count);
            }
        )*
    };
}

vector_files! {
    alpine_apk_tools: "alpine-apk-tools.txt", Apk, MustBeValid, 785;
    alpine_scalibr: "alpine-osv-scalibr.txt", Apk, MustBeValid, 778;
    alpine_scalibr_generated: "alpine-osv-scalibr-generated.txt", Apk, MustBeValid, 13979;
    alpine_osv_dev_valid: "alpine-osv.dev-valid.txt", Apk, MustBeValid, 185;
    alpine_osv_dev_invalid: "alpine-osv.dev-invalid.txt", Apk, MustBeInvalid, 11;
    cran_scalibr: "cran-osv-scalibr.txt", Cran, MustBeValid, 21;
    cran_scalibr_generated: "cran-osv-scalibr-generated.txt", Cran, MustBeValid, 57;
    debian_dpkg: "debian-dpkg.txt", Dpkg, MustBeValid, 43;
    debian_scalibr: "debian-osv-scalibr.txt", Dpkg, MustBeValid, 30;
    debian_scalibr_generated: "debian-osv-scalibr-generated.txt", Dpkg, MustBeValid, 14442;
    hackage_scalibr: "hackage-osv-scalibr.txt", Hackage, MustBeValid, 11;
    maven_scalibr: "maven-osv-scalibr.txt", Maven, MustBeValid, 102;
    nuget_scalibr: "nuget-osv-scalibr.txt", NuGet, MustBeValid, 35;
    packagist_scalibr: "packagist-osv-scalibr.txt", Packagist, MustBeValid, 95;
    packagist_scalibr_generated: "packagist-osv-scalibr-generated.txt", Packagist, MustBeValid, 10630;
    packagist_osv_dev: "packagist-osv.dev.txt", Packagist, MustBeValid, 85;
    pub_scalibr: "pub-osv-scalibr.txt", Pub, MustBeValid, 100;
    pypi_scalibr: "pypi-osv-scalibr.txt", Pep440, MustBeValid, 37;
    redhat_scalibr: "redhat-osv-scalibr.txt", Rpm, MustBeValid, 165;
    rubygems_scalibr: "rubygems-osv-scalibr.txt", RubyGems, MustBeValid, 25;
    rubygems_scalibr_generated: "rubygems-osv-scalibr-generated.txt", RubyGems, MustBeValid, 4098;
    semver_scalibr_as_semver: "semver-osv-scalibr.txt", Semver, MustBeValid, 86;
    semver_scalibr_as_go: "semver-osv-scalibr.txt", Go, MustBeValid, 86;
}

/// Every file in the folder is covered above, so a new vector file cannot go unrun.
#[test]
fn every_vector_file_is_run() {
    let Some(dir) = shared::data("versions") else {
        return;
    };
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let this = include_str!("vectors.rs");
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| !this.contains(&format!("\"{f}\"")))
        .collect();
    assert!(missing.is_empty(), "vector files with no test: {missing:?}");
    assert_eq!(files.len(), 22);
}
