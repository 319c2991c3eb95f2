//! One SBOM package entry to a [`Component`]: its purl (read from the input, or built from name
//! and version when the input has none or a broken one), checksums, and the source package a
//! distro purl names. The CycloneDX and SPDX readers describe entries here; no format knowledge.

use crate::ingest::Location;
use crate::model::purl::Purl;
use crate::model::{Component, Hash, Inventory, SourcePackage};

/// What an SBOM says about one package, before it becomes a component.
#[derive(Debug, Default)]
pub(super) struct Listed<'r> {
    pub(super) name: Option<&'r str>,
    /// A CycloneDX `group`: the namespace of a `pkg:generic` purl built for the entry.
    pub(super) group: Option<&'r str>,
    pub(super) version: Option<&'r str>,
    pub(super) purl: Option<&'r str>,
    /// A purl the format states by other means (an SPDX `maven-central` or `npm` reference).
    pub(super) evident: Option<Purl>,
    /// A library or framework (or the input does not say): a missing version or purl is worth
    /// telling. Applications, containers, operating systems and files are not.
    pub(super) package_like: bool,
}

/// The components of one SBOM as they are read, and the names of package-like entries that could
/// only be given a `pkg:generic` purl (reported once, at the end).
#[derive(Debug, Default)]
pub(super) struct Collector {
    pub(super) inventory: Inventory,
    generic: Vec<String>,
}

impl Collector {
    pub(super) fn warn(&mut self, location: Location, message: impl Into<String>) {
        self.inventory.warn(location, message);
    }

    /// The component an entry describes (with the source package its purl names), or `None` (with
    /// a warning) when it names no package.
    pub(super) fn identify(&mut self, listed: Listed<'_>, at: &Location) -> Option<Component> {
        let (purl, built) = self.purl_of(&listed, at)?;
        let mut component = match Component::from_purl(&purl, at.clone()) {
            Ok(c) => c,
            Err(e) => {
                self.warn(at.clone(), format!("{e}; entry not inventoried"));
                return None;
            }
        };
        component.source = source_from_purl(&purl);
        if listed.package_like {
            if built {
                self.generic.push(component.name.clone());
            } else if component.version.is_none() {
                self.warn(
                    at.clone(),
                    format!(
                        "`{}` has no version: it cannot be matched to advisories",
                        component.purl
                    ),
                );
            }
        }
        Some(component)
    }

    /// The entry's purl, and whether it had to be built as `pkg:generic` from name and version.
    fn purl_of(&mut self, listed: &Listed<'_>, at: &Location) -> Option<(Purl, bool)> {
        if let Some(text) = listed.purl {
            match Purl::parse(text) {
                Ok(p) => return Some((p, false)),
                Err(e) => self.warn(
                    at.clone(),
                    format!("{e}; the entry is identified by its name and version instead"),
                ),
            }
        }
        if let Some(p) = &listed.evident {
            return Some((p.clone(), false));
        }
        let Some(name) = listed.name else {
            self.warn(
                at.clone(),
                "the entry has no name and no usable purl: not inventoried",
            );
            return None;
        };
        let mut purl = Purl::package("generic", name, listed.version);
        purl.namespace = listed.group.map(str::to_owned);
        Some((purl, true))
    }

    /// The inventory, with one warning naming the package-like entries that got a generic purl.
    pub(super) fn finish(mut self, document: Location) -> Inventory {
        if !self.generic.is_empty() {
            let shown: Vec<String> = self
                .generic
                .iter()
                .take(5)
                .map(|n| format!("`{n}`"))
                .collect();
            let more = if self.generic.len() > 5 { ", …" } else { "" };
            let count = match self.generic.len() {
                1 => "1 package".to_owned(),
                n => format!("{n} packages"),
            };
            let message = format!(
                "{count} without a usable purl or an ecosystem Vexil can tell ({}{more}): recorded as `pkg:generic/…`, which no advisory matches",
                shown.join(", ")
            );
            self.inventory.warn(document, message);
        }
        self.inventory
    }
}

/// Digest algorithms by their SBOM spellings (CycloneDX `SHA-256`, SPDX `SHA256`), with the
/// lowercase name Vexil stores and the hex length of their digests.
const ALGORITHMS: &[(&[&str], &str, usize)] = &[
    (&["MD5"], "md5", 32),
    (&["SHA-1", "SHA1"], "sha1", 40),
    (&["SHA-224", "SHA224"], "sha224", 56),
    (&["SHA-256", "SHA256"], "sha256", 64),
    (&["SHA-384", "SHA384"], "sha384", 96),
    (&["SHA-512", "SHA512"], "sha512", 128),
    (&["SHA3-256"], "sha3-256", 64),
    (&["SHA3-384"], "sha3-384", 96),
    (&["SHA3-512"], "sha3-512", 128),
    (&["BLAKE2b-256"], "blake2b-256", 64),
    (&["BLAKE2b-384"], "blake2b-384", 96),
    (&["BLAKE2b-512"], "blake2b-512", 128),
];

/// A checksum as an SBOM gives it, with the algorithm lowercased (`sha256`, `sha3-256`);
/// refused when the digest is not the hex its algorithm makes.
pub(super) fn hash(algorithm: &str, value: &str) -> Result<Hash, String> {
    let algorithm = algorithm.trim();
    let value = value.trim();
    let known = ALGORITHMS
        .iter()
        .find(|(spellings, _, _)| spellings.iter().any(|s| s.eq_ignore_ascii_case(algorithm)));
    let hex = !value.is_empty() && value.bytes().all(|b| b.is_ascii_hexdigit());
    match known {
        Some((_, _, len)) if !hex || value.len() != *len => Err(format!(
            "`{algorithm}` digest `{}` is not {len} hex digits; checksum dropped",
            shorten(value)
        )),
        None if !hex => Err(format!(
            "`{algorithm}` digest `{}` is not hex; checksum dropped",
            shorten(value)
        )),
        _ => Ok(Hash {
            algorithm: known.map_or_else(
                || algorithm.to_ascii_lowercase(),
                |(_, name, _)| (*name).to_owned(),
            ),
            value: value.to_owned(),
        }),
    }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// The source package a distro purl names: Syft's `upstream` qualifier (`busybox`,
/// `util-linux@2.29`, for RPM the source RPM file `bash-4.2.46-31.el7.src.rpm`), osv-scanner's
/// `source` or osv-scalibr's apk `origin`.
fn source_from_purl(purl: &Purl) -> Option<SourcePackage> {
    if let Some(upstream) = purl.qualifier_value("upstream").filter(|s| !s.is_empty()) {
        if purl.ty == "rpm" {
            return source_rpm(upstream);
        }
        return Some(match upstream.split_once('@') {
            Some((name, version)) => SourcePackage {
                name: name.to_owned(),
                version: Some(version.to_owned()).filter(|v| !v.is_empty()),
            },
            None => SourcePackage {
                name: upstream.to_owned(),
                version: None,
            },
        });
    }
    purl.qualifier_value("source")
        .or_else(|| purl.qualifier_value("origin"))
        .filter(|s| !s.is_empty())
        .map(|name| SourcePackage {
            name: name.to_owned(),
            version: None,
        })
}

/// `bash-4.2.46-31.el7.src.rpm` → `bash`, `4.2.46-31.el7` (name-version-release, the name may
/// itself contain dashes).
fn source_rpm(file: &str) -> Option<SourcePackage> {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))
        .unwrap_or(file);
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    (!name.is_empty()).then(|| SourcePackage {
        name: name.to_owned(),
        version: Some(format!("{version}-{release}")),
    })
}
