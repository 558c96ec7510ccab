//! `leadscore score` as a stream of CSV output: bytes are pushed in chunks, every complete row is
//! scored and written at once, so memory stays constant whatever the file's size. On a trait-only
//! model each row is scored from its cells where they lie in the record (`cells`: a code and a
//! number per field, the constants found in a table), the fired rules settled by the engine's own
//! `settle_fired`; a row the fast path cannot judge exactly, and every row of other models, goes
//! through the general engine (`RowScorer`). Either way a row's output equals `score_csv`'s for it.
//!
//! The output columns can be chosen (`fields`): without the breakdown a row is a fraction of the
//! bytes, and the rule list is neither built nor written.

use crate::calibrate::stream::{
    push_breakdown_line, push_centi, RowScorer, RowStream, Scored, StreamOptions, Streamed,
};
use crate::calibrate::{ScoreCsvOptions, SCORE_COLUMNS};
use crate::cells::CellEncoder;
use crate::csv::{self, Record};
use crate::engine::{qualify_reads_rules, settle_fired, settle_totals, Summary};
use crate::error::Errors;
use crate::flat::{FlatModel, MISSING};
use crate::model::{Model, ModelSet};
use crate::read::fmt_centi;
use crate::value::Value;

/// One output column of `SCORE_COLUMNS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Score,
    Stage,
    Qualified,
    Fit,
    Engagement,
    Breakdown,
}

const COLUMNS: [Column; 7] =
    [Column::Id, Column::Score, Column::Stage, Column::Qualified, Column::Fit, Column::Engagement, Column::Breakdown];

/// The output columns named in `fields` (names of `SCORE_COLUMNS`, in the order given).
fn columns(fields: &[String]) -> Result<Vec<Column>, Errors> {
    let mut errors = Errors::default();
    let mut list = Vec::with_capacity(fields.len());
    for name in fields {
        match SCORE_COLUMNS.iter().position(|c| c == name).and_then(|i| COLUMNS.get(i)) {
            Some(column) if list.contains(column) => {
                errors.push("options.fields", format!("\"{name}\" is named twice"))
            }
            Some(&column) => list.push(column),
            None => errors.push(
                "options.fields",
                format!("\"{name}\" is not an output column (one of: {})", SCORE_COLUMNS.join(", ")),
            ),
        }
    }
    if fields.is_empty() {
        errors.push("options.fields", "name at least one output column");
    }
    errors.into_result(list)
}

/// `score` as a stream of CSV: push chunks of a CSV, get the output rows of each chunk.
pub struct ScoreStream {
    rows: RowStream,
    model: Model,
    options: ScoreCsvOptions,
    columns: Vec<Column>,
    plan: Option<Plan>,
    /// The breakdown of the row being written, reused from row to row.
    breakdown: String,
}

struct Plan {
    /// The input's header this plan is for, and the output's header row.
    header: Vec<String>,
    header_row: String,
    scorer: RowScorer,
    flat: Option<FlatRows>,
    id: Option<usize>,
    keep: Vec<usize>,
    /// Each stage's name as a CSV field.
    stages: Vec<String>,
    /// No rule id or group id has a quote: nor has a breakdown.
    quote_free: bool,
    flat_rows: u64,
}

/// The fast path for one header: each model field's column and how its cells encode.
struct FlatRows {
    flat: FlatModel,
    cells: CellEncoder,
    /// Per flat field: its column, or None when the CSV lacks it (always missing).
    column: Vec<Option<usize>>,
    codes: Vec<f64>,
    numbers: Vec<f64>,
    fired: Vec<usize>,
    /// `id:points` of each rule, by model index.
    lines: Vec<String>,
    /// `engine::qualify_reads_rules`: the fired rules are listed even without a breakdown.
    qualify_reads_rules: bool,
}

impl ScoreStream {
    /// `fields`: the output columns (None: all of `SCORE_COLUMNS`).
    pub fn new(
        doc: &Value,
        options: ScoreCsvOptions,
        fields: Option<&[String]>,
        read: &StreamOptions,
    ) -> Result<ScoreStream, Errors> {
        let set = ModelSet::parse(doc)?;
        let model = set.select(options.model.as_deref())?.clone();
        let columns = match fields {
            Some(fields) => columns(fields)?,
            None => COLUMNS.to_vec(),
        };
        Ok(ScoreStream { rows: RowStream::new(read), model, options, columns, plan: None, breakdown: String::new() })
    }

