//! Untrusted text (package names, advisory ids, reasons) made inert where it is rendered:
//! Markdown table cells (pull-request comments, issue bodies) and XML (JUnit).

/// Characters that reorder text (Trojan Source): shown as their code point, never applied.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A Markdown table cell: markup characters backslash-escaped (no links, HTML, emphasis, table
/// breaks or mentions of code), line breaks and other control characters as spaces, bidi
/// controls as `<U+202E>`.
pub fn markdown_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if is_bidi(c) => out.push_str(&format!("\\<U+{:04X}\\>", c as u32)),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for XML content and attributes: markup escaped; characters XML 1.0 forbids (control
/// characters other than tab, newline, carriage return) become U+FFFD.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_are_inert() {
        assert_eq!(
            markdown_cell("a|b [x](http://e) <img> *y* `z`\nq"),
            "a\\|b \\[x\\](http://e) \\<img\\> \\*y\\* \\`z\\` q"
        );
        assert_eq!(markdown_cell("ab\u{202E}c"), "ab\\<U+202E\\>c");
    }

    #[test]
    fn xml_text_is_escaped_and_valid() {
        assert_eq!(
            xml("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{FFFD}"
        );
    }
}
