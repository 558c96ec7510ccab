//! Ranking metrics over scores with ties: a tie between a converted and an unconverted lead counts
//! half, as if the order between them were a coin toss, so piling leads onto one score is never
//! rewarded.

/// Area under the ROC curve (the Mann–Whitney statistic with mid-ranks); 0.5 without both classes.
pub fn auc(scores: &[f64], outcome: &[bool]) -> f64 {
    let groups = tie_groups(scores, outcome);
    let positives: usize = groups.iter().map(|g| g.1).sum();
    let negatives = scores.len() - positives;
    if positives == 0 || negatives == 0 {
        return 0.5;
    }
    // Walking from the lowest score: each converted lead beats the unconverted below it, and
    // half of those tied with it.
    let mut below = 0.0;
    let mut wins = 0.0;
    for &(_, pos, neg) in groups.iter().rev() {
        wins += pos as f64 * (below + 0.5 * neg as f64);
        below += neg as f64;
    }
    wins / (positives as f64 * negatives as f64)
}

/// (score, converted, not converted) per distinct score, highest first.
fn tie_groups(scores: &[f64], outcome: &[bool]) -> Vec<(f64, usize, usize)> {
    let mut pairs: Vec<(f64, bool)> = scores.iter().copied().zip(outcome.iter().copied()).collect();
    pairs.sort_unstable_by(|a, b| b.0.total_cmp(&a.0));
    let mut groups: Vec<(f64, usize, usize)> = Vec::new();
    for (score, y) in pairs {
        match groups.last_mut() {
            Some(g) if g.0 == score => {
                if y {
                    g.1 += 1
                } else {
                    g.2 += 1
                }
            }
            _ => groups.push((score, usize::from(y), usize::from(!y))),
        }
    }
    groups
}

/// The ROC curve from (0,0) to (1,1): one point per distinct score, as (false positive rate,
/// true positive rate).
pub fn roc(scores: &[f64], outcome: &[bool]) -> Vec<(f64, f64)> {
    let groups = tie_groups(scores, outcome);
    let positives = groups.iter().map(|g| g.1).sum::<usize>().max(1) as f64;
    let negatives = groups.iter().map(|g| g.2).sum::<usize>().max(1) as f64;
    let mut points = vec![(0.0, 0.0)];
    let (mut tp, mut fp) = (0usize, 0usize);
    for (_, pos, neg) in groups {
        tp += pos;
        fp += neg;
        points.push((fp as f64 / negatives, tp as f64 / positives));
    }
    points
}

/// Among the top `share` of leads by score: (conversion rate, share of all conversions). Leads
/// tied at the cut count in proportion, as a random order among them would.
pub fn top_share(scores: &[f64], outcome: &[bool], share: f64) -> (f64, f64) {
    let groups = tie_groups(scores, outcome);
    let positives: usize = groups.iter().map(|g| g.1).sum();
    let wanted = share * scores.len() as f64;
    let (mut taken, mut converted) = (0.0, 0.0);
    for (_, pos, neg) in groups {
        let size = (pos + neg) as f64;
        let fraction = ((wanted - taken) / size).clamp(0.0, 1.0);
        taken += size * fraction;
        converted += pos as f64 * fraction;
        if fraction < 1.0 {
            break;
        }
    }
    let rate = if taken > 0.0 { converted / taken } else { 0.0 };
    let recall = if positives > 0 { converted / positives as f64 } else { 0.0 };
    (rate, recall)
}

/// Precision, recall and share of leads for the leads flagged `chosen`.
pub fn precision_recall(chosen: &[bool], outcome: &[bool]) -> (f64, f64, f64) {
    let picked = chosen.iter().filter(|&&c| c).count();
    let hits = chosen.iter().zip(outcome).filter(|(&c, &y)| c && y).count();
    let positives = outcome.iter().filter(|&&y| y).count();
    let ratio = |a: usize, b: usize| if b > 0 { a as f64 / b as f64 } else { 0.0 };
    (ratio(hits, picked), ratio(hits, positives), ratio(picked, chosen.len()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn auc_counts_ties_half() {
        assert_eq!(auc(&[3.0, 2.0, 1.0], &[true, false, false]), 1.0);
        assert_eq!(auc(&[1.0, 2.0], &[true, false]), 0.0);
        assert_eq!(auc(&[5.0, 5.0], &[true, false]), 0.5);
        // positives 4, 2; negatives 3, 2, 2: pairs won 2 + 1 + 1 + 0.5 + 0.5 = … (4>3,4>2,4>2, 2=2,2=2, 2<3)
        let a = auc(&[4.0, 2.0, 3.0, 2.0, 2.0], &[true, true, false, false, false]);
        assert!((a - (3.0 + 1.0) / 6.0).abs() < 1e-12, "{a}");
        assert_eq!(auc(&[1.0, 2.0], &[true, true]), 0.5);
    }

    #[test]
    fn roc_runs_corner_to_corner() {
        let curve = roc(&[3.0, 2.0, 2.0, 1.0], &[true, true, false, false]);
        assert_eq!(curve, vec![(0.0, 0.0), (0.0, 0.5), (0.5, 1.0), (1.0, 1.0)]);
    }

    #[test]
    fn top_share_splits_ties_in_proportion() {
        // Top 50 % of four leads: the 9 (converted) and half of the two tied 5s (one converted).
        let (rate, recall) = top_share(&[9.0, 5.0, 5.0, 1.0], &[true, true, false, false], 0.5);
        assert!((rate - 0.75).abs() < 1e-12 && (recall - 0.75).abs() < 1e-12, "{rate} {recall}");
        assert_eq!(precision_recall(&[true, true, false], &[true, false, true]), (0.5, 0.5, 2.0 / 3.0));
    }
}
