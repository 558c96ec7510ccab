//! Scoring a CSV of any size as a stream: bytes are pushed in chunks (from a file, a pipe, a
//! gunzip stream), every complete row is scored, and the output text of those rows is returned at
//! once, so memory stays constant whatever the file's size. A model whose rules are all trait rules
//! is scored on the fast path (`flat`: each cell read as a code and a number, the rules' tests
//! looked up); a row the fast path cannot judge exactly, and every row of other models, goes
//! through the general engine. Either way a row's output equals `score_csv`'s for it.

use super::batch::{compact_breakdown, default_id_column, model_traits, SCORE_COLUMNS};
use super::columns::cell_key;
use super::options::ScoreCsvOptions;
use crate::csv::{self, BadRecord, Encoding, Record, RecordReader};
use crate::engine::settle_fired;
use crate::error::Errors;
use crate::flat::{trait_tests, FlatModel, MISSING, NUMBER, UNKNOWN_TEXT};
use crate::model::{Model, ModelSet, Scalar, TraitTest};
use crate::read::{self, fmt_centi, parse_decimal};
use crate::value::Value;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: the text table's keys are short and not chosen by an attacker (they are the model's
/// constants; a cell only looks one up), so a simple hash beats the default SipHash per cell.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type TextCodes = HashMap<String, f64, BuildHasherDefault<Fnv>>;

/// Bad-row messages kept for the summary; the rest are only counted.
const MAX_LISTED: usize = 20;

/// How rows are read and written.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamOptions {
    /// None: detected from the header line.
    pub delimiter: Option<u8>,
    pub encoding: Encoding,
    /// Output as JSON Lines instead of CSV.
    pub jsonl: bool,
    /// A bad row ends the run (else it is skipped, counted and listed).
    pub fail_on_error: bool,
    /// A part of a file scored apart from the rest (the CLI's workers): the file's header is pushed
    /// first, then the part's bytes; the summary also says where reading stopped (see
    /// `RowStream::part_summary`).
    pub part: Option<Part>,
}

/// `read.part`: how the rows of a part of a file are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// The file line the part's first row starts on (None: the line after the header).
    pub line: Option<usize>,
}

impl Default for StreamOptions {
    fn default() -> StreamOptions {
        StreamOptions { delimiter: None, encoding: Encoding::Utf8, jsonl: false, fail_on_error: false, part: None }
    }
}

impl StreamOptions {
    /// `{ delimiter: ",", ";", "\t" or "tab", encoding: "utf-8" | "windows-1252", format: "csv" |
    /// "jsonl", onError: "skip" | "fail", part: { line? } }`, all optional.
    pub fn from_value(value: &Value) -> Result<StreamOptions, Errors> {
        let mut options = StreamOptions::default();
        if *value == Value::Null {
            return Ok(options);
        }
        let mut errors = Errors::default();
        let entries = read::object(value, "read", &["delimiter", "encoding", "format", "onError", "part"], &mut errors)
            .unwrap_or(&[]);
        let text = |key: &str, errors: &mut Errors| {
            read::field(entries, key)
                .filter(|v| **v != Value::Null)
                .and_then(|v| read::string(v, &format!("read.{key}"), 40, errors))
        };
        if let Some(d) = text("delimiter", &mut errors) {
            match d.as_str() {
                "," | "comma" => options.delimiter = Some(b','),
                ";" | "semicolon" => options.delimiter = Some(b';'),
                "\t" | "tab" => options.delimiter = Some(b'\t'),
                "|" | "pipe" => options.delimiter = Some(b'|'),
                _ => errors.push("read.delimiter", format!("\"{d}\" is not one of , ; tab |")),
            }
        }
        if let Some(e) = text("encoding", &mut errors) {
            match Encoding::parse(&e) {
                Some(encoding) => options.encoding = encoding,
                None => errors.push("read.encoding", format!("\"{e}\" is not utf-8 or windows-1252")),
            }
        }
        match text("format", &mut errors).as_deref() {
            None | Some("csv") => {}
            Some("jsonl") => options.jsonl = true,
            Some(other) => errors.push("read.format", format!("\"{other}\" is not csv or jsonl")),
        }
        match text("onError", &mut errors).as_deref() {
            None | Some("skip") => {}
            Some("fail") => options.fail_on_error = true,
            Some(other) => errors.push("read.onError", format!("\"{other}\" is not skip or fail")),
        }
        if let Some(part) = read::field(entries, "part").filter(|v| **v != Value::Null) {
            let entries = read::object(part, "read.part", &["line"], &mut errors).unwrap_or(&[]);
            let line =
                read::field(entries, "line").and_then(|v| read::number(v, "read.part.line", 1.0, 9e15, &mut errors));
            if line.is_some_and(|n| n.fract() != 0.0) {
                errors.push("read.part.line", "expected a whole line number");
            }
            options.part = Some(Part { line: line.map(|n| n as usize) });
        }
        errors.into_result(options)
    }
}

