//! Learning a points model from past leads (a CRM export with an outcome column), and the batch
//! tools around it: scoring a CSV and funnel metrics.
//!
//! Calibration types the columns, bins numbers, fits a ridge logistic regression on one-hot levels
//! and turns its weights into whole points per rule, with stage thresholds proposed from a target.
//! The result is an ordinary model document. Its quality is measured by k-fold cross-validation
//! in which every held-out row is scored by the engine itself (`score_lead`) with the model learned
//! on the other folds: the reported AUC is that of the integer scores a marketer will see.

mod batch;
mod columns;
pub mod compare;
mod encode;
mod funnel;
mod interactions;
mod logistic;
mod metrics;
pub mod options;
mod points;
mod report;
pub mod sample;
mod stages;
pub mod stream;
mod touches;
mod value;

pub use batch::{compact_breakdown, model_traits, score_csv, SCORE_COLUMNS};
pub use funnel::{funnel, FunnelStream};
pub use options::{CalibrateOptions, FunnelOptions, ScoreCsvOptions, Target};

use crate::csv::{self, Table};
use crate::error::Errors;
use crate::model::{Model, ModelSet};
use crate::value::Value;
use columns::{Column, MAX_MODEL_COLUMNS};
use encode::{Cells, Encoder};
use points::{Points, SCALE_MAX};
use report::HeldOut;
use stages::StagePlan;

/// Fewest rows calibration accepts: below this, cross-validated numbers are noise.
pub const MIN_ROWS: usize = 20;
/// Fewest learning rows an interaction's rule must cover (and leave out): a rarer pair's gain is
/// mostly noise.
const MIN_INTERACTION_ROWS: usize = 30;

/// A learned model document and the report on how well it ranks unseen leads.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub model: Value,
    pub report: Value,
}

/// Where calibration is: step `step` of `steps`.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub step: usize,
    pub steps: usize,
    pub message: &'a str,
}

