//! Value tiers from past deals (options `value` and `valueBy`): the conversion rate at each score
//! (10-point bands of the learning rows, smoothed toward the base rate and never falling as the
//! score rises) times the mean amount of a converted lead — overall, or per answer of the
//! `valueBy` column when it has enough converted rows — gives each lead's expected value; the
//! top 20 % of learning rows by expected value are "high", the next 30 % "medium", the rest "low".
//! The report measures the tiers on held-out rows: the share of the value actually brought that
//! the high tier holds.

use super::columns::cell_number;
use super::metrics;
use crate::csv::Table;
use crate::error::Errors;
use crate::value::Value;
use crate::value_tiers::ValueTiers;

/// Leads added at the base rate to each band's count: a band of a few leads says little.
const PRIOR_LEADS: f64 = 5.0;
/// Shares of learning rows above the high and medium tiers' minimums.
const HIGH_SHARE: f64 = 0.2;
const MEDIUM_SHARE: f64 = 0.5;
const BAND: i64 = 10;

/// The value column's amounts and the segment answers, read once for all rows.
pub struct Deals {
    /// What each row brought: its amount (an empty cell is 0).
    pub amounts: Vec<f64>,
    /// The `valueBy` column's name and each row's answer (trimmed, as written).
    pub segments: Option<(String, Vec<String>)>,
}

impl Deals {
    pub fn read(table: &Table, value: &str, by: Option<&str>) -> Result<Deals, Errors> {
        let column = table.require_column(value, "options.value")?;
        let mut amounts = Vec::with_capacity(table.rows.len());
        for row in 0..table.rows.len() {
            let cell = table.cell(row, column).trim();
            let amount = if cell.is_empty() { Some(0.0) } else { cell_number(cell) };
            match amount {
                Some(a) if a.is_finite() && a >= 0.0 => amounts.push(a),
                _ => {
                    return Err(Errors::single(
                        "csv",
                        format!(
                            "{}: column \"{value}\": \"{cell}\" is not an amount (a number ≥ 0, or empty for none)",
                            table.row_name(row)
                        ),
                    ))
                }
            }
        }
        let segments = match by {
            None => None,
            Some(name) => {
                let column = table.require_column(name, "options.valueBy")?;
                Some((
                    name.to_string(),
                    (0..table.rows.len()).map(|row| table.cell(row, column).trim().to_string()).collect(),
                ))
            }
        };
        Ok(Deals { amounts, segments })
    }

    /// What a row actually brought: its amount if it converted.
    fn realised(&self, row: usize, converted: bool) -> f64 {
        if converted {
            self.amounts.get(row).copied().unwrap_or(0.0)
        } else {
            0.0
        }
    }
}

/// Learns the `value` section from learning rows (`rows`, their totals in whole points and
/// outcomes). None when no learning row converted with an amount.
pub fn learn(
    deals: &Deals,
    rows: &[usize],
    totals: &[i64],
    truth: &[bool],
    min_segment_rows: usize,
) -> Option<ValueTiers> {
    let converted: Vec<usize> = rows.iter().zip(truth).filter(|(_, &y)| y).map(|(&r, _)| r).collect();
    let mean = |list: &[usize]| {
        list.iter().map(|&r| deals.amounts.get(r).copied().unwrap_or(0.0)).sum::<f64>() / list.len().max(1) as f64
    };
    let default_amount = round_cents(mean(&converted));
    if default_amount <= 0.0 {
        return None;
    }
    let by = deals.segments.as_ref().map(|(name, answers)| {
        let mut seen: Vec<(String, Vec<usize>)> = Vec::new();
        for &row in &converted {
            let answer = answers.get(row).map(String::as_str).unwrap_or("");
            if answer.is_empty() {
                continue;
            }
            match seen.iter_mut().find(|(a, _)| a.eq_ignore_ascii_case(answer)) {
                Some((_, list)) => list.push(row),
                None => seen.push((answer.to_string(), vec![row])),
            }
        }
        let amounts = seen
            .into_iter()
            .filter(|(_, list)| list.len() >= min_segment_rows)
            .map(|(a, list)| (a, round_cents(mean(&list))))
            .collect();
        (name.clone(), amounts)
    });
    // Conversion rate per 10-point band, lowest band first, then made non-decreasing.
    let base = converted.len() as f64 / rows.len().max(1) as f64;
    let top_band = totals.iter().copied().max().unwrap_or(0) / BAND;
    let mut rates: Vec<f64> = (0..=top_band)
        .map(|band| {
            let (leads, wins) = totals
                .iter()
                .zip(truth)
                .filter(|(t, _)| **t / BAND == band)
                .fold((0.0, 0.0), |(n, w), (_, &y)| (n + 1.0, w + f64::from(u8::from(y))));
            (wins + PRIOR_LEADS * base) / (leads + PRIOR_LEADS)
        })
        .collect();
    for i in 1..rates.len() {
        let below = rates.get(i - 1).copied().unwrap_or(0.0);
        if let Some(rate) = rates.get_mut(i) {
            *rate = rate.max(below);
        }
    }
    let rates: Vec<(i64, f64)> = rates
        .iter()
        .enumerate()
        .rev()
        .map(|(band, &rate)| (if band == 0 { i64::MIN } else { band as i64 * BAND * 100 }, (rate * 1e4).round() / 1e4))
        .collect();
    let mut tiers = ValueTiers { rates, default_amount, by, tiers: Vec::new() };
    // Expected values of the learning rows, through the engine's own formula (no traits needed
    // beyond the segment, looked up the same way).
    let mut expected: Vec<f64> =
        rows.iter().zip(totals).map(|(&row, &total)| expected_of(&tiers, deals, row, total)).collect();
    expected.sort_unstable_by(f64::total_cmp);
    let at = |share: f64| {
        expected.get(((expected.len().saturating_sub(1)) as f64 * (1.0 - share)) as usize).copied().unwrap_or(0.0)
    };
    let (high, medium) = (round_cents(at(HIGH_SHARE)), round_cents(at(MEDIUM_SHARE)));
    tiers.tiers.push(("high".into(), high));
    if medium < high {
        tiers.tiers.push(("medium".into(), medium));
    }
    tiers.tiers.push(("low".into(), f64::NEG_INFINITY));
    Some(tiers)
}