/// Rows of a CSV pushed in chunks, read one record at a time, with bad rows counted and
/// listed (or fatal): what every streaming command shares.
pub struct RowStream {
    reader: RecordReader,
    pub record: Record,
    pub header: Vec<String>,
    fail_on_error: bool,
    part: Option<Part>,
    /// Data rows read, bad ones included (a row's ordinal is its id when there is no id column).
    pub rows: u64,
    pub bad: u64,
    pub messages: Vec<String>,
}

impl RowStream {
    pub fn new(options: &StreamOptions) -> RowStream {
        RowStream {
            reader: RecordReader::new(options.delimiter, options.encoding),
            record: Record::default(),
            header: Vec::new(),
            fail_on_error: options.fail_on_error,
            part: options.part,
            rows: 0,
            bad: 0,
            messages: Vec::new(),
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.reader.push(bytes);
    }

    pub fn finish(&mut self) {
        self.reader.finish();
    }

    /// Bytes pushed and not yet read as rows.
    pub fn pending(&self) -> usize {
        self.reader.pending()
    }

    /// Reads the next data row into `record`: Ok(Some(true)) when there is one; Ok(Some(false))
    /// right after the header was read (the caller plans its columns); Ok(None) when more input is
    /// needed or at the end. Bad rows are skipped here (or fail).
    pub fn next_row(&mut self) -> Result<Option<bool>, Errors> {
        loop {
            let bad = match self.reader.next(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) if self.header.is_empty() => {
                    self.header = csv::header_names(self.record.cells().map(str::to_string).collect())?;
                    if let Some(line) = self.part.and_then(|p| p.line) {
                        self.reader.set_line(line);
                    }
                    return Ok(Some(false));
                }
                Ok(true) if self.record.len() == self.header.len() => {
                    self.rows += 1;
                    return Ok(Some(true));
                }
                Ok(true) => BadRecord {
                    line: self.record.line,
                    field: None,
                    problem: csv::ragged_message(self.record.len(), self.header.len()),
                    fatal: false,
                },
                Err(bad) => bad,
            };
            if self.header.is_empty() {
                return Err(Errors::single("csv", bad.message(&format!("line {} (the header)", bad.line))));
            }
            self.rows += 1;
            self.reject(&bad.message(&format!("line {}", bad.line)), bad.fatal)?;
        }
    }

    /// Counts a bad row and lists it, or fails the run.
    pub fn reject(&mut self, message: &str, fatal: bool) -> Result<(), Errors> {
        if self.fail_on_error || fatal {
            return Err(Errors::single("csv", message));
        }
        self.bad += 1;
        if self.messages.len() < MAX_LISTED {
            self.messages.push(message.to_string());
        }
        Ok(())
    }

    /// `{ rows, bad, errors: [messages] }` then `more`.
    pub fn summary(&self, more: Vec<(&str, Value)>) -> Value {
        let mut entries = vec![
            ("rows", Value::Number(self.rows as f64)),
            ("bad", Value::Number(self.bad as f64)),
            ("errors", Value::Array(self.messages.iter().map(|m| Value::from(m.as_str())).collect())),
        ];
        entries.extend(more);
        Value::object(entries)
    }

    /// Whether this reads a part of a file (`StreamOptions::part`).
    pub fn is_part(&self) -> bool {
        self.part.is_some()
    }

