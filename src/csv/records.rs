//! Records read as a stream: bytes in any chunks, records out with their line numbers, bad records
//! reported by line and skipped.

use super::*;

/// Longest record held while waiting for its end: past this a quote is surely missing, and
/// reading on would hold the rest of the file in memory.
pub const MAX_RECORD_BYTES: usize = 8 * MIB;

/// One record of a CSV: its cells, and the file line it starts on.
#[derive(Debug, Default, Clone)]
pub struct Record {
    pub line: usize,
    /// The cells, one separator byte between two (so an unquoted line is copied as it is).
    pub(super) text: String,
    /// The end of each cell in `text`; the next cell starts one byte later.
    pub(super) ends: Vec<usize>,
}

impl Record {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cell `i`, "" when out of range.
    pub fn cell(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).map_or(0, |end| end + 1) };
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or("")
    }

    pub fn cells(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|i| self.cell(i))
    }
}

/// A record that cannot be read, and where; the reader has moved past it.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRecord {
    pub line: usize,
    /// The field (1-based) the problem is in, when it is in one.
    pub field: Option<usize>,
    pub problem: String,
    /// Reading cannot go on after it (a record too long to be one).
    pub fatal: bool,
}

impl BadRecord {
    /// The message, after how the caller names the record (`row 7`, `line 12`).
    pub fn message(&self, record: &str) -> String {
        match self.field {
            Some(field) => format!("{record}, field {field}: {}", self.problem),
            None => format!("{record}: {}", self.problem),
        }
    }
}

/// An RFC 4180 reader fed in chunks (a file of any size, a stream): bytes are pushed as they
/// come, and every complete record is read out; a record split across chunks (a quoted line
/// break, a chunk ending mid-line) waits for the next push. Memory is the largest record plus
/// the last chunk.
#[derive(Debug)]
pub struct RecordReader {
    pub(super) buf: Vec<u8>,
    /// Where the next record starts in `buf`.
    pub(super) pos: usize,
    /// The file line at `pos`.
    pub(super) line: usize,
    pub(super) delimiter: Option<u8>,
    pub(super) encoding: Encoding,
    /// No more bytes will come.
    pub(super) finished: bool,
    /// The start of the input was seen (a byte-order mark is dropped there), and until then
    /// the bytes that may be one.
    pub(super) started: bool,
    pub(super) head: Vec<u8>,
    /// Per byte value: what it is to `plain_record` (see `classes`), for `delimiter`.
    pub(super) classes: [u8; 256],
}

/// Byte classes of `RecordReader::classes`.
pub(super) const PLAIN: u8 = 0;
pub(super) const DELIMITER: u8 = 1;
const QUOTE: u8 = 2;
pub(super) const LINE_END: u8 = 3;

