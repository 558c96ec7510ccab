//! Champion / challenger: two models score the same leads with known outcomes, streamed, and
//! the report sets them side by side: ROC AUC with a 95 % confidence interval (DeLong's, and
//! for the difference the paired one), conversion and lift in the top decile, stage sizes and
//! conversion per stage, and which leads change stage. Memory is bounded by the distinct pairs of
//! scores (integer hundredths on a bounded scale), not by the number of rows: DeLong's variance
//! only needs, for each score, how many converted and unconverted leads have it.

use super::columns::{cell_key, outcome_of_key};
use super::stream::{RowScorer, RowStream, StreamOptions, Streamed};
use crate::csv;
use crate::error::Errors;
use crate::model::{Model, ModelSet};
use crate::read::fmt_centi;
use crate::value::Value;
use std::collections::{BTreeMap, HashMap};

/// The normal quantile of a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

pub struct CompareStream {
    rows: RowStream,
    models: [Model; 2],
    label: String,
    id: Option<String>,
    /// Write the leads whose stage changes (id, stages, scores) as CSV output.
    list_changes: bool,
    plan: Option<Plan>,
}

struct Plan {
    scorers: [RowScorer; 2],
    label: usize,
    id: Option<usize>,
    /// (score a, score b) -> (converted, not converted)
    pairs: HashMap<(i64, i64), (u64, u64)>,
    /// Per model, per stage: (leads, converted)
    stages: [Vec<(u64, u64)>; 2],
    /// (stage a, stage b) -> leads
    changes: BTreeMap<(usize, usize), u64>,
}

impl CompareStream {
    pub fn new(
        doc_a: &Value,
        doc_b: &Value,
        label: &str,
        id: Option<String>,
        list_changes: bool,
        read: &StreamOptions,
    ) -> Result<CompareStream, Errors> {
        let pick = |doc: &Value, which: &str| -> Result<Model, Errors> {
            let set = ModelSet::parse(doc).map_err(|e| Errors::single(which, e.to_string()))?;
            set.select(None).cloned().map_err(|e| Errors::single(which, e.to_string()))
        };
        let models = [pick(doc_a, "model a")?, pick(doc_b, "model b")?];
        Ok(CompareStream { rows: RowStream::new(read), models, label: label.to_string(), id, list_changes, plan: None })
    }
}

impl Streamed for CompareStream {
    fn rows(&mut self) -> &mut RowStream {
        &mut self.rows
    }

    fn drain(&mut self) -> Result<Vec<u8>, Errors> {
        let mut out = String::new();
        while let Some(data) = self.rows.next_row()? {
            if !data {
                let header = &self.rows.header;
                let label = self.rows.require_column(&self.label, "label")?;
                let id = match &self.id {
                    Some(name) => Some(self.rows.require_column(name, "id")?),
                    None => super::batch::default_id_column(header),
                };
                let scorers = [
                    RowScorer::new(&self.models[0], header, 0)?.totals_only(),
                    RowScorer::new(&self.models[1], header, 0)?.totals_only(),
                ];
                let stages = [vec![(0, 0); self.models[0].stages.len()], vec![(0, 0); self.models[1].stages.len()]];
                if self.list_changes {
                    csv::write_row(&mut out, &["id", "stage_a", "stage_b", "score_a", "score_b", self.label.as_str()]);
                }
                self.plan = Some(Plan { scorers, label, id, pairs: HashMap::new(), stages, changes: BTreeMap::new() });
                continue;
            }
            let Some(plan) = &mut self.plan else { continue };
            let record = &self.rows.record;
            let cell = record.cell(plan.label);
            let Some(converted) = cell_key(cell).as_deref().and_then(outcome_of_key) else {
                let message = format!(
                    "line {}: \"{}\" is \"{}\"; expected 1/0, yes/no or true/false",
                    record.line,
                    self.label,
                    cell.trim()
                );
                self.rows.reject(&message, false)?;
                continue;
            };
            let scored = match (plan.scorers[0].score(record), plan.scorers[1].score(record)) {
                (Ok(a), Ok(b)) => [a, b],
                (Err(e), _) | (_, Err(e)) => {
                    let message = format!("line {}: {e}", record.line);
                    self.rows.reject(&message, false)?;
                    continue;
                }
            };
            let slot = plan.pairs.entry((scored[0].total, scored[1].total)).or_insert((0, 0));
            if converted {
                slot.0 += 1;
            } else {
                slot.1 += 1;
            }
            for (s, stages) in scored.iter().zip(plan.stages.iter_mut()) {
                if let Some(stage) = stages.get_mut(s.stage) {
                    stage.0 += 1;
                    stage.1 += u64::from(converted);
                }
            }
            if scored[0].stage != scored[1].stage {
                *plan.changes.entry((scored[0].stage, scored[1].stage)).or_insert(0) += 1;
                if self.list_changes {
                    let id = match plan.id {
                        Some(i) => record.cell(i).to_string(),
                        None => self.rows.rows.to_string(),
                    };
                    let (a, b) =
                        (plan.scorers[0].stage_name(scored[0].stage), plan.scorers[1].stage_name(scored[1].stage));
                    csv::write_row(
                        &mut out,
                        &[
                            id.as_str(),
                            a,
                            b,
                            &fmt_centi(scored[0].total),
                            &fmt_centi(scored[1].total),
                            if converted { "1" } else { "0" },
                        ],
                    );
                }
            }
        }
        Ok(out.into_bytes())
    }
}

