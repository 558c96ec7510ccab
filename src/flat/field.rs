//! The tests of one field, compiled: what a rule's `all`/`any`/`not` of trait tests becomes (a table
//! over the model's text constants and special values, and a number test), and evaluating it.

use super::*;
#[derive(Debug, Clone)]
pub(super) struct FlatTest {
    pub(super) number: NumberTest,
    /// The results for each text constant then an unknown text, as bits when there are at most
    /// 63 constants (the usual case), else as a table.
    pub(super) text_bits: Option<u64>,
    pub(super) by_text: Vec<bool>,
    /// The results for a missing value, for false and for true.
    pub(super) missing: bool,
    pub(super) on_false: bool,
    pub(super) on_true: bool,
}

impl FlatTest {
    /// One test of a rule, evaluated ahead for every value that is not a number.
    pub(super) fn of(test: &TraitTest, texts: &[String]) -> FlatTest {
        let unknown = Scalar::Text("\u{1}".to_string());
        let mut by_text: Vec<bool> = texts.iter().map(|t| trait_test(test, Some(&Scalar::Text(t.clone())))).collect();
        by_text.push(trait_test(test, Some(&unknown)));
        FlatTest {
            number: NumberTest::of(test),
            text_bits: None,
            by_text,
            missing: trait_test(test, None),
            on_false: trait_test(test, Some(&Scalar::Bool(false))),
            on_true: trait_test(test, Some(&Scalar::Bool(true))),
        }
        .with_bits()
    }

    /// Both tests at once (a rule's tests all apply to the same value).
    pub(super) fn and(self, other: FlatTest) -> FlatTest {
        FlatTest {
            number: self.number.and(other.number),
            text_bits: None,
            by_text: self.by_text.iter().zip(&other.by_text).map(|(a, b)| *a && *b).collect(),
            missing: self.missing && other.missing,
            on_false: self.on_false && other.on_false,
            on_true: self.on_true && other.on_true,
        }
        .with_bits()
    }

    /// The test's opposite (`not`).
    pub(super) fn not(self) -> FlatTest {
        FlatTest {
            number: self.number.not(),
            text_bits: None,
            by_text: self.by_text.iter().map(|b| !b).collect(),
            missing: !self.missing,
            on_false: !self.on_false,
            on_true: !self.on_true,
        }
        .with_bits()
    }

    /// Either test (`any` of conditions on the same value).
    pub(super) fn or(self, other: FlatTest) -> FlatTest {
        FlatTest {
            number: self.number.or(other.number),
            text_bits: None,
            by_text: self.by_text.iter().zip(&other.by_text).map(|(a, b)| *a || *b).collect(),
            missing: self.missing || other.missing,
            on_false: self.on_false || other.on_false,
            on_true: self.on_true || other.on_true,
        }
        .with_bits()
    }

    fn with_bits(mut self) -> FlatTest {
        self.text_bits = (self.by_text.len() <= 64)
            .then(|| self.by_text.iter().enumerate().fold(0u64, |bits, (i, &b)| bits | (u64::from(b) << i)));
        self
    }
}

/// A test applied to a number, reduced to the cheapest check that gives the engine's answer.
#[derive(Debug, Clone)]
pub(super) enum NumberTest {
    Always(bool),
    /// lo ≤ n ≤ hi (open ends are moved to the next float, so one form serves all).
    Range {
        lo: f64,
        hi: f64,
    },
    /// (n != 0) == want
    NonZero(bool),
    /// Anything else goes through the general test.
    General(TraitTest),
    Every(Vec<NumberTest>),
    /// `not` and `any` of tests on the same value.
    Not(Box<NumberTest>),
    Some(Vec<NumberTest>),
}

impl NumberTest {
    pub(super) fn of(test: &TraitTest) -> NumberTest {
        let range = |lo: f64, hi: f64, lo_inclusive: bool, hi_inclusive: bool| NumberTest::Range {
            lo: if lo_inclusive { lo } else { lo.next_up() },
            hi: if hi_inclusive { hi } else { hi.next_down() },
        };
        match test {
            TraitTest::Between(lo, hi) => range(*lo, *hi, true, true),
            TraitTest::AtLeast(m) => range(*m, f64::INFINITY, true, false),
            TraitTest::Above(m) => range(*m, f64::INFINITY, false, false),
            TraitTest::AtMost(m) => range(f64::NEG_INFINITY, *m, false, true),
            TraitTest::Below(m) => range(f64::NEG_INFINITY, *m, false, false),
            TraitTest::Equals(Scalar::Number(e)) => range(*e, *e, true, true),
            // A number equals a text constant when the text reads as that number.
            TraitTest::Equals(Scalar::Text(e)) => match parse_decimal(e) {
                Some(x) => range(x, x, true, true),
                None => NumberTest::Always(false),
            },
            TraitTest::OneOf(list) => {
                let mut points = Vec::new();
                for item in list {
                    match item {
                        Scalar::Number(n) => points.push(*n),
                        Scalar::Text(t) => points.extend(parse_decimal(t)),
                        Scalar::Bool(_) => return NumberTest::General(test.clone()),
                    }
                }
                match points.as_slice() {
                    [] => NumberTest::Always(false),
                    [x] => range(*x, *x, true, true),
                    _ => NumberTest::General(test.clone()),
                }
            }
            TraitTest::Equals(Scalar::Bool(want)) | TraitTest::IsTrue(want) => NumberTest::NonZero(*want),
            TraitTest::Exists(want) => NumberTest::Always(*want),
            TraitTest::Contains(_) => NumberTest::Always(false),
        }
    }

