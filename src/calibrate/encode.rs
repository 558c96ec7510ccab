//! Turns the learned columns into the answers a rule can test: one level per frequent answer of a
//! categorical column, yes / no for a yes/no column, and bins for a numeric one. Every column also
//! has an implicit level, "no level applies" (no answer, a rare answer, a placeholder), which gets
//! no feature of its own: it is the baseline the regression measures the other levels against.
//!
//! Levels and bins are chosen from learning rows only, so cross-validation re-chooses them per fold.

use super::columns::{cell_key, cell_number, is_truthy, Column, Kind};
use super::options::CalibrateOptions;
use crate::csv::Table;
use crate::read::fmt_num;
use crate::value::Value;
use std::collections::HashMap;

/// No level applies to the cell.
pub const IMPLICIT: u32 = u32::MAX;
/// Features (levels) across all columns: bounds the regression's dense Hessian.
const FEATURE_BUDGET: usize = 600;
/// Longest answer text a rule may test (the model's text limit).
const MAX_LEVEL_CHARS: usize = 200;
/// Bin edges must be numbers the model accepts in a trait test.
const MAX_EDGE: f64 = 1e15;

/// A learned column's cells, read once for all rows: the distinct answers as ids, and the number
/// the engine would read from each cell.
#[derive(Debug, Clone)]
pub struct Cells {
    pub column: Column,
    /// Per row: the id of its answer (trimmed, lower-case) in `answers`, None when absent.
    keys: Vec<Option<u32>>,
    answers: Vec<String>,
    /// How each answer is spelt the first time it appears (trimmed), for rules and labels.
    spellings: Vec<String>,
    numbers: Vec<Option<f64>>,
}

impl Cells {
    pub fn read(table: &Table, column: Column) -> Cells {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut answers = Vec::new();
        let mut spellings = Vec::new();
        let mut keys = Vec::with_capacity(table.rows.len());
        let mut numbers = Vec::with_capacity(table.rows.len());
        for row in 0..table.rows.len() {
            let cell = table.cell(row, column.index);
            numbers.push(if column.kind == Kind::Numeric { cell_number(cell) } else { None });
            keys.push(cell_key(cell).map(|key| {
                *ids.entry(key.clone()).or_insert_with(|| {
                    answers.push(key);
                    spellings.push(cell.trim().to_string());
                    answers.len() as u32 - 1
                })
            }));
        }
        Cells { column, keys, answers, spellings, numbers }
    }

    fn key(&self, row: usize) -> Option<&str> {
        self.keys.get(row).copied().flatten().and_then(|id| self.answers.get(id as usize)).map(String::as_str)
    }
}

/// How one column's cells map to levels.
#[derive(Debug, Clone, PartialEq)]
pub enum Levels {
    /// Categorical: the kept answers' ids in `Cells::answers`, most frequent first.
    Answers { ids: Vec<u32>, lookup: HashMap<u32, u32> },
    /// Level 0 = yes; no and no answer are implicit ("not yes", the engine's `is_true: false`).
    YesNo,
    /// Numeric: level j is the j-th bin; `edges` ascending, bin j = [edges[j-1], edges[j]).
    Bins { edges: Vec<f64> },
}

#[derive(Debug, Clone)]
pub struct Encoder {
    /// Index into the learned columns (`Cells`).
    pub column: usize,
    /// Index of this column's first feature.
    pub first: u32,
    pub levels: Levels,
}

impl Encoder {
    pub fn width(&self) -> usize {
        match &self.levels {
            Levels::Answers { ids, .. } => ids.len(),
            Levels::YesNo => 1,
            Levels::Bins { edges } => edges.len() + 1,
        }
    }

    /// The level of a row (0-based within this column), None for the implicit level.
    pub fn level(&self, cells: &Cells, row: usize) -> Option<u32> {
        match &self.levels {
            Levels::Answers { lookup, .. } => {
                cells.keys.get(row).copied().flatten().and_then(|id| lookup.get(&id).copied())
            }
            Levels::YesNo => cells.key(row).filter(|k| is_truthy(k)).map(|_| 0),
            Levels::Bins { edges } => {
                let n = cells.numbers.get(row).copied().flatten()?;
                Some(edges.partition_point(|&e| e <= n) as u32)
            }
        }
    }

