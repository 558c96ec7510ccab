//! An RFC 4180 CSV reader and writer for CRM exports: quoted fields (with delimiters, line breaks
//! and doubled quotes inside), LF, CRLF or CR line ends, a UTF-8 byte-order mark, and `,`, `;` or
//! tab as the delimiter (whichever the header line uses most). A malformed file gets an error
//! that names the row, never a panic.
//!
//! Rows are numbered as a spreadsheet shows them: the header is row 1, the first lead row 2.
//! When a quoted field spans lines, the message also gives the line of the file.

use crate::error::Errors;

/// Largest CSV text accepted (64 MiB): a CRM export of a quarter of a million leads fits; a
/// bigger file is better sampled than held in a browser tab's memory.
pub const MAX_BYTES: usize = 64 * MIB;
const MIB: usize = 1024 * 1024;
/// Most data rows accepted.
pub const MAX_ROWS: usize = 250_000;
/// Most columns accepted.
pub const MAX_COLUMNS: usize = 1_000;
/// Ragged rows listed in one error before the rest are only counted.
const MAX_LISTED: usize = 5;

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names, trimmed; an empty name becomes `column N`.
    pub header: Vec<String>,
    /// Data rows, each with exactly one cell per column.
    pub rows: Vec<Vec<String>>,
    /// The file line each data row starts on (1-based), for messages.
    lines: Vec<usize>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The cell of a row, "" if out of range.
    pub fn cell(&self, row: usize, column: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(column)).map(String::as_str).unwrap_or("")
    }

    /// How a message names data row `row` (0-based): `row 2` for the first, plus the file line
    /// when a multi-line field moved it.
    pub fn row_name(&self, row: usize) -> String {
        row_name(row + 2, self.lines.get(row).copied().unwrap_or(row + 2))
    }

    /// The header's names for a message: `"a", "b", "c"`, cut after a dozen.
    pub fn column_list(&self) -> String {
        let shown: Vec<String> = self.header.iter().take(12).map(|h| format!("\"{h}\"")).collect();
        let more = self.header.len().saturating_sub(12);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    }

    /// The column named `name`, or an error listing the header.
    pub fn require_column(&self, name: &str, option: &str) -> Result<usize, Errors> {
        self.column(name).ok_or_else(|| {
            Errors::single(option, format!("no column \"{name}\" in the CSV header (columns: {})", self.column_list()))
        })
    }
}

fn row_name(record: usize, line: usize) -> String {
    if record == line {
        format!("row {record}")
    } else {
        format!("row {record} (line {line})")
    }
}

/// Reads a CSV text whose first row is the header.
pub fn parse(text: &str) -> Result<Table, Errors> {
    if text.len() > MAX_BYTES {
        return Err(Errors::single(
            "csv",
            format!(
                "the file is {} MB; at most {} MB is read (sample the rows, or split the file)",
                text.len().div_ceil(MIB),
                MAX_BYTES / MIB
            ),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = detect_delimiter(text);
    let mut reader = Reader { text, bytes: text.as_bytes(), pos: 0, line: 1, delimiter };
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut ragged: Vec<String> = Vec::new();
    let mut ragged_count = 0usize;
    while let Some((line, fields)) = reader.record(rows.len() + 2)? {
        let Some(names) = &header else {
            if fields.len() > MAX_COLUMNS {
                return Err(Errors::single("csv", format!("the header has {} columns; at most {MAX_COLUMNS}", fields.len())));
            }
            header = Some(header_names(fields)?);
            continue;
        };
        if rows.len() >= MAX_ROWS {
            return Err(Errors::single("csv", format!("more than {MAX_ROWS} rows; sample the leads or split the file")));
        }
        if fields.len() != names.len() {
            ragged_count += 1;
            if ragged.len() < MAX_LISTED {
                ragged.push(format!(
                    "{}: {} field{}, but the header has {} columns",
                    row_name(rows.len() + 2, line),
                    fields.len(),
                    if fields.len() == 1 { "" } else { "s" },
                    names.len()
                ));
            }
        }
        rows.push(fields);
        lines.push(line);
    }
    let Some(header) = header else {
        return Err(Errors::single("csv", "the file is empty: expected a header row naming the columns"));
    };
    if ragged_count > 0 {
        let mut errors = Errors::default();
        for message in ragged {
            errors.push("csv", message);
        }
        if ragged_count > MAX_LISTED {
            errors.push("csv", format!("and {} more rows with the wrong number of fields", ragged_count - MAX_LISTED));
        }
        return Err(errors);
    }
    Ok(Table { header, rows, lines })
}

fn header_names(fields: Vec<String>) -> Result<Vec<String>, Errors> {
    let mut names: Vec<String> = Vec::with_capacity(fields.len());
    let mut errors = Errors::default();
    for (i, field) in fields.into_iter().enumerate() {
        let trimmed = field.trim();
        let name = if trimmed.is_empty() { format!("column {}", i + 1) } else { trimmed.to_string() };
        if names.contains(&name) {
            errors.push("csv", format!("column {}: the name \"{name}\" is used twice in the header", i + 1));
        }
        names.push(name);
    }
    errors.into_result(names)
}

/// The delimiter the header line uses most, outside quotes; a comma when none appears.
fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in text.as_bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(slot) = counts.iter_mut().find(|(d, _)| *d == b) {
                    slot.1 += 1;
                }
            }
            _ => {}
        }
    }
    // max_by_key keeps the last maximum; the comma comes last among equals by reversing.
    counts.iter().rev().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map(|(d, _)| *d).unwrap_or(b',')
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    delimiter: u8,
}

