//! Reading `.zip`, `.gz` and `.tar.gz` from memory, refusing hostile archives: entries with `..`
//! or absolute paths, zip bombs (expansion ratio and total size capped), truncated data.
//!
//! Entries are handed to a visitor one at a time, so a 1 GiB `all.zip` never sits in memory
//! expanded.

use std::io::Read;

use crate::ingest::{IngestError, Location};

/// Caps on what an archive may expand to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest single entry, expanded.
    pub max_entry_bytes: u64,
    /// Largest sum of all entries, expanded.
    pub max_total_bytes: u64,
    /// Largest expanded ÷ compressed size, over the whole archive (checked once past 1 MiB).
    pub max_ratio: u64,
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_entry_bytes: 256 << 20,
            max_total_bytes: 8 << 30,
            max_ratio: 100,
            max_entries: 5_000_000,
        }
    }
}

/// One file inside an archive.
#[derive(Debug)]
pub struct Entry {
    /// The path inside the archive, checked to be relative and free of `..`.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Refuses entry names that could escape a directory if anyone ever extracted them.
pub fn check_entry_name(file: &str, name: &str) -> Result<(), IngestError> {
    let unsafe_reason = if name.starts_with('/') || name.starts_with('\\') {
        Some("an absolute path")
    } else if name.len() > 1 && name.as_bytes()[1] == b':' {
        Some("a drive-letter path")
    } else if name.split(['/', '\\']).any(|part| part == "..") {
        Some("a `..` component")
    } else if name.contains('\0') {
        Some("a NUL byte")
    } else {
        None
    };
    match unsafe_reason {
        Some(reason) => Err(IngestError::new(
            Location::file(file).with_entry(name),
            format!("archive entry name has {reason}; expected a relative path inside the archive"),
        )),
        None => Ok(()),
    }
}

/// Tracks expansion across an archive.
struct Budget<'a> {
    file: &'a str,
    limits: Limits,
    compressed: u64,
    total: u64,
    entries: usize,
}

impl<'a> Budget<'a> {
    /// A fresh budget for the archive `bytes` (whose length the expansion ratio is measured by).
    fn new(file: &'a str, limits: Limits, bytes: &[u8]) -> Budget<'a> {
        Budget {
            file,
            limits,
            compressed: bytes.len() as u64,
            total: 0,
            entries: 0,
        }
    }

    /// Reads one entry, at most `max_entry_bytes`. `declared` is the size the archive claims (a
    /// hint only: it is never trusted beyond the cap).
    fn read_entry(
        &mut self,
        name: &str,
        reader: &mut dyn Read,
        declared: u64,
    ) -> Result<Vec<u8>, IngestError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(IngestError::new(
                Location::file(self.file),
                format!("more than {} archive entries", self.limits.max_entries),
            ));
        }
        let cap = self.limits.max_entry_bytes;
        // `Take::read_to_end` would reserve the whole cap up front for every entry; grow from the
        // declared size instead, reading in chunks and stopping at the cap.
        let mut bytes = Vec::with_capacity(declared.min(cap).min(64 << 20) as usize);
        let mut chunk = [0u8; 64 * 1024];
        loop {
            let n = reader.read(&mut chunk).map_err(|e| {
                IngestError::new(
                    Location::file(self.file).with_entry(name),
                    format!("cannot decompress (truncated or corrupt archive?): {e}"),
                )
            })?;
            if n == 0 {
                break;
            }
            if (bytes.len() + n) as u64 > cap {
                return Err(IngestError::new(
                    Location::file(self.file).with_entry(name),
                    format!("entry expands past {cap} bytes; refusing a possible zip bomb"),
                ));
            }
            bytes.extend_from_slice(&chunk[..n]);
        }
        self.total += bytes.len() as u64;
        if self.total > self.limits.max_total_bytes {
            return Err(IngestError::new(
                Location::file(self.file),
                format!(
                    "archive expands past {} bytes in total",
                    self.limits.max_total_bytes
                ),
            ));
        }
        if self.total > 1 << 20 && self.total / self.compressed.max(1) > self.limits.max_ratio {
            return Err(IngestError::new(
                Location::file(self.file).with_entry(name),
                format!(
                    "archive expands more than {}× its compressed size; refusing a possible zip bomb",
                    self.limits.max_ratio
                ),
            ));
        }
        Ok(bytes)
    }
}

/// Calls `visit` with each file of a zip archive, in archive order. Directories are skipped.
pub fn zip_entries(
    bytes: &[u8],
    file: &str,
    limits: Limits,
    mut visit: impl FnMut(Entry) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        IngestError::new(
            Location::file(file),
            format!("not a readable zip archive (truncated?): {e}"),
        )
    })?;
    let mut budget = Budget::new(file, limits, bytes);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| {
            IngestError::new(
                Location::file(file),
                format!("cannot read zip entry {i}: {e}"),
            )
        })?;
        let name = match entry.name() {
            Ok(name) => name.into_owned(),
            Err(e) => {
                return Err(IngestError::new(
                    Location::file(file),
                    format!("zip entry {i} has an unreadable name: {e}"),
                ));
            }
        };
        check_entry_name(file, &name)?;
        if entry.is_dir() {
            continue;
        }
        let declared = entry.size();
        let bytes = budget.read_entry(&name, &mut entry, declared)?;
        visit(Entry { name, bytes })?;
    }
    Ok(())
}

/// Whether `bytes` start like a gzip stream.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Whether `bytes` start like a zip archive.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Decompresses a whole gzip stream, capped like one archive entry.
pub fn gunzip(bytes: &[u8], file: &str, limits: Limits) -> Result<Vec<u8>, IngestError> {
    let mut budget = Budget::new(file, limits, bytes);
    let mut decoder = flate2::read::MultiGzDecoder::new(bytes);
    budget.read_entry(file, &mut decoder, bytes.len() as u64 * 4)
}

/// Calls `visit` with each regular file of a gzip-compressed tar archive.
pub fn tar_gz_entries(
    bytes: &[u8],
    file: &str,
    limits: Limits,
    mut visit: impl FnMut(Entry) -> Result<(), IngestError>,
) -> Result<(), IngestError> {
    let mut budget = Budget::new(file, limits, bytes);
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    let mut archive = tar::Archive::new(decoder);
    let entries = archive.entries().map_err(|e| {
        IngestError::new(
            Location::file(file),
            format!("not a readable tar.gz archive: {e}"),
        )
    })?;
    for entry in entries {
        let mut entry = entry.map_err(|e| {
            IngestError::new(
                Location::file(file),
                format!("cannot read tar entry (truncated or corrupt archive?): {e}"),
            )
        })?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        check_entry_name(file, &name)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let declared = entry.header().size().unwrap_or(0);
        let bytes = budget.read_entry(&name, &mut entry, declared)?;
        visit(Entry { name, bytes })?;
    }
    Ok(())
}
