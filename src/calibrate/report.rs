//! The calibration report: how well the learned scores rank leads no fold learned from, what the
//! stages do, and what the model is made of. All data, snake_case keys (docs/api.md).

use super::columns::Skipped;
use super::metrics;
use super::options::CalibrateOptions;
use super::{column_summary, Learned};
use crate::value::Value;

/// Stage names calibration writes, lowest first.
const STAGES: &[&str] = &["new", "warm", "mql", "sql"];
/// Top shares whose conversion rate and lift are reported.
const LIFT_SHARES: &[f64] = &[0.1, 0.2, 0.3];
/// A share of held-out leads on one end of the scale worth a warning.
const TIE_WARNING: f64 = 0.05;

/// One held-out row as the engine scored it with the model of the other folds.
#[derive(Debug, Clone, Default)]
pub struct HeldOut {
    pub score: f64,
    pub stage: String,
}

pub struct CrossValidation {
    value: Value,
    notes: Vec<String>,
}

impl CrossValidation {
    /// Adds a section (e.g. `value`, the value tiers on held-out rows).
    pub fn add(&mut self, key: &str, section: Value) {
        if let Value::Object(entries) = &mut self.value {
            entries.push((key.to_string(), section));
        }
    }
}

/// Rounds to 4 decimals so the report reads well; the ranking metrics do not need more.
fn num(x: f64) -> Value {
    Value::Number((x * 1e4).round() / 1e4)
}

fn count(n: usize) -> Value {
    Value::Number(n as f64)
}

pub fn cross_validation(held: &[HeldOut], outcome: &[bool], fold_aucs: &[f64]) -> CrossValidation {
    let scores: Vec<f64> = held.iter().map(|h| h.score).collect();
    let reached = |from: &str| -> Vec<bool> {
        let rank = STAGES.iter().position(|s| *s == from).unwrap_or(0);
        held.iter().map(|h| STAGES.iter().position(|s| *s == h.stage).is_some_and(|r| r >= rank)).collect()
    };
    let at = |from: &str| {
        let (precision, recall, share) = metrics::precision_recall(&reached(from), outcome);
        Value::object(vec![("precision", num(precision)), ("recall", num(recall)), ("share", num(share))])
    };
    let roc = metrics::roc(&scores, outcome).into_iter().map(|(x, y)| Value::Array(vec![num(x), num(y)])).collect();
    let (ties, notes) = ties(&scores);
    let mean = fold_aucs.iter().sum::<f64>() / fold_aucs.len().max(1) as f64;
    let value = Value::object(vec![
        ("method", Value::from("each row scored by the engine with the model learned on the other folds")),
        ("auc", num(metrics::auc(&scores, outcome))),
        ("auc_mean_of_folds", num(mean)),
        ("auc_by_fold", Value::Array(fold_aucs.iter().map(|&a| num(a)).collect())),
        ("lift", lift(&scores, outcome)),
        ("mql", at("mql")),
        ("sql", at("sql")),
        ("stages", stages(held, outcome)),
        ("score_bands", score_bands(&scores, outcome)),
        ("ties", ties),
        ("roc", Value::Array(roc)),
    ]);
    CrossValidation { value, notes }
}

/// Conversion rate, lift over the base rate and recall of the top shares of held-out leads.
fn lift(scores: &[f64], outcome: &[bool]) -> Value {
    let positives = outcome.iter().filter(|&&y| y).count();
    let base = positives as f64 / scores.len().max(1) as f64;
    let rows = LIFT_SHARES.iter().map(|&share| {
        let (rate, recall) = metrics::top_share(scores, outcome, share);
        Value::object(vec![
            ("top", num(share)),
            ("conversion_rate", num(rate)),
            ("lift", num(if base > 0.0 { rate / base } else { 0.0 })),
            ("recall", num(recall)),
        ])
    });
    Value::Array(rows.collect())
}

/// Leads and conversions per stage the held-out leads reached (stages no lead reached left out).
fn stages(held: &[HeldOut], outcome: &[bool]) -> Value {
    let rows = STAGES.iter().filter_map(|&name| {
        let members: Vec<bool> = held.iter().zip(outcome).filter(|(h, _)| h.stage == name).map(|(_, &y)| y).collect();
        if members.is_empty() {
            return None;
        }
        let converted = members.iter().filter(|&&y| y).count();
        Some(Value::object(vec![
            ("stage", Value::from(name)),
            ("leads", count(members.len())),
            ("converted", count(converted)),
            ("conversion_rate", num(converted as f64 / members.len() as f64)),
        ]))
    });
    Value::Array(rows.collect())
}

/// Leads and conversions per band of ten points (the last band includes 100).
fn score_bands(scores: &[f64], outcome: &[bool]) -> Value {
    let rows = (0..10).map(|band| {
        let low = f64::from(band) * 10.0;
        let inside = |s: f64| s >= low && (s < low + 10.0 || band == 9);
        let members: Vec<bool> = scores.iter().zip(outcome).filter(|(s, _)| inside(**s)).map(|(_, &y)| y).collect();
        Value::object(vec![
            ("from", num(low)),
            ("to", num(low + 10.0)),
            ("leads", count(members.len())),
            ("converted", count(members.iter().filter(|&&y| y).count())),
        ])
    });
    Value::Array(rows.collect())
}