/// A row's expected value as the engine computes it from its total (whole points) and segment.
fn expected_of(tiers: &ValueTiers, deals: &Deals, row: usize, total: i64) -> f64 {
    let rate = tiers.rates.iter().find(|(min, _)| total * 100 >= *min).map_or(0.0, |(_, r)| *r);
    let answer = deals.segments.as_ref().and_then(|(_, answers)| answers.get(row));
    let amount = tiers
        .by
        .as_ref()
        .zip(answer)
        .and_then(|((_, amounts), answer)| {
            amounts.iter().find(|(a, _)| a.eq_ignore_ascii_case(answer)).map(|(_, n)| *n)
        })
        .unwrap_or(tiers.default_amount);
    round_cents(rate * amount)
}

fn round_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The report's `cross_validation.value`: per tier, the held-out leads, their share, conversion
/// rate and the share of all the value held-out leads brought; `top_tier_value_share` is the
/// high tier's.
pub fn held_out_report(tiers: &[String], expected: &[f64], deals: &Deals, outcome: &[bool]) -> Value {
    let rows = outcome.len().max(1) as f64;
    let brought: Vec<f64> = outcome.iter().enumerate().map(|(row, &y)| deals.realised(row, y)).collect();
    let total: f64 = brought.iter().sum::<f64>().max(1e-12);
    let mut names: Vec<&str> = Vec::new();
    for name in ["high", "medium", "low"].into_iter().chain(tiers.iter().map(String::as_str)) {
        if !names.contains(&name) && tiers.iter().any(|t| t == name) {
            names.push(name);
        }
    }
    let by_tier: Vec<Value> = names
        .iter()
        .map(|&name| {
            let members: Vec<usize> = (0..outcome.len()).filter(|&r| tiers.get(r).is_some_and(|t| t == name)).collect();
            let converted = members.iter().filter(|&&r| outcome.get(r) == Some(&true)).count();
            let value: f64 = members.iter().filter_map(|&r| brought.get(r)).sum();
            Value::object(vec![
                ("tier", Value::from(name)),
                ("leads", Value::Number(members.len() as f64)),
                ("share", num(members.len() as f64 / rows)),
                ("conversion_rate", num(converted as f64 / members.len().max(1) as f64)),
                ("value_share", num(value / total)),
            ])
        })
        .collect();
    let top = by_tier.first().and_then(|t| t.get("value_share").cloned()).unwrap_or(Value::Number(0.0));
    Value::object(vec![
        ("top_tier_value_share", top),
        ("expected_value_auc", num(metrics::auc(expected, &brought.iter().map(|&b| b > 0.0).collect::<Vec<_>>()))),
        ("tiers", Value::Array(by_tier)),
    ])
}

fn num(x: f64) -> Value {
    Value::Number((x * 1e4).round() / 1e4)
}
