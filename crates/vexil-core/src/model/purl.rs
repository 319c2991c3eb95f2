//! Package URLs: building them per the purl spec (through the `packageurl` crate, which applies
//! each type's canonical form) and mapping a purl type to its OSV ecosystem and back.
//!
//! Inventory parsers call [`Purl::package`] with the name as the ecosystem spells it
//! (`@babel/core`, `org.slf4j:slf4j-api`, `github.com/pkg/errors`) and never write purl strings by
//! hand, so every purl Vexil stores has one spelling.

use std::fmt;

/// A purl in parts, before it is written out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purl {
    pub ty: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    /// Sorted by key when written.
    pub qualifiers: Vec<(String, String)>,
    pub subpath: Option<String>,
}

/// Why a purl could not be built or read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid package URL `{input}`: {reason}")]
pub struct PurlError {
    pub input: String,
    pub reason: String,
}

impl Purl {
    /// The purl of a package of purl type `ty` named as its ecosystem names it: the namespace is
    /// split off the way each type wants (`@scope/` for npm, `group:` for Maven, the path before
    /// the last `/` for Go and Composer). PyPI names are normalised (PEP 503).
    pub fn package(ty: &str, name: &str, version: Option<&str>) -> Purl {
        let (namespace, name) = split_name(ty, name);
        Purl {
            ty: ty.to_ascii_lowercase(),
            namespace: namespace.map(str::to_owned),
            name: name.to_owned(),
            version: version.filter(|v| !v.is_empty()).map(str::to_owned),
            qualifiers: Vec::new(),
            subpath: None,
        }
    }

    /// The purl of a distro package: `pkg:deb/debian/curl@7.64.0-4?arch=amd64&distro=debian-10`.
    pub fn os(ty: &str, vendor: &str, name: &str, version: Option<&str>) -> Purl {
        Purl {
            ty: ty.to_owned(),
            namespace: Some(vendor.to_ascii_lowercase()),
            name: name.to_owned(),
            version: version.filter(|v| !v.is_empty()).map(str::to_owned),
            qualifiers: Vec::new(),
            subpath: None,
        }
    }

    /// Adds a qualifier; empty values are dropped (the spec forbids them).
    pub fn qualifier(mut self, key: &str, value: &str) -> Purl {
        if !value.is_empty() {
            self.qualifiers.push((key.to_owned(), value.to_owned()));
        }
        self
    }

    /// Writes the canonical string, or says why the parts make no valid purl.
    pub fn to_purl_string(&self) -> Result<String, PurlError> {
        let err = |e: packageurl::Error| PurlError {
            input: format!("{self:?}"),
            reason: e.to_string(),
        };
        let mut p =
            packageurl::PackageUrl::new(self.ty.as_str(), self.name.as_str()).map_err(err)?;
        if let Some(ns) = &self.namespace {
            p.with_namespace(ns.as_str()).map_err(err)?;
        }
        if let Some(v) = &self.version {
            p.with_version(v.as_str()).map_err(err)?;
        }
        for (k, v) in &self.qualifiers {
            p.add_qualifier(k.as_str(), v.as_str()).map_err(err)?;
        }
        if let Some(s) = &self.subpath {
            p.with_subpath(s.as_str()).map_err(err)?;
        }
        Ok(p.to_string())
    }

    /// Reads a purl string (percent-decoding its parts).
    pub fn parse(s: &str) -> Result<Purl, PurlError> {
        let p: packageurl::PackageUrl<'_> =
            s.parse().map_err(|e: packageurl::Error| PurlError {
                input: s.to_owned(),
                reason: e.to_string(),
            })?;
        let mut qualifiers: Vec<(String, String)> = p
            .qualifiers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        qualifiers.sort();
        Ok(Purl {
            ty: p.ty().to_owned(),
            namespace: p.namespace().map(str::to_owned),
            name: p.name().to_owned(),
            version: p.version().map(str::to_owned),
            qualifiers,
            subpath: p.subpath().map(str::to_owned),
        })
    }