/// How many distinct scores there are and the shares at 0 and 100, with a note when a share is large enough
/// to cost ranking.
fn ties(scores: &[f64]) -> (Value, Vec<String>) {
    let rows = scores.len().max(1) as f64;
    let mut distinct = scores.to_vec();
    distinct.sort_unstable_by(f64::total_cmp);
    distinct.dedup();
    let at_floor = scores.iter().filter(|&&s| s <= 0.0).count() as f64 / rows;
    let at_top = scores.iter().filter(|&&s| s >= 100.0).count() as f64 / rows;
    let mut notes = Vec::new();
    for (share, end) in [(at_floor, "0"), (at_top, "100")] {
        if share > TIE_WARNING {
            notes.push(format!(
                "{} % of held-out leads score exactly {end}: they are tied, which costs ranking",
                super::decimal(share * 100.0, 0)
            ));
        }
    }
    let value = Value::object(vec![
        ("distinct_scores", count(distinct.len())),
        ("at_0", num(at_floor)),
        ("at_100", num(at_top)),
    ]);
    (value, notes)
}

pub fn report(
    learned: &Learned<'_>,
    outcome: &[bool],
    skipped: &[Skipped],
    cv: CrossValidation,
    options: &CalibrateOptions,
) -> Value {
    let rows = outcome.len();
    let positives = outcome.iter().filter(|&&y| y).count();
    let rules = learned.points.rules(&learned.encoders, learned.cells, &learned.interactions);
    let points = points_table(&rules);
    let columns = columns_table(learned);
    let share_from = |threshold: Option<i64>| stage_share(learned, outcome, threshold);
    let plan = &learned.plan;
    let mut notes = plan.notes.clone();
    notes.extend(cv.notes);
    Value::object(vec![
        ("label", Value::String(options.label.clone())),
        ("rows", count(rows)),
        ("converted", count(positives)),
        ("conversion_rate", num(positives as f64 / rows.max(1) as f64)),
        ("folds", count(options.folds)),
        ("cross_validation", cv.value),
        (
            "model",
            Value::object(vec![
                ("rules", count(rules.len())),
                ("columns_used", count(learned.points.columns.iter().filter(|c| c.range() > 0).count())),
                ("points_per_log_odds", num(learned.points.per_log_odds)),
                (
                    "stages_on_learning_rows",
                    Value::object(vec![
                        ("warm", share_from(plan.warm)),
                        ("mql", share_from(Some(plan.mql))),
                        ("sql", share_from(plan.sql)),
                    ]),
                ),
            ]),
        ),
        ("points", Value::Array(points)),
        ("columns", Value::Array(columns)),
        ("skipped", skipped_table(skipped)),
        ("notes", Value::Array(notes.into_iter().map(Value::String).collect())),
    ])
}

/// One entry per learned rule: its id, label, column, score and points.
fn points_table(rules: &[(String, Value)]) -> Vec<Value> {
    rules
        .iter()
        .map(|(column, rule)| {
            let field = |k: &str| rule.get(k).cloned().unwrap_or(Value::Null);
            Value::object(vec![
                ("rule", field("id")),
                ("label", field("label")),
                ("column", Value::String(column.clone())),
                ("score", field("score")),
                ("points", field("points")),
            ])
        })
        .collect()
}

/// One entry per learning column: its type, role, answers, rules and points range, or why it was left out.
fn columns_table(learned: &Learned<'_>) -> Vec<Value> {
    column_summary(learned)
        .into_iter()
        .map(|(column, rule_count, range, left_out)| {
            Value::object(vec![
                ("name", Value::String(column.name.clone())),
                ("type", Value::from(column.kind.as_str())),
                ("role", Value::from(column.role.as_str())),
                ("role_from", Value::from(if column.role_set { "option" } else { "name" })),
                ("missing", count(column.missing)),
                ("answers", count(column.distinct)),
                ("rules", count(rule_count)),
                ("points_range", Value::Number(range as f64)),
                ("left_out", left_out.map_or(Value::Null, Value::from)),
            ])
        })
        .collect()
}

/// The share, precision and recall on the learning rows of a stage reached at `threshold` points
/// (null for a stage the plan does not have).
fn stage_share(learned: &Learned<'_>, learning_truth: &[bool], threshold: Option<i64>) -> Value {
    let Some(t) = threshold else { return Value::Null };
    let picked: Vec<bool> = learned.scores.iter().map(|s| s.2 >= t).collect();
    let (precision, recall, share) = metrics::precision_recall(&picked, learning_truth);
    Value::object(vec![
        ("min", Value::Number(t as f64)),
        ("share", num(share)),
        ("precision", num(precision)),
        ("recall", num(recall)),
    ])
}

/// The columns calibration skipped, each with its reason.
fn skipped_table(skipped: &[Skipped]) -> Value {
    Value::Array(
        skipped
            .iter()
            .map(|s| {
                Value::object(vec![
                    ("name", Value::String(s.name.clone())),
                    ("reason", Value::String(s.reason.clone())),
                ])
            })
            .collect(),
    )
}