impl CompareStream {
    /// `{ rows, bad, errors }` so far.
    pub fn summary(&self) -> Value {
        self.rows.summary(Vec::new())
    }

    /// The side-by-side report (snake_case, as the other reports).
    pub fn report(&self) -> Result<Value, Errors> {
        let Some(plan) = &self.plan else {
            return Err(Errors::single("csv", "the file is empty: expected a header row naming the columns"));
        };
        let (converted, leads) = plan.pairs.values().fold((0u64, 0u64), |(c, n), &(p, q)| (c + p, n + p + q));
        if converted == 0 || converted == leads {
            return Err(Errors::single(
                "label",
                format!("\"{}\" has only one outcome in the scored rows; AUC needs both", self.label),
            ));
        }
        let marginal = |which: usize| {
            let mut by_score: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
            for (&(a, b), &(p, q)) in &plan.pairs {
                let slot = by_score.entry(if which == 0 { a } else { b }).or_insert((0, 0));
                slot.0 += p;
                slot.1 += q;
            }
            by_score
        };
        let margins = [marginal(0), marginal(1)];
        let components = [Placements::of(&margins[0]), Placements::of(&margins[1])];
        let each = components.iter().zip(&plan.scorers).zip(plan.stages.iter().zip(&margins));
        let models = each
            .enumerate()
            .map(|(which, ((component, scorer), (stage_counts, margin)))| {
                let half = Z95 * component.variance(&plan.pairs, which).sqrt();
                model_report(scorer, component.auc, half, stage_counts, margin, (leads, converted))
            })
            .collect();
        let difference = components[1].auc - components[0].auc;
        let variance = components[0].variance(&plan.pairs, 0) + components[1].variance(&plan.pairs, 1)
            - 2.0 * covariance(&components, &plan.pairs);
        let half = Z95 * variance.max(0.0).sqrt();
        let changed: u64 = plan.changes.values().sum();
        Ok(Value::object(vec![
            ("rows", count(self.rows.rows)),
            ("scored", count(leads)),
            ("bad", count(self.rows.bad)),
            ("label", Value::from(self.label.as_str())),
            ("converted", count(converted)),
            ("conversion_rate", ratio(converted, leads)),
            ("models", Value::Array(models)),
            (
                "auc_difference",
                Value::object(vec![
                    ("b_minus_a", Value::Number(difference)),
                    ("ci95", Value::Array(vec![Value::Number(difference - half), Value::Number(difference + half)])),
                ]),
            ),
            ("changed_stage", count(changed)),
            ("changes", stage_changes(plan)),
        ]))
    }
}

