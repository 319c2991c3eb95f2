//! The command-line grammar (clap derive). Commands live in `commands/`, one file each.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the answer is no: failing vectors, affected components (check, affected), a failed gate,
     stale rules, rule entries not imported
  2  usage, configuration or input error
  3  runtime failure (network, database)";

/// Vexil: which deployed components are exposed to which vulnerabilities, what was already
/// triaged and why, what is overdue, and may this release ship.
#[derive(Debug, Parser)]
#[command(name = "vexil", version, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// Database URL (`sqlite://PATH` or `postgres://USER@HOST/DB`). Default: `VEXIL_DATABASE_URL`,
    /// else `database` in vexil.toml, else `sqlite://.vexil/vexil.db` beside vexil.toml.
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) database: Option<String>,
    /// Configuration file. Default: vexil.toml in this directory or the nearest parent.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Compare versions with an ecosystem's own ordering rules.
    #[command(subcommand)]
    Version(VersionCommand),
    /// Import advisory feeds into the database, and list what it holds.
    #[command(subcommand)]
    Feeds(FeedsCommand),
    /// Record what a release deploys, from SBOMs, lockfiles, OS package databases and scanner
    /// reports; list releases and show their inventories.
    #[command(subcommand)]
    Inventory(InventoryCommand),
    /// Audit inventory files against the advisories in the database: print what is affected
    /// and the versions that fix it; exit 1 when anything is. Records nothing.
    #[command(after_help = "\
Examples:
  vexil feeds import osv ../shared/data/advisories/osv/crates.io
  vexil check Cargo.lock
  vexil check . --format json          # walks the directory for lockfiles, SBOMs, reports

Each component is matched by its ecosystem's own version rules against every advisory naming it
(OSV ranges, the Debian tracker, Alpine secdb; NVD CPEs as a fallback). One line per affected
or unknown (component, vulnerability), a vulnerability being the alias group of its CVE, GHSA
and other ids. RustSec informational advisories (unmaintained, unsound, notice) are counted as
warnings, not vulnerabilities.

Exits 0 when nothing is affected, 1 when something is, 2 on bad input, 3 on a database error.")]
    Check(AuditArgs),
    /// Am I affected by a vulnerability? Per release in the database (or for inventory files):
    /// affected, fixed, not affected or unknown, and why.
    #[command(after_help = "\
Examples:
  vexil affected CVE-2021-44228                        # every release in the database
  vexil affected CVE-2021-44228 --project billing-api
  vexil affected GHSA-jfh8-c2jp-5v3q --inventory pom.xml sbom.cdx.json   # ad hoc, from files

Any id of the vulnerability's alias group works (CVE, GHSA, OSV, distro ids). Exits 0 when
nothing is affected, 1 when something is, 2 when no advisory in the database has the id.")]
    Affected(AffectedArgs),
    /// Why a component of a release has its verdict on a vulnerability: every advisory of the
    /// alias group, the range each used, every comparison made.
    #[command(after_help = "\
Examples:
  vexil explain billing-api@2.4.1 lodash CVE-2021-23337
  vexil explain billing-api@2.4.1 pkg:npm/lodash@4.17.20 GHSA-35jh-r3h4-6jhm --format json")]
    Explain(ExplainArgs),
    /// Match stored releases against the advisories in the database and record the findings:
    /// what is new, resolved, reactivated or changed since the last scan, and what is open.
    #[command(after_help = "\
Examples:
  vexil inventory import billing-api@2.4.1 package-lock.json
  vexil scan billing-api@2.4.1
  vexil scan --all --format json