    pub(super) fn and(self, other: NumberTest) -> NumberTest {
        match (self, other) {
            (NumberTest::Always(false), _) | (_, NumberTest::Always(false)) => NumberTest::Always(false),
            (NumberTest::Always(true), x) | (x, NumberTest::Always(true)) => x,
            (NumberTest::Range { lo: a, hi: b }, NumberTest::Range { lo: c, hi: d }) => {
                NumberTest::Range { lo: a.max(c), hi: b.min(d) }
            }
            (NumberTest::Every(mut list), x) => {
                list.push(x);
                NumberTest::Every(list)
            }
            (x, y) => NumberTest::Every(vec![x, y]),
        }
    }

    pub(super) fn not(self) -> NumberTest {
        match self {
            NumberTest::Always(result) => NumberTest::Always(!result),
            NumberTest::NonZero(want) => NumberTest::NonZero(!want),
            NumberTest::Not(inner) => *inner,
            other => NumberTest::Not(Box::new(other)),
        }
    }

    pub(super) fn or(self, other: NumberTest) -> NumberTest {
        match (self, other) {
            (NumberTest::Always(true), _) | (_, NumberTest::Always(true)) => NumberTest::Always(true),
            (NumberTest::Always(false), x) | (x, NumberTest::Always(false)) => x,
            (NumberTest::Some(mut list), x) => {
                list.push(x);
                NumberTest::Some(list)
            }
            (x, y) => NumberTest::Some(vec![x, y]),
        }
    }

    #[inline(always)]
    pub(super) fn check(&self, n: f64) -> bool {
        match self {
            NumberTest::Range { lo, hi } => (n >= *lo) & (n <= *hi),
            NumberTest::Always(result) => *result,
            NumberTest::NonZero(want) => (n != 0.0) == *want,
            NumberTest::General(test) => trait_test(test, Some(&Scalar::Number(n))),
            NumberTest::Every(list) => list.iter().all(|t| t.check(n)),
            NumberTest::Not(inner) => !inner.check(n),
            NumberTest::Some(list) => list.iter().any(|t| t.check(n)),
        }
    }
}

/// A condition that `trait_tests` accepts as one test of its field's value; None for a
/// condition without tests.
pub(super) fn flat_test(condition: &StateCondition, texts: &[String]) -> Option<FlatTest> {
    let fold = |list: &[StateCondition], join: fn(FlatTest, FlatTest) -> FlatTest| {
        let mut tests = list.iter().map(|c| flat_test(c, texts));
        let first = tests.next()??;
        tests.try_fold(first, |acc, t| t.map(|t| join(acc, t)))
    };
    match condition {
        StateCondition::Trait { tests, .. } => {
            let mut merged = tests.iter().map(|test| FlatTest::of(test, texts));
            let first = merged.next()?;
            Some(merged.fold(first, FlatTest::and))
        }
        StateCondition::All(list) => fold(list, FlatTest::and),
        StateCondition::Any(list) => fold(list, FlatTest::or),
        StateCondition::Not(inner) => flat_test(inner, texts).map(FlatTest::not),
        _ => None,
    }
}

/// A number test as lo ≤ n ≤ hi, inverted when the flag is set; `None` when it is not one.
pub(super) fn number_range(test: &NumberTest) -> Option<(f64, f64, bool)> {
    match *test {
        NumberTest::Range { lo, hi } => Some((lo, hi, false)),
        NumberTest::NonZero(want) => Some((0.0, 0.0, want)),
        NumberTest::Always(result) => Some((f64::INFINITY, f64::NEG_INFINITY, result)),
        NumberTest::Not(ref inner) => number_range(inner).map(|(lo, hi, negate)| (lo, hi, !negate)),
        NumberTest::General(_) | NumberTest::Every(_) | NumberTest::Some(_) => None,
    }
}

pub(super) fn needs_the_text(test: &TraitTest) -> bool {
    match test {
        TraitTest::Equals(Scalar::Number(_)) => true,
        TraitTest::OneOf(list) => list.iter().any(|s| matches!(s, Scalar::Number(_))),
        TraitTest::Contains(_)
        | TraitTest::Between(..)
        | TraitTest::AtLeast(_)
        | TraitTest::AtMost(_)
        | TraitTest::Below(_)
        | TraitTest::Above(_) => true,
        _ => false,
    }
}

#[inline(always)]
pub(super) fn holds(test: &FlatTest, code: f64, number: f64) -> bool {
    if code == NUMBER {
        test.number.check(number)
    } else if code >= 0.0 {
        let i = code as usize;
        match test.text_bits {
            Some(bits) => i < 64 && (bits >> i) & 1 == 1,
            None => test.by_text.get(i).copied().unwrap_or(false),
        }
    } else if code == BOOLEAN {
        if number != 0.0 {
            test.on_true
        } else {
            test.on_false
        }
    } else if code == UNKNOWN_TEXT {
        test.by_text.last().copied().unwrap_or(false)
    } else {
        test.missing
    }
}
