//! What the JavaScript lockfile parsers share about one package: where it came from (the npm
//! registry, git, a plain URL, the project's own folders), the component and purl that follow
//! from that, and npm `integrity` strings as hashes.

use crate::ingest::Location;
use crate::model::purl::Purl;
use crate::model::{Component, Hash};

/// Where a package's code came from, read from a specifier or a resolved URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin<'a> {
    /// The npm registry or a mirror of it (`1.2.3`, `npm:…`, `…/-/name-1.2.3.tgz`).
    Registry,
    /// A git repository (`git+https://…`, `github:user/repo`).
    Git(&'a str),
    /// A tarball at a URL that is not a registry download.
    Tarball(&'a str),
    /// A folder or tarball on disk (`file:`, `link:`, `portal:`): the project's own code or a
    /// vendored copy, which no registry identifies.
    Local(&'a str),
    /// One of the project's workspaces (`workspace:`).
    Workspace,
}

/// The origin a specifier, a resolution or a resolved URL names.
pub(super) fn origin(spec: &str) -> Origin<'_> {
    const GIT: &[&str] = &[
        "git+",
        "git:",
        "git@",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ];
    const LOCAL: &[&str] = &[
        "file:", "link:", "portal:", "exec:", "root:", "./", "../", "/",
    ];
    let bare = spec.split(['#', '?']).next().unwrap_or(spec);
    if spec.starts_with("workspace:") {
        Origin::Workspace
    } else if GIT.iter().any(|p| spec.starts_with(p)) {
        Origin::Git(spec)
    } else if LOCAL.iter().any(|p| spec.starts_with(p)) {
        Origin::Local(spec)
    } else if spec.starts_with("http://") || spec.starts_with("https://") {
        if bare.ends_with(".git") || is_repository_page(bare) {
            Origin::Git(spec)
        } else if bare.ends_with(".tgz") && bare.contains("/-/") {
            // The registry's download layout (`<registry>/<name>/-/<name>-<version>.tgz`),
            // also used by mirrors such as registry.yarnpkg.com or an Artifactory.
            Origin::Registry
        } else {
            Origin::Tarball(spec)
        }
    } else {
        Origin::Registry
    }
}

/// `https://github.com/owner/repo`: a repository, which yarn and npm clone (its `#fragment` is a
/// commit), unlike a tarball URL on the same host.
fn is_repository_page(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let mut parts = rest.trim_end_matches('/').split('/');
    let host = parts.next().unwrap_or_default();
    matches!(host, "github.com" | "gitlab.com" | "bitbucket.org") && parts.count() == 2
}

/// The component for package `name` at `version` from `origin`: an npm purl for registry
/// packages, `pkg:generic` with `vcs_url`/`download_url` for git and plain-URL packages (npm
/// advisories name registry releases, so those are not matched as npm). `Err` says why the
/// entry is not inventoried: no version, a local path, or a workspace.
pub(super) fn component(
    name: &str,
    version: Option<&str>,
    origin: Origin<'_>,
    location: Location,
) -> Result<Component, String> {
    let mut purl = Purl::package("npm", name, version);
    match origin {
        Origin::Registry => {}
        Origin::Git(url) => purl = generic(purl).qualifier("vcs_url", url),
        Origin::Tarball(url) => purl = generic(purl).qualifier("download_url", url),
        Origin::Local(path) => {
            return Err(format!(
                "`{name}` comes from the local path `{path}`, which no package registry identifies"
            ));
        }
        Origin::Workspace => {
            return Err(format!(
                "`{name}` is a workspace of the project, not a dependency"
            ));
        }
    }
    if purl.version.is_none() {
        return Err(format!(
            "`{name}` has no version; expected the version the lockfile installed"
        ));
    }
    Component::from_purl(&purl, location).map_err(|e| format!("`{name}`: {e}"))
}

fn generic(mut purl: Purl) -> Purl {
    purl.ty = "generic".to_owned();
    purl
}

/// `name@rest` split at the `@` that ends the name (`@scope/name@1.0.0` → `@scope/name`, `1.0.0`).
pub(super) fn split_spec(spec: &str) -> Option<(&str, &str)> {
    let at = spec.get(1..)?.find('@')? + 1;
    let (name, rest) = (spec.get(..at)?, spec.get(at + 1..)?);
    (!name.is_empty()).then_some((name, rest))
}

/// The hashes of an npm `integrity` (Subresource Integrity) string: `sha512-<base64>`, several
/// separated by spaces; options after `?` dropped. Unknown algorithms are left out.
pub(super) fn integrity(value: &str) -> Vec<Hash> {
    value
        .split_whitespace()
        .filter_map(|token| {
            let (algorithm, digest) = token.split_once('-')?;
            let digest = digest.split('?').next().unwrap_or(digest);
            let known = matches!(algorithm, "sha1" | "sha256" | "sha384" | "sha512" | "md5");
            (known && !digest.is_empty()).then(|| Hash {
                algorithm: algorithm.to_owned(),
                value: digest.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_of_real_specifiers() {
        assert_eq!(origin("^1.2.3"), Origin::Registry);
        assert_eq!(origin("npm:bar@1.0.0"), Origin::Registry);
        assert_eq!(
            origin("https://registry.yarnpkg.com/asap/-/asap-2.0.6.tgz#e503"),
            Origin::Registry
        );
        assert!(matches!(
            origin("https://codeload.github.com/zkochan/is-negative/tar.gz/2fa0"),
            Origin::Tarball(_)
        ));
        assert!(matches!(
            origin("git+https://github.com/jrd/x.git#538b"),
            Origin::Git(_)
        ));
        assert!(matches!(origin("github:user/repo#sha"), Origin::Git(_)));
        assert!(matches!(
            origin("https://github.com/dbtek/chosen-bootstrap#12dc"),
            Origin::Git(_)
        ));
        assert!(matches!(
            origin("https://github.com/debug-js/debug/tarball/4.3.5"),
            Origin::Tarball(_)
        ));
        assert!(matches!(origin("file:vendor/x.tgz"), Origin::Local(_)));
        assert_eq!(origin("workspace:."), Origin::Workspace);
    }

    #[test]
    fn components_by_origin() {
        let at = || Location::file("f");
        let c = component("@babel/core", Some("7.0.0"), Origin::Registry, at()).expect("npm");
        assert_eq!(
            (c.purl.as_str(), c.ecosystem.as_deref()),
            ("pkg:npm/%40babel/core@7.0.0", Some("npm"))
        );
        let c = component(
            "x",
            Some("1.1.1"),
            Origin::Git("git+https://h/x.git#1"),
            at(),
        )
        .expect("generic");
        assert_eq!(
            c.purl,
            "pkg:generic/x@1.1.1?vcs_url=git%2Bhttps:%2F%2Fh%2Fx.git%231"
        );
        assert_eq!(c.ecosystem, None);
        assert!(component("x", None, Origin::Registry, at()).is_err());
        assert!(component("x", Some("1"), Origin::Local("file:x"), at()).is_err());
    }

    #[test]
    fn specs_and_integrity() {
        assert_eq!(split_spec("@s/n@npm:1.0.0"), Some(("@s/n", "npm:1.0.0")));
        assert_eq!(split_spec("n@1"), Some(("n", "1")));
        assert_eq!(split_spec("@s/n"), None);
        let h = integrity("sha512-AbC== sha1-xyz?opt bogus");
        assert_eq!(h.len(), 2);
        assert_eq!(
            (h[0].algorithm.as_str(), h[0].value.as_str()),
            ("sha512", "AbC==")
        );
    }
}