    /// The package name as its ecosystem spells it (the inverse of [`Purl::package`]).
    pub fn full_name(&self) -> String {
        match (self.ty.as_str(), &self.namespace) {
            ("maven", Some(ns)) => format!("{ns}:{}", self.name),
            ("deb" | "apk" | "rpm" | "alpm" | "qpkg", _) => self.name.clone(),
            (_, Some(ns)) if !ns.is_empty() => format!("{ns}/{}", self.name),
            _ => self.name.clone(),
        }
    }

    pub fn qualifier_value(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The OSV ecosystem this purl's packages live in, with a release qualifier when the purl's
    /// `distro` says it (`Debian:10`, `Alpine:v3.18`). `None` for types OSV has no ecosystem for.
    pub fn ecosystem(&self) -> Option<String> {
        let base = match self.ty.as_str() {
            "npm" => "npm",
            "pypi" => "PyPI",
            "cargo" => "crates.io",
            "golang" => "Go",
            "maven" => "Maven",
            "nuget" => "NuGet",
            "gem" => "RubyGems",
            "composer" => "Packagist",
            "pub" => "Pub",
            "hex" => "Hex",
            "hackage" => "Hackage",
            "cran" => "CRAN",
            "bitnami" => "Bitnami",
            "swift" => "SwiftURL",
            "conan" => "ConanCenter",
            "brew" => "Homebrew",
            "githubactions" => "GitHub Actions",
            "deb" => match self.namespace.as_deref() {
                Some("ubuntu") => "Ubuntu",
                _ => "Debian",
            },
            "apk" => match self.namespace.as_deref() {
                Some("wolfi") => "Wolfi",
                Some("chainguard") => "Chainguard",
                _ => "Alpine",
            },
            "rpm" => match self.namespace.as_deref() {
                Some("redhat" | "rhel") => "Red Hat",
                Some("rocky" | "rocky-linux" | "rockylinux") => "Rocky Linux",
                Some("almalinux" | "alma") => "AlmaLinux",
                Some("photon") => "Photon OS",
                Some("suse") => "SUSE",
                Some("opensuse") => "openSUSE",
                Some("mageia") => "Mageia",
                Some("openeuler") => "openEuler",
                Some("azurelinux" | "mariner" | "cbl-mariner") => "Azure Linux",
                _ => return None,
            },
            _ => return None,
        };
        let release = self
            .qualifier_value("distro")
            .and_then(|d| distro_release(base, d));
        Some(match release {
            Some(r) => format!("{base}:{r}"),
            None => base.to_owned(),
        })
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_purl_string() {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "pkg:{}/{}", self.ty, self.full_name()),
        }
    }
}

/// The purl type for an OSV ecosystem name (`PyPI` → `pypi`, `crates.io` → `cargo`).
pub fn purl_type(ecosystem: &str) -> Option<&'static str> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    Some(match base {
        "npm" => "npm",
        "PyPI" => "pypi",
        "crates.io" => "cargo",
        "Go" => "golang",
        "Maven" => "maven",
        "NuGet" => "nuget",
        "RubyGems" => "gem",
        "Packagist" => "composer",
        "Pub" => "pub",
        "Hex" => "hex",
        "Hackage" => "hackage",
        "CRAN" => "cran",
        "Bitnami" => "bitnami",
        "SwiftURL" => "swift",
        "Homebrew" => "brew",
        "GitHub Actions" => "githubactions",
        "Debian" | "Ubuntu" => "deb",
        "Alpine" | "Wolfi" | "Chainguard" => "apk",
        "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Mageia" | "openEuler"
        | "Azure Linux" | "Photon OS" => "rpm",
        _ => return None,
    })
}

/// PEP 503 normalisation: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn normalize_pypi(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn split_name<'a>(ty: &str, name: &'a str) -> (Option<&'a str>, &'a str) {
    match ty {
        "maven" => match name.split_once(':') {
            Some((g, a)) => (Some(g), a),
            None => (None, name),
        },
        "npm" if name.starts_with('@') => match name.split_once('/') {
            Some((s, n)) => (Some(s), n),
            None => (None, name),
        },
        "golang" | "composer" | "swift" | "github" | "bitbucket" | "gitlab" => {
            match name.rsplit_once('/') {
                Some((ns, n)) => (Some(ns), n),
                None => (None, name),
            }
        }
        _ => (None, name),
    }
}

