//! `vexil scan [PROJECT@VERSION...|--all]`: match stored releases against the advisories in the
//! database, record the findings (one transaction per release, diffed against the last scan)
//! and print what changed and what is open by severity. Also the audit pipeline that `check`
//! and `affected` share: candidates by name → match → observe (severity, KEV, EPSS).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use vexil_core::matching::audit::{Finding, audit};
use vexil_core::matching::lookup_name;
use vexil_core::matching::rescan::{Context, observe};
use vexil_core::model::finding::{EventKind, Observation, SeverityLevel};
use vexil_core::model::{Advisory, Component, ReleaseId};
use vexil_core::output::severity::SeverityPolicy;
use vexil_store::{ScanReport, Store};

use crate::cli::{ListFormat, ScanArgs};
use crate::exit::{InputError, Outcome};
use crate::output::{print_table, progress};

/// Components matched: their findings, and the advisories they were matched against.
pub(crate) struct Audited {
    pub(crate) components: Vec<Component>,
    pub(crate) findings: Vec<Finding>,
    pub(crate) advisories: Vec<Advisory>,
    /// Looking the candidate advisories up, and matching them.
    pub(crate) lookup: Duration,
    pub(crate) matching: Duration,
}

/// Where a scan's time went, in milliseconds (reported with `--format json`).
#[derive(Debug, Default, serde::Serialize)]
pub(crate) struct Durations {
    pub(crate) read_ms: f64,
    pub(crate) lookup_ms: f64,
    pub(crate) matching_ms: f64,
    pub(crate) enrich_ms: f64,
    pub(crate) record_ms: f64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Audits components against the advisories the store holds for their package names (matching
/// runs on a blocking thread).
pub(crate) async fn audit_in(
    store: &Store,
    mut components: Vec<Component>,
) -> anyhow::Result<Audited> {
    resolve_sources(store, &mut components).await?;
    let names: Vec<String> = components
        .iter()
        .filter(|c| c.ecosystem.is_some())
        .flat_map(|c| {
            let eco = c.ecosystem.as_deref().unwrap_or("");
            std::iter::once(lookup_name(eco, &c.name))
                .chain(c.source.iter().map(move |s| lookup_name(eco, &s.name)))
        })
        .collect();
    let started = Instant::now();
    // Only components with an ecosystem can match an advisory package (NVD's CPE fallback is
    // not looked up by name), and only in their own ecosystem.
    let ecosystems: Vec<String> = components
        .iter()
        .filter_map(|c| c.ecosystem.as_deref())
        .map(|e| e.split(':').next().unwrap_or(e).to_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let advisories = if ecosystems.is_empty() {
        Vec::new()
    } else {
        store.advisories_named(&names, &ecosystems).await?
    };
    let lookup = started.elapsed();
    Ok(tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let findings = audit(&components, &advisories);
        Audited {
            components,
            findings,
            advisories,
            lookup,
            matching: started.elapsed(),
        }
    })
    .await?)
}

/// Debian and Alpine binary packages whose document named no source package (a scanner report
/// or an SBOM that lists binaries only) get theirs from the archive indexes in the store
/// (Packages, APKINDEX), so the tracker's per-source entries reach them.
async fn resolve_sources(store: &Store, components: &mut [Component]) -> anyhow::Result<()> {
    let key = |c: &Component| {
        let kind = ["deb", "apk"]
            .into_iter()
            .find(|t| c.purl.starts_with(&format!("pkg:{t}/")))?;
        c.source
            .is_none()
            .then(|| (kind.to_owned(), c.name.clone(), c.version.clone()))
    };
    let wanted: Vec<_> = components.iter().filter_map(key).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let found = store.source_packages(&wanted).await?;
    for c in components.iter_mut() {
        if let Some(source) = key(c).and_then(|k| found.get(&k)) {
            c.source = Some(source.clone());
        }
    }
    Ok(())
}

/// The audit's findings as observations: each with its severity (from every advisory of its
/// alias group, e.g. the NVD record of its CVE, by `policy`), KEV and EPSS. Returns the
/// component index of each observation beside it.
pub(crate) async fn observe_in(
    store: &Store,
    audited: Audited,
    policy: &SeverityPolicy,
) -> anyhow::Result<(Vec<Component>, Vec<(usize, Observation)>)> {
    let Audited {
        components,
        findings,
        advisories,
        ..
    } = audited;
    let loaded: HashSet<&str> = advisories.iter().map(|a| a.id.as_str()).collect();
    let mut missing: Vec<String> = Vec::new();
    let mut cves: Vec<String> = Vec::new();
    for f in &findings {
        for id in &f.ids {
            if !loaded.contains(id.as_str()) {
                missing.push(id.clone());
            }
            if id.starts_with("CVE-") {
                cves.push(id.clone());
            }
        }
    }
    let others = store.advisories_with_ids(&missing).await?;
    let (kev, epss) = store.enrichment(&cves).await?;
    let policy = policy.clone();
    Ok(tokio::task::spawn_blocking(move || {
        let ctx = Context {
            advisories: advisories.iter().chain(&others).collect(),
            kev,
            epss,
            policy,
        };
        let owners: Vec<usize> = findings.iter().map(|f| f.component).collect();
        let observed = observe(&components, findings, &ctx);
        let paired = owners.into_iter().zip(observed).collect();
        (components, paired)
    })
    .await?)
}

/// A recorded scan and where its time went.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Scanned {
    #[serde(flatten)]
    pub(crate) report: ScanReport,
    pub(crate) durations: Durations,
}