    /// What the caller of a part needs to join it to the next: `line`, the file line reading
    /// stopped on, and `pending`, the bytes pushed and not read (a record the part's end cut).
    pub fn part_summary(&self) -> Vec<(&'static str, Value)> {
        vec![("line", Value::Number(self.reader.line() as f64)), ("pending", Value::Number(self.pending() as f64))]
    }

    /// The end of the input: an empty file has no header.
    pub fn check_header(&self) -> Result<(), Errors> {
        if self.header.is_empty() {
            return Err(Errors::single("csv", "the file is empty: expected a header row naming the columns"));
        }
        Ok(())
    }

    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The id column (`options.id`, or one named like an id) and the `options.keep` columns of `score`'s output.
    pub fn id_and_keep(&self, options: &ScoreCsvOptions) -> Result<(Option<usize>, Vec<usize>), Errors> {
        let id = match &options.id {
            Some(name) => Some(self.require_column(name, "options.id")?),
            None => default_id_column(&self.header),
        };
        let mut errors = Errors::default();
        let keep: Vec<usize> = options
            .keep
            .iter()
            .filter_map(|name| self.require_column(name, "options.keep").map_err(|e| errors.0.extend(e.0)).ok())
            .collect();
        errors.into_result((id, keep))
    }

    pub fn require_column(&self, name: &str, option: &str) -> Result<usize, Errors> {
        self.column(name).ok_or_else(|| {
            let shown: Vec<String> = self.header.iter().take(12).map(|h| format!("\"{h}\"")).collect();
            Errors::single(option, format!("no column \"{name}\" in the CSV header (columns: {})", shown.join(", ")))
        })
    }
}

/// A command fed a CSV in chunks: `push` returns the output of the rows each chunk completes,
/// `finish` that of the last rows.
pub trait Streamed {
    fn rows(&mut self) -> &mut RowStream;

    /// Reads every complete row pushed so far; returns their output.
    fn drain(&mut self) -> Result<Vec<u8>, Errors>;

    fn push(&mut self, bytes: &[u8]) -> Result<Vec<u8>, Errors> {
        self.rows().push(bytes);
        self.drain()
    }

    fn finish(&mut self) -> Result<Vec<u8>, Errors> {
        self.rows().finish();
        let out = self.drain()?;
        self.rows().check_header()?;
        Ok(out)
    }
}

/// One row's score, as either path gives it.
pub struct Scored {
    pub total: i64,
    pub fit: i64,
    pub engagement: i64,
    pub stage: usize,
    pub qualified: bool,
}

/// A model ready to score the rows of one CSV header.
pub struct RowScorer {
    model: Model,
    now: i64,
    /// (column, trait name) for the general path.
    columns: Vec<(usize, String)>,
    flat: Option<FlatRows>,
    fired: Vec<usize>,
    /// Whether `score` writes each row's breakdown (`score` prints it; `compare` needs only totals).
    explain: bool,
    /// The last row's breakdown, `rule:points;…`, reused from row to row.
    breakdown: String,
    pub flat_rows: u64,
    pub general_rows: u64,
}

/// The fast path for one header: each model field's column and how its cells encode.
struct FlatRows {
    flat: FlatModel,
    /// Per flat field: its column, or None when the CSV lacks it (always missing).
    column: Vec<Option<usize>>,
    /// Per field: a text that reads as a number and is no text constant scores as that number
    /// (only range and number tests on the field), or an unknown text's code covers it.
    number_safe: Vec<bool>,
    /// Per field: some test looks inside the text (`contains`): texts go the general path.
    contains: Vec<bool>,
    /// Per field: the encoding of cells seen lately that are not plain digits, as (cell, code,
    /// number), code NaN for "general path": the columns a model reads mostly repeat a few
    /// answers, and a short scan beats trimming, folding and hashing the cell again.
    seen: Vec<Vec<(Box<str>, f64, f64)>>,
    codes_of: TextCodes,
    /// `id:points` of each rule, by model index.
    lines: Vec<String>,
    codes: Vec<f64>,
    numbers: Vec<f64>,
    key: String,
}

