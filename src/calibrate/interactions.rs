//! Pairwise interactions, learned in the spirit of the FAST detection of Explainable Boosting
//! Machines (Lou et al., 2013): after the additive fit, every pair of model columns is offered one
//! small two-dimensional term on the residuals, and the pairs whose term gains most are kept.
//!
//! The term is a rectangle: one condition on each column (an answer, any answer but one, "no
//! answer", or for numbers "at least x" / "under x"), so each kept interaction is an ordinary rule a marketer can read —
//! `all` of two conditions, with whole points — and the engine scores it unchanged. The gain of a
//! rectangle is the Newton step's decrease of the log-loss on the residuals of the additive model,
//! (Σ residual)² / (Σ p(1−p) + ridge) over the rows it covers: what the additive model already
//! explains has residuals summing to about zero in every level, so only the joint effect scores.
//! The kept rectangles are then refitted together with the additive levels.

use super::columns::Role;
use super::encode::{Cells, Design, Encoder, Levels, IMPLICIT};
use super::logistic::{sigmoid, Weights};
use crate::read::fmt_num;
use crate::value::Value;

/// Most places a number's side of a rectangle may be cut (see `candidate_picks`).
const MAX_CUTS: u32 = 14;

/// Which answers of one column a side of an interaction takes: level indices are the encoder's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pick {
    Level(u32),
    /// No level applies (no answer, a rare answer; "no" for a yes/no column).
    Implicit,
    /// A number in bin `j` or above, i.e. at least the bins' edge `j − 1`.
    AtLeast(u32),
    /// A number below bin `j`, i.e. under the edge `j − 1`.
    Below(u32),
    /// Any answer but level `l` (no answer included).
    NotLevel(u32),
}

impl Pick {
    /// Whether a row with this level (None: implicit) is taken.
    fn takes(self, level: Option<u32>) -> bool {
        match self {
            Pick::Level(l) => level == Some(l),
            Pick::Implicit => level.is_none(),
            Pick::AtLeast(j) => level.is_some_and(|l| l >= j),
            Pick::Below(j) => level.is_some_and(|l| l < j),
            Pick::NotLevel(l) => level != Some(l),
        }
    }
}

/// One side of an interaction: a column (by encoder index) and the answers it takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Side {
    pub encoder: usize,
    pub pick: Pick,
}

/// A kept interaction: both sides must hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interaction {
    pub sides: [Side; 2],
    /// The rectangle's gain on the additive model's residuals (for the report's order).
    pub gain: f64,
}

/// Sums over the rows of one cell of a pair's table.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    residual: f64,
    curvature: f64,
    rows: usize,
}

impl Sums {
    fn add(&mut self, other: &Sums) {
        self.residual += other.residual;
        self.curvature += other.curvature;
        self.rows += other.rows;
    }
}

/// The best rectangle of the `most` pairs whose rectangle gains most. `design` and `weights` are
/// the additive fit on the learning rows; rectangles cover at least `min_rows` rows and leave at
/// least as many out.
pub fn find(
    design: &Design,
    encoders: &[Encoder],
    weights: &Weights,
    truth: &[bool],
    most: usize,
    min_rows: usize,
    ridge: f64,
) -> Vec<Interaction> {
    if most == 0 || encoders.len() < 2 {
        return Vec::new();
    }
    let rows = truth.len();
    let residuals = residual_sums(design, weights, truth);
    let slots = level_slots(design, encoders, rows);
    let picks: Vec<Vec<(Pick, Vec<bool>)>> = encoders.iter().map(candidate_picks).collect();
    let mut best: Vec<Interaction> = Vec::new();
    for a in 0..encoders.len() {
        for b in a + 1..encoders.len() {
            let (Some(slots_a), Some(slots_b), Some(picks_a), Some(picks_b)) =
                (slots.get(a), slots.get(b), picks.get(a), picks.get(b))
            else {
                continue;
            };
            let width_b = encoders.get(b).map_or(0, |e| e.width()) + 1;
            let width_a = encoders.get(a).map_or(0, |e| e.width()) + 1;
            let table = pair_table(slots_a, slots_b, &residuals, width_a, width_b);
            let pair_best = best_rectangle(&table, width_b, picks_a, picks_b, rows, min_rows, ridge);
            best.extend(pair_best.map(|(pick_a, pick_b, gain)| {
                let sides = [Side { encoder: a, pick: pick_a }, Side { encoder: b, pick: pick_b }];
                Interaction { sides, gain }
            }));
        }
    }
    // Stable sort: equal gains keep the pairs' order, so results repeat.
    best.sort_by(|x, y| y.gain.total_cmp(&x.gain));
    best.truncate(most);
    best
}

