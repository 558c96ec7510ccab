//! Learned weights as whole points a marketer can read and edit, and the rules that carry them.
//!
//! Per column, the weakest level seen in the learning rows starts at 0 and the others at the
//! log-odds they add above it. One factor then maps the learning rows' totals onto 0..100: the
//! learning rows' lower quartile maps to 20 points and their upper quartile to 55, linearly in
//! log-odds, so the scale is spread, not bunched, and stays put from one set of learning rows to
//! the next (see `LOW_QUARTILE`). The 0 is moved by taking a share of it off every column, so a
//! column's weakest answers may cost a few points; the few leads below the scale's 0 tie at 0, the
//! few above its 100 at 100.

use super::columns::Role;
use super::encode::{Cells, Design, Encoder, Levels, IMPLICIT};
use super::interactions::{self, Interaction};
use super::logistic::Weights;
use crate::value::Value;

/// The learning rows' totals at these quantiles map to these points, and the scale is the line
/// through them. The quartiles, not the tails, fix the scale: a tail hangs on a few rows (the top
/// 0.5 % of 5,000 rows is 26 leads, and its log-odds moved by 1.5 from one fold to the next), and
/// a scale that moves ranks the same lead differently from one calibration to the next. 20 and 55
/// leave about 1 % of leads at 100 and 3 % at 0 on the shared data; a steeper 25 and 70 ranked a
/// little better there but tied 7 % at 100, past the report's tie warning (docs/calibrate.md).
const LOW_QUARTILE: (f64, f64) = (0.25, 20.0);
const HIGH_QUARTILE: (f64, f64) = (0.75, 55.0);
/// The scale's top, in whole points.
pub const SCALE_MAX: i64 = 100;

#[derive(Debug, Clone)]
pub struct ColumnPoints {
    /// Index into the encoders.
    pub encoder: usize,
    /// Whole points per level.
    pub levels: Vec<i64>,
    /// Whole points when no level applies.
    pub implicit: i64,
}

impl ColumnPoints {
    fn of(&self, code: u32, first: u32) -> i64 {
        if code == IMPLICIT {
            self.implicit
        } else {
            self.levels.get(code.saturating_sub(first) as usize).copied().unwrap_or(0)
        }
    }

    /// The spread between the column's best and worst level: how much it can move a score.
    pub fn range(&self) -> i64 {
        let max = self.levels.iter().copied().chain([self.implicit]).max().unwrap_or(0);
        let min = self.levels.iter().copied().chain([self.implicit]).min().unwrap_or(0);
        max - min
    }
}

#[derive(Debug, Clone)]
pub struct Points {
    pub columns: Vec<ColumnPoints>,
    /// Whole points and score of each interaction, in the order of the design's extra columns
    /// (they may be negative: a pair that converts less than its two columns promise).
    pub interactions: Vec<(i64, Role)>,
    /// Points per unit of log-odds.
    pub per_log_odds: f64,
}

/// Whole points from the regression's weights; None when nothing separates the outcomes. The
/// design's columns after the encoders' are interactions (one feature each), scored as `roles`.
pub fn from_weights(weights: &Weights, encoders: &[Encoder], design: &Design, roles: &[Role]) -> Option<Points> {
    let extra_first = encoders.last().map_or(0, |e| e.first as usize + e.width());
    let extra: Vec<f64> =
        (0..roles.len()).map(|k| weights.features.get(extra_first + k).copied().unwrap_or(0.0)).collect();
    let rows = design.codes.len() / design.columns.max(1);
    let mut shifted: Vec<(Vec<f64>, f64)> =
        encoders.iter().enumerate().map(|(e, encoder)| shift_to_floor(weights, encoder, e, design, rows)).collect();
    let totals = sorted_totals(design, encoders, &shifted, &extra, rows);
    let quantile = |share: f64| totals.get(((rows.saturating_sub(1)) as f64 * share) as usize).copied().unwrap_or(0.0);
    let (low, high) = (quantile(LOW_QUARTILE.0), quantile(HIGH_QUARTILE.0));
    if high - low <= 1e-9 {
        return None;
    }
    let per_log_odds = (HIGH_QUARTILE.1 - LOW_QUARTILE.1) / (high - low);
    // The total that maps to 0 points.
    let bottom = low - LOW_QUARTILE.1 / per_log_odds;
    move_zero(&mut shifted, encoders, design, rows, bottom);
    // A rare level far stronger than any common combination could exceed what a rule may hold.
    let whole = |x: f64| {
        ((x * per_log_odds).round() as i64).clamp(-(crate::model::MAX_POINTS as i64), crate::model::MAX_POINTS as i64)
    };
    let columns = shifted
        .iter()
        .enumerate()
        .map(|(encoder, (levels, implicit))| ColumnPoints {
            encoder,
            levels: levels.iter().map(|w| whole(*w)).collect(),
            implicit: whole(*implicit),
        })
        .collect();
    let interactions =
        extra.iter().zip(roles).map(|(w, role)| (whole(*w).max(-(crate::model::MAX_POINTS as i64)), *role)).collect();
    Some(Points { columns, interactions, per_log_odds })
}