impl RowScorer {
    /// Plans scoring for a header; errors name missing columns.
    pub fn new(model: &Model, header: &[String], now: i64) -> Result<RowScorer, Errors> {
        let column = |name: &str| header.iter().position(|h| h == name);
        let wanted = model_traits(model);
        let columns: Vec<(usize, String)> =
            wanted.iter().filter_map(|name| column(name).map(|i| (i, name.clone()))).collect();
        if columns.is_empty() && !wanted.is_empty() {
            let shown: Vec<String> = header.iter().take(12).map(|h| format!("\"{h}\"")).collect();
            return Err(Errors::single(
                "csv",
                format!(
                    "none of the columns the model reads ({}) is in the CSV header (columns: {})",
                    wanted.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", "),
                    shown.join(", ")
                ),
            ));
        }
        if columns.len() > crate::state::MAX_TRAITS {
            return Err(Errors::single(
                "model",
                format!("the model reads {} columns; a lead holds at most {}", columns.len(), crate::state::MAX_TRAITS),
            ));
        }
        let flat = FlatModel::compile(model).ok().map(|compiled| FlatRows::new(model, compiled, header));
        Ok(RowScorer {
            model: model.clone(),
            now,
            columns,
            flat,
            fired: Vec::new(),
            explain: true,
            breakdown: String::new(),
            flat_rows: 0,
            general_rows: 0,
        })
    }

    /// The scorer for callers that only read the totals and stages (no breakdown text per row).
    pub fn totals_only(mut self) -> RowScorer {
        self.explain = false;
        self
    }

    /// The breakdown of the row last scored, `rule:points;…` (empty with `totals_only`).
    pub fn breakdown(&self) -> &str {
        &self.breakdown
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn stage_name(&self, stage: usize) -> &str {
        self.model.stages.get(stage).map(|s| s.name.as_str()).unwrap_or_default()
    }

    /// Scores one record; the error is the engine's, for the caller to name the row.
    pub fn score(&mut self, record: &Record) -> Result<Scored, Errors> {
        self.breakdown.clear();
        if let Some(rows) = &mut self.flat {
            if rows.encode(record) {
                rows.flat.fired(&rows.codes, &rows.numbers, &mut self.fired);
                let breakdown = &mut self.breakdown;
                let explain = self.explain;
                if explain {
                    for &rule in &self.fired {
                        if !breakdown.is_empty() {
                            breakdown.push(';');
                        }
                        breakdown.push_str(rows.lines.get(rule).map(String::as_str).unwrap_or_default());
                    }
                }
                let summary = settle_fired(&self.model, &self.fired, |rule, points| {
                    if explain {
                        push_breakdown_line(breakdown, rule, points);
                    }
                });
                self.flat_rows += 1;
                return Ok(Scored {
                    total: summary.total,
                    fit: summary.fit,
                    engagement: summary.engagement,
                    stage: summary.stage,
                    qualified: summary.qualified,
                });
            }
        }
        let traits = self
            .columns
            .iter()
            .filter_map(|(i, name)| {
                let cell = record.cell(*i);
                cell_key(cell).map(|_| (name.clone(), Value::String(cell.to_string())))
            })
            .collect();
        let lead = Value::Object(vec![("traits".to_string(), Value::Object(traits))]);
        let card = crate::score_lead(&self.model, &lead, self.now)?;
        self.general_rows += 1;
        let stage = self.model.stages.iter().position(|s| s.name == card.stage).unwrap_or(0);
        if self.explain {
            self.breakdown = compact_breakdown(&card);
        }
        Ok(Scored { total: card.total, fit: card.fit, engagement: card.engagement, stage, qualified: card.qualified })
    }
}

impl FlatRows {
    fn new(model: &Model, flat: FlatModel, header: &[String]) -> FlatRows {
        let column = flat.fields.iter().map(|f| header.iter().position(|h| h == f)).collect();
        let number_safe = number_safe(model, &flat);
        let contains = flat
            .fields
            .iter()
            .map(|f| tests_of(model, f).into_iter().any(|t| matches!(t, TraitTest::Contains(_))))
            .collect();
        let codes_of = flat.texts.iter().enumerate().map(|(i, t)| (t.clone(), i as f64)).collect();
        let lines = model.rules.iter().map(|r| format!("{}:{}", r.id, fmt_centi(r.points))).collect();
        let width = flat.fields.len();
        FlatRows {
            flat,
            column,
            number_safe,
            contains,
            seen: vec![Vec::new(); width],
            codes_of,
            lines,
            codes: vec![MISSING; width],
            numbers: vec![0.0; width],
            key: String::new(),
        }
    }