/// One model's column of the report: AUC with its 95 % interval (`auc` ± `half`), the top decile's conversion
/// and lift, and each stage's leads and conversion. `totals`: (scored leads, converted) of the whole file.
fn model_report(
    scorer: &RowScorer,
    auc: f64,
    half: f64,
    stage_counts: &[(u64, u64)],
    margin: &BTreeMap<i64, (u64, u64)>,
    (leads, converted): (u64, u64),
) -> Value {
    let stages = stage_counts
        .iter()
        .enumerate()
        .map(|(s, &(n, c))| {
            Value::object(vec![
                ("stage", Value::from(scorer.stage_name(s))),
                ("leads", count(n)),
                ("share", ratio(n, leads)),
                ("converted", count(c)),
                ("conversion_rate", ratio(c, n)),
            ])
        })
        .collect();
    let (top_rate, lift) = top_decile(margin, leads, converted);
    Value::object(vec![
        ("name", Value::from(scorer.model().name.as_str())),
        ("auc", Value::Number(auc)),
        ("auc_ci95", Value::Array(vec![Value::Number((auc - half).max(0.0)), Value::Number((auc + half).min(1.0))])),
        (
            "top_decile",
            Value::object(vec![("conversion_rate", Value::Number(top_rate)), ("lift", Value::Number(lift))]),
        ),
        ("stages", Value::Array(stages)),
    ])
}

/// The leads whose stage differs between the two models, per (stage under A, stage under B).
fn stage_changes(plan: &Plan) -> Value {
    let changes = plan.changes.iter().map(|(&(a, b), &n)| {
        Value::object(vec![
            ("from", Value::from(plan.scorers[0].stage_name(a))),
            ("to", Value::from(plan.scorers[1].stage_name(b))),
            ("leads", count(n)),
        ])
    });
    Value::Array(changes.collect())
}

fn count(n: u64) -> Value {
    Value::Number(n as f64)
}

fn ratio(a: u64, b: u64) -> Value {
    if b == 0 {
        Value::Null
    } else {
        Value::Number(a as f64 / b as f64)
    }
}

/// DeLong's structural components of one model, per score: for a converted lead with score s,
/// the share of unconverted leads it outranks (ties half), `v10[s]`; for an unconverted one, the
/// share of converted leads that outrank it, `v01[s]`.
struct Placements {
    auc: f64,
    v10: HashMap<i64, f64>,
    v01: HashMap<i64, f64>,
    positives: f64,
    negatives: f64,
}

impl Placements {
    fn of(by_score: &BTreeMap<i64, (u64, u64)>) -> Placements {
        let positives: u64 = by_score.values().map(|v| v.0).sum();
        let negatives: u64 = by_score.values().map(|v| v.1).sum();
        let (m, n) = (positives as f64, negatives as f64);
        let mut v10 = HashMap::new();
        let mut v01 = HashMap::new();
        let mut negatives_below = 0u64;
        let mut positives_below = 0u64;
        let mut sum = 0.0;
        for (&score, &(p, q)) in by_score {
            let placement = (negatives_below as f64 + 0.5 * q as f64) / n;
            v10.insert(score, placement);
            sum += placement * p as f64;
            let above = positives - positives_below - p;
            v01.insert(score, (above as f64 + 0.5 * p as f64) / m);
            negatives_below += q;
            positives_below += p;
        }
        Placements { auc: sum / m, v10, v01, positives: m, negatives: n }
    }

    /// The variance of this model's AUC (model `which` of the pairs).
    fn variance(&self, pairs: &HashMap<(i64, i64), (u64, u64)>, which: usize) -> f64 {
        let (mut s10, mut s01) = (0.0, 0.0);
        for (&key, &(p, q)) in pairs {
            let score = if which == 0 { key.0 } else { key.1 };
            let d10 = self.v10.get(&score).copied().unwrap_or(0.0) - self.auc;
            let d01 = self.v01.get(&score).copied().unwrap_or(0.0) - self.auc;
            s10 += p as f64 * d10 * d10;
            s01 += q as f64 * d01 * d01;
        }
        s10 / (self.positives - 1.0).max(1.0) / self.positives + s01 / (self.negatives - 1.0).max(1.0) / self.negatives
    }
}

/// DeLong's covariance of the two models' AUCs, read on the same leads.
fn covariance(models: &[Placements; 2], pairs: &HashMap<(i64, i64), (u64, u64)>) -> f64 {
    let [a, b] = models;
    let (mut s10, mut s01) = (0.0, 0.0);
    for (&(sa, sb), &(p, q)) in pairs {
        let d10 = (a.v10.get(&sa).copied().unwrap_or(0.0) - a.auc) * (b.v10.get(&sb).copied().unwrap_or(0.0) - b.auc);
        let d01 = (a.v01.get(&sa).copied().unwrap_or(0.0) - a.auc) * (b.v01.get(&sb).copied().unwrap_or(0.0) - b.auc);
        s10 += p as f64 * d10;
        s01 += q as f64 * d01;
    }
    s10 / (a.positives - 1.0).max(1.0) / a.positives + s01 / (a.negatives - 1.0).max(1.0) / a.negatives
}

