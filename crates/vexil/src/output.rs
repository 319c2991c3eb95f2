//! Output shared by every command: `--format text|json`, tables, progress bars, and making
//! untrusted text safe for a terminal.

use std::io::IsTerminal;

use clap::ValueEnum;

/// How a command prints its answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// For people.
    #[default]
    Text,
    /// One JSON document on stdout, for machines.
    Json,
}

/// A progress bar over `total` things (`unit`: "files", "releases") on a terminal; hidden in
/// CI, in pipes and for one thing.
pub(crate) fn progress(total: u64, unit: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() || total < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} [{{elapsed_precise}}] {{bar:30}} {{pos}}/{{len}} {unit} {{msg}}"
    )) {
        bar.set_style(style);
    }
    bar
}

/// Left-aligned columns separated by two spaces; every cell made [`terminal_safe`].
pub(crate) fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
    let rows: Vec<[String; N]> = rows
        .iter()
        .map(|row| row.clone().map(|cell| terminal_safe(&cell).into_owned()))
        .collect();
    let rows = rows.as_slice();
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// Text from input files (package names, versions, advisory text) with control characters and
/// bidirectional overrides escaped, so a hostile name cannot move the cursor, recolour the
/// terminal or reorder what is shown.
pub(crate) fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if unsafe_char(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_safe_escapes_control_and_bidi_characters() {
        assert_eq!(terminal_safe("lodash"), "lodash");
        assert_eq!(terminal_safe("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(terminal_safe("x\u{202E}y"), "x\\u{202e}y");
    }
}