/// Each learning row's residual and curvature under the additive fit.
fn residual_sums(design: &Design, weights: &Weights, truth: &[bool]) -> Vec<Sums> {
    truth
        .iter()
        .enumerate()
        .map(|(row, &y)| {
            let eta = weights.intercept
                + design
                    .row(row)
                    .iter()
                    .filter(|&&c| c != IMPLICIT)
                    .map(|&c| weights.features.get(c as usize).copied().unwrap_or(0.0))
                    .sum::<f64>();
            let p = sigmoid(eta);
            Sums { residual: f64::from(u8::from(y)) - p, curvature: p * (1.0 - p), rows: 1 }
        })
        .collect()
}

/// Per column: the slot of each row's level (the last slot is the implicit level).
fn level_slots(design: &Design, encoders: &[Encoder], rows: usize) -> Vec<Vec<usize>> {
    encoders
        .iter()
        .enumerate()
        .map(|(e, encoder)| {
            (0..rows)
                .map(|row| match design.row(row).get(e).copied() {
                    Some(code) if code != IMPLICIT => code.saturating_sub(encoder.first) as usize,
                    _ => encoder.width(),
                })
                .collect()
        })
        .collect()
}

/// A pair's table: the residual sums of the rows in each (slot of a, slot of b) cell, row-major.
fn pair_table(slots_a: &[usize], slots_b: &[usize], residuals: &[Sums], width_a: usize, width_b: usize) -> Vec<Sums> {
    let mut table = vec![Sums::default(); width_a * width_b];
    for ((&sa, &sb), sums) in slots_a.iter().zip(slots_b).zip(residuals) {
        if let Some(cell) = table.get_mut(sa * width_b + sb) {
            cell.add(sums);
        }
    }
    table
}

/// The pair's picks with the most gain on `table` among rectangles covering at least `min_rows` of
/// the `rows` and leaving at least as many out; the first found wins a tie.
fn best_rectangle(
    table: &[Sums],
    width_b: usize,
    picks_a: &[(Pick, Vec<bool>)],
    picks_b: &[(Pick, Vec<bool>)],
    rows: usize,
    min_rows: usize,
    ridge: f64,
) -> Option<(Pick, Pick, f64)> {
    let mut pair_best: Option<(Pick, Pick, f64)> = None;
    for (pick_a, mask_a) in picks_a {
        // The rows taken on side a, spread over b's slots.
        let mut by_b = vec![Sums::default(); width_b];
        for (sa, _) in mask_a.iter().enumerate().filter(|(_, &taken)| taken) {
            for (sb, total) in by_b.iter_mut().enumerate() {
                if let Some(cell) = table.get(sa * width_b + sb) {
                    total.add(cell);
                }
            }
        }
        for (pick_b, mask_b) in picks_b {
            let mut inside = Sums::default();
            for (total, _) in by_b.iter().zip(mask_b).filter(|(_, &taken)| taken) {
                inside.add(total);
            }
            if inside.rows < min_rows || rows - inside.rows < min_rows {
                continue;
            }
            let gain = inside.residual * inside.residual / (inside.curvature + ridge);
            if pair_best.is_none_or(|(_, _, best)| gain > best) {
                pair_best = Some((*pick_a, *pick_b, gain));
            }
        }
    }
    pair_best
}