/// The log-odds of encoder `e`'s levels above its weakest level seen in the learning rows, and of
/// its implicit level (no answer).
fn shift_to_floor(weights: &Weights, encoder: &Encoder, e: usize, design: &Design, rows: usize) -> (Vec<f64>, f64) {
    let first = encoder.first as usize;
    let raw: Vec<f64> =
        (first..first + encoder.width()).map(|f| weights.features.get(f).copied().unwrap_or(0.0)).collect();
    let mut seen = vec![0usize; raw.len()];
    let mut implicit_seen = false;
    for row in 0..rows {
        match design.row(row).get(e).copied() {
            Some(IMPLICIT) => implicit_seen = true,
            Some(code) => {
                if let Some(s) = seen.get_mut((code as usize).saturating_sub(first)) {
                    *s += 1;
                }
            }
            None => {}
        }
    }
    let floor = raw
        .iter()
        .zip(&seen)
        .filter(|(_, &n)| n > 0)
        .map(|(w, _)| *w)
        .chain(implicit_seen.then_some(0.0))
        .fold(f64::INFINITY, f64::min);
    let floor = if floor.is_finite() { floor } else { 0.0 };
    let levels: Vec<f64> = raw.iter().map(|w| (w - floor).max(0.0)).collect();
    // No answer never happened while learning: the model knows nothing about it, so it gets the
    // column's average, neither rewarded nor punished.
    let implicit = if implicit_seen {
        (-floor).max(0.0)
    } else {
        let total = seen.iter().sum::<usize>().max(1) as f64;
        levels.iter().zip(&seen).map(|(p, &n)| p * n as f64).sum::<f64>() / total
    };
    (levels, implicit)
}

/// Each learning row's total log-odds (shifted columns plus the interactions it has), sorted.
fn sorted_totals(
    design: &Design,
    encoders: &[Encoder],
    shifted: &[(Vec<f64>, f64)],
    extra: &[f64],
    rows: usize,
) -> Vec<f64> {
    let mut totals: Vec<f64> = (0..rows)
        .map(|row| {
            design
                .row(row)
                .iter()
                .zip(encoders.iter().zip(shifted))
                .map(|(&code, (encoder, (levels, implicit)))| {
                    if code == IMPLICIT {
                        *implicit
                    } else {
                        levels.get(code.saturating_sub(encoder.first) as usize).copied().unwrap_or(0.0)
                    }
                })
                .sum::<f64>()
                + design
                    .row(row)
                    .iter()
                    .skip(encoders.len())
                    .zip(extra)
                    .filter(|(&c, _)| c != IMPLICIT)
                    .map(|(_, w)| w)
                    .sum::<f64>()
        })
        .collect();
    totals.sort_unstable_by(f64::total_cmp);
    totals
}

/// Moves 0 to `bottom`: each column gives up its share of it (by its mean points), so its weakest
/// levels may end below 0 (or, when `bottom` is below every total, gets its share added).
fn move_zero(shifted: &mut [(Vec<f64>, f64)], encoders: &[Encoder], design: &Design, rows: usize, bottom: f64) {
    let means: Vec<f64> = shifted
        .iter()
        .zip(encoders)
        .enumerate()
        .map(|(e, ((levels, implicit), encoder))| {
            let points_of = |row: usize| match design.row(row).get(e).copied() {
                Some(IMPLICIT) | None => *implicit,
                Some(code) => levels.get(code.saturating_sub(encoder.first) as usize).copied().unwrap_or(0.0),
            };
            (0..rows).map(points_of).sum::<f64>() / rows.max(1) as f64
        })
        .collect();
    let sum_of_means: f64 = means.iter().sum::<f64>().max(1e-12);
    for ((levels, implicit), mean) in shifted.iter_mut().zip(&means) {
        let given_up = bottom * mean / sum_of_means;
        levels.iter_mut().for_each(|l| *l -= given_up);
        *implicit -= given_up;
    }
}