    /// Encodes a record's cells as the engine would read them as texts; false when only the
    /// general engine can score it exactly.
    fn encode(&mut self, record: &Record) -> bool {
        for i in 0..self.column.len() {
            let cell = self.column.get(i).copied().flatten().map_or("", |c| record.cell(c));
            let number_safe = self.number_safe.get(i).copied().unwrap_or(false);
            let whole = if number_safe { whole_number(cell) } else { None };
            let (code, number) = match whole {
                Some(n) => (NUMBER, n),
                None => match self.seen.get(i).and_then(|seen| seen.iter().find(|(s, _, _)| **s == *cell)) {
                    Some(&(_, code, number)) => (code, number),
                    None => {
                        let (code, number) = self.encode_cell(i, cell).unwrap_or((f64::NAN, 0.0));
                        if let Some(seen) =
                            self.seen.get_mut(i).filter(|seen| seen.len() < MAX_SEEN && cell.len() <= MAX_SEEN_CELL)
                        {
                            seen.push((cell.into(), code, number));
                        }
                        (code, number)
                    }
                },
            };
            if code.is_nan() {
                return false;
            }
            if let (Some(c), Some(n)) = (self.codes.get_mut(i), self.numbers.get_mut(i)) {
                *c = code;
                *n = number;
            }
        }
        true
    }

    /// One cell of field `i` as (code, number), the way the engine reads it as a text; None when
    /// only the general engine can score it exactly.
    fn encode_cell(&mut self, i: usize, cell: &str) -> Option<(f64, f64)> {
        let number_safe = self.number_safe.get(i).copied().unwrap_or(false);
        // Most cells need no trimming; `trim` is Unicode-aware, so only skip it when both ends are plain ASCII.
        let plain = cell.as_bytes().first().is_some_and(|b| b.is_ascii_graphic())
            && cell.as_bytes().last().is_some_and(|b| b.is_ascii_graphic());
        let trimmed = if plain { cell } else { cell.trim() };
        if trimmed.is_empty() || (cell.len() > MAX_CELL && cell.chars().count() > MAX_CELL) {
            return Some((MISSING, 0.0));
        }
        if self.contains.get(i).copied().unwrap_or(true) {
            return None;
        }
        if let Some(n) = number_safe.then(|| whole_number(trimmed).or_else(|| parse_decimal(cell))).flatten() {
            // On such a field a text that reads as a number, constant or not, scores as that number.
            return Some((NUMBER, n));
        }
        self.key.clear();
        self.key.push_str(trimmed);
        self.key.make_ascii_lowercase();
        match self.codes_of.get(&self.key) {
            Some(&code) => Some((code, 0.0)),
            None if self.flat.unknown_ok.get(i).copied().unwrap_or(false) => Some((UNKNOWN_TEXT, 0.0)),
            None if number_safe => Some((UNKNOWN_TEXT, 0.0)),
            None => match parse_decimal(cell) {
                Some(_) => None,
                None => Some((UNKNOWN_TEXT, 0.0)),
            },
        }
    }
}

/// Cells remembered per field (`FlatRows::seen`), and the longest remembered.
const MAX_SEEN: usize = 16;
const MAX_SEEN_CELL: usize = 48;

/// A cell of up to 15 ASCII digits, read the way `parse_decimal` reads it (digit by digit in an
/// f64, exact at that length) without its general handling of signs, commas and exponents: most
/// numeric cells of an export are plain counts.
fn whole_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 15 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0.0, |value, &b| value * 10.0 + f64::from(b - b'0')))
}

/// The engine's longest text trait; a longer cell is no answer.
const MAX_CELL: usize = 512;

/// Per field of the compiled model: whether every test of its rules reads a text that is a number as that
/// number (see [`reads_text_as_number`]), so such a cell may be encoded as a number.
pub(crate) fn number_safe(model: &Model, flat: &FlatModel) -> Vec<bool> {
    flat.fields.iter().map(|f| tests_of(model, f).into_iter().all(reads_text_as_number)).collect()
}

