//! An RFC 4180 CSV reader and writer for CRM exports: quoted fields (with delimiters, line breaks
//! and doubled quotes inside), LF, CRLF or CR line ends, a UTF-8 byte-order mark, and `,`, `;` or
//! tab as the delimiter (whichever the header line uses most). A malformed file gets an error
//! that names the row, never a panic.
//!
//! Rows are numbered as a spreadsheet shows them: the header is row 1, the first lead row 2.
//! When a quoted field spans lines, the message also gives the line of the file.

use crate::error::Errors;

mod encoding;
mod records;

pub use encoding::*;
pub use records::*;

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
                "the file is {} MB; at most {} MB is read at once (the CLI streams files of any size)",
                text.len().div_ceil(MIB),
                MAX_BYTES / MIB
            ),
        ));
    }
    let mut reader = RecordReader::new(None, Encoding::Utf8);
    reader.push(text.as_bytes());
    reader.finish();
    let mut record = Record::default();
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    let mut ragged: Vec<String> = Vec::new();
    let mut ragged_count = 0usize;
    loop {
        match reader.next(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(bad) => return Err(Errors::single("csv", bad.message(&row_name(rows.len() + 2, bad.line)))),
        }
        let fields: Vec<String> = record.cells().map(str::to_string).collect();
        let Some(names) = &header else {
            header = Some(header_names(fields)?);
            continue;
        };
        if rows.len() >= MAX_ROWS {
            return Err(Errors::single(
                "csv",
                format!("more than {MAX_ROWS} rows; sample the leads or split the file"),
            ));
        }
        if fields.len() != names.len() {
            ragged_count += 1;
            if ragged.len() < MAX_LISTED {
                ragged.push(format!(
                    "{}: {}",
                    row_name(rows.len() + 2, record.line),
                    ragged_message(fields.len(), names.len())
                ));
            }
        }
        rows.push(fields);
        lines.push(record.line);
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

/// What is wrong with a row that has `fields` fields under a header of `columns`.
pub fn ragged_message(fields: usize, columns: usize) -> String {
    format!("{fields} field{}, but the header has {columns} columns", if fields == 1 { "" } else { "s" })
}

/// The header's cells as column names: trimmed, an empty one named `column N`, no name twice.
pub fn header_names(fields: Vec<String>) -> Result<Vec<String>, Errors> {
    if fields.len() > MAX_COLUMNS {
        return Err(Errors::single("csv", format!("the header has {} columns; at most {MAX_COLUMNS}", fields.len())));
    }
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

/// The delimiter the header line uses most, outside quotes (a comma when none appears); None
/// while the first line is not complete in `bytes` and more may come.
fn detect_delimiter(bytes: &[u8], complete: bool) -> Option<u8> {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    let mut ended = complete;
    for &b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => {
                ended = true;
                break;
            }
            _ if !quoted => {
                if let Some(slot) = counts.iter_mut().find(|(d, _)| *d == b) {
                    slot.1 += 1;
                }
            }
            _ => {}
        }
    }
    if !ended {
        return None;
    }
    // max_by_key keeps the last maximum; the comma comes last among equals by reversing.
    Some(counts.iter().rev().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map(|(d, _)| *d).unwrap_or(b','))
}

/// Appends one CSV row (comma-separated, `\n`-terminated), quoting fields that need it.
pub fn write_row<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_field(out, field.as_ref(), fields.len() == 1);
    }
    out.push('\n');
}

/// Appends one CSV field, quoted when it needs it; `alone` when it is its row's only field.
pub fn write_field(out: &mut String, field: &str, alone: bool) {
    // Semicolons and tabs are quoted too, so delimiter detection reads the output back as commas.
    // A lone empty cell is quoted too, or its row would be a blank line, which readers skip.
    // This runs for every cell of a scored file: bytes are read up to the first that needs quotes
    // (a breakdown has one a few bytes in), then quotes to double are searched for.
    let special = field.bytes().any(|b| matches!(b, b',' | b';' | b'\t' | b'"' | b'\n' | b'\r'));
    let quotes = special && field.contains('"');
    let needs_quotes = special
        || field.starts_with(' ')
        || field.ends_with(' ')
        || (field.is_empty() && alone)
        // A leading byte-order mark would be taken for the file's own and dropped.
        || field.starts_with('\u{feff}');
    if needs_quotes {
        out.push('"');
        if quotes {
            out.push_str(&field.replace('"', "\"\""));
        } else {
            out.push_str(field);
        }
        out.push('"');
    } else {
        out.push_str(field);
    }
}

#[cfg(test)]
mod tests {
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