impl Reader<'_> {
    /// The next record with the line it starts on; blank lines are skipped. `record` is the
    /// row number this record will have, for messages.
    fn record(&mut self, record: usize) -> Result<Option<(usize, Vec<String>)>, Errors> {
        loop {
            if self.pos >= self.bytes.len() {
                return Ok(None);
            }
            let start_line = self.line;
            let mut fields = Vec::new();
            let mut blank = true;
            loop {
                let field = if self.bytes.get(self.pos) == Some(&b'"') {
                    blank = false;
                    self.quoted(record, start_line, fields.len())?
                } else {
                    let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
                    let len = rest.iter().position(|&b| b == self.delimiter || b == b'\n' || b == b'\r').unwrap_or(rest.len());
                    let field = self.text.get(self.pos..self.pos + len).unwrap_or("").to_string();
                    self.pos += len;
                    blank &= field.is_empty();
                    field
                };
                fields.push(field);
                match self.bytes.get(self.pos) {
                    Some(&b) if b == self.delimiter => {
                        blank = false;
                        self.pos += 1;
                    }
                    Some(b'\r') => {
                        self.pos += if self.bytes.get(self.pos + 1) == Some(&b'\n') { 2 } else { 1 };
                        self.line += 1;
                        break;
                    }
                    Some(b'\n') => {
                        self.pos += 1;
                        self.line += 1;
                        break;
                    }
                    _ => break,
                }
            }
            if !blank {
                return Ok(Some((start_line, fields)));
            }
        }
    }

    /// A quoted field starting at the opening quote; a doubled quote inside stands for one.
    fn quoted(&mut self, record: usize, start_line: usize, column: usize) -> Result<String, Errors> {
        let mut field = String::new();
        self.pos += 1;
        loop {
            let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
            let Some(len) = rest.iter().position(|&b| b == b'"') else {
                return Err(Errors::single(
                    "csv",
                    format!("{}, field {}: a quoted field is never closed (a \" is missing)", row_name(record, start_line), column + 1),
                ));
            };
            let piece = self.text.get(self.pos..self.pos + len).unwrap_or("");
            self.line += line_breaks(piece);
            field.push_str(piece);
            self.pos += len + 1;
            if self.bytes.get(self.pos) == Some(&b'"') {
                field.push('"');
                self.pos += 1;
            } else {
                break;
            }
        }
        match self.bytes.get(self.pos) {
            None | Some(b'\n' | b'\r') => Ok(field),
            Some(&b) if b == self.delimiter => Ok(field),
            Some(_) => Err(Errors::single(
                "csv",
                format!(
                    "{}, field {}: text after the closing quote (a quote inside a quoted field is written \"\")",
                    row_name(record, start_line),
                    column + 1
                ),
            )),
        }
    }
}

/// Line breaks in a piece of text: CRLF counts once.
fn line_breaks(piece: &str) -> usize {
    let bytes = piece.as_bytes();
    bytes.iter().enumerate().filter(|(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))).count()
}