/// Conversion rate of the top 10 % of leads by score, and its lift over the average; leads tied
/// at the cut count in proportion.
fn top_decile(by_score: &BTreeMap<i64, (u64, u64)>, leads: u64, converted: u64) -> (f64, f64) {
    let want = leads as f64 * 0.1;
    let (mut taken, mut hits) = (0.0, 0.0);
    for &(p, q) in by_score.values().rev() {
        let here = (p + q) as f64;
        let share = ((want - taken) / here).clamp(0.0, 1.0);
        taken += here * share;
        hits += p as f64 * share;
        if taken >= want {
            break;
        }
    }
    let rate = if taken > 0.0 { hits / taken } else { 0.0 };
    let base = converted as f64 / leads.max(1) as f64;
    (rate, if base > 0.0 { rate / base } else { 0.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(points: &str) -> Value {
        serde_json::from_str(&format!(
            r#"{{ "name": "m{points}", "rules": [
                {{ "id": "v", "points": {points}, "when": {{ "trait": "Visits", "at_least": 3 }} }},
                {{ "id": "api", "points": 40, "when": {{ "trait": "Origin", "equals": "API" }} }} ],
              "stages": [{{ "name": "new" }}, {{ "name": "mql", "min": 50 }}] }}"#
        ))
        .unwrap()
    }

    /// AUC by counting every (converted, unconverted) pair, ties half.
    fn brute_auc(scores: &[(i64, bool)]) -> f64 {
        let (mut sum, mut pairs) = (0.0, 0.0);
        for &(x, _) in scores.iter().filter(|s| s.1) {
            for &(y, _) in scores.iter().filter(|s| !s.1) {
                sum += if x > y {
                    1.0
                } else if x == y {
                    0.5
                } else {
                    0.0
                };
                pairs += 1.0;
            }
        }
        sum / pairs
    }

    #[test]
    fn auc_lift_stages_and_changes_side_by_side() {
        let mut text = String::from("id,Visits,Origin,Converted\n");
        let mut expected_a = Vec::new();
        for i in 0..400 {
            let visits = i % 7;
            let api = i % 3 == 0;
            let converted = (visits >= 3 && i % 5 != 0) || (api && i % 4 == 0);
            text.push_str(&format!("L{i},{visits},{},{}\n", if api { "API" } else { "Form" }, u8::from(converted)));
            expected_a.push((i64::from(visits >= 3) * 2000 + i64::from(api) * 4000, converted));
        }
        let mut stream =
            CompareStream::new(&doc("20"), &doc("60"), "Converted", None, true, &StreamOptions::default()).unwrap();
        let mut changes = Vec::new();
        for piece in text.as_bytes().chunks(37) {
            changes.extend(stream.push(piece).unwrap());
        }
        changes.extend(stream.finish().unwrap());
        let report = serde_json::to_value(stream.report().unwrap()).unwrap();
        let auc_a = report["models"][0]["auc"].as_f64().unwrap();
        assert!((auc_a - brute_auc(&expected_a)).abs() < 1e-12, "{auc_a}");
        let ci = report["models"][0]["auc_ci95"].as_array().unwrap();
        assert!(ci[0].as_f64().unwrap() < auc_a && auc_a < ci[1].as_f64().unwrap());
        assert_eq!(report["scored"], 400.0);
        // With 60 points for visits, visitors reach mql in b and not in a: every change is new -> mql.
        assert_eq!(report["changes"][0]["from"], "new");
        assert_eq!(report["changes"][0]["to"], "mql");
        let changed = report["changed_stage"].as_f64().unwrap() as usize;
        let listed = String::from_utf8(changes).unwrap();
        assert_eq!(listed.lines().count(), 1 + changed);
        assert!(listed.starts_with("id,stage_a,stage_b,score_a,score_b,Converted\n"));
        assert!(report["models"][1]["top_decile"]["lift"].as_f64().unwrap() > 1.0);
        let e = CompareStream::new(&doc("20"), &doc("20"), "Nope", None, false, &StreamOptions::default())
            .unwrap()
            .push(text.as_bytes())
            .unwrap_err();
        assert!(e.to_string().starts_with("label: no column \"Nope\""), "{e}");
    }
}
