//! A field's slot: the points of its ungrouped range rules merged into one table per text key plus a few
//! number thresholds, packed fit and engagement sums, and building it from the rules.

use super::*;
/// Slot table keys of the values that are not numbers; text constant i has key `KEY_TEXT + i`.
const KEY_UNKNOWN: usize = 0;
const KEY_FALSE: usize = 1;
const KEY_TRUE: usize = 2;
const KEY_MISSING: usize = 3;
pub(super) const KEY_TEXT: usize = 4;

/// Points as slots hold them: fit times 2^27 plus engagement, so one addition serves both scores,
/// in an f64 so that a number's steps compile to compare-and-mask rather than branches on data.
/// Exact while each score's points add up, in absolute value, to less than 2^26: every partial
/// sum is then an integer below 2^53 (`compile` checks; a parsed model has at most 500 rules of
/// at most 100 000 hundredths, 5·10^7 in all).
pub(super) const PACK_BITS: u32 = 27;

pub(super) fn pack(points: i64, fit: bool) -> i64 {
    if fit {
        points << PACK_BITS
    } else {
        points
    }
}

/// (fit, engagement) of a sum of packed points.
pub(super) fn unpack(packed: f64) -> (i64, i64) {
    let packed = packed as i64;
    let engagement = (packed << (64 - PACK_BITS)) >> (64 - PACK_BITS);
    ((packed - engagement) >> PACK_BITS, engagement)
}

/// All the plain rules of one field (no group, a number test that is a range), merged: the
/// field is read once and a lead's value costs one table read, or a few compares for a number.
#[derive(Debug, Clone)]
pub(super) struct Slot {
    /// Packed points per key of a value that is not a number (see `KEY_TEXT`).
    pub(super) table: Box<[f64]>,
    /// For a number n: `base`, plus `add` of each step whose `at` ≤ n. A range lo ≤ n ≤ hi is
    /// a step up at lo and one down just above hi. Numbers are finite (the encoder sends others
    /// down the general path), so a step at or below the least float is part of `base`.
    pub(super) base: f64,
    /// The first two steps (adding 0 if there are fewer). `at_least`, `below` and the like need
    /// one, `between` and `equals: true` two; `two` says whether to read the second. The others
    /// are in `FlatModel::more_steps`, out of the loop over fields.
    pub(super) steps: [Step; 2],
    pub(super) two: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Step {
    pub(super) at: f64,
    pub(super) add: f64,
}

impl Step {
    #[inline(always)]
    pub(super) fn points(&self, number: f64) -> f64 {
        // A float select compiles to a compare mask: whether a number passes is not predictable.
        if number >= self.at {
            self.add
        } else {
            0.0
        }
    }
}

/// Added to `code + 4`, it puts that small integer in the low bits of the float's bits.
const KEY_SHIFT: f64 = 4_503_599_627_370_496.0; // 2^52

impl Slot {
    /// The packed points of the field's plain rules for one value.
    #[inline(always)]
    pub(super) fn points(&self, code: f64, number: f64) -> f64 {
        if code == NUMBER {
            let [a, b] = &self.steps;
            let sum = self.base + a.points(number);
            // The same way for every lead: predicted, and cheaper than a second step for all.
            if self.two {
                sum + b.points(number)
            } else {
                sum
            }
        } else {
            // The encoder writes 0 beside a text or missing value and 0 or 1 beside a boolean, so
            // codes −4, −3 (false), −3 and 1 (true), −1 and i ≥ 0 map to the keys 0, 1, 2, 3 and
            // 4 + i. Pairs no encoder writes land outside the table (no points) or on some key.
            let key = ((code + number + (KEY_SHIFT - UNKNOWN_TEXT)).to_bits() as u32) as usize;
            self.table.get(key).copied().unwrap_or(0.0)
        }
    }
}

pub(super) struct SlotBuilder {
    pub(super) table: Vec<i64>,
    pub(super) base: i64,
    /// (at, packed points)
    pub(super) steps: Vec<(f64, i64)>,
}

impl SlotBuilder {
    pub(super) fn add(&mut self, test: &FlatTest, (lo, hi, negate): (f64, f64, bool), points: i64) {
        let unknown = test.by_text.last().copied().unwrap_or(false);
        let specials =
            [(KEY_UNKNOWN, unknown), (KEY_FALSE, test.on_false), (KEY_TRUE, test.on_true), (KEY_MISSING, test.missing)];
        let texts = test
            .by_text
            .iter()
            .take(test.by_text.len().saturating_sub(1))
            .enumerate()
            .map(|(i, &hit)| (KEY_TEXT + i, hit));
        for (key, hit) in specials.into_iter().chain(texts) {
            if let Some(entry) = self.table.get_mut(key) {
                *entry += points * i64::from(hit);
            }
        }
        if negate {
            self.base += points;
        }
        if lo <= hi {
            let up = if negate { -points } else { points };
            self.steps.push((lo, up));
            // n > hi is n ≥ the next float; nothing is above +∞.
            if hi < f64::INFINITY {
                self.steps.push((hi.next_up(), -up));
            }
        }
    }

    /// The slot, and the steps beyond its first two.
    pub(super) fn build(mut self) -> (Slot, Vec<Step>) {
        crate::engine::insertion_sort_by(&mut self.steps, |a, b| a.0.total_cmp(&b.0).is_le());
        let mut steps: Vec<(f64, i64)> = Vec::with_capacity(self.steps.len());
        for (at, add) in self.steps {
            match steps.last_mut() {
                Some(last) if last.0 == at => last.1 += add,
                _ => steps.push((at, add)),
            }
        }
        // Every finite number passes a step at the least float, none passes one at +∞.
        let (always, steps): (Vec<_>, Vec<_>) =
            steps.into_iter().filter(|s| s.1 != 0 && s.0 <= f64::MAX).partition(|s| s.0 <= f64::MIN);
        let base = self.base + always.iter().map(|s| s.1).sum::<i64>();
        let mut rest = steps.into_iter().map(|(at, add)| Step { at, add: add as f64 });
        let a = rest.next().unwrap_or_default();
        let b = rest.next();
        // Packed sums are below 2^53 (see `PACK_BITS`), so these conversions are exact.
        let table = self.table.iter().map(|&p| p as f64).collect();
        let slot = Slot { table, base: base as f64, steps: [a, b.unwrap_or_default()], two: b.is_some() };
        (slot, rest.collect())
    }
}