    /// The rule condition for a level (None: the implicit level), exactly matching `level`.
    pub fn condition(&self, cells: &Cells, level: Option<usize>) -> Value {
        let name = Value::String(cells.column.name.clone());
        let test = |tests: Vec<(&str, Value)>| {
            let mut entries = vec![("trait", name.clone())];
            entries.extend(tests);
            Value::object(entries)
        };
        match (&self.levels, level) {
            (Levels::Answers { ids, .. }, Some(l)) => {
                test(vec![("equals", Value::String(spelling(cells, ids.get(l))))])
            }
            (Levels::Answers { ids, .. }, None) => {
                let kept = ids.iter().map(|id| Value::String(spelling(cells, Some(id)))).collect();
                Value::object(vec![("not", test(vec![("one_of", Value::Array(kept))]))])
            }
            (Levels::YesNo, Some(_)) => test(vec![("is_true", Value::Bool(true))]),
            (Levels::YesNo, None) => test(vec![("is_true", Value::Bool(false))]),
            (Levels::Bins { edges }, Some(l)) => {
                let mut tests = Vec::new();
                if let Some(low) = l.checked_sub(1).and_then(|i| edges.get(i)) {
                    tests.push(("at_least", Value::Number(*low)));
                }
                if let Some(high) = edges.get(l) {
                    tests.push(("below", Value::Number(*high)));
                }
                test(tests)
            }
            (Levels::Bins { .. }, None) => {
                // Any number is either ≥ 0 or < 0: the rule fires exactly when the cell is no number.
                let any_number =
                    vec![test(vec![("at_least", Value::Number(0.0))]), test(vec![("below", Value::Number(0.0))])];
                Value::object(vec![("not", Value::object(vec![("any", Value::Array(any_number))]))])
            }
        }
    }

    /// A marketer's reading of a level: `Lead Origin: API`, `TotalVisits: 3 to under 5`.
    pub fn label(&self, cells: &Cells, level: Option<usize>) -> String {
        let name = &cells.column.name;
        match (&self.levels, level) {
            (Levels::Answers { ids, .. }, Some(l)) => format!("{name}: {}", spelling(cells, ids.get(l))),
            (Levels::Answers { .. }, None) => format!("{name}: other or no answer"),
            (Levels::YesNo, Some(_)) => format!("{name}: yes"),
            (Levels::YesNo, None) => format!("{name}: no or no answer"),
            (Levels::Bins { edges }, Some(l)) => {
                let low = l.checked_sub(1).and_then(|i| edges.get(i)).map(|e| fmt_num(*e));
                let high = edges.get(l).map(|e| fmt_num(*e));
                match (low, high) {
                    (None, Some(h)) => format!("{name}: under {h}"),
                    (Some(lo), Some(h)) => format!("{name}: {lo} to under {h}"),
                    (Some(lo), None) => format!("{name}: {lo} or more"),
                    (None, None) => format!("{name}: any number"),
                }
            }
            (Levels::Bins { .. }, None) => format!("{name}: unknown"),
        }
    }

    /// A short name for a level, for rule ids.
    pub fn level_slug(&self, cells: &Cells, level: Option<usize>) -> String {
        match (&self.levels, level) {
            (Levels::Answers { ids, .. }, Some(l)) => spelling(cells, ids.get(l)),
            (Levels::YesNo, Some(_)) => "yes".into(),
            (Levels::YesNo, None) => "no".into(),
            (Levels::Bins { edges }, Some(l)) => match (l.checked_sub(1).and_then(|i| edges.get(i)), edges.first()) {
                (Some(low), _) => format!("from {}", fmt_num(*low)),
                (None, Some(first)) => format!("under {}", fmt_num(*first)),
                (None, None) => "any".into(),
            },
            (Levels::Answers { .. }, None) => "other or no answer".into(),
            (_, None) => "no answer".into(),
        }
    }
}

fn spelling(cells: &Cells, id: Option<&u32>) -> String {
    id.and_then(|id| cells.spellings.get(*id as usize)).cloned().unwrap_or_default()
}