    /// Ready for another input, read as `read` says (the next part of a file, say), with the same
    /// model, options and columns: what `new` would make, without planning a header the last input
    /// had again (compiling the model takes about as long as scoring a few hundred rows).
    pub fn restart(&mut self, read: &StreamOptions) {
        self.rows = RowStream::new(read);
        if let Some(plan) = &mut self.plan {
            plan.flat_rows = 0;
            plan.scorer.flat_rows = 0;
            plan.scorer.general_rows = 0;
        }
    }

    /// `{ rows, bad, errors: [messages], fast, general }`; for a part of a file (`read.part`) also
    /// `line` and `pending` (`RowStream::part_summary`) and `ordinalIds`: whether the id column
    /// written is the row's ordinal (no id column in the input), which a part cannot know.
    pub fn summary(&self) -> Value {
        let (fast, general) =
            self.plan.as_ref().map_or((0, 0), |p| (p.flat_rows + p.scorer.flat_rows, p.scorer.general_rows));
        let mut more = vec![("fast", Value::Number(fast as f64)), ("general", Value::Number(general as f64))];
        if self.rows.is_part() {
            more.extend(self.rows.part_summary());
            let ordinal_ids = self.columns.contains(&Column::Id) && self.plan.as_ref().is_some_and(|p| p.id.is_none());
            more.push(("ordinalIds", Value::Bool(ordinal_ids)));
        }
        self.rows.summary(more)
    }

    fn plan_header(&mut self, out: &mut String) -> Result<Plan, Errors> {
        let header = &self.rows.header;
        let explain = self.columns.contains(&Column::Breakdown);
        let scorer = RowScorer::new(&self.model, header, self.options.now.unwrap_or(0))?;
        let scorer = if explain { scorer } else { scorer.totals_only() };
        let (id, keep) = self.rows.id_and_keep(&self.options)?;
        let names: Vec<&str> = self
            .columns
            .iter()
            .filter_map(|&c| COLUMNS.iter().position(|&k| k == c).and_then(|i| SCORE_COLUMNS.get(i)).copied())
            .chain(keep.iter().filter_map(|&k| header.get(k).map(String::as_str)))
            .collect();
        let mut header_row = String::new();
        csv::write_row(&mut header_row, &names);
        out.push_str(&header_row);
        let stages = self
            .model
            .stages
            .iter()
            .map(|s| {
                let mut field = String::new();
                csv::write_field(&mut field, &s.name, false);
                field
            })
            .collect();
        let flat = FlatModel::compile(&self.model).ok().map(|compiled| FlatRows::new(&self.model, compiled, header));
        let quote_free = !self
            .model
            .rules
            .iter()
            .map(|r| &r.id)
            .chain(self.model.groups.iter().map(|g| &g.id))
            .any(|id| id.contains('"'));
        Ok(Plan { header: header.clone(), header_row, scorer, flat, id, keep, stages, quote_free, flat_rows: 0 })
    }
}

impl Streamed for ScoreStream {
    fn rows(&mut self) -> &mut RowStream {
        &mut self.rows
    }

