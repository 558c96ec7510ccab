//! Stage thresholds and grade bands proposed from the learning rows' scores and a target: "the top
//! 20 % become MQL", "SQLs convert at least 70 % of the time".

use super::decimal;
use super::options::Target;
use super::points::SCALE_MAX;

/// Fewest leads a precision target is judged on: above the top few leads precision is noise.
const MIN_PRECISION_LEADS: usize = 10;

/// Whole-point thresholds: a lead reaches a stage when its score is at least the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct StagePlan {
    pub warm: Option<i64>,
    pub mql: i64,
    pub sql: Option<i64>,
    pub notes: Vec<String>,
}

/// Leads and converted leads at or above each whole score 0..=100.
struct Counts {
    at_least: Vec<(usize, usize)>,
    total: usize,
}

impl Counts {
    fn new(scores: &[i64], outcome: &[bool]) -> Counts {
        let size = SCALE_MAX as usize + 2;
        let mut per_score = vec![(0usize, 0usize); size];
        for (&score, &y) in scores.iter().zip(outcome) {
            if let Some(slot) = per_score.get_mut(score.clamp(0, SCALE_MAX) as usize) {
                slot.0 += 1;
                slot.1 += usize::from(y);
            }
        }
        let mut at_least = vec![(0usize, 0usize); size];
        let mut running = (0, 0);
        for t in (0..size).rev() {
            let (n, p) = per_score.get(t).copied().unwrap_or_default();
            running = (running.0 + n, running.1 + p);
            if let Some(slot) = at_least.get_mut(t) {
                *slot = running;
            }
        }
        Counts { at_least, total: scores.len() }
    }

    fn share(&self, t: i64) -> f64 {
        self.leads(t) as f64 / self.total.max(1) as f64
    }

    fn leads(&self, t: i64) -> usize {
        self.at_least.get(t.clamp(0, SCALE_MAX + 1) as usize).map_or(0, |c| c.0)
    }

    fn precision(&self, t: i64) -> Option<f64> {
        let (n, p) = self.at_least.get(t.clamp(0, SCALE_MAX + 1) as usize).copied()?;
        (n > 0).then(|| p as f64 / n as f64)
    }
}

/// The threshold above `lower` whose share of leads is nearest `share` (the smaller share on a tie).
fn threshold_for_share(counts: &Counts, share: f64, lower: i64) -> Option<i64> {
    (lower + 1..=SCALE_MAX)
        .filter(|&t| counts.leads(t) > 0)
        .min_by(|&a, &b| (counts.share(a) - share).abs().total_cmp(&(counts.share(b) - share).abs()).then(b.cmp(&a)))
}

/// The lowest threshold above `lower` at which the leads at or above it convert at least `precision`
/// of the time; if none does, the most precise one, with a note.
fn threshold_for_precision(
    counts: &Counts,
    precision: f64,
    lower: i64,
    stage: &str,
    notes: &mut Vec<String>,
) -> Option<i64> {
    let enough = MIN_PRECISION_LEADS.min(counts.total.div_ceil(20)).max(1);
    let candidates: Vec<i64> = (lower + 1..=SCALE_MAX).filter(|&t| counts.leads(t) >= enough).collect();
    if let Some(&t) = candidates.iter().find(|&&t| counts.precision(t).is_some_and(|p| p >= precision)) {
        return Some(t);
    }
    let best = candidates.iter().copied().max_by(|&a, &b| {
        counts.precision(a).unwrap_or(0.0).total_cmp(&counts.precision(b).unwrap_or(0.0)).then(a.cmp(&b))
    })?;
    notes.push(format!(
        "no {stage} threshold reaches a precision of {} % on the learning rows; the most precise ({} % at {best} points) is used",
        decimal(precision * 100.0, 0),
        decimal(counts.precision(best).unwrap_or(0.0) * 100.0, 0)
    ));
    Some(best)
}