pub(super) fn classes(delimiter: u8) -> [u8; 256] {
    let mut classes = [PLAIN; 256];
    for (b, class) in [(delimiter, DELIMITER), (b'"', QUOTE), (b'\n', LINE_END), (b'\r', LINE_END)] {
        if let Some(slot) = classes.get_mut(usize::from(b)) {
            *slot = class;
        }
    }
    classes
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

enum Step {
    Record,
    Blank,
    NeedMore,
    End,
}

impl RecordReader {
    /// `delimiter` None: the one the header line uses most (`,`, `;` or tab).
    pub fn new(delimiter: Option<u8>, encoding: Encoding) -> RecordReader {
        let classes = classes(delimiter.unwrap_or(b','));
        RecordReader {
            buf: Vec::new(),
            pos: 0,
            line: 1,
            delimiter,
            encoding,
            finished: false,
            started: false,
            head: Vec::new(),
            classes,
        }
    }

    /// Adds the next bytes of the input.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        if self.started {
            self.decode(bytes);
            return;
        }
        // A UTF-8 byte-order mark, however the rest is encoded; it may come split across pushes.
        self.head.extend_from_slice(bytes);
        if self.head.len() < BOM.len() && BOM.starts_with(&self.head) && !self.finished {
            return;
        }
        self.started = true;
        let head = std::mem::take(&mut self.head);
        self.decode(head.strip_prefix(BOM).unwrap_or(&head));
    }

    fn decode(&mut self, bytes: &[u8]) {
        match self.encoding {
            Encoding::Utf8 => self.buf.extend_from_slice(bytes),
            Encoding::Windows1252 => push_cp1252(&mut self.buf, bytes),
        }
    }

    /// No more input: what remains is read as the last records.
    pub fn finish(&mut self) {
        self.finished = true;
        if !self.started {
            self.push(&[]);
        }
    }

    /// The delimiter in use, once the header line has been seen.
    pub fn delimiter(&self) -> Option<u8> {
        self.delimiter
    }

    /// The file line the next record starts on.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Numbers the lines from here on as from `line` (a part of a file read after its header).
    pub fn set_line(&mut self, line: usize) {
        self.line = line;
    }

    /// Bytes held and not yet read as records.
    pub fn pending(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Reads the next record into `record`: Ok(true) when there was one, Ok(false) when more
    /// input is needed (or, after `finish`, at the end). A malformed record is skipped and returned
    /// as the error, so reading can go on with the next one unless it is fatal.
    pub fn next(&mut self, record: &mut Record) -> Result<bool, BadRecord> {
        if !self.started {
            return Ok(false);
        }
        let delimiter = match self.delimiter {
            Some(d) => d,
            None => match detect_delimiter(self.buf.get(self.pos..).unwrap_or(&[]), self.finished) {
                Some(d) => {
                    self.delimiter = Some(d);
                    self.classes = classes(d);
                    d
                }
                None => return self.wait(),
            },
        };
        loop {
            let mut bytes = std::mem::take(&mut record.text).into_bytes();
            bytes.clear();
            record.ends.clear();
            record.line = self.line;
            let step = match self.plain_record(delimiter, &mut bytes, &mut record.ends) {
                Some(step) => Ok(step),
                None => self.step(delimiter, &mut bytes, &mut record.ends),
            };
            let step = match step {
                Ok(step) => step,
                Err(bad) => {
                    record.text = String::from_utf8(bytes).unwrap_or_default();
                    return Err(bad);
                }
            };
            // Only a whole record is checked: the start of one whose end has not come yet is
            // read again with the next push (refusing it then would refuse it at every push).
            if !matches!(step, Step::Record) {
                bytes.clear();
            }
            match String::from_utf8(bytes) {
                Ok(text) => record.text = text,
                Err(e) => {
                    let mut bytes = e.into_bytes();
                    bytes.clear();
                    record.text = String::from_utf8(bytes).unwrap_or_default();
                    return Err(BadRecord {
                        line: record.line,
                        field: None,
                        problem: "the text is not UTF-8 (for Windows-1252 files, give the encoding)".into(),
                        fatal: false,
                    });
                }
            }
            match step {
                Step::Record => return Ok(true),
                Step::Blank => continue,
                Step::NeedMore => return self.wait(),
                Step::End => return Ok(false),
            }
        }
    }

    /// Ok(false) while waiting for more input, or the error of a record too long to wait for.
    fn wait(&self) -> Result<bool, BadRecord> {
        if self.pending() > MAX_RECORD_BYTES {
            return Err(BadRecord {
                line: self.line,
                field: None,
                problem: format!("a record longer than {} MB: a quote is probably missing", MAX_RECORD_BYTES / MIB),
                fatal: true,
            });
        }
        Ok(false)
    }

    /// The common record, a line without quotes, read whole: one copy, its cells found by their
    /// delimiters in one pass (`scan_plain_line`). None (nothing consumed, `out` and `ends` left
    /// empty) for a line with a quote, a blank line, or one whose end is not in the buffer yet:
    /// `step` reads those.
    fn plain_record(&mut self, delimiter: u8, out: &mut Vec<u8>, ends: &mut Vec<usize>) -> Option<Step> {
        let rest = self.buf.get(self.pos..)?;
        let end = scan_plain_line(rest, delimiter, &self.classes, ends);
        let consumed = match end.map(|at| (at, rest.get(at), rest.get(at + 1))) {
            Some((at, Some(b'\n'), _)) if at > 0 => at + 1,
            Some((at, Some(b'\r'), Some(b'\n'))) if at > 0 => at + 2,
            Some((at, Some(b'\r'), Some(_))) if at > 0 => at + 1,
            _ => {
                ends.clear();
                return None;
            }
        };
        let line = rest.get(..end?)?;
        ends.push(line.len());
        out.extend_from_slice(line);
        self.pos += consumed;
        self.line += 1;
        Some(Step::Record)
    }

    /// Reads one record at `pos` into `out` / `ends`; on `NeedMore` nothing is consumed.
    fn step(&mut self, delimiter: u8, out: &mut Vec<u8>, ends: &mut Vec<usize>) -> Result<Step, BadRecord> {
        let buf = &self.buf;
        let len = buf.len();
        let mut i = self.pos;
        let mut lines = 0usize;
        if i >= len {
            return Ok(if self.finished { Step::End } else { Step::NeedMore });
        }
        let mut blank = true;
        loop {
            if buf.get(i) == Some(&b'"') {
                blank = false;
                i = match read_quoted(buf, i + 1, self.finished, out, &mut lines) {
                    Quoted::Closed(next) => next,
                    Quoted::NeedMore => return Ok(Step::NeedMore),
                    Quoted::Unclosed => {
                        let line = self.line;
                        self.pos = len;
                        return Err(never_closed(line, ends.len() + 1));
                    }
                };
                match after_closing_quote(buf, i, delimiter, self.finished) {
                    AfterQuote::FieldEnds => {}
                    AfterQuote::NeedMore => return Ok(Step::NeedMore),
                    // Skipped to the end of the line, to go on with the next record.
                    AfterQuote::Stray(next) => {
                        let line = self.line;
                        match next {
                            Some(next) => {
                                self.line += lines + 1;
                                self.pos = next;
                            }
                            None => self.pos = len,
                        }
                        return Err(after_quote(line, ends.len() + 1));
                    }
                }
            } else {
                let rest = buf.get(i..).unwrap_or(&[]);
                let at = rest.iter().position(|&b| b == delimiter || b == b'\n' || b == b'\r');
                let at = match at {
                    Some(at) => at,
                    None if self.finished => rest.len(),
                    None => return Ok(Step::NeedMore),
                };
                let piece = rest.get(..at).unwrap_or(&[]);
                blank &= piece.is_empty();
                out.extend_from_slice(piece);
                i += at;
            }
            ends.push(out.len());
            match buf.get(i) {
                Some(&b) if b == delimiter => {
                    blank = false;
                    i += 1;
                    out.push(delimiter);
                }
                Some(b'\r') => {
                    match buf.get(i + 1) {
                        Some(b'\n') => i += 2,
                        None if !self.finished => return Ok(Step::NeedMore),
                        _ => i += 1,
                    }
                    lines += 1;
                    break;
                }
                Some(b'\n') => {
                    i += 1;
                    lines += 1;
                    break;
                }
                _ => break,
            }
        }
        self.pos = i;
        self.line += lines;
        Ok(if blank { Step::Blank } else { Step::Record })
    }
}