    fn drain(&mut self) -> Result<Vec<u8>, Errors> {
        // Output rows are about 1.6 times the input's, a sixth of it without the breakdown: one
        // allocation instead of a dozen doublings.
        let explain = self.columns.contains(&Column::Breakdown);
        let pending = self.rows.pending();
        let mut out = String::with_capacity(if explain { pending * 2 } else { pending / 4 });
        while let Some(data) = self.rows.next_row()? {
            if !data {
                match &self.plan {
                    Some(plan) if plan.header == self.rows.header => out.push_str(&plan.header_row),
                    _ => self.plan = Some(self.plan_header(&mut out)?),
                }
                continue;
            }
            let Some(plan) = &mut self.plan else { continue };
            let record = &self.rows.record;
            self.breakdown.clear();
            let flat_scored =
                plan.flat.as_mut().and_then(|flat| flat.score(record, &self.model, explain, &mut self.breakdown));
            let scored = match flat_scored {
                Some(scored) => {
                    plan.flat_rows += 1;
                    scored
                }
                None => match plan.scorer.score(record) {
                    Ok(scored) => {
                        self.breakdown.push_str(plan.scorer.breakdown());
                        scored
                    }
                    Err(e) => {
                        let line = record.line;
                        self.rows.reject(&format!("line {line}: {e}"), false)?;
                        continue;
                    }
                },
            };
            let ordinal;
            let id = match plan.id {
                Some(i) => record.cell(i),
                None => {
                    ordinal = self.rows.rows.to_string();
                    ordinal.as_str()
                }
            };
            for (i, column) in self.columns.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                match column {
                    Column::Id => csv::write_field(&mut out, id, self.columns.len() == 1 && plan.keep.is_empty()),
                    Column::Score => push_centi(&mut out, scored.total),
                    Column::Stage => out.push_str(plan.stages.get(scored.stage).map_or("", String::as_str)),
                    Column::Qualified => out.push_str(if scored.qualified { "true" } else { "false" }),
                    Column::Fit => push_centi(&mut out, scored.fit),
                    Column::Engagement => push_centi(&mut out, scored.engagement),
                    Column::Breakdown if plan.quote_free && self.breakdown.as_bytes().contains(&b';') => {
                        // Two lines or more: quoted, with no quote inside to double (what `write_field` writes,
                        // without reading the text twice).
                        out.push('"');
                        out.push_str(&self.breakdown);
                        out.push('"');
                    }
                    Column::Breakdown => {
                        csv::write_field(&mut out, &self.breakdown, self.columns.len() == 1 && plan.keep.is_empty())
                    }
                }
            }
            for &k in &plan.keep {
                out.push(',');
                csv::write_field(&mut out, record.cell(k), false);
            }
            out.push('\n');
        }
        Ok(out.into_bytes())
    }
}

impl FlatRows {
    fn new(model: &Model, flat: FlatModel, header: &[String]) -> FlatRows {
        let column = flat.fields.iter().map(|f| header.iter().position(|h| h == f)).collect();
        let width = flat.fields.len();
        FlatRows {
            cells: CellEncoder::new(model, &flat),
            flat,
            column,
            codes: vec![MISSING; width],
            numbers: vec![0.0; width],
            fired: Vec::new(),
            lines: model.rules.iter().map(|r| format!("{}:{}", r.id, fmt_centi(r.points))).collect(),
            qualify_reads_rules: qualify_reads_rules(model),
        }
    }

    /// Scores a record from its cells, the breakdown into `breakdown` when `explain`; None when
    /// only the general engine can score it exactly.
    fn score(&mut self, record: &Record, model: &Model, explain: bool, breakdown: &mut String) -> Option<Scored> {
        let fields = self.column.iter().zip(self.codes.iter_mut().zip(self.numbers.iter_mut()));
        for (field, (column, (code, number))) in fields.enumerate() {
            let cell = column.map_or("", |c| record.cell(c));
            (*code, *number) = self.cells.encode(field, cell)?;
        }
        if !explain && !self.qualify_reads_rules {
            // Without the breakdown the slots' sums are enough (unless qualifying needs the fired rules).
            let (fit, engagement, total) = self.flat.totals(&self.codes, &self.numbers);
            return Some(scored(settle_totals(model, fit, engagement, total)));
        }
        self.flat.fired(&self.codes, &self.numbers, &mut self.fired);
        if explain {
            for &rule in &self.fired {
                if !breakdown.is_empty() {
                    breakdown.push(';');
                }
                breakdown.push_str(self.lines.get(rule).map_or("", String::as_str));
            }
        }
        let summary = settle_fired(model, &self.fired, |rule, points| {
            if explain {
                push_breakdown_line(breakdown, rule, points);
            }
        });
        Some(scored(summary))
    }
}

fn scored(summary: Summary) -> Scored {
    Scored {
        total: summary.total,
        fit: summary.fit,
        engagement: summary.engagement,
        stage: summary.stage,
        qualified: summary.qualified,
    }
}

#[cfg(test)]
mod tests;
