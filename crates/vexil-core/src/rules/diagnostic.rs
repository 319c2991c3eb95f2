//! Diagnostics for files a team writes by hand (rules, the deferred list): a kebab-case code,
//! where (file, line, column, the source line), what is wrong and what was expected — rendered
//! like a compiler's, or as JSON for machines.

use serde::Serialize;

/// How bad a diagnostic is: errors stop `check` (exit 2) and `apply`; warnings are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// One problem in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub level: Level,
    /// `rule-unknown-key`, `rule-invalid-regex`, …
    pub code: &'static str,
    pub file: String,
    /// 1-based; 0 when the problem concerns the file as a whole.
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The source line the problem is on, and how many characters from `column` it spans.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub snippet: String,
    #[serde(skip)]
    pub width: usize,
    /// A hint: what was probably meant (`did you mean `resolve_by`?`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// Where a byte span of a text is: line, column, the line's text, and the span's width in
/// characters on that line.
pub fn locate(text: &str, span: std::ops::Range<usize>) -> (usize, usize, String, usize) {
    let start = span.start.min(text.len());
    let start = (0..=start)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = text[..start].matches('\n').count() + 1;
    let column = text[line_start..start].chars().count() + 1;
    let end = span.end.clamp(start, line_end);
    let end = (end..=line_end)
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(line_end);
    let width = text[start..end].chars().count().max(1);
    (
        line,
        column,
        text[line_start..line_end].trim_end_matches('\r').to_owned(),
        width,
    )
}

impl Diagnostic {
    /// A diagnostic at a byte span of `text`.
    pub fn at(
        level: Level,
        code: &'static str,
        file: &str,
        text: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, column, snippet, width) = locate(text, span);
        Diagnostic {
            level,
            code,
            file: file.to_owned(),
            line,
            column,
            message: message.into(),
            snippet,
            width,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// A diagnostic about a whole file (or a rule as a whole, without a better place).
    pub fn file(
        level: Level,
        code: &'static str,
        file: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            level,
            code,
            file: file.to_owned(),
            line: 0,
            column: 0,
            message: message.into(),
            snippet: String::new(),
            width: 0,
            help: None,
        }
    }

    /// Compiler-style text:
    ///
    /// ```text
    /// error[rule-invalid-regex]: `^(libc` is not a valid regex: unclosed group
    ///  --> rules/auto/debian.toml:4:22
    ///   |
    /// 4 | component = { name = "^(libc" }
    ///   |                      ^^^^^^^^
    /// ```
    pub fn render(&self) -> String {
        let head = format!("{}[{}]: {}", self.level.as_str(), self.code, self.message);
        let help = |pad: &str| {
            self.help
                .as_ref()
                .map(|h| format!("{pad} = help: {h}\n"))
                .unwrap_or_default()
        };
        if self.line == 0 {
            return format!("{head}\n --> {}\n{}", self.file, help(""));
        }
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        // Tabs stay tabs under tabs, so the carets line up however a terminal expands them.
        let lead: String = self
            .snippet
            .chars()
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!(
            "{head}\n{pad}--> {}:{}:{}\n{pad} |\n{number} | {}\n{pad} | {lead}{}\n{}",
            self.file,
            self.line,
            self.column,
            self.snippet,
            "^".repeat(self.width.max(1)),
            help(&pad)
        )
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

/// The allowed key closest to a misspelt one, at most two edits away (case and `-`/`_`
/// ignored): the "did you mean" of unknown keys.
pub fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let normal = key.to_ascii_lowercase().replace('-', "_");
    allowed
        .iter()
        .map(|a| (edit_distance(&normal, a), *a))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, a)| a)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_become_lines_columns_and_carets() {
        let text = "[[rule]]\nid = \"x\"\nvuln = \"^(CVE\"\n";
        let start = text.find("\"^(CVE\"").unwrap_or(0);
        let d = Diagnostic::at(
            Level::Error,
            "rule-invalid-regex",
            "rules/auto/a.toml",
            text,
            start..start + 7,
            "bad",
        );
        assert_eq!((d.line, d.column, d.width), (3, 8, 7));
        assert_eq!(
            d.render(),
            "error[rule-invalid-regex]: bad\n --> rules/auto/a.toml:3:8\n  |\n3 | vuln = \"^(CVE\"\n  |        ^^^^^^^\n"
        );
    }

    #[test]
    fn spans_past_the_end_or_inside_a_character_do_not_panic() {
        let text = "é = 1";
        let (line, column, snippet, width) = locate(text, 1..100);
        assert_eq!((line, column, snippet.as_str(), width), (1, 1, "é = 1", 5));
        assert_eq!(locate("", 5..9), (1, 1, String::new(), 1));
    }
}