/// Learns a model from a CSV of past leads; see the module documentation.
pub fn calibrate(
    text: &str,
    options: &CalibrateOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Calibration, Errors> {
    let steps = options.folds + 2;
    progress(Progress { step: 0, steps, message: "reading the CSV" });
    let table = csv::parse(text)?;
    let label = table.require_column(&options.label, "options.label")?;
    let outcome = columns::read_outcome(&table, label)?;
    check_outcome(&outcome, options)?;
    let deals = match &options.value {
        Some(column) => Some(value::Deals::read(&table, column, options.value_by.as_deref())?),
        None => None,
    };
    // The amounts are an outcome, known only after the deal: never learned from.
    let mut options = options.clone();
    options.exclude.extend(options.value.clone());
    let options = &options;
    let (columns, skipped) = columns::infer(&table, options)?;
    if columns.is_empty() {
        return Err(Errors::single("csv", "no column is left to learn from (see which columns were skipped: only the label, the id, excluded or empty columns)"));
    }
    let cells: Vec<Cells> = columns.into_iter().map(|c| Cells::read(&table, c)).collect();
    let rows = outcome.len();

    let fold_of = stratified_folds(&outcome, options.folds, options.seed);
    let mut held = vec![HeldOut::default(); rows];
    let mut held_value: Vec<(String, f64)> = vec![(String::new(), 0.0); rows];
    let mut fold_aucs = Vec::with_capacity(options.folds);
    for fold in 0..options.folds {
        let message = format!("cross-validation: fold {} of {}", fold + 1, options.folds);
        progress(Progress { step: fold + 1, steps, message: &message });
        let (learning, testing): (Vec<usize>, Vec<usize>) = (0..rows).partition(|r| fold_of.get(*r) != Some(&fold));
        let learned = learn(&cells, &learning, &outcome, deals.as_ref(), options)?;
        let doc = learned.document(options, None);
        let set = ModelSet::parse(&doc).map_err(|e| internal("a fold's model", &e))?;
        let model = set.select(None)?;
        score_held_out(model, &table, &testing, options, &mut held, &mut held_value)?;
        let scores: Vec<f64> = testing.iter().filter_map(|&r| held.get(r).map(|h| h.score)).collect();
        let truth: Vec<bool> = testing.iter().filter_map(|&r| outcome.get(r).copied()).collect();
        fold_aucs.push(metrics::auc(&scores, &truth));
    }

    progress(Progress { step: steps - 1, steps, message: "learning the model on all rows" });
    let all: Vec<usize> = (0..rows).collect();
    let learned = learn(&cells, &all, &outcome, deals.as_ref(), options)?;
    let mut cv = report::cross_validation(&held, &outcome, &fold_aucs);
    if let Some(deals) = &deals {
        let (tiers, expected): (Vec<String>, Vec<f64>) = held_value.into_iter().unzip();
        cv.add("value", value::held_out_report(&tiers, &expected, deals, &outcome));
    }
    let auc = metrics::auc(&held.iter().map(|h| h.score).collect::<Vec<_>>(), &outcome);
    let positives = outcome.iter().filter(|&&y| y).count();
    let description = format!(
        "Learned by leadscore calibrate from {rows} leads ({} % converted, label \"{}\"). \
         Cross-validated ROC AUC of the score: {} ({} folds).",
        decimal(100.0 * positives as f64 / rows as f64, 1),
        options.label,
        decimal(auc, 3),
        options.folds
    );
    let model = learned.document(options, Some(&description));
    ModelSet::parse(&model).map_err(|e| internal("the model", &e))?;
    let report = report::report(&learned, &outcome, &skipped, cv, options);
    progress(Progress { step: steps, steps, message: "done" });
    Ok(Calibration { model, report })
}

/// Scores a fold's held-out `testing` rows with the model learned on the other folds, as the engine
/// does, recording each row's score and stage in `held` and its value tier and amount in `held_value`.
fn score_held_out(
    model: &Model,
    table: &Table,
    testing: &[usize],
    options: &CalibrateOptions,
    held: &mut [HeldOut],
    held_value: &mut [(String, f64)],
) -> Result<(), Errors> {
    let mut traits = batch::trait_columns(table, model);
    // The segment that sets a lead's expected amount is a trait the card reads too.
    if let Some(name) = options.value_by.as_ref().filter(|n| !traits.iter().any(|(_, t)| t == *n)) {
        traits.extend(table.column(name).map(|i| (i, name.clone())));
    }
    for &row in testing {
        let card = batch::score_row(model, table, &traits, row, 0)?;
        if let (Some(slot), Some(value)) = (held_value.get_mut(row), &card.value) {
            *slot = (value.tier.clone(), value.expected);
        }
        if let Some(slot) = held.get_mut(row) {
            *slot = HeldOut { score: card.total as f64 / 100.0, stage: card.stage };
        }
    }
    Ok(())
}

/// `x` with `places` decimals (at most 6), without the standard float formatting, which would be a
/// large share of the WASM module (see read::fmt_num).
pub(crate) fn decimal(x: f64, places: u32) -> String {
    let places = places.min(6);
    let scale = 10i64.pow(places);
    let scaled = (x * scale as f64).round() as i64;
    let sign = if scaled < 0 { "-" } else { "" };
    let (whole, fraction) = (scaled.unsigned_abs() / scale as u64, scaled.unsigned_abs() % scale as u64);
    if places == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction:0width$}", width = places as usize)
    }
}

/// A generated document the engine rejects is a bug here, not bad input; say so plainly.
fn internal(what: &str, errors: &Errors) -> Errors {
    Errors::single("calibrate", format!("{what} failed validation (a bug in leadscore, please report it): {errors}"))
}

