//! The fast path for leads that are flat records (CRM rows, edge form fields, the benchmark):
//! a model whose rules are all trait rules (each possibly `all`, `any` and `not` of tests on one
//! field, as calibration writes "no answer") compiles to slot programs over numbers, so scoring
//! one lead allocates nothing and crosses the JS boundary as a few numbers.
//!
//! A lead is encoded per field as (code, number): the number is the value for a number (finite:
//! the encoder sends others down the general path), 0 or 1 for a boolean, 0 otherwise; other
//! pairs give some total, without a panic. Text is looked up, trimmed and ASCII-lower-cased, in
//! the model's table of text constants; every trait test was evaluated once per constant at
//! compile time, so text compares cost a table read. Text outside the table can only be scored
//! here when the field's tests cannot tell unknown texts apart (no numeric tests, no
//! `contains`); otherwise the encoder must use the general path (`score_lead`).
//!
//! The rules of one field that are in no group and whose number test is a range are merged into
//! one `Slot`: a table of points per text constant and special value, and for numbers a few
//! thresholds. A lead then costs one pass over its fields, without a branch on whether a rule
//! fired. Other rules (in a group, or a number test that is not a range) keep one op each.
//! Results equal the general engine's to the hundredth; a property test holds them to that.

use crate::engine::{clamp_opt, trait_test};
use crate::model::{Condition, Model, Scalar, ScoreKind, StateCondition, TraitTest};
use crate::read::parse_decimal;

mod field;
mod slot;

use field::*;
use slot::*;

/// Field codes besides constant indexes (which are ≥ 0).
pub const MISSING: f64 = -1.0;
pub const NUMBER: f64 = -2.0;
pub const BOOLEAN: f64 = -3.0;
pub const UNKNOWN_TEXT: f64 = -4.0;

/// Words `is_true` accepts; in the table so an unknown text is known not to be one of them.
use crate::form::TRUTHY;

#[derive(Debug, Clone)]
pub struct FlatModel {
    pub fields: Vec<String>,
    /// Lower-case text constants; a text's code is its index here.
    pub texts: Vec<String>,
    /// Per field: whether an unknown text can be scored here (else: general path).
    pub unknown_ok: Vec<bool>,
    rules: Vec<FlatRule>,
    /// One per field: the merged programs of the field's plain rules (see `Slot`).
    slots: Vec<Slot>,
    /// (field, step): a number's steps beyond a slot's first two, in order (a field with several
    /// number rules; rare).
    more_steps: Vec<(usize, Step)>,
    /// The other rules (in a group, or with a number test `Slot` cannot express), one op each.
    ops: Vec<Op>,
    /// Every rule as an op, in the order of `rules` (what `fired` reads).
    rule_ops: Vec<Op>,
    /// Per group: min, max, and whether it limits fit (else engagement).
    groups: Vec<(Option<i64>, Option<i64>, bool)>,
    cap_fit: Option<i64>,
    cap_engagement: Option<i64>,
    scale: (i64, i64),
}

#[derive(Debug, Clone)]
struct FlatRule {
    /// The rule's index in the model.
    index: usize,
    slot: usize,
    /// All of the rule's tests, merged into one (they test the same value).
    test: FlatTest,
    points: i64,
    fit: bool,
    group: Option<usize>,
}

/// A rule no slot holds, reduced to what its loop reads: one record, no enums to match.
#[derive(Debug, Clone, Copy)]
struct Op {
    slot: usize,
    /// The rule's index in `FlatModel::rules`, read only for complex tests.
    rule: usize,
    /// Index of the rule's score in the accumulators (0 fit, 1 engagement), and of its group
    /// (0 for none, else 1 + the group's index).
    score: usize,
    group: usize,
    points: i64,
    /// For numbers: lo ≤ n ≤ hi, the result inverted when `negate`.
    lo: f64,
    hi: f64,
    negate: bool,
    /// Results per text code (bit i), and bits 0..3 of `special`: missing, false, true, unknown text.
    text_bits: u64,
    special: u8,
    /// The number or text test does not fit this record: ask `FlatRule::test`.
    complex: bool,
}

const MAX_FLAT_GROUPS: usize = 15;