/// The OSV release suffix for a purl `distro` qualifier: `debian-10` or `buster` → `10`
/// (codenames are left for the caller to map), `alpine-3.18.4` or `3.18.4` → `v3.18`; Alpine
/// edge (`edge`, or an `_alpha` snapshot version such as `3.21.0_alpha20240807`, which is not
/// yet the v3.21 branch) → `edge`, the branch its secdb is published under.
fn distro_release(ecosystem: &str, distro: &str) -> Option<String> {
    let d = distro.to_ascii_lowercase();
    if ecosystem == "Alpine" && (d.ends_with("edge") || d.contains("_alpha")) {
        return Some("edge".to_owned());
    }
    let version = d
        .rsplit_once('-')
        .map(|(_, v)| v)
        .unwrap_or(d.as_str())
        .trim_start_matches('v');
    if version.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    match ecosystem {
        "Alpine" => {
            let mut parts = version.split('.');
            let major = parts.next()?;
            let minor = parts.next()?;
            Some(format!("v{major}.{minor}"))
        }
        "Debian" => Some(version.split('.').next()?.to_owned()),
        "Ubuntu" => Some(version.to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_canonical_purls_per_type() {
        let s = |p: Purl| p.to_purl_string().expect("valid");
        assert_eq!(
            s(Purl::package("npm", "@babel/core", Some("7.22.0"))),
            "pkg:npm/%40babel/core@7.22.0"
        );
        assert_eq!(
            s(Purl::package("pypi", "Django_Rest", Some("1.0"))),
            "pkg:pypi/django-rest@1.0"
        );
        assert_eq!(
            s(Purl::package(
                "maven",
                "org.slf4j:slf4j-api",
                Some("1.7.30")
            )),
            "pkg:maven/org.slf4j/slf4j-api@1.7.30"
        );
        assert_eq!(
            s(Purl::package(
                "golang",
                "github.com/pkg/errors",
                Some("v0.9.1")
            )),
            "pkg:golang/github.com/pkg/errors@v0.9.1"
        );
        assert_eq!(
            s(Purl::os("deb", "Debian", "curl", Some("7.64.0-4+deb10u1"))
                .qualifier("arch", "amd64")),
            "pkg:deb/debian/curl@7.64.0-4%2Bdeb10u1?arch=amd64"
        );
    }

    #[test]
    fn parses_back_to_ecosystem_and_name() {
        let p = Purl::parse("pkg:npm/%40babel/core@7.22.0").expect("valid");
        assert_eq!(
            (p.ecosystem().as_deref(), p.full_name().as_str()),
            (Some("npm"), "@babel/core")
        );
        let p = Purl::parse("pkg:maven/org.slf4j/slf4j-api@1.7.30").expect("valid");
        assert_eq!(p.full_name(), "org.slf4j:slf4j-api");
        let p = Purl::parse("pkg:apk/alpine/musl@1.2.4-r2?distro=3.18.4").expect("valid");
        assert_eq!(p.ecosystem().as_deref(), Some("Alpine:v3.18"));
        for (purl, eco) in [
            ("pkg:brew/unzip@6.0_7", "Homebrew"),
            ("pkg:githubactions/actions/checkout@v4", "GitHub Actions"),
            ("pkg:swift/github.com/apple/swift-nio@2.0.0", "SwiftURL"),
        ] {
            let p = Purl::parse(purl).expect("valid");
            assert_eq!(p.ecosystem().as_deref(), Some(eco), "{purl}");
            assert_eq!(purl_type(eco), Some(p.ty.as_str()), "{eco}");
        }
        for edge in ["3.21.0_alpha20240807", "alpine-edge", "edge"] {
            let p = Purl::package("apk", "alpine/musl", Some("1.2.5-r0")).qualifier("distro", edge);
            assert_eq!(p.ecosystem().as_deref(), Some("Alpine:edge"), "{edge}");
        }
        let p = Purl::parse("pkg:deb/debian/curl@1?distro=debian-10.1").expect("valid");
        assert_eq!(p.ecosystem().as_deref(), Some("Debian:10"));
        assert!(Purl::parse("not a purl").is_err());
    }

    #[test]
    fn pypi_names_normalise() {
        assert_eq!(normalize_pypi("Foo__Bar.baz"), "foo-bar-baz");
    }
}