fn check_outcome(outcome: &[bool], options: &CalibrateOptions) -> Result<(), Errors> {
    let label = &options.label;
    let positives = outcome.iter().filter(|&&y| y).count();
    let negatives = outcome.len() - positives;
    if outcome.len() < MIN_ROWS {
        return Err(Errors::single(
            "csv",
            format!("{} rows; calibration needs at least {MIN_ROWS} past leads", outcome.len()),
        ));
    }
    if positives == 0 || negatives == 0 {
        let (value, meaning) = if positives == 0 { ("0", "not converted") } else { ("1", "converted") };
        return Err(Errors::single(
            "options.label",
            format!("column \"{label}\" is {value} ({meaning}) on every row; calibration needs both converted and unconverted leads"),
        ));
    }
    let k = options.folds;
    if !(2..=20).contains(&k) {
        return Err(Errors::single("options.folds", "expected 2 to 20 folds"));
    }
    if positives.min(negatives) < k {
        return Err(Errors::single(
            "options.label",
            format!(
                "column \"{label}\" has {positives} converted and {negatives} unconverted leads; {k}-fold cross-validation needs at least {k} of each"
            ),
        ));
    }
    Ok(())
}

/// A fold per row: each class is shuffled (seeded, so results repeat) and dealt round-robin, so
/// every fold has about the same conversion rate.
fn stratified_folds(outcome: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut state = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut folds = vec![0usize; outcome.len()];
    let mut dealt = 0usize;
    for class in [true, false] {
        let mut members: Vec<usize> = (0..outcome.len()).filter(|&r| outcome.get(r) == Some(&class)).collect();
        for i in (1..members.len()).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            members.swap(i, j);
        }
        for row in members {
            if let Some(slot) = folds.get_mut(row) {
                *slot = dealt % k.max(1);
            }
            dealt += 1;
        }
    }
    folds
}

/// What one learning pass produces: levels, whole points, thresholds and grade bands.
pub(crate) struct Learned<'a> {
    cells: &'a [Cells],
    encoders: Vec<Encoder>,
    /// Pairwise interactions, one rule each (their points are in `points.interactions`).
    interactions: Vec<interactions::Interaction>,
    points: Points,
    plan: StagePlan,
    fit_grades: Vec<i64>,
    engagement_grades: Vec<i64>,
    /// (fit, engagement, total) of each learning row, in whole points.
    scores: Vec<(i64, i64, i64)>,
    /// Columns not in the model, and why.
    left_out: Vec<(String, String)>,
    /// The `value` section, when deal amounts were given.
    value: Option<crate::value_tiers::ValueTiers>,
}