/// What [`read_quoted`] found.
enum Quoted {
    /// The field's closing quote, and the position after it.
    Closed(usize),
    /// The input ends inside the field, and more may come.
    NeedMore,
    /// The input ended inside the field.
    Unclosed,
}

/// Reads a quoted field's content from `i` (after its opening quote) into `out`: `""` is one quote, line
/// breaks inside are counted into `lines`.
fn read_quoted(buf: &[u8], mut i: usize, finished: bool, out: &mut Vec<u8>, lines: &mut usize) -> Quoted {
    loop {
        let rest = buf.get(i..).unwrap_or(&[]);
        let Some(at) = rest.iter().position(|&b| b == b'"') else {
            return if finished { Quoted::Unclosed } else { Quoted::NeedMore };
        };
        let piece = rest.get(..at).unwrap_or(&[]);
        *lines += line_breaks(piece);
        out.extend_from_slice(piece);
        i += at + 1;
        match buf.get(i) {
            Some(b'"') => {
                out.push(b'"');
                i += 1;
            }
            None if !finished => return Quoted::NeedMore,
            _ => return Quoted::Closed(i),
        }
    }
}

/// What follows a quoted field's closing quote.
enum AfterQuote {
    /// A delimiter, a line end or the end of the input: the field ends there.
    FieldEnds,
    /// Something else, and the line's end is not in the buffer yet.
    NeedMore,
    /// Something else: the record is bad. The position after its line's end (None: the input ended first).
    Stray(Option<usize>),
}