impl FlatModel {
    /// Compiles `model`, or says why it needs the general path.
    pub fn compile(model: &Model) -> Result<FlatModel, String> {
        let (fields, texts) = fields_and_texts(model)?;
        let (rules, unknown_ok) = flat_rules(model, &fields, &texts)?;
        if model.groups.len() > MAX_FLAT_GROUPS {
            return Err(format!("more than {MAX_FLAT_GROUPS} groups"));
        }
        // Slot sums are packed (see `PACK_BITS`): each score's points must stay below 2^26 in all.
        for fit in [true, false] {
            let sum = rules
                .iter()
                .filter(|r| r.fit == fit)
                .fold(0i64, |sum, r| sum.saturating_add(r.points.saturating_abs()));
            if sum >= 1 << (PACK_BITS - 1) {
                return Err("the points are too large for the fast path".to_string());
            }
        }
        let (slots, more_steps, ops) = build_slots(&fields, &texts, &rules);
        Ok(FlatModel {
            rule_ops: rules.iter().enumerate().map(|(i, rule)| Op::of(i, rule)).collect(),
            slots,
            more_steps,
            ops,
            fields,
            texts,
            unknown_ok,
            rules,
            groups: model.groups.iter().map(|g| (g.min, g.max, g.score == Some(ScoreKind::Fit))).collect(),
            cap_fit: model.cap_fit,
            cap_engagement: model.cap_engagement,
            scale: (model.scale_min, model.scale_max),
        })
    }

    /// The total, in hundredths, of one lead encoded as `codes` and `numbers` (one per field).
    pub fn score(&self, codes: &[f64], numbers: &[f64]) -> i64 {
        self.totals(codes, numbers).2
    }

    /// Fit and engagement after group limits and caps, and the total on the scale, in hundredths,
    /// of one lead encoded as `codes` and `numbers` (one per field).
    pub fn totals(&self, codes: &[f64], numbers: &[f64]) -> (i64, i64, i64) {
        let n = self.slots.len();
        // The usual call has a value per field: zipping needs no bounds check per field.
        let packed: f64 = if codes.len() >= n && numbers.len() >= n {
            self.slots.iter().zip(codes).zip(numbers).map(|((slot, &code), &number)| slot.points(code, number)).sum()
        } else {
            self.slots
                .iter()
                .enumerate()
                .map(|(i, slot)| {
                    slot.points(codes.get(i).copied().unwrap_or(MISSING), numbers.get(i).copied().unwrap_or(0.0))
                })
                .sum()
        };
        // Added after the slot's first two steps, these continue its sum in step order; partial
        // sums stay exact (see `PACK_BITS`).
        let packed = self.more_steps.iter().fold(packed, |sum, (slot, step)| match codes.get(*slot) {
            Some(&code) if code == NUMBER => sum + step.points(numbers.get(*slot).copied().unwrap_or(0.0)),
            _ => sum,
        });
        let (mut fit, mut engagement) = unpack(packed);
        if !self.ops.is_empty() || !self.groups.is_empty() {
            self.add_grouped(codes, numbers, &mut fit, &mut engagement);
        }
        let fit = clamp_opt(fit, None, self.cap_fit);
        let engagement = clamp_opt(engagement, None, self.cap_engagement);
        (fit, engagement, (fit + engagement).clamp(self.scale.0, self.scale.1))
    }

    /// Adds the rules `Slot` does not hold (`ops`) and the group limits to the two scores.
    fn add_grouped(&self, codes: &[f64], numbers: &[f64], fit: &mut i64, engagement: &mut i64) {
        // [fit, engagement] and [no group, group 0, group 1, …]: every rule adds to one of each,
        // so the loop has no branch on whether it fired.
        let mut scores = [0i64; 2];
        let mut group_sums = [0i64; MAX_FLAT_GROUPS + 1];
        for op in &self.ops {
            let points = op.points * i64::from(self.hit(op, codes, numbers));
            if let Some(sum) = scores.get_mut(op.score) {
                *sum += points;
            }
            if let Some(sum) = group_sums.get_mut(op.group) {
                *sum += points;
            }
        }
        let [fit_sum, engagement_sum] = scores;
        *fit += fit_sum;
        *engagement += engagement_sum;
        let group_sums = group_sums.get(1..).unwrap_or(&[]);
        // Group limits adjust the score their rules feed, as in the general engine.
        for (&sum, &(min, max, fit_group)) in group_sums.iter().zip(&self.groups) {
            let limited = clamp_opt(sum, min, max);
            if fit_group {
                *fit += limited - sum;
            } else {
                *engagement += limited - sum;
            }
        }
    }

    /// Whether the rule of `op` holds for one lead.
    #[inline(always)]
    fn hit(&self, op: &Op, codes: &[f64], numbers: &[f64]) -> bool {
        let code = codes.get(op.slot).copied().unwrap_or(MISSING);
        let number = numbers.get(op.slot).copied().unwrap_or(0.0);
        if op.complex {
            self.rules.get(op.rule).is_some_and(|rule| holds(&rule.test, code, number))
        } else if code == NUMBER {
            ((number >= op.lo) & (number <= op.hi)) != op.negate
        } else if code >= 0.0 {
            (op.text_bits >> ((code as u32) & 63)) & 1 == 1
        } else {
            let special = match code {
                c if c == MISSING => 0,
                c if c == BOOLEAN => 1 + u32::from(number != 0.0),
                _ => 3,
            };
            (op.special >> special) & 1 == 1
        }
    }