/// Scans one stored release and records the result.
pub(crate) async fn scan_release(
    store: &Store,
    release: &ReleaseId,
    policy: &SeverityPolicy,
) -> anyhow::Result<Scanned> {
    let started = Instant::now();
    let Some((revision, components)) = store.components_of(release).await? else {
        return Err(InputError(format!(
            "no release `{release}` in the database; import its inventory first \
             (`vexil inventory import {release} FILE...`)"
        ))
        .into());
    };
    let mut durations = Durations {
        read_ms: ms(started.elapsed()),
        ..Durations::default()
    };
    let audited = audit_in(store, components).await?;
    durations.lookup_ms = ms(audited.lookup);
    durations.matching_ms = ms(audited.matching);
    let advisories = audited.advisories.len();
    let started = Instant::now();
    let (components, observed) = observe_in(store, audited, policy).await?;
    durations.enrich_ms = ms(started.elapsed());
    let observed: Vec<Observation> = observed.into_iter().map(|(_, o)| o).collect();
    let started = Instant::now();
    let report = store
        .record_scan(
            release,
            revision,
            advisories,
            components.len(),
            &observed,
            super::now(),
        )
        .await?;
    durations.record_ms = ms(started.elapsed());
    Ok(Scanned { report, durations })
}

pub(crate) async fn run(
    args: ScanArgs,
    url: &str,
    policy: &SeverityPolicy,
) -> anyhow::Result<Outcome> {
    let store = Store::open(url).await?;
    let mut releases: Vec<ReleaseId> = Vec::new();
    for r in &args.releases {
        releases.push(r.parse().map_err(InputError)?);
    }
    if args.all || args.project.is_some() {
        for r in store.releases(args.project.as_deref()).await? {
            releases.push(ReleaseId {
                project: r.project,
                version: r.version,
            });
        }
    }
    if releases.is_empty() {
        store.close().await;
        return Err(InputError(
            "nothing to scan: name releases (PROJECT@VERSION), or give --project P or --all"
                .to_owned(),
        )
        .into());
    }
    let bar = progress(releases.len() as u64, "releases");
    let mut reports = Vec::new();
    for release in &releases {
        let report = scan_release(&store, release, policy).await;
        bar.inc(1);
        match report {
            Ok(report) => reports.push(report),
            Err(e) => {
                bar.finish_and_clear();
                store.close().await;
                return Err(e);
            }
        }
    }
    bar.finish_and_clear();
    store.close().await;
    match args.format {
        ListFormat::Json => println!("{}", serde_json::to_string(&reports)?),
        ListFormat::Table => {
            for scanned in &reports {
                print_report(&scanned.report, args.verbose);
            }
        }
    }
    Ok(Outcome::Success)
}

/// One line per event (new and reactivated always; all with `verbose`), then the summary.
pub(crate) fn print_report(report: &ScanReport, verbose: bool) {
    let rows: Vec<[String; 5]> = report
        .events
        .iter()
        .filter(|e| verbose || matches!(e.kind, EventKind::New | EventKind::Reactivated))
        .map(|e| {
            [
                format!("F-{}", e.finding),
                e.kind.as_str().to_owned(),
                e.severity.as_str().to_owned(),
                e.vuln.clone(),
                e.purl.clone(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        print_table(
            &["FINDING", "EVENT", "SEVERITY", "VULNERABILITY", "COMPONENT"],
            &rows,
        );
    }
    let open: Vec<String> = SeverityLevel::ALL
        .iter()
        .map(|l| format!("{} {l}", report.open.get(l).copied().unwrap_or(0)))
        .collect();
    println!(
        "{} (revision {}): {} components against {} advisories; {} new, {} resolved, {} reactivated, \
         {} changed; open: {}{}",
        report.release,
        report.revision,
        report.components,
        report.advisories,
        report.new,
        report.resolved,
        report.reactivated,
        report.changed,
        open.join(", "),
        if report.warnings > 0 {
            format!(
                "; {} warnings (unmaintained/unsound/notice)",
                report.warnings
            )
        } else {
            String::new()
        }
    );
}