Each release is one transaction: its findings are diffed against the last scan (a finding is
keyed by release, component and vulnerability alias group) and every change is recorded in the
finding's history. Severity comes from the GHSA label, else NVD's CVSS, else an OSV record's
CVSS, else `high` (`[severity]` in vexil.toml changes the order and default); KEV and EPSS are
attached when imported. Exits 0 when the scan was recorded, whatever it found (the release gate
decides what fails).")]
    Scan(ScanArgs),
    /// Stored findings: list them, show one with its history, compare with scanner reports.
    #[command(subcommand)]
    Findings(FindingsCommand),
    /// Triage as code: check, plan and apply the rules in `rules/auto/*.toml` and
    /// `rules/triage/*.toml` next to vexil.toml; list stale rules.
    #[command(subcommand, after_help = RULES_HELP)]
    Rules(RulesCommand),
    /// May this release ship? Exit 1 when an affected finding is neither suppressed by a
    /// decision nor acknowledged and deferred; KEV and malicious findings always fail.
    #[command(after_help = GATE_HELP)]
    Gate(GateArgs),
    /// VEX documents: export a release's findings and decisions; import documents as decisions.
    #[command(subcommand)]
    Vex(VexCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum VexCommand {
    /// A release's findings and decisions as OpenVEX 0.2.0, CycloneDX 1.6 VEX or CSAF 2.0
    /// `csaf_vex`: the same state gives the same bytes.
    #[command(after_help = "\
Examples:
  vexil vex export billing-api@2.4.1 --format openvex > billing-api.openvex.json
  vexil vex export billing-api@2.4.1 --format csaf --output csaf.json --schemas specs/schemas

A statement's status is the team's decision when a rule or an imported document made one
(with its justification, impact and action statements), else follows Vexil's verdict: affected,
fixed, not_affected (version outside every affected range), under_investigation (unknown).")]
    Export(VexExportArgs),
    /// Record the statements of VEX documents (OpenVEX, CycloneDX, CSAF) as decisions on the
    /// stored findings they name, the document as provenance; one transaction.
    Import(VexImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct VexExportArgs {
    #[arg(value_name = "PROJECT@VERSION")]
    pub(crate) release: String,
    /// openvex, cyclonedx or csaf.
    #[arg(long, value_name = "FORMAT", default_value = "openvex")]
    pub(crate) format: String,
    /// Write here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// The product's purl (default `pkg:generic/PROJECT@VERSION`).
    #[arg(long, value_name = "PURL")]
    pub(crate) product: Option<String>,
    /// Check the document against the official schemas in DIR (default: VEXIL_SCHEMAS).
    #[arg(long, value_name = "DIR")]
    pub(crate) schemas: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct VexImportArgs {
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// Only decide the findings of this release (default: every release the statements name).
    #[arg(long, value_name = "PROJECT@VERSION")]
    pub(crate) release: Option<String>,
    /// Refuse documents not valid against the official schemas in DIR (default: VEXIL_SCHEMAS).
    #[arg(long, value_name = "DIR")]
    pub(crate) schemas: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

const GATE_HELP: &str = "\
The acknowledged-and-deferred list is deferred.toml beside vexil.toml (or --deferred FILE):

  [[deferred]]
  vuln = \"CVE-2026-0001\"            # any id of the alias group
  package = \"pkg:npm/left-pad\"      # a purl without version (subset match) or a package name
  acknowledged = 2026-11-01
  reason = \"dev-only dependency; never shipped\"
  resolve_by = 2027-01-31            # after this day the entry fails the gate, and says so

Policy in vexil.toml: [gate] min_severity, unknown = \"pass\"|\"fail\", kev_always_fails,
malicious_always_fails; [sla] critical/high/medium/low = business days or \"next-release\",
holidays = [dates]. --public-log prints only counts and the verdict (no package names, versions
or ids) for world-readable CI logs; the exit code is the same. Exit codes: 0 pass, 1 fail,
2 bad input (release never scanned, invalid deferred.toml), 3 database error.";

#[derive(Debug, Args)]
pub(crate) struct GateArgs {
    #[arg(value_name = "PROJECT@VERSION")]
    pub(crate) release: String,
    #[arg(long, value_enum, default_value_t = GateFormat::Table)]
    pub(crate) format: GateFormat,
    /// Print only counts and the verdict: no names, versions or vulnerability ids.
    #[arg(long)]
    pub(crate) public_log: bool,
    /// The acknowledged-and-deferred list (default: deferred.toml beside vexil.toml).
    #[arg(long, value_name = "FILE")]
    pub(crate) deferred: Option<PathBuf>,
    /// Judge expiries and SLA due dates as of this day instead of today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) today: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum GateFormat {
    Table,
    Json,
    Markdown,
    Junit,
}

const RULES_HELP: &str = "\
A rule (TOML, one `[[rule]]` table each):

  [[rule]]
  id = \"linux-libc-dev-headers-only\"
  kind = \"auto\"                              # or \"triage\" (needs issue and recheck)
  component = { name = \"^linux-libc-dev$\" }  # or purl = \"pkg:deb/debian/linux-libc-dev\", ecosystem = \"Debian\"
  vuln = \"^CVE-\"                             # regex over any id of the alias group
  project = \"^sm-\"                           # regex over the project name
  when = { debian_urgency = [\"unimportant\"] } # also debian_nodsa_reason, max_severity, kev, epss_below, fix_available
  status = \"not_affected\"                    # OpenVEX: not_affected, affected, fixed, under_investigation
  justification = \"vulnerable_code_not_present\"
  reason = \"Ships /usr/include/linux/*.h only; no runtime kernel code.\"
  issue = \"https://git.example.org/isms/issues/12\"
  recheck = 2027-05-01
  expires = 2027-12-31
  priority = 0

Precedence: triage rules over auto rules, then higher priority, then file order. Exit codes:
check 2 when any rule file has an error; stale 1 when any rule is past its recheck date.";

#[derive(Debug, Subcommand)]
pub(crate) enum RulesCommand {
    /// Validate every rule file and report every problem (file, line, column, snippet).
    Check(RulesArgs),
    /// What applying the rules would change, per rule. Changes nothing.
    Plan(RulesPlanArgs),
    /// Record the plan: one transaction, one history event per changed finding. Idempotent.
    Apply(RulesArgs),
    /// Rules past their recheck date, with owner and issue; exit 1 when any.
    Stale(RulesArgs),
    /// Cluster the untriaged backlog (open findings no rule or document decided) and propose
    /// one ready-to-edit rule per cluster, ranked by findings absorbed.
    Suggest(RulesSuggestArgs),
    /// Convert rule files of the Loop-ISMS shape (`triage-rules.json`, `auto-fire-rules.json`)
    /// into TOML rules, losslessly; every entry that cannot be converted is reported (exit 1).
    #[command(after_help = "\
Examples:
  vexil rules import isms/triage-rules.json --output rules/triage/imported.toml
  vexil rules import isms/auto-fire-rules.json > rules/auto/imported.toml

Entries are JSON objects with component_regex, vulnId_regex, project_regex, state, justification
(OpenVEX or Dependency-Track words), reason, issue, owner, a re-check date, expires, priority. An
entry with any other field, a bad regex or date, or no reason is not converted, and said so.")]
    Import(RulesImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct RulesImportArgs {
    #[arg(required = true, value_name = "FILE.json")]
    pub(crate) files: Vec<PathBuf>,
    /// The rules' kind (default: from the file name: `auto…` or `…triage…`).
    #[arg(long, value_name = "auto|triage")]
    pub(crate) kind: Option<String>,
    /// Write the TOML here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct RulesSuggestArgs {
    /// Only clusters of at least this many findings.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub(crate) min_findings: usize,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, Args)]
pub(crate) struct RulesArgs {
    /// The directory holding `rules/` (default: where vexil.toml is, else here).
    #[arg(value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
    /// Evaluate dates (expires, recheck) as of this day instead of today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) today: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, Args)]
pub(crate) struct RulesPlanArgs {
    #[arg(value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) today: Option<String>,
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub(crate) format: PlanFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PlanFormat {
    Table,
    Json,
    /// Fit to post as a pull-request comment.
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The release: PROJECT@VERSION.
    #[arg(value_name = "PROJECT@VERSION")]
    pub(crate) release: String,
    /// The component: its purl (with or without version) or its name.
    #[arg(value_name = "PURL-or-NAME")]
    pub(crate) component: String,
    /// Any id of the vulnerability's alias group.
    #[arg(value_name = "VULN-ID")]
    pub(crate) vuln: String,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, Args)]
pub(crate) struct AffectedArgs {
    /// The vulnerability id (CVE, GHSA, RUSTSEC, GO, PYSEC, DSA, …).
    #[arg(value_name = "VULN-ID")]
    pub(crate) vuln: String,
    /// Only this project's releases.
    #[arg(long, value_name = "PROJECT", conflicts_with = "inventory")]
    pub(crate) project: Option<String>,
    /// Answer for these inventory files (or directories) instead of the stored releases.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub(crate) inventory: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// Inventory files, or directories walked for the files Vexil recognises.
    #[arg(required = true, value_name = "FILE-or-DIR")]
    pub(crate) files: Vec<PathBuf>,
    /// The files' format; `auto` recognises each file from its content.
    #[arg(
        long = "input-format",
        default_value = "auto",
        value_name = "auto|NAME"
    )]
    pub(crate) input_format: String,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
    /// Also record the files as this release's inventory and the result as its scan (what
    /// `vexil inventory import` then `vexil scan` do).
    #[arg(long, value_name = "PROJECT@VERSION")]
    pub(crate) record: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Releases to scan (PROJECT@VERSION).
    #[arg(value_name = "PROJECT@VERSION")]
    pub(crate) releases: Vec<String>,
    /// Scan every release in the database.
    #[arg(long, conflicts_with = "project")]
    pub(crate) all: bool,
    /// Scan every release of this project.
    #[arg(long, value_name = "PROJECT")]
    pub(crate) project: Option<String>,
    /// List every event (changed and resolved too), not only new and reactivated findings.
    #[arg(long, short)]
    pub(crate) verbose: bool,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum FindingsCommand {
    /// List stored findings, most severe first per release.
    #[command(after_help = "\
Examples:
  vexil findings list --project billing-api --state open
  vexil findings list --release billing-api@2.4.1 --severity critical --format json
  vexil findings list --kev --vuln CVE-2021-44228")]
    List(FindingsListArgs),
    /// One finding: its verdict and explanation, severity and why, KEV and EPSS, and history.
    Show(FindingsShowArgs),
    /// Where the scanner reports imported into a release and Vexil's own findings disagree,
    /// and why.
    #[command(after_help = "\
Compares, per component and vulnerability (alias-aware), the findings of every scanner report
(Trivy, Grype, osv-scanner, govulncheck, pip-audit, npm audit, cargo-audit) imported into the
release with Vexil's last scan of it. Each disagreement is classed: Vexil has no advisory with
that id (different data), Vexil matched the advisory but decided otherwise (different version
rule: the explanation says which comparison), or Vexil found what the scanner did not.")]
    Compare(FindingsCompareArgs),
}

#[derive(Debug, Args)]
pub(crate) struct FindingsListArgs {
    #[arg(long, value_name = "PROJECT")]
    pub(crate) project: Option<String>,
    #[arg(long, value_name = "PROJECT@VERSION")]
    pub(crate) release: Option<String>,
    /// critical, high, medium or low.
    #[arg(long, value_name = "SEVERITY")]
    pub(crate) severity: Option<String>,
    /// open (affected or unknown at the last scan) or resolved.
    #[arg(long, value_name = "STATE")]
    pub(crate) state: Option<String>,
    /// Only vulnerabilities in CISA's Known Exploited Vulnerabilities catalogue.
    #[arg(long)]
    pub(crate) kev: bool,
    /// Only this vulnerability (any id of its alias group).
    #[arg(long, value_name = "VULN-ID")]
    pub(crate) vuln: Option<String>,
    /// Only open findings past their SLA due date ([sla] in vexil.toml).
    #[arg(long)]
    pub(crate) overdue: bool,
    /// Judge due dates as of this day instead of today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub(crate) today: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, Args)]
pub(crate) struct FindingsShowArgs {
    /// The finding's id, as listings print it (`F-12` or `12`).
    #[arg(value_name = "ID")]
    pub(crate) id: String,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, Args)]
pub(crate) struct FindingsCompareArgs {
    #[arg(value_name = "PROJECT@VERSION")]
    pub(crate) release: String,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum InventoryCommand {
    /// Replace a release's inventory with what the given files list, in one transaction.
    #[command(after_help = INVENTORY_IMPORT_HELP)]
    Import(InventoryImportArgs),
    /// List releases: revision, components, scanner findings, documents, last import.
    List(InventoryListArgs),
    /// Show a release's components, the documents they came from, scanner evidence and history.
    Show(InventoryShowArgs),
}

const INVENTORY_IMPORT_HELP: &str = "\
Formats are recognised from the content (the file name only breaks ties):
  SBOMs            cyclonedx-json, cyclonedx-xml (1.1-1.7), spdx-json, spdx-yaml, spdx-tag-value
                   (2.2/2.3), in-toto (a DSSE envelope or in-toto statement around an SBOM)
  lockfiles        package-lock (v1-v3), yarn-v1, yarn-berry, pnpm-lock, bun-lock, cargo-lock,
                   poetry-lock, uv-lock, pylock-toml, pipfile-lock, requirements-txt, go-mod (with
                   go.sum beside it), gemfile-lock, composer-lock, gradle-lockfile, maven-pom
  OS packages      dpkg-status, apk-installed (with etc/os-release of the same root), rpm-qa,
                   rpm-qa-json
  scanner reports  trivy, grype, osv-scanner, govulncheck, pip-audit, npm-audit, cargo-audit:
                   their packages join the inventory, their findings are kept as evidence

Examples:
  vexil inventory import billing-api@2.4.1 package-lock.json sbom.cdx.json
  vexil inventory import sm-db1@2026-11-23 rootfs/          # walks the tree, says what it skipped
  vexil inventory import web@1.0 deps.txt --format requirements-txt

Every file is read and checked before anything is written: one bad file imports nothing and
exits 2 naming the file, the line or field, and what was expected. Importing a release again
replaces its inventory; `vexil inventory show --history` lists what changed.";

#[derive(Debug, Args)]
pub(crate) struct InventoryImportArgs {
    /// The release: PROJECT@VERSION (`billing-api@2.4.1`, `sm-db1@2026-11-23`).
    #[arg(value_name = "PROJECT@VERSION")]
    pub(crate) release: String,
    /// Files, or directories walked for the files Vexil recognises.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// The files' format; `auto` recognises each file from its content.
    #[arg(long, default_value = "auto", value_name = "auto|NAME")]
    pub(crate) format: String,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) output: Format,
}

#[derive(Debug, Args)]
pub(crate) struct InventoryListArgs {
    /// Only this project's releases.
    #[arg(long, value_name = "PROJECT")]
    pub(crate) project: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, Args)]
pub(crate) struct InventoryShowArgs {
    /// The release: PROJECT@VERSION.
    #[arg(value_name = "PROJECT@VERSION")]
    pub(crate) release: String,
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub(crate) format: ShowFormat,
    /// Also list every recorded change, import by import.
    #[arg(long)]
    pub(crate) history: bool,
}

/// Output of `inventory show`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShowFormat {
    /// Aligned columns for people.
    #[default]
    Table,
    /// The whole stored inventory as one JSON document.
    Json,
    /// One purl per line (for other tools).
    Purl,
}

#[derive(Debug, Subcommand)]
pub(crate) enum FeedsCommand {
    /// Import feed files, directories or URLs, all in one transaction.
    #[command(after_help = "\
Feeds:
  osv              OSV records: JSON, YAML, a directory of them, or osv.dev's all.zip
  nvd              NVD CVE API 2.0 pages or yearly files (JSON, optionally .gz)
  debian           the Debian Security Tracker JSON
  debian-packages  Debian Packages or Sources indexes (plain or .gz)
  alpine           Alpine secdb JSON or YAML
  apkindex         APKINDEX.tar.gz or an APKINDEX text
  kev              the CISA KEV catalogue (JSON or CSV)
  epss             FIRST EPSS scores CSV (plain or .gz)

Examples:
  vexil feeds import osv ../shared/data/advisories/osv/go
  vexil feeds import kev https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json
  vexil feeds import alpine secdb/v3.20/main.json secdb/v3.20/community.json

Every file is read and checked before anything is written: one bad file imports nothing and
exits 2 naming the file, the line or field, and what was expected. Content imported before (same
digest) is skipped. A record replaces a stored one only when its `modified` is newer.")]
    Import(ImportArgs),
    /// Per feed: records held, newest `modified`, last import time, source and digest.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The feed the sources belong to.
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(
        ["osv", "nvd", "debian", "debian-packages", "alpine", "apkindex", "kev", "epss"]))]
    pub(crate) feed: String,
    /// Files, directories (walked for files) or http(s) URLs.
    #[arg(required = true, value_name = "PATH-or-URL")]
    pub(crate) sources: Vec<String>,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

/// Output of listings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// Aligned columns for people.
    #[default]
    Table,
    /// One JSON document for machines.
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum VersionCommand {
    /// Print `<`, `=` or `>`: how version A orders against version B.
    #[command(after_help = "\
Examples:
  vexil version compare --ecosystem Debian 1.0~rc1-1 1.0-1      # prints <
  vexil version compare --ecosystem PyPI 1.0.post1 1.0           # prints >
  vexil version compare --ecosystem Alpine:v3.20 1.2.3-r0 1.2.3_p1-r0

The NVD/CPE comparator (--ecosystem NVD) may print `?`: the versions are not comparable.
An invalid version exits 2 and says what was expected.")]
    Compare(CompareArgs),
    /// Run a file of version-ordering vectors and report every failing line.
    #[command(after_help = "\
Line formats (one per line; blank lines and lines starting with # or // are skipped):
  A OP B      OP is < = > <= >= != (apk also ~ <~ >~), or !OP for \"must not hold\"
  A B R       dpkg style: R is -1, 0 or 1, the sign of cmp(A, B)
  V / !V      V must be a valid / an invalid version (see --expect)

Example:
  vexil version check --ecosystem Debian --file debian-versions.txt

Exits 0 when every line passes, 1 when any fails, 2 on a malformed line.")]
    Check(CheckArgs),
}

/// Names an ecosystem (or a version scheme) for the version commands.
#[derive(Debug, Args)]
pub(crate) struct EcosystemArg {
    /// OSV ecosystem name, case-insensitive, optionally with a release (`npm`, `PyPI`, `Go`,
    /// `Maven`, `Debian:12`, `Alpine:v3.20`, `Red Hat`, `NVD`…), or a scheme name (`dpkg`, `rpm`).
    #[arg(long, short = 'e', value_name = "ECO")]
    pub(crate) ecosystem: String,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    #[command(flatten)]
    pub(crate) ecosystem: EcosystemArg,
    /// The left-hand version.
    #[arg(allow_hyphen_values = true)]
    pub(crate) a: String,
    /// The right-hand version.
    #[arg(allow_hyphen_values = true)]
    pub(crate) b: String,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) ecosystem: EcosystemArg,
    /// The vector file to run.
    #[arg(long, short = 'f', value_name = "VECTORS")]
    pub(crate) file: PathBuf,
    /// What a line holding a single version asserts (`!V` always means invalid).
    #[arg(long, value_enum, default_value_t)]
    pub(crate) expect: Expect,
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

/// What a bare one-version line of a vector file asserts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Expect {
    /// Each bare version must parse.
    #[default]
    Valid,
    /// Each bare version must be refused (osv.dev's invalid-version lists).
    Invalid,
}