    /// The indexes in the model of the rules that fire for one lead, in model order, into `out`
    /// (for a score card's breakdown, which the packed sums of `score` cannot give).
    pub fn fired(&self, codes: &[f64], numbers: &[f64], out: &mut Vec<usize>) {
        out.clear();
        for (op, rule) in self.rule_ops.iter().zip(&self.rules) {
            if self.hit(op, codes, numbers) {
                out.push(rule.index);
            }
        }
    }

    /// The code of a text value, as the encoder must compute it.
    pub fn text_code(&self, text: &str) -> f64 {
        let key = text.trim().to_ascii_lowercase();
        if key.is_empty() {
            return MISSING;
        }
        self.texts.iter().position(|t| *t == key).map_or(UNKNOWN_TEXT, |i| i as f64)
    }
}

/// The trait fields the rules test, in order of first use, and the texts they compare (the truthy words
/// first); an error when a rule is not a trait rule or compares non-ASCII text.
fn fields_and_texts(model: &Model) -> Result<(Vec<String>, Vec<String>), String> {
    let mut fields: Vec<String> = Vec::new();
    let mut texts: Vec<String> = TRUTHY.iter().map(|s| (*s).to_string()).collect();
    for rule in &model.rules {
        let Some((field, tests)) = trait_tests(&rule.when) else {
            return Err(format!("rule {} is not a trait rule (or all, any, not of trait tests on one field)", rule.id));
        };
        if !fields.contains(field) {
            fields.push(field.clone());
        }
        for test in tests {
            let constants: Vec<&Scalar> = match test {
                TraitTest::Equals(s) => vec![s],
                TraitTest::OneOf(list) => list.iter().collect(),
                _ => Vec::new(),
            };
            for constant in constants {
                if let Scalar::Text(t) = constant {
                    if !t.is_ascii() {
                        return Err(format!("rule {} compares non-ASCII text", rule.id));
                    }
                    if !texts.contains(t) {
                        texts.push(t.clone());
                    }
                }
            }
        }
    }
    Ok((fields, texts))
}

/// Each rule as a test on one field's slot, and per field whether a text none of the rules names may be read
/// as unknown (false when a test needs the text itself).
fn flat_rules(model: &Model, fields: &[String], texts: &[String]) -> Result<(Vec<FlatRule>, Vec<bool>), String> {
    let mut unknown_ok = vec![true; fields.len()];
    let mut rules = Vec::with_capacity(model.rules.len());
    for (index, rule) in model.rules.iter().enumerate() {
        let (Some((field, tests)), Condition::State(condition)) = (trait_tests(&rule.when), &rule.when) else {
            continue;
        };
        let slot = fields.iter().position(|f| f == field).unwrap_or(0);
        if tests.into_iter().any(needs_the_text) {
            if let Some(ok) = unknown_ok.get_mut(slot) {
                *ok = false;
            }
        }
        let Some(test) = flat_test(condition, texts) else {
            return Err(format!("rule {} has a condition without tests", rule.id));
        };
        rules.push(FlatRule {
            index,
            slot,
            test,
            points: rule.points,
            fit: rule.score == ScoreKind::Fit,
            group: rule.group,
        });
    }
    Ok((rules, unknown_ok))
}

/// Ungrouped rules on one number range fold into their field's slot (a table by text key plus steps by
/// number); the others stay ops, checked one by one.
fn build_slots(fields: &[String], texts: &[String], rules: &[FlatRule]) -> (Vec<Slot>, Vec<(usize, Step)>, Vec<Op>) {
    let keys = KEY_TEXT + texts.len();
    let mut slots: Vec<SlotBuilder> =
        fields.iter().map(|_| SlotBuilder { table: vec![0; keys], base: 0, steps: Vec::new() }).collect();
    let mut ops = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        match (rule.group, number_range(&rule.test.number), slots.get_mut(rule.slot)) {
            (None, Some(range), Some(slot)) => slot.add(&rule.test, range, pack(rule.points, rule.fit)),
            _ => ops.push(Op::of(i, rule)),
        }
    }
    let mut more_steps = Vec::new();
    let slots = slots
        .into_iter()
        .enumerate()
        .map(|(i, slot)| {
            let (slot, more) = slot.build();
            more_steps.extend(more.into_iter().map(|step| (i, step)));
            slot
        })
        .collect();
    (slots, more_steps, ops)
}