/// Learns points and thresholds from the rows `rows`. Columns without significant evidence of a
/// link to the outcome are left out (they would only add noise, and rules to read); so are the
/// weakest ones beyond the traits a lead can hold.
fn learn<'a>(
    cells: &'a [Cells],
    rows: &[usize],
    outcome: &[bool],
    deals: Option<&value::Deals>,
    options: &CalibrateOptions,
) -> Result<Learned<'a>, Errors> {
    let truth: Vec<bool> = rows.iter().map(|&r| outcome.get(r).copied().unwrap_or(false)).collect();
    let every: Vec<usize> = (0..cells.len()).collect();
    // The tests need only the levels, not a regression: one fit, on the columns kept.
    let all_encoders = encode::fit_encoders(cells, &every, rows, options);
    let all_design = encode::design(cells, &all_encoders, rows);
    let name = |column: usize| cells.get(column).map(|c| c.column.name.clone()).unwrap_or_default();
    let mut left_out: Vec<(String, String)> = every
        .iter()
        .filter(|&&c| !all_encoders.iter().any(|e| e.column == c))
        .map(|&c| (name(c), format!("no answer is given on at least {} rows", options.min_level_rows)))
        .collect();
    // Strength: the chi-square statistic of the column's levels against the outcome, over its
    // critical value; at least 1 is significant. Tested one column at a time, so that two columns
    // telling the same story (lead origin and lead source) do not hide each other.
    let mut ranked: Vec<(usize, f64)> = all_encoders
        .iter()
        .enumerate()
        .map(|(e, encoder)| {
            let levels: Vec<u32> =
                (0..rows.len()).map(|r| all_design.row(r).get(e).copied().unwrap_or(encode::IMPLICIT)).collect();
            let (statistic, df) = metrics::independence(&levels, &truth);
            (encoder.column, statistic / metrics::chi_square_critical(df, options.significance))
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut keep = Vec::new();
    for (rank, &(column, strength)) in ranked.iter().enumerate() {
        if rank > 0 && strength < 1.0 {
            left_out.push((name(column), "no significant link to the outcome in these rows".into()));
        } else if keep.len() >= MAX_MODEL_COLUMNS {
            left_out.push((name(column), format!("weaker than the {MAX_MODEL_COLUMNS} columns kept (a lead holds at most {MAX_MODEL_COLUMNS} traits)")));
        } else {
            keep.push(column);
        }
    }
    keep.sort_unstable();
    let Fitted { encoders, interactions, design, points } = fit_points(cells, &keep, rows, &truth, options)?;
    let scores: Vec<(i64, i64, i64)> = (0..rows.len())
        .map(|i| {
            let (fit, engagement) = points.row_scores(design.row(i), &encoders, cells);
            (fit, engagement, (fit + engagement).clamp(0, SCALE_MAX))
        })
        .collect();
    let totals: Vec<i64> = scores.iter().map(|s| s.2).collect();
    let plan = stages::plan(&totals, &truth, options.mql, options.sql).ok_or_else(|| {
        Errors::single(
            "csv",
            "every learning row gets the same score: no column separates converted from unconverted leads",
        )
    })?;
    let fit_grades = stages::quartile_mins(&scores.iter().map(|s| s.0).collect::<Vec<_>>());
    let engagement_grades = stages::quartile_mins(&scores.iter().map(|s| s.1).collect::<Vec<_>>());
    let value = deals.and_then(|d| value::learn(d, rows, &totals, &truth, options.min_level_rows));
    Ok(Learned { cells, encoders, interactions, points, plan, fit_grades, engagement_grades, scores, left_out, value })
}

/// One regression over some columns (and the interactions found among them), and its whole points.
struct Fitted {
    encoders: Vec<Encoder>,
    interactions: Vec<interactions::Interaction>,
    /// The levels' codes, then one column per interaction.
    design: encode::Design,
    points: Points,
}

fn fit_points(
    cells: &[Cells],
    which: &[usize],
    rows: &[usize],
    truth: &[bool],
    options: &CalibrateOptions,
) -> Result<Fitted, Errors> {
    let encoders = encode::fit_encoders(cells, which, rows, options);
    let design = encode::design(cells, &encoders, rows);
    let neighbours = encoders
        .iter()
        .filter(|e| matches!(e.levels, encode::Levels::Bins { .. }))
        .flat_map(|e| (1..e.width()).map(move |j| (e.first as usize + j - 1, e.first as usize + j)))
        .collect();
    let penalty = logistic::Penalty { ridge: options.regularization, smooth: options.smoothing, neighbours };
    let additive = logistic::fit(&design, truth, &penalty).map_err(|e| Errors::single("calibrate", e))?;
    let found = interactions::find(
        &design,
        &encoders,
        &additive,
        truth,
        options.interactions,
        options.min_level_rows.max(MIN_INTERACTION_ROWS),
        options.regularization,
    );
    let (design, weights) = if found.is_empty() {
        (design, additive)
    } else {
        let extended = interactions::extend(&design, &encoders, cells, rows, &found);
        let weights = logistic::fit(&extended, truth, &penalty).map_err(|e| Errors::single("calibrate", e))?;
        (extended, weights)
    };
    let roles: Vec<columns::Role> = found.iter().map(|pair| interactions::role(pair, &encoders, cells)).collect();
    let points = points::from_weights(&weights, &encoders, &design, &roles).ok_or_else(|| {
        Errors::single("csv", "no column separates converted from unconverted leads: every learned weight is zero")
    })?;
    Ok(Fitted { encoders, interactions: found, design, points })
}

impl Learned<'_> {
    /// The model document: rules, the 0..100 scale, stages, grades and next steps.
    fn document(&self, options: &CalibrateOptions, description: Option<&str>) -> Value {
        let rules: Vec<Value> = self
            .points
            .rules(&self.encoders, self.cells, &self.interactions)
            .into_iter()
            .map(|(_, rule)| rule)
            .collect();
        let mut stages = vec![stage("new", None)];
        if let Some(warm) = self.plan.warm {
            stages.push(stage("warm", Some(warm)));
        }
        stages.push(stage("mql", Some(self.plan.mql)));
        if let Some(sql) = self.plan.sql {
            stages.push(stage("sql", Some(sql)));
        }
        let mut next_steps = vec![
            ("new", Value::from("Nurture")),
            ("mql", Value::from("Sales: review and call")),
            ("sql", Value::from("Call within 24 hours")),
        ];
        if self.plan.warm.is_some() {
            next_steps.insert(1, ("warm", Value::from("Add to a nurture sequence")));
        }
        if self.plan.sql.is_none() {
            next_steps.retain(|(s, _)| *s != "sql");
        }
        let mut entries = vec![("name", Value::String(options.name.clone())), ("version", Value::from("1"))];
        if let Some(text) = description {
            entries.push(("description", Value::from(text)));
        }
        entries.extend([
            ("rules", Value::Array(rules)),
            ("scale", Value::object(vec![("min", Value::Number(0.0)), ("max", Value::Number(SCALE_MAX as f64))])),
            ("stages", Value::Array(stages)),
            (
                "grades",
                Value::object(vec![
                    ("fit", bands(&["A", "B", "C", "D"], &self.fit_grades)),
                    ("engagement", bands(&["1", "2", "3", "4"], &self.engagement_grades)),
                ]),
            ),
            ("qualify", Value::object(vec![("stage", Value::from("mql"))])),
            ("next_steps", Value::object(next_steps)),
        ]);
        if let Some(value) = &self.value {
            entries.push(("value", crate::value_tiers::to_value(value)));
        }
        Value::object(entries)
    }
}

