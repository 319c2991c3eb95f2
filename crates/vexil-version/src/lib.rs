//! Version parsing and ordering for every ecosystem Vexil matches.
//!
//! A wrong `<` makes a vulnerable release look fixed, so each scheme reproduces the ordering of
//! the upstream tool that defines it, checked against that tool's own test vectors. Parsing is
//! total: an invalid version is a [`ParseError`] naming the scheme, the input and what was
//! expected, never a panic. This crate uses `std` only and does no I/O.
//!
//! # Schemes and their quirks
//!
//! Every scheme below parses into its own type (`dpkg::DpkgVersion`, …) with `Ord` consistent with
//! its upstream tool; [`Scheme`] and [`Version`] dispatch over them, and [`Ecosystem`] maps OSV
//! ecosystem names to schemes. Numbers of any length compare by value everywhere.
//!
//! - **semver** (npm, crates.io, Hex, Bitnami, SwiftURL, GitHub Actions): SemVer 2.0 §11
//!   precedence; build metadata never orders (`1.0.0+a == 1.0.0+b`). Lenient where OSV data
//!   needs it: a `v` prefix, missing minor/patch (`1 == 1.0.0`, OSV's `introduced: "0"`), leading
//!   zeros, and numeric parts past the third, which order numerically (`1.2.3 < 1.2.3.4 < 1.2.4`).
//! - **go**: as semver, `v` optional (OSV's Go ranges omit it), `v1`/`v1.2` shorthands,
//!   `+incompatible` is build metadata; pseudo-versions order as the pre-releases they are.
//! - **pub**: as semver, but `pub_semver` orders build metadata: `1.0.0 < 1.0.0+1 < 1.0.0+a`.
//! - **pep440** (PyPI): `packaging`'s `_cmpkey` — epoch, release (trailing zeros ignored), then
//!   pre, post, dev, local; `1.0.dev0 < 1.0a0`; local versions sort after the plain release
//!   (`1.0 < 1.0+local`). Spelling variants normalise (`1.0-1` is `1.0.post1`, `c`/`pre`/`preview`
//!   are `rc`, `rev`/`r` are `post`). Strings that are not PEP 440 (`0.1-bulbasaur`) parse as
//!   legacy versions, sorting before every valid one as `packaging` < 22's `LegacyVersion` did.
//! - **maven**: `ComparableVersion` as OSV evaluates Maven ranges (osv-scalibr: the POM spec as
//!   maven-artifact 3.8.6 applies it), not the newest Maven. Every non-blank string is a version;
//!   equality is loose (`1 = 1.0 = 1-0 = 1.ga = 1-final`, `1-1 = 1-ga-1`, `1a1 = 1-alpha-1`, case
//!   never matters). `alpha < beta < milestone < rc = cr < snapshot < release < sp < unknown
//!   qualifiers < numbers`, and `1 < 1-1 < 1.0.1 < 1.1`. The separator matters: `1.0.0.RC1` sorts
//!   above `1.0.0-RC2` (Maven 3.9 says the opposite, MNG-7644). Where osv-scalibr's order has
//!   cycles (`1.0.rc1 < 1 < 1-1 < 1.0.rc1`), Vexil decides by which side of the common prefix
//!   each version continues on, so the order is total.
//! - **nuget**: up to four numbers (`1.0 == 1.0.0.0`), case-insensitive SemVer 2 pre-release
//!   labels, build metadata ignored.
//! - **rubygems**: `Gem::Version` — runs of digits and letters, dots insignificant
//!   (`1.0.a10 == 1.0.a.10`); any letter makes a pre-release (`1.0.b1 < 1.0`); `-` means
//!   `.pre.`; trailing zeros dropped.
//! - **packagist**: PHP `version_compare` after Composer-style clean-up: `dev < alpha < beta < RC
//!   < number < pl`, only prefixes count (`1.0-abc == 1.0-alpha`), unknown words sort below `dev`,
//!   and `1.0 < 1.0.0`. A literal `#` part equals any number (as OSV evaluates it), so
//!   comparisons involving `#` are not transitive.
//! - **hackage**: PVP `Data.Version` — lists of numbers, so `1.0 < 1.0.0`.
//! - **cran**: `package_version` — at least two numbers, `.` and `-` interchangeable,
//!   `0.1.0 < 0.1.0.0`, leading zeros ignored (`0.9 < 0.75`).
//! - **dpkg** (Debian, Ubuntu): `verrevcmp` — epoch ends at the first `:`, revision starts after
//!   the last `-`; missing epoch is 0 and missing revision equals `0` (`1 == 0:1 == 1-0`); `~`
//!   sorts before everything, even the end (`1.0~rc1 < 1.0`); letters before other characters.
//!   Parsing refuses what dpkg refuses and accepts what it only warns about.
//! - **apk** (Alpine, Wolfi, Chainguard): apk-tools 3.x token order — `_alpha < _beta < _pre <
//!   _rc < release < _cvs < _svn < _git < _hg < _p`, a single letter after the numbers, `~hash`,
//!   `-rN`. Two spellings found in secdb data are accepted and read as apk 2.x did: `p1` straight
//!   after a number (`6.6.2p1`) and `.rN` as the revision. [`apk::is_valid`] is apk 3.x's exact
//!   validity; [`apk::compare_str`] also orders invalid strings, by apk's string fallback.
//! - **rpm** (Red Hat, AlmaLinux, Rocky, SUSE, …): `rpmvercmp` over `[epoch:]version[-release]`;
//!   an epoch only when leading digits meet `:`; non-alphanumerics only separate (`1.0 == 1_0`);
//!   `~` sorts first, `^` after the end but before more parts (`1.0 < 1.0^git1 < 1.0.1`). As OSV
//!   evaluates it (and unlike `rpm -q`, which skips the comparison), a missing release sorts first
//!   (`1 < 1-0`).
//! - **upstream** (NVD/CPE): digits and letters, anything else separates; known pre-release words
//!   sort before a release and post-release words (`p`, `update`, `sp`) after; a lone letter
//!   after a number is a letter release (`1.1.1 < 1.1.1k`). Unknown words make two versions
//!   *not comparable* (`partial_cmp` is `None`), so matching can answer `unknown`.

mod error;
mod num;
mod scheme;

pub mod ecosystem;
pub mod vectors;

pub mod apk;
pub mod cran;
pub mod dpkg;
pub mod go;
pub mod hackage;
pub mod maven;
pub mod nuget;
pub mod packagist;
pub mod pep440;
pub mod pubdev;
pub mod rpm;
pub mod rubygems;
pub mod semver;
pub mod upstream;

pub use ecosystem::{Ecosystem, EcosystemName, UnknownEcosystem};
pub use error::ParseError;
pub use scheme::{Scheme, Version};