/// Chooses the levels of the columns `which` (indices into `cells`) from the learning rows.
/// Columns left with no level are dropped.
pub fn fit_encoders(cells: &[Cells], which: &[usize], rows: &[usize], options: &CalibrateOptions) -> Vec<Encoder> {
    let per_column = (FEATURE_BUDGET / which.len().max(1)).clamp(4, 40);
    let mut encoders = Vec::new();
    let mut first = 0u32;
    for &column in which {
        let Some(data) = cells.get(column) else { continue };
        let levels = match data.column.kind {
            Kind::Categorical => choose_answers(data, rows, options, per_column),
            Kind::YesNo => {
                // Both answers need enough rows for the difference to be learned.
                let yes = rows.iter().filter(|&&r| data.key(r).is_some_and(is_truthy)).count();
                if yes < options.min_level_rows || rows.len() - yes < options.min_level_rows {
                    continue;
                }
                Levels::YesNo
            }
            Kind::Numeric => Levels::Bins { edges: bin_edges(data, rows, options.bins.min(per_column)) },
        };
        let encoder = Encoder { column, first, levels };
        let width = encoder.width();
        if width == 0 {
            continue;
        }
        first += width as u32;
        encoders.push(encoder);
    }
    encoders
}

fn choose_answers(cells: &Cells, rows: &[usize], options: &CalibrateOptions, most: usize) -> Levels {
    let mut counts = vec![0usize; cells.answers.len()];
    for &row in rows {
        if let Some(slot) = cells.keys.get(row).copied().flatten().and_then(|id| counts.get_mut(id as usize)) {
            *slot += 1;
        }
    }
    let mut kept: Vec<(u32, usize)> = counts
        .iter()
        .enumerate()
        .filter(|&(id, &n)| {
            let answer = cells.answers.get(id).map(String::as_str).unwrap_or("");
            n >= options.min_level_rows
                && !options.missing.iter().any(|m| m == answer)
                && answer.chars().count() <= MAX_LEVEL_CHARS
        })
        .map(|(id, &n)| (id as u32, n))
        .collect();
    kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    kept.truncate(most);
    let ids: Vec<u32> = kept.iter().map(|(id, _)| *id).collect();
    let lookup = ids.iter().enumerate().map(|(level, &id)| (id, level as u32)).collect();
    Levels::Answers { ids, lookup }
}

/// Edges splitting the learning rows' numbers into about `bins` bins of similar size. Equal
/// numbers stay in one bin. Where a bin may end is a window of ±25 % of its target size, and the
/// edge is the roundest number that splits the rows somewhere in that window ("600 to under 900"
/// rather than "597 to under 913"): the bins stay balanced and read like a marketer's own.
fn bin_edges(cells: &Cells, rows: &[usize], bins: usize) -> Vec<f64> {
    let mut values: Vec<f64> = rows.iter().filter_map(|&r| cells.numbers.get(r).copied().flatten()).collect();
    values.sort_unstable_by(f64::total_cmp);
    // (value, rows with a value up to and including it)
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for (i, v) in values.iter().copied().enumerate() {
        match distinct.last_mut() {
            Some((last, upto)) if *last == v => *upto = i + 1,
            _ => distinct.push((v, i + 1)),
        }
    }
    let total = values.len();
    let target = total.div_ceil(bins.max(1)).max(1);
    let mut edges = Vec::new();
    let mut start = 0usize; // rows before the current bin
    let mut i = 0usize;
    while i + 1 < distinct.len() {
        let Some(&(_, upto)) = distinct.get(i) else { break };
        if upto - start < target {
            i += 1;
            continue;
        }
        // The first distinct value that fills the bin is `i`; look for a rounder cut nearby.
        let low = start + target * 3 / 4;
        let high = start + target * 5 / 4;
        let mut best: Option<(usize, f64, i32, usize)> = None; // (index, edge, roundness, distance)
        for j in (0..distinct.len() - 1).filter(|&j| {
            let upto_j = distinct.get(j).map_or(0, |d| d.1);
            upto_j > start && ((upto_j >= low && upto_j <= high) || j == i)
        }) {
            let (Some(&(value, upto_j)), Some(&(next, _))) = (distinct.get(j), distinct.get(j + 1)) else { continue };
            let (edge, roundness) = roundest_between(value, next);
            let distance = upto_j.abs_diff(start + target);
            let better = best.is_none_or(|(_, _, r, d)| roundness > r || (roundness == r && distance < d));
            if better {
                best = Some((j, edge, roundness, distance));
            }
        }
        let Some((cut, edge, _, _)) = best else { break };
        let cut_upto = distinct.get(cut).map_or(total, |d| d.1);
        // A runt last bin is merged into this one instead.
        if (total - cut_upto) * 2 < target {
            break;
        }
        if edge.abs() < MAX_EDGE {
            edges.push(edge);
        }
        start = cut_upto;
        i = cut + 1;
    }
    edges
}

