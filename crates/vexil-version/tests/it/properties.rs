//! Laws every comparator obeys, on generated versions: a total order (reflexive, antisymmetric,
//! transitive), `parse → display → parse` gives an equal version, and parsing never panics.

use std::cmp::Ordering;

use proptest::prelude::*;
use vexil_version::{Scheme, Version};

/// Plausible version strings per scheme: the shapes real registries publish, with the
/// qualifiers each scheme treats specially, so generated pairs often share prefixes.
fn shape(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Semver | Scheme::Go | Scheme::Pub => {
            "v?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}(-[0-9A-Za-z-]{1,4}(\\.[0-9A-Za-z-]{1,4}){0,2})?(\\+[0-9A-Za-z]{1,3}(\\.[0-9]{1,2})?)?"
        }
        Scheme::Pep440 => {
            "v?([0-9]!)?[0-9]{1,2}(\\.[0-9]{1,2}){0,3}((a|b|rc|c|alpha|beta|pre|preview)[0-9]{0,2})?(\\.post[0-9]{0,2}|-[0-9]|\\.rev[0-9])?(\\.dev[0-9]{0,2})?(\\+[a-z0-9]{1,3}(\\.[a-z0-9]{1,3}){0,2})?|[a-z0-9]{1,3}(-[a-z]{1,5}){1,2}"
        }
        Scheme::Maven => {
            "([0-9]{1,3}|alpha|beta|milestone|rc|cr|sp|ga|final|release|snapshot|m|a|b|x)([.-]?([0-9]{1,3}|alpha|beta|rc|sp|ga|final|snapshot|m|a|b|x)){0,5}"
        }
        Scheme::NuGet => {
            "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}(-[0-9A-Za-z]{1,4}(\\.[0-9A-Za-z]{1,4}){0,2})?(\\+[0-9a-z]{1,3})?"
        }
        Scheme::RubyGems => {
            "[0-9]{1,3}(\\.([0-9]{1,3}|[a-z]{1,3}[0-9]{0,2})){0,4}(-[a-z0-9]{1,3})?"
        }
        Scheme::Packagist => {
            "v?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([-.]?(dev|alpha|a|beta|b|RC|rc|pl|p|patch|stable|foo)[0-9]{0,2})?"
        }
        Scheme::Hackage => "[0-9]{1,3}(\\.[0-9]{1,3}){0,4}",
        Scheme::Cran => "[0-9]{1,3}([.-][0-9]{1,3}){0,4}",
        Scheme::Dpkg => "([0-9]:)?[0-9][0-9a-z.+~]{0,8}(-[0-9a-z.+~]{1,6})?",
        Scheme::Apk => {
            "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]{0,3}){0,2}(-r[0-9]{1,3})?"
        }
        Scheme::Rpm => "([0-9]:)?[0-9a-z.^~_+]{1,10}(-[0-9a-z.^~_]{1,6})?",
        Scheme::Upstream => {
            "[0-9]{1,3}([. _-]?([0-9]{1,3}|rc|beta|alpha|p|update|sp|[a-z]{1,3})){0,4}"
        }
    }
}

fn versions(scheme: Scheme) -> impl Strategy<Value = Version> {
    shape(scheme).prop_filter_map("not a valid version", move |s| scheme.parse(&s).ok())
}

fn cmp(a: &Version, b: &Version) -> Option<Ordering> {
    a.compare(b)
}

fn total_order_laws(
    scheme: Scheme,
    a: &Version,
    b: &Version,
    c: &Version,
) -> Result<(), TestCaseError> {
    let partial = scheme == Scheme::Upstream;
    prop_assert_eq!(cmp(a, a), Some(Ordering::Equal), "reflexive: {}", a);
    let ab = cmp(a, b);
    prop_assert_eq!(
        ab,
        cmp(b, a).map(Ordering::reverse),
        "antisymmetric: {} vs {}",
        a,
        b
    );
    if !partial {
        prop_assert!(ab.is_some(), "total: {} vs {}", a, b);
    }
    // Transitivity: sort the three, then each must be <= the next and the first <= the last.
    let mut triple = [a, b, c];
    if triple
        .iter()
        .all(|x| triple.iter().all(|y| cmp(x, y).is_some()))
    {
        triple.sort_by(|x, y| cmp(x, y).unwrap_or(Ordering::Equal));
        let [x, y, z] = triple;
        prop_assert!(
            cmp(x, y) != Some(Ordering::Greater),
            "sorted: {} {} {}",
            x,
            y,
            z
        );
        prop_assert!(
            cmp(y, z) != Some(Ordering::Greater),
            "sorted: {} {} {}",
            x,
            y,
            z
        );
        prop_assert!(
            cmp(x, z) != Some(Ordering::Greater),
            "transitive: {} <= {} <= {}",
            x,
            y,
            z
        );
    }
    Ok(())
}

fn round_trip(scheme: Scheme, v: &Version) -> Result<(), TestCaseError> {
    let shown = v.to_string();
    let again = scheme.parse(&shown);
    prop_assert!(
        again.is_ok(),
        "display of {:?} does not re-parse: {}",
        v,
        shown
    );
    if let Ok(again) = again {
        prop_assert_eq!(
            cmp(v, &again),
            Some(Ordering::Equal),
            "round trip changed {}",
            shown
        );
    }
    Ok(())
}

macro_rules! laws {
    ($( $test:ident: $scheme:ident; )*) => {
        $(
            mod $test {
                use super::*;

                proptest! {
                    #![proptest_config(ProptestConfig::with_cases(512))]

                    #[test]
                    fn is_an_order(a in versions(Scheme::$scheme), b in versions(Scheme::$scheme), c in versions(Scheme::$scheme)) {
                        total_order_laws(Scheme::$scheme, &a, &b, &c)?;
                    }

                    #[test]
                    fn display_round_trips(v in versions(Scheme::$scheme)) {
                        round_trip(Scheme::$scheme, &v)?;
                    }

                    #[test]
                    fn parsing_never_panics(s in "\\PC{0,24}") {
                        let _ = Scheme::$scheme.parse(&s);
                    }
                }
            }
        )*
    };
}

laws! {
    semver: Semver;
    go: Go;
    pubdev: Pub;
    pep440: Pep440;
    maven: Maven;
    nuget: NuGet;
    rubygems: RubyGems;
    packagist: Packagist;
    hackage: Hackage;
    cran: Cran;
    dpkg: Dpkg;
    apk: Apk;
    rpm: Rpm;
    upstream: Upstream;
}

/// Values prop_filter_map can reach must exist: a generator that never yields a valid version
/// would make the laws above vacuous, so each shape must produce parseable versions.
#[test]
fn every_shape_yields_valid_versions() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    for &scheme in Scheme::ALL {
        let mut runner = TestRunner::deterministic();
        let strategy = shape(scheme);
        let valid = (0..200)
            .filter(|_| {
                let s = strategy.new_tree(&mut runner).unwrap().current();
                scheme.parse(&s).is_ok()
            })
            .count();
        assert!(
            valid >= 100,
            "{scheme}: only {valid} of 200 generated strings parse"
        );
    }
}