fn stage(name: &str, min: Option<i64>) -> Value {
    let mut entries = vec![("name", Value::from(name))];
    if let Some(min) = min {
        entries.push(("min", Value::Number(min as f64)));
    }
    Value::object(entries)
}

/// Grade bands: one per minimum, best first, and a last band for everyone else.
fn bands(names: &[&str], mins: &[i64]) -> Value {
    let mut list: Vec<Value> = names
        .iter()
        .zip(mins)
        .map(|(name, min)| Value::object(vec![("grade", Value::from(*name)), ("min", Value::Number(*min as f64))]))
        .collect();
    if let Some(last) = names.get(mins.len().min(names.len() - 1)) {
        list.push(Value::object(vec![("grade", Value::from(*last))]));
    }
    Value::Array(list)
}

/// For the report: each learned column, its rules and points range in the final model, and why it
/// was left out if it was.
fn column_summary<'a>(learned: &'a Learned<'a>) -> Vec<(&'a Column, usize, i64, Option<&'a str>)> {
    learned
        .cells
        .iter()
        .enumerate()
        .map(|(index, cells)| {
            let used = learned
                .points
                .columns
                .iter()
                .find(|c| learned.encoders.get(c.encoder).is_some_and(|e| e.column == index));
            let rules = used.map_or(0, |c| c.levels.iter().chain([&c.implicit]).filter(|&&p| p > 0).count());
            let reason =
                learned.left_out.iter().find(|(name, _)| *name == cells.column.name).map(|(_, why)| why.as_str());
            (&cells.column, rules, used.map_or(0, |c| c.range()), reason)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn decimals_round_and_pad() {
        assert_eq!(decimal(38.6809, 1), "38.7");
        assert_eq!(decimal(0.9012, 3), "0.901");
        assert_eq!(decimal(0.05, 3), "0.050");
        assert_eq!(decimal(-1.25, 1), "-1.3");
        assert_eq!(decimal(99.6, 0), "100");
    }
}