/// Every trait test the model's rules make on `field`.
pub(crate) fn tests_of<'a>(model: &'a Model, field: &str) -> Vec<&'a TraitTest> {
    model
        .rules
        .iter()
        .filter_map(|r| trait_tests(&r.when).filter(|(f, _)| f.as_str() == field))
        .flat_map(|(_, tests)| tests)
        .collect()
}

/// Appends `rule:points` to a compact breakdown (`;` between lines).
pub(crate) fn push_breakdown_line(breakdown: &mut String, rule: &str, points: i64) {
    if !breakdown.is_empty() {
        breakdown.push(';');
    }
    breakdown.push_str(rule);
    breakdown.push(':');
    push_centi(breakdown, points);
}

/// Whether a test gives the same answer for a text that reads as the number n (and is none of the
/// model's text constants) as for n itself.
pub(crate) fn reads_text_as_number(test: &TraitTest) -> bool {
    let not_a_number = |s: &Scalar| match s {
        Scalar::Text(t) => parse_decimal(t).is_none(),
        Scalar::Number(_) => true,
        Scalar::Bool(_) => false,
    };
    match test {
        TraitTest::Between(..)
        | TraitTest::AtLeast(_)
        | TraitTest::AtMost(_)
        | TraitTest::Below(_)
        | TraitTest::Above(_) => true,
        TraitTest::Exists(_) => true,
        TraitTest::Equals(s) => not_a_number(s),
        TraitTest::OneOf(list) => list.iter().all(not_a_number),
        TraitTest::IsTrue(_) | TraitTest::Contains(_) => false,
    }
}

/// `score` as a stream: push chunks of a CSV, get the output rows of each chunk.
pub struct ScoreStream {
    rows: RowStream,
    model: Model,
    options: ScoreCsvOptions,
    jsonl: bool,
    plan: Option<Plan>,
}

struct Plan {
    scorer: RowScorer,
    id: Option<usize>,
    keep: Vec<usize>,
}

impl ScoreStream {
    pub fn new(doc: &Value, options: ScoreCsvOptions, read: &StreamOptions) -> Result<ScoreStream, Errors> {
        let set = ModelSet::parse(doc)?;
        let model = set.select(options.model.as_deref())?.clone();
        Ok(ScoreStream { rows: RowStream::new(read), model, options, jsonl: read.jsonl, plan: None })
    }

    /// `{ rows, bad, errors: [messages], fast, general }`
    pub fn summary(&self) -> Value {
        let (fast, general) = self.plan.as_ref().map_or((0, 0), |p| (p.scorer.flat_rows, p.scorer.general_rows));
        self.rows.summary(vec![("fast", Value::Number(fast as f64)), ("general", Value::Number(general as f64))])
    }
}

impl ScoreStream {
    fn plan_header(&mut self, out: &mut String) -> Result<Plan, Errors> {
        let header = &self.rows.header;
        let scorer = RowScorer::new(&self.model, header, self.options.now.unwrap_or(0))?;
        let (id, keep) = self.rows.id_and_keep(&self.options)?;
        if !self.jsonl {
            let names: Vec<&str> = SCORE_COLUMNS
                .iter()
                .copied()
                .chain(keep.iter().filter_map(|&k| header.get(k).map(String::as_str)))
                .collect();
            csv::write_row(out, &names);
        }
        Ok(Plan { scorer, id, keep })
    }
}

impl Streamed for ScoreStream {
    fn rows(&mut self) -> &mut RowStream {
        &mut self.rows
    }