    /// Every record of `bytes` fed in pieces of `size`, bad ones as `!line:problem`.
    fn stream(bytes: &[u8], size: usize, encoding: Encoding) -> Vec<String> {
        let mut reader = RecordReader::new(None, encoding);
        let mut record = Record::default();
        let mut out = Vec::new();
        let mut drain = |reader: &mut RecordReader, out: &mut Vec<String>| loop {
            match reader.next(&mut record) {
                Ok(true) => out.push(format!("{}:{}", record.line, record.cells().collect::<Vec<_>>().join("|"))),
                Ok(false) => break,
                Err(bad) => out.push(format!("!{}:{}", bad.line, bad.problem)),
            }
        };
        for piece in bytes.chunks(size.max(1)) {
            reader.push(piece);
            drain(&mut reader, &mut out);
        }
        reader.finish();
        drain(&mut reader, &mut out);
        out
    }

    #[test]
    fn records_split_anywhere_across_pushes_read_the_same() {
        let text = "\u{feff}id;note;n\r\n1;\"a; b\";2\r\n2;\"two\r\nlines \"\"q\"\"\";3\r\n\r\n3;\"x\"y;4\n4;\u{e9}t\u{e9};5\r";
        let whole = stream(text.as_bytes(), text.len(), Encoding::Utf8);
        assert_eq!(
            whole,
            [
                "1:id|note|n",
                "2:1|a; b|2",
                "3:2|two\r\nlines \"q\"|3",
                "!6:text after the closing quote (a quote inside a quoted field is written \"\")",
                "7:4|\u{e9}t\u{e9}|5"
            ]
        );
        for size in 1..text.len() {
            assert_eq!(stream(text.as_bytes(), size, Encoding::Utf8), whole, "pieces of {size} bytes");
        }
    }

    #[test]
    fn windows_1252_and_bad_utf8_and_unclosed_quotes() {
        let bytes = b"name,city\n\x93Ren\xe9\x94,K\xf6ln\n";
        assert_eq!(stream(bytes, 3, Encoding::Windows1252), ["1:name|city", "2:\u{201c}Ren\u{e9}\u{201d}|K\u{f6}ln"]);
        let as_utf8 = stream(bytes, 64, Encoding::Utf8);
        assert!(as_utf8[1].starts_with("!2:the text is not UTF-8"), "{as_utf8:?}");
        assert_eq!(
            stream(b"a,b\n1,\"open\n2,3\n", 4, Encoding::Utf8)[1],
            "!2:a quoted field is never closed (a \" is missing)"
        );
        assert_eq!(Encoding::parse("CP-1252"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::parse("ebcdic"), None);
    }

    #[test]
    fn bytes_that_are_not_utf8_refuse_their_record_once_however_the_input_is_cut() {
        // A valid character cut by a push, a bad byte in a quoted field that spans lines (read
        // again while its end has not come: it was reported at every try), one in a plain line,
        // and a character the end of the input cuts short.
        let bytes = b"id,note\n1,caf\xc3\xa9\n2,\"a\xff\nb\"\n3,ok\n4,x\xe9y\n5,\"\xe2\x82\xac\"\n6,end\xc3";
        let not_utf8 = "the text is not UTF-8 (for Windows-1252 files, give the encoding)";
        let expected = [
            "1:id|note".to_string(),
            "2:1|caf\u{e9}".into(),
            format!("!3:{not_utf8}"),
            "5:3|ok".into(),
            format!("!6:{not_utf8}"),
            "7:5|\u{20ac}".into(),
            format!("!8:{not_utf8}"),
        ];
        for size in 1..=bytes.len() {
            assert_eq!(stream(bytes, size, Encoding::Utf8), expected, "pieces of {size} bytes");
        }
    }

    #[test]
    fn plain_lines_are_scanned_eight_bytes_at_a_time_as_one_byte_at_a_time() {
        // Bytes next to the special ones (the word test's false flags sit just above a match).
        let alphabet = b",;\t\"\n\r\x00\x01\x2d\x2c\x3c\x3b\x23\x22\x0b\x0e\x80\xffab";
        let mut seed = 7u64;
        for delimiter in [b',', b';', b'\t'] {
            let table = classes(delimiter);
            for length in 0..40 {
                for _ in 0..200 {
                    let line: Vec<u8> = (0..length)
                        .map(|_| {
                            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                            alphabet[(seed >> 33) as usize % alphabet.len()]
                        })
                        .collect();
                    let mut expected_ends = Vec::new();
                    let mut expected = None;
                    for (at, &b) in line.iter().enumerate() {
                        match table[usize::from(b)] {
                            PLAIN => {}
                            DELIMITER => expected_ends.push(at),
                            LINE_END => {
                                expected = Some(at);
                                break;
                            }
                            _ => break,
                        }
                    }
                    let mut ends = Vec::new();
                    let end = scan_plain_line(&line, delimiter, &table, &mut ends);
                    assert_eq!(end, expected, "{line:?}");
                    if expected.is_some() {
                        assert_eq!(ends, expected_ends, "{line:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_missing_column_lists_the_header() {
        let t = parse("id,Converted\n1,0\n").unwrap();
        let m = t.require_column("Label", "label").unwrap_err().to_string();
        assert_eq!(m, "label: no column \"Label\" in the CSV header (columns: \"id\", \"Converted\")");
    }
}