/// The answers one side may take, each with its mask over the column's slots (levels, then the
/// implicit level); picks that take every slot or repeat another pick's mask are left out.
fn candidate_picks(encoder: &Encoder) -> Vec<(Pick, Vec<bool>)> {
    let width = encoder.width() as u32;
    let mut picks: Vec<Pick> = Vec::new();
    if matches!(encoder.levels, Levels::Bins { .. }) {
        // A number's side is a range from one end, cut at every `step`-th edge: the bins are fine
        // (40 by default) so that the additive part follows a trend closely, but a rectangle cut
        // at any of their edges, or taking one narrow bin, mostly fits noise in its gain (under
        // identical folds on the shared data, 5 interactions: 0.9049 at any edge of 40 bins and
        // single bins, 0.9060 at about 14 cuts without single bins).
        let step = width.div_ceil(MAX_CUTS).max(1);
        picks.push(Pick::Implicit);
        picks.extend((1..width).filter(|j| j % step == 0).flat_map(|j| [Pick::AtLeast(j), Pick::Below(j)]));
    } else {
        picks.extend((0..width).map(Pick::Level));
        picks.push(Pick::Implicit);
        // Either side of an answer, as a tree's split takes it. With the additive levels, any
        // cell of a two-by-two split says the same, but the gain prefers the cell with the least
        // curvature and the ridge shrinks each differently: "not Form and 600 s or more" may be a
        // small cell where "Form and under 600" is a large one (under identical folds, 5
        // interactions: 0.9036 → 0.9049 pooled AUC on the shared data).
        picks.extend((0..width).map(Pick::NotLevel));
    }
    let mut out: Vec<(Pick, Vec<bool>)> = Vec::new();
    for pick in picks {
        let mask: Vec<bool> = (0..width).map(Some).chain([None]).map(|level| pick.takes(level)).collect();
        if mask.iter().all(|&t| t) || !mask.iter().any(|&t| t) || out.iter().any(|(_, m)| *m == mask) {
            continue;
        }
        out.push((pick, mask));
    }
    out
}

/// The additive design with one more column per interaction: its feature (numbered after the
/// additive ones) where both sides hold, else IMPLICIT.
pub fn extend(
    design: &Design,
    encoders: &[Encoder],
    cells: &[Cells],
    rows: &[usize],
    interactions: &[Interaction],
) -> Design {
    let columns = design.columns + interactions.len();
    let mut codes = Vec::with_capacity(rows.len() * columns);
    for (i, &row) in rows.iter().enumerate() {
        codes.extend_from_slice(design.row(i));
        for (k, interaction) in interactions.iter().enumerate() {
            let holds = interaction.sides.iter().all(|side| {
                let level = encoders.get(side.encoder).and_then(|e| cells.get(e.column).and_then(|c| e.level(c, row)));
                side.pick.takes(level)
            });
            codes.push(if holds { (design.features + k) as u32 } else { IMPLICIT });
        }
    }
    Design { codes, columns, features: design.features + interactions.len() }
}

/// Fit unless both columns are behaviour: the interaction feeds the score its columns feed.
pub fn role(interaction: &Interaction, encoders: &[Encoder], cells: &[Cells]) -> Role {
    let engagement = interaction.sides.iter().all(|side| {
        encoders.get(side.encoder).and_then(|e| cells.get(e.column)).is_some_and(|c| c.column.role == Role::Engagement)
    });
    if engagement {
        Role::Engagement
    } else {
        Role::Fit
    }
}