impl Op {
    fn of(index: usize, rule: &FlatRule) -> Op {
        let test = &rule.test;
        let (lo, hi, negate, number_simple) = match number_range(&test.number) {
            Some((lo, hi, negate)) => (lo, hi, negate, true),
            None => (0.0, 0.0, false, false),
        };
        let unknown = test.by_text.last().copied().unwrap_or(false);
        let special = u8::from(test.missing)
            | u8::from(test.on_false) << 1
            | u8::from(test.on_true) << 2
            | u8::from(unknown) << 3;
        Op {
            slot: rule.slot,
            rule: index,
            score: usize::from(!rule.fit),
            group: rule.group.map_or(0, |g| g + 1),
            points: rule.points,
            lo,
            hi,
            negate,
            text_bits: test.text_bits.unwrap_or(0),
            special,
            complex: !number_simple || test.text_bits.is_none(),
        }
    }
}

/// The field a rule's condition reads and every trait test in it, when it is trait tests on one
/// field combined by `all`, `any` and `not` (what calibration writes for "no answer"): the fast
/// path compiles those; None for anything else.
pub fn trait_tests(condition: &Condition) -> Option<(&String, Vec<&TraitTest>)> {
    fn walk<'a>(condition: &'a StateCondition, field: &mut Option<&'a String>, tests: &mut Vec<&'a TraitTest>) -> bool {
        match condition {
            StateCondition::Trait { field: f, tests: t } => {
                tests.extend(t);
                *field.get_or_insert(f) == f
            }
            StateCondition::All(list) | StateCondition::Any(list) => list.iter().all(|c| walk(c, field, tests)),
            StateCondition::Not(inner) => walk(inner, field, tests),
            _ => false,
        }
    }
    let Condition::State(condition) = condition else { return None };
    let (mut field, mut tests) = (None, Vec::new());
    if !walk(condition, &mut field, &mut tests) {
        return None;
    }
    field.map(|f| (f, tests))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ModelSet;
    use crate::value::Value;

    fn compile(doc: &str) -> (Model, FlatModel) {
        let value: Value = serde_json::from_str(doc).unwrap();
        let model = ModelSet::parse(&value).unwrap().models.remove(0);
        let flat = FlatModel::compile(&model).unwrap();
        (model, flat)
    }

    fn general(model: &Model, field: &str, value: f64) -> i64 {
        let lead = Value::object(vec![("traits", Value::object(vec![(field, Value::Number(value))]))]);
        crate::score_lead(model, &lead, 0).unwrap().total
    }

    #[test]
    fn packed_sums_round_trip_at_the_limits() {
        let max = (1i64 << (PACK_BITS - 1)) - 1;
        for (fit, engagement) in [(max, max), (-max, -max), (max, -max), (-max, max), (0, -1), (-1, 0), (1, 1)] {
            let packed = pack(fit, true) as f64 + pack(engagement, false) as f64;
            assert_eq!(unpack(packed), (fit, engagement));
        }
    }

    #[test]
    fn number_boundaries_and_stacked_steps_score_like_the_general_engine() {
        // Four number rules on one field: steps beyond a slot's first two, a negated test, and
        // a step every finite number passes.
        let (model, flat) = compile(
            r#"{ "models": [{ "name": "m", "caps": { "fit": 30 }, "rules": [
                { "id": "a", "points": 25, "when": { "trait": "n", "between": [50, 200] } },
                { "id": "b", "points": -10, "when": { "trait": "n", "below": 100 } },
                { "id": "c", "points": 7, "score": "engagement", "when": { "trait": "n", "above": 150 } },
                { "id": "d", "points": 3, "when": { "trait": "n", "equals": true } }
            ] }] }"#,
        );
        assert!(!flat.more_steps.is_empty());
        let edges = [
            -1e300,
            -0.0,
            0.0,
            5e-324,
            49.99,
            50.0,
            99.99,
            100.0,
            150.0,
            150.00000000000003,
            200.0,
            200.00000000000003,
            1e300,
        ];
        for n in edges {
            assert_eq!(flat.score(&[NUMBER], &[n]), general(&model, "n", n), "n = {n}");
        }
    }

    #[test]
    fn a_short_encoding_reads_as_missing_fields() {
        let (_, flat) = compile(
            r#"{ "models": [{ "name": "m", "rules": [
                { "id": "a", "points": 5, "when": { "trait": "x", "at_least": 1 } },
                { "id": "b", "points": 4, "when": { "trait": "y", "exists": false } },
                { "id": "c", "points": 3, "when": { "trait": "z", "equals": 0 } }
            ] }] }"#,
        );
        let full = flat.score(&[NUMBER, MISSING, NUMBER], &[2.0, 0.0, 0.0]);
        assert_eq!(full, 1200);
        assert_eq!(flat.score(&[NUMBER], &[2.0]), 900);
        assert_eq!(flat.score(&[NUMBER, MISSING, NUMBER], &[2.0]), full);
    }
}