    fn drain(&mut self) -> Result<Vec<u8>, Errors> {
        // Output rows are about 1.6 times the input's: one allocation instead of a dozen doublings.
        let mut out = String::with_capacity(self.rows.pending() * 2);
        while let Some(data) = self.rows.next_row()? {
            if !data {
                self.plan = Some(self.plan_header(&mut out)?);
                continue;
            }
            let Some(plan) = &mut self.plan else { continue };
            match plan.scorer.score(&self.rows.record) {
                Ok(scored) => {
                    let record = &self.rows.record;
                    let ordinal;
                    let id = match plan.id {
                        Some(i) => record.cell(i),
                        None => {
                            ordinal = self.rows.rows.to_string();
                            ordinal.as_str()
                        }
                    };
                    let stage = plan.scorer.stage_name(scored.stage);
                    let breakdown = plan.scorer.breakdown();
                    if self.jsonl {
                        let kept = plan.keep.iter().map(|&k| record.cell(k));
                        write_jsonl(&mut out, id, &scored, stage, breakdown, &self.rows.header, &plan.keep, kept);
                    } else {
                        write_scored_row(
                            &mut out,
                            id,
                            &scored,
                            stage,
                            breakdown,
                            plan.keep.iter().map(|&k| record.cell(k)),
                        );
                    }
                }
                Err(e) => {
                    let line = self.rows.record.line;
                    self.rows.reject(&format!("line {line}: {e}"), false)?;
                }
            }
        }
        Ok(out.into_bytes())
    }
}

/// Appends hundredths as `fmt_centi` writes them (`-12`, `3.5`, `0.05`), without a `format!` per number.
pub fn push_centi(out: &mut String, centi: i64) {
    if centi < 0 {
        out.push('-');
    }
    let abs = centi.unsigned_abs();
    let (whole, frac) = (abs / 100, abs % 100);
    let mut unit = 1u64;
    while unit <= whole / 10 {
        unit *= 10;
    }
    while unit > 0 {
        out.push(char::from(b'0' + (whole / unit % 10) as u8));
        unit /= 10;
    }
    if frac != 0 {
        out.push('.');
        out.push(char::from(b'0' + (frac / 10) as u8));
        if frac % 10 != 0 {
            out.push(char::from(b'0' + (frac % 10) as u8));
        }
    }
}

/// One output row as CSV: `SCORE_COLUMNS`, then the kept cells.
fn write_scored_row<'a>(
    out: &mut String,
    id: &str,
    scored: &Scored,
    stage: &str,
    breakdown: &str,
    kept: impl Iterator<Item = &'a str>,
) {
    csv::write_field(out, id, false);
    out.push(',');
    push_centi(out, scored.total);
    out.push(',');
    csv::write_field(out, stage, false);
    out.push_str(if scored.qualified { ",true," } else { ",false," });
    push_centi(out, scored.fit);
    out.push(',');
    push_centi(out, scored.engagement);
    out.push(',');
    csv::write_field(out, breakdown, false);
    for cell in kept {
        out.push(',');
        csv::write_field(out, cell, false);
    }
    out.push('\n');
}

/// One output row as a JSON object: the score columns (numbers as numbers, the breakdown as an
/// object of rule → points), then the kept columns as text.
#[allow(clippy::too_many_arguments)]
fn write_jsonl<'a>(
    out: &mut String,
    id: &str,
    scored: &Scored,
    stage: &str,
    breakdown: &str,
    header: &[String],
    keep: &[usize],
    kept: impl Iterator<Item = &'a str>,
) {
    out.push_str("{\"id\":");
    crate::json::write_string(id, out);
    for (key, value) in [("score", scored.total), ("fit", scored.fit), ("engagement", scored.engagement)] {
        out.push_str(",\"");
        out.push_str(key);
        out.push_str("\":");
        push_centi(out, value);
    }
    out.push_str(",\"stage\":");
    crate::json::write_string(stage, out);
    out.push_str(if scored.qualified { ",\"qualified\":true" } else { ",\"qualified\":false" });
    out.push_str(",\"breakdown\":{");
    for (i, line) in breakdown.split(';').filter(|l| !l.is_empty()).enumerate() {
        let (rule, points) = line.rsplit_once(':').unwrap_or((line, "0"));
        if i > 0 {
            out.push(',');
        }
        crate::json::write_string(rule, out);
        out.push(':');
        out.push_str(points);
    }
    out.push('}');
    for (&k, cell) in keep.iter().zip(kept) {
        out.push(',');
        crate::json::write_string(header.get(k).map(String::as_str).unwrap_or_default(), out);
        out.push(':');
        crate::json::write_string(cell, out);
    }
    out.push_str("}\n");
}

#[cfg(test)]
pub(crate) mod test_data;
#[cfg(test)]
mod tests;