/// The number in (low, high] with the fewest significant digits, and its roundness: the power of
/// ten it is a multiple of.
fn roundest_between(low: f64, high: f64) -> (f64, i32) {
    let mut exponent = high.abs().max(low.abs()).log10().ceil() as i32 + 1;
    while exponent > -12 {
        // Below 1 divide by a power of ten (exact) rather than multiply by 0.1 (inexact).
        let candidate = if exponent >= 0 {
            let step = 10f64.powi(exponent);
            ((low / step).floor() + 1.0) * step
        } else {
            let scale = 10f64.powi(-exponent);
            ((low * scale).floor() + 1.0) / scale
        };
        if candidate > low && candidate <= high {
            return (candidate, exponent);
        }
        exponent -= 1;
    }
    (high, exponent)
}

/// The learning matrix: for each row, the feature index of each column's level, or IMPLICIT.
#[derive(Debug, Clone)]
pub struct Design {
    pub codes: Vec<u32>,
    pub columns: usize,
    pub features: usize,
}

impl Design {
    pub fn row(&self, row: usize) -> &[u32] {
        self.codes.get(row * self.columns..(row + 1) * self.columns).unwrap_or(&[])
    }
}

pub fn design(cells: &[Cells], encoders: &[Encoder], rows: &[usize]) -> Design {
    let mut codes = Vec::with_capacity(rows.len() * encoders.len());
    for &row in rows {
        for encoder in encoders {
            let code = cells
                .get(encoder.column)
                .and_then(|c| encoder.level(c, row))
                .map_or(IMPLICIT, |level| encoder.first + level);
            codes.push(code);
        }
    }
    let features = encoders.last().map_or(0, |e| e.first as usize + e.width());
    Design { codes, columns: encoders.len(), features }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundest_numbers_split_the_same_way() {
        let value = |low, high| roundest_between(low, high).0;
        assert_eq!(value(597.0, 612.0), 600.0);
        assert_eq!(value(0.0, 1.0), 1.0);
        assert_eq!(value(2.0, 3.0), 3.0);
        assert_eq!(value(1.25, 1.5), 1.3);
        assert_eq!(value(0.2, 0.35), 0.3);
        assert_eq!(value(-7.5, -2.0), -7.0);
        assert_eq!(value(999.0, 1001.0), 1000.0);
        assert_eq!(value(1e-13, 2e-13), 2e-13);
        assert_eq!(roundest_between(100.0, 250.0), (200.0, 2));
    }

    fn numbers(values: &[f64]) -> Cells {
        let column = Column {
            index: 0,
            name: "n".into(),
            kind: Kind::Numeric,
            role: super::super::columns::Role::Fit,
            role_set: false,
            missing: 0,
            distinct: 0,
        };
        Cells {
            column,
            keys: vec![None; values.len()],
            answers: Vec::new(),
            spellings: Vec::new(),
            numbers: values.iter().map(|&v| Some(v)).collect(),
        }
    }

    #[test]
    fn bins_are_balanced_and_round() {
        // 1000 distinct seconds 0..999: ten bins of about 100 rows, cut at round hundreds.
        let cells = numbers(&(0..1000).map(f64::from).collect::<Vec<_>>());
        let rows: Vec<usize> = (0..1000).collect();
        let edges = bin_edges(&cells, &rows, 10);
        assert_eq!(edges, (1..10).map(|k| f64::from(k) * 100.0).collect::<Vec<_>>());
        // A value shared by many rows stays in one bin; a runt last bin is merged.
        let mut skewed = vec![0.0; 500];
        skewed.extend((1..=480).map(f64::from));
        skewed.extend([5000.0; 20]);
        let rows: Vec<usize> = (0..skewed.len()).collect();
        let edges = bin_edges(&numbers(&skewed), &rows, 4);
        assert_eq!(edges.first(), Some(&1.0), "zero alone: {edges:?}");
        assert!(edges.iter().all(|&e| e < 5000.0), "{edges:?}");
    }
}