/// Appends one CSV row (comma-separated, `\n`-terminated), quoting fields that need it.
pub fn write_row<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let field = field.as_ref();
        // Semicolons and tabs are quoted too, so delimiter detection reads the output back as commas.
        // A lone empty cell is quoted too, or its row would be a blank line, which readers skip.
        let needs_quotes = field.contains([',', ';', '\t', '"', '\n', '\r'])
            || field.starts_with(' ')
            || field.ends_with(' ')
            || (field.is_empty() && fields.len() == 1)
            // A leading byte-order mark would be taken for the file's own and dropped.
            || field.starts_with('\u{feff}');
        if needs_quotes {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    fn message(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_quotes_escaped_quotes_and_line_breaks_inside_fields() {
        let t = parse("id,note,n\n1,\"a, b\",2\n2,\"say \"\"hi\"\"\",3\n3,\"two\nlines\",4\n").unwrap();
        assert_eq!(t.header, ["id", "note", "n"]);
        assert_eq!(t.rows[0], ["1", "a, b", "2"]);
        assert_eq!(t.rows[1], ["2", "say \"hi\"", "3"]);
        assert_eq!(t.rows[2], ["3", "two\nlines", "4"]);
        assert_eq!(t.row_name(2), "row 4");
    }

    #[test]
    fn reads_crlf_cr_bom_and_no_final_line_break() {
        let crlf = parse("\u{feff}a,b\r\n1,2\r\n3,4").unwrap();
        assert_eq!(crlf.header, ["a", "b"]);
        assert_eq!(crlf.rows, vec![vec!["1", "2"], vec!["3", "4"]]);
        let cr = parse("a,b\r1,2\r").unwrap();
        assert_eq!(cr.rows, vec![vec!["1", "2"]]);
        let quoted_crlf = parse("a,b\r\n\"x\r\ny\",2\r\n5,6\r\n").unwrap();
        assert_eq!(quoted_crlf.rows[0][0], "x\r\ny");
        assert_eq!(quoted_crlf.row_name(1), "row 3 (line 4)");
    }

    #[test]
    fn keeps_empty_fields_and_skips_blank_lines() {
        let t = parse("a,b,c\n,,\n\n1,,3\n\n").unwrap();
        assert_eq!(t.rows, vec![vec!["", "", ""], vec!["1", "", "3"]]);
        let quoted_empty = parse("a\n\"\"\n").unwrap();
        assert_eq!(quoted_empty.rows, vec![vec![""]]);
    }

    #[test]
    fn detects_semicolons_and_tabs() {
        assert_eq!(parse("a;b\n1,5;2\n").unwrap().rows[0], ["1,5", "2"]);
        assert_eq!(parse("a\tb\n1\t2\n").unwrap().rows[0], ["1", "2"]);
        assert_eq!(parse("\"x;y\",b\n1,2\n").unwrap().header, ["x;y", "b"]);
    }

    #[test]
    fn ragged_rows_are_named() {
        let m = message("a,b,c\n1,2,3\n1,2\n1,2,3,4\n");
        assert!(m.contains("row 3: 2 fields, but the header has 3 columns"), "{m}");
        assert!(m.contains("row 4: 4 fields"), "{m}");
        let many = "a,b\n".to_string() + &"1\n".repeat(8);
        let m = message(&many);
        assert!(m.contains("row 2:") && m.contains("and 3 more rows"), "{m}");
    }

    #[test]
    fn malformed_quotes_are_named() {
        let m = message("a,b\n1,\"open\n2,3\n");
        assert!(m.contains("row 2, field 2: a quoted field is never closed"), "{m}");
        let m = message("a,b\n1,\"x\"y\n");
        assert!(m.contains("row 2, field 2: text after the closing quote"), "{m}");
    }

    #[test]
    fn header_problems_are_named() {
        assert!(message("").contains("the file is empty"));
        assert!(message("\n\n").contains("the file is empty"));
        assert!(message("a,b,a\n1,2,3\n").contains("column 3: the name \"a\" is used twice"));
        let t = parse(" a , ,c\n1,2,3\n").unwrap();
        assert_eq!(t.header, ["a", "column 2", "c"]);
    }

    #[test]
    fn limits_are_enforced_with_a_clear_message() {
        let wide = (0..=MAX_COLUMNS).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
        assert!(message(&wide).contains("columns; at most"));
        let long = "a\n".to_string() + &"1\n".repeat(MAX_ROWS + 1);
        assert!(message(&long).contains("more than 250000 rows"));
        let huge = "a\n".to_string() + &"x".repeat(MAX_BYTES);
        assert!(message(&huge).contains("at most 64 MB"));
    }

    #[test]
    fn written_rows_read_back_the_same() {
        let fields = ["plain", "a,b", "say \"hi\"", "two\nlines", " padded ", ""];
        let mut out = String::new();
        write_row(&mut out, &["h1", "h2", "h3", "h4", "h5", "h6"]);
        write_row(&mut out, &fields);
        let t = parse(&out).unwrap();
        assert_eq!(t.rows[0], fields);
    }

    #[test]
    fn a_missing_column_lists_the_header() {
        let t = parse("id,Converted\n1,0\n").unwrap();
        let m = t.require_column("Label", "label").unwrap_err().to_string();
        assert_eq!(m, "label: no column \"Label\" in the CSV header (columns: \"id\", \"Converted\")");
    }
}