/// Warm = the top half; MQL and SQL from their targets; SQL defaults to a quarter of the MQL share.
/// Thresholds strictly increase; a stage that finds no room is left out, with a note.
pub fn plan(scores: &[i64], outcome: &[bool], mql_target: Target, sql_target: Option<Target>) -> Option<StagePlan> {
    let counts = Counts::new(scores, outcome);
    let mut notes = Vec::new();
    let mql = match mql_target {
        Target::Top(share) => threshold_for_share(&counts, share, 0),
        Target::Precision(p) => threshold_for_precision(&counts, p, 0, "MQL", &mut notes),
    }?;
    let sql_target = sql_target.unwrap_or(Target::Top(counts.share(mql) / 4.0));
    let sql = match sql_target {
        Target::Top(share) => threshold_for_share(&counts, share, mql),
        Target::Precision(p) => {
            if counts.precision(mql).is_some_and(|at_mql| at_mql >= p) {
                notes.push(format!(
                    "MQLs already convert at {} %, above the SQL precision target of {} %: SQL is the next step up",
                    decimal(counts.precision(mql).unwrap_or(0.0) * 100.0, 0),
                    decimal(p * 100.0, 0)
                ));
            }
            threshold_for_precision(&counts, p, mql, "SQL", &mut notes)
        }
    };
    if sql.is_none() {
        notes.push("no score above the MQL threshold is reached by enough leads: the model has no SQL stage".into());
    }
    let warm = threshold_for_share(&counts, 0.5, 0).filter(|&t| t < mql);
    Some(StagePlan { warm, mql, sql, notes })
}

/// Grade bands at the quartiles of a score: the best grade for the top quarter. Bands that would
/// coincide, or that everyone reaches (0), are dropped.
pub fn quartile_mins(values: &[i64]) -> Vec<i64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let at = |q: f64| sorted.get(((sorted.len().saturating_sub(1)) as f64 * q).round() as usize).copied().unwrap_or(0);
    let mut mins: Vec<i64> = Vec::new();
    for q in [0.75, 0.5, 0.25] {
        let m = at(q);
        if m > 0 && mins.last().is_none_or(|&last| m < last) {
            mins.push(m);
        }
    }
    mins
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1000 leads scored 0..99 (ten per score); the chance of converting grows with the score.
    fn ladder() -> (Vec<i64>, Vec<bool>) {
        let scores: Vec<i64> = (0..1000).map(|i| i / 10).collect();
        let outcome: Vec<bool> = (0..1000).map(|i| (i % 10) < (i / 100)).collect();
        (scores, outcome)
    }

    #[test]
    fn top_share_targets_are_met() {
        let (scores, outcome) = ladder();
        let plan = plan(&scores, &outcome, Target::Top(0.2), None).unwrap();
        assert_eq!(plan.mql, 80, "the top 20 % score 80 or more");
        assert_eq!(plan.sql, Some(95), "a quarter of the MQL share: the top 5 %");
        assert_eq!(plan.warm, Some(50));
        assert!(plan.notes.is_empty(), "{:?}", plan.notes);
    }

    #[test]
    fn precision_targets_are_met_and_above_mql() {
        let (scores, outcome) = ladder();
        let plan = plan(&scores, &outcome, Target::Top(0.4), Some(Target::Precision(0.85))).unwrap();
        assert_eq!(plan.mql, 60);
        let sql = plan.sql.unwrap();
        let counts = Counts::new(&scores, &outcome);
        assert!(counts.precision(sql).unwrap() >= 0.85);
        assert!(counts.precision(sql - 1).unwrap() < 0.85, "the lowest threshold meeting the target");
        let unreachable = super::plan(&scores, &outcome, Target::Precision(0.99), None).unwrap();
        assert!(
            unreachable.notes[0].contains("no MQL threshold reaches a precision of 99 %"),
            "{:?}",
            unreachable.notes
        );
    }

    #[test]
    fn quartiles_make_distinct_positive_bands() {
        assert_eq!(quartile_mins(&(0..=100).collect::<Vec<_>>()), vec![75, 50, 25]);
        assert_eq!(quartile_mins(&[0, 0, 0, 5, 5, 5, 5, 9]), vec![5]);
        assert!(quartile_mins(&[0, 0, 0]).is_empty());
    }
}