fn after_closing_quote(buf: &[u8], i: usize, delimiter: u8, finished: bool) -> AfterQuote {
    match buf.get(i) {
        None => AfterQuote::FieldEnds,
        Some(&b) if b == delimiter || b == b'\n' || b == b'\r' => AfterQuote::FieldEnds,
        Some(_) => match buf.get(i..).unwrap_or(&[]).iter().position(|&b| b == b'\n') {
            Some(end) => AfterQuote::Stray(Some(i + end + 1)),
            None if !finished => AfterQuote::NeedMore,
            None => AfterQuote::Stray(None),
        },
    }
}

/// Where the line at the start of `rest` ends (its first CR or LF), with the end of each of its
/// cells but the last pushed to `ends`; None when a quote comes first or the line does not end in
/// `rest`. Eight bytes at a time: the bytes of a word that may be special are flagged at once, and
/// only those are looked up in `classes` (a CSV line is mostly plain bytes).
pub(super) fn scan_plain_line(rest: &[u8], delimiter: u8, classes: &[u8; 256], ends: &mut Vec<usize>) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // The high bit of every byte of `word` equal to `byte`, and at times of a byte just above one
    // (the subtraction's borrow): every flag is checked against `classes`.
    let equal = |word: u64, byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    // The quote and the line ends are the only special bytes below `"` + 1: one test flags all three
    // (with spaces and `!`, which `classes` calls plain).
    let below_quote = |word: u64| word.wrapping_sub(ONES * u64::from(b'"' + 1)) & !word & HIGHS;
    let class = |b: u8| classes.get(usize::from(b)).copied().unwrap_or(PLAIN);
    let mut words = rest.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut words {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let mut flags = equal(word, delimiter) | below_quote(word);
        while flags != 0 {
            let i = (flags.trailing_zeros() / 8) as usize;
            flags &= flags - 1;
            match chunk.get(i).copied().map_or(PLAIN, class) {
                PLAIN => {}
                DELIMITER => ends.push(base + i),
                LINE_END => return Some(base + i),
                _ => return None,
            }
        }
        base += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        match class(b) {
            PLAIN => {}
            DELIMITER => ends.push(base + i),
            LINE_END => return Some(base + i),
            _ => return None,
        }
    }
    None
}

fn never_closed(line: usize, field: usize) -> BadRecord {
    BadRecord {
        line,
        field: Some(field),
        problem: "a quoted field is never closed (a \" is missing)".into(),
        // It ran to the end of the input: nothing is left to read anyway.
        fatal: false,
    }
}

fn after_quote(line: usize, field: usize) -> BadRecord {
    BadRecord {
        line,
        field: Some(field),
        problem: "text after the closing quote (a quote inside a quoted field is written \"\")".into(),
        fatal: false,
    }
}

/// Line breaks in a piece of text: CRLF counts once.
fn line_breaks(bytes: &[u8]) -> usize {
    bytes.iter().enumerate().filter(|(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))).count()
}