impl Points {
    /// (fit, engagement) of a learning row, in whole points, before the scale's clamp: the
    /// engine's arithmetic for the rules `rules` writes.
    pub fn row_scores(&self, row: &[u32], encoders: &[Encoder], cells: &[Cells]) -> (i64, i64) {
        let mut fit = 0;
        let mut engagement = 0;
        for ((code, column), encoder) in row.iter().zip(&self.columns).zip(encoders) {
            let points = column.of(*code, encoder.first);
            match cells.get(encoder.column).map(|c| c.column.role) {
                Some(Role::Engagement) => engagement += points,
                _ => fit += points,
            }
        }
        for (code, (points, role)) in row.iter().skip(encoders.len()).zip(&self.interactions) {
            match (*code == IMPLICIT, role) {
                (true, _) => {}
                (false, Role::Engagement) => engagement += points,
                (false, Role::Fit) => fit += points,
            }
        }
        (fit, engagement)
    }

    /// The rules with the column each reads, strongest column first, then the interactions (their
    /// "column" is `A × B`); levels worth 0 points get no rule.
    pub fn rules(&self, encoders: &[Encoder], cells: &[Cells], pairs: &[Interaction]) -> Vec<(String, Value)> {
        let mut order: Vec<&ColumnPoints> = self.columns.iter().collect();
        order.sort_by_key(|c| std::cmp::Reverse(c.range()));
        let mut ids: Vec<String> = Vec::new();
        let mut rules = Vec::new();
        for column in order {
            let Some(encoder) = encoders.get(column.encoder) else { continue };
            let Some(data) = cells.get(encoder.column) else { continue };
            let mut levels: Vec<(Option<usize>, i64)> =
                column.levels.iter().enumerate().map(|(l, p)| (Some(l), *p)).collect();
            levels.push((None, column.implicit));
            // Bins read best low to high; answers from most to fewest points.
            if !matches!(encoder.levels, Levels::Bins { .. }) {
                levels.sort_by_key(|(_, p)| std::cmp::Reverse(*p));
            }
            for (level, points) in levels.into_iter().filter(|(_, p)| *p != 0) {
                let id = unique_id(
                    &mut ids,
                    &format!("{}_{}", slug(&data.column.name), slug(&encoder.level_slug(data, level))),
                );
                let rule = Value::object(vec![
                    ("id", Value::String(id)),
                    ("label", Value::String(shorten(&encoder.label(data, level), 200))),
                    ("score", Value::String(data.column.role.as_str().to_string())),
                    ("points", Value::Number(points as f64)),
                    ("when", encoder.condition(data, level)),
                ]);
                rules.push((data.column.name.clone(), rule));
            }
        }
        for (pair, (points, role)) in pairs.iter().zip(&self.interactions).filter(|(_, (p, _))| *p != 0) {
            let [Some(a), Some(b)] = pair.sides.map(|side| interactions::describe(&side, encoders, cells)) else {
                continue;
            };
            let column = |side: usize| {
                pair.sides
                    .get(side)
                    .and_then(|s| encoders.get(s.encoder))
                    .and_then(|e| cells.get(e.column))
                    .map_or("", |c| c.column.name.as_str())
            };
            let wanted = format!("{}_{}_and_{}_{}", slug(column(0)), slug(&a.2), slug(column(1)), slug(&b.2));
            let rule = Value::object(vec![
                ("id", Value::String(unique_id(&mut ids, &shorten(&wanted, 120)))),
                ("label", Value::String(shorten(&format!("{} and {}", a.1, b.1), 200))),
                ("score", Value::String(role.as_str().to_string())),
                ("points", Value::Number(*points as f64)),
                ("when", Value::object(vec![("all", Value::Array(vec![a.0, b.0]))])),
            ]);
            rules.push((format!("{} × {}", column(0), column(1)), rule));
        }
        rules
    }
}

/// Lower-case letters and digits joined by `_`: `Lead Origin` → `lead_origin`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let trimmed = out.trim_end_matches('_');
    shorten(if trimmed.is_empty() { "x" } else { trimmed }, 60)
}

fn unique_id(taken: &mut Vec<String>, wanted: &str) -> String {
    let mut id = wanted.to_string();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{wanted}_{n}");
        n += 1;
    }
    taken.push(id.clone());
    id
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max_chars - 1).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_ids() {
        assert_eq!(slug("Lead Origin"), "lead_origin");
        assert_eq!(slug("  Time (s) "), "time_s");
        assert_eq!(slug("***"), "x");
        let mut taken = Vec::new();
        assert_eq!(unique_id(&mut taken, "a"), "a");
        assert_eq!(unique_id(&mut taken, "a"), "a_2");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }
}