/// What a side reads as a rule condition, a label and a slug for the rule id.
pub fn describe(side: &Side, encoders: &[Encoder], cells: &[Cells]) -> Option<(Value, String, String)> {
    let encoder = encoders.get(side.encoder)?;
    let data = cells.get(encoder.column)?;
    let name = &data.column.name;
    let edge = |j: u32| match &encoder.levels {
        Levels::Bins { edges } => edges.get((j as usize).checked_sub(1)?).copied(),
        _ => None,
    };
    let range =
        |key: &str, edge: f64| Value::object(vec![("trait", Value::String(name.clone())), (key, Value::Number(edge))]);
    Some(match side.pick {
        Pick::Level(l) => (
            encoder.condition(data, Some(l as usize)),
            encoder.label(data, Some(l as usize)),
            encoder.level_slug(data, Some(l as usize)),
        ),
        Pick::Implicit => (encoder.condition(data, None), encoder.label(data, None), encoder.level_slug(data, None)),
        Pick::NotLevel(l) => {
            let label = encoder.label(data, Some(l as usize));
            let label = match label.strip_prefix(&format!("{name}: ")) {
                Some(answer) => format!("{name}: not {answer} (or no answer)"),
                None => format!("not {label}"),
            };
            (
                Value::object(vec![("not", encoder.condition(data, Some(l as usize)))]),
                label,
                format!("not {}", encoder.level_slug(data, Some(l as usize))),
            )
        }
        Pick::AtLeast(j) => {
            let edge = edge(j)?;
            (range("at_least", edge), format!("{name}: {} or more", fmt_num(edge)), format!("from {}", fmt_num(edge)))
        }
        Pick::Below(j) => {
            let edge = edge(j)?;
            (range("below", edge), format!("{name}: under {}", fmt_num(edge)), format!("under {}", fmt_num(edge)))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::logistic::{fit, Penalty};
    use std::collections::HashMap;

    /// Two yes/no-like columns (one level each) whose joint "both" is what converts: the additive
    /// fit cannot express it, the detection finds the rectangle "a: yes and b: yes".
    #[test]
    fn finds_the_pair_that_only_converts_together() {
        let mut codes = Vec::new();
        let mut truth = Vec::new();
        for i in 0..2000u32 {
            // Independent columns (every combination equally often) and an outcome drawn from a
            // scrambled counter, so no column lines up with the draw.
            let (a, b, c) = (i % 2 == 0, (i / 2) % 3 == 0, (i / 6) % 5 == 0);
            codes.extend([if a { 0 } else { IMPLICIT }, if b { 1 } else { IMPLICIT }, if c { 2 } else { IMPLICIT }]);
            let draw = (u64::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) % 100;
            truth.push(draw < if a && b { 80 } else { 20 });
        }
        let design = Design { codes, columns: 3, features: 3 };
        let encoder =
            |column, first| Encoder { column, first, levels: Levels::Answers { ids: vec![0], lookup: HashMap::new() } };
        let encoders = vec![encoder(0, 0), encoder(1, 1), encoder(2, 2)];
        let weights = fit(&design, &truth, &Penalty { ridge: 1.0, smooth: 0.0, neighbours: Vec::new() }).unwrap();
        let found = find(&design, &encoders, &weights, &truth, 1, 10, 1.0);
        assert_eq!(found.len(), 1);
        let sides = found[0].sides;
        assert_eq!((sides[0].encoder, sides[1].encoder), (0, 1), "{found:?}");
        assert_eq!((sides[0].pick, sides[1].pick), (Pick::Level(0), Pick::Level(0)), "{found:?}");
        assert!(find(&design, &encoders, &weights, &truth, 0, 10, 1.0).is_empty());
    }

    #[test]
    fn picks_of_bins_are_ranges_without_repeats() {
        let encoder = Encoder { column: 0, first: 0, levels: Levels::Bins { edges: vec![1.0, 2.0] } };
        let picks: Vec<Pick> = candidate_picks(&encoder).into_iter().map(|(p, _)| p).collect();
        // Three bins and the implicit level: "no number", then each edge from either end; no
        // single bin (a narrow bin's gain is mostly noise).
        assert_eq!(picks, vec![Pick::Implicit, Pick::AtLeast(1), Pick::Below(1), Pick::AtLeast(2), Pick::Below(2)]);
        assert!(Pick::AtLeast(1).takes(Some(2)) && !Pick::AtLeast(1).takes(None) && !Pick::Below(2).takes(Some(2)));
    }

    #[test]
    fn fine_bins_are_cut_at_every_few_edges() {
        let edges: Vec<f64> = (1..40).map(f64::from).collect();
        let encoder = Encoder { column: 0, first: 0, levels: Levels::Bins { edges } };
        let cuts: Vec<u32> = candidate_picks(&encoder)
            .into_iter()
            .filter_map(|(p, _)| match p {
                Pick::AtLeast(j) => Some(j),
                _ => None,
            })
            .collect();
        // 40 bins: every third edge, 13 cuts.
        assert_eq!(cuts, (1..=13).map(|k| 3 * k).collect::<Vec<u32>>());
    }

    #[test]
    fn picks_of_answers_take_either_side_of_an_answer() {
        let answers =
            |ids: Vec<u32>| Encoder { column: 0, first: 0, levels: Levels::Answers { ids, lookup: HashMap::new() } };
        let picks: Vec<Pick> = candidate_picks(&answers(vec![0, 1])).into_iter().map(|(p, _)| p).collect();
        assert_eq!(picks, vec![Pick::Level(0), Pick::Level(1), Pick::Implicit, Pick::NotLevel(0), Pick::NotLevel(1)]);
        // "Not the only answer" is "no answer": not offered twice.
        let picks: Vec<Pick> = candidate_picks(&answers(vec![0])).into_iter().map(|(p, _)| p).collect();
        assert_eq!(picks, vec![Pick::Level(0), Pick::Implicit]);
        assert!(Pick::NotLevel(0).takes(None) && Pick::NotLevel(0).takes(Some(1)) && !Pick::NotLevel(0).takes(Some(0)));
    }
}
