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

/// Pearson's chi-square statistic of independence between a column's levels (`level` per row,
/// any u32 id) and the outcome, with its degrees of freedom (levels seen − 1).
pub fn independence(level: &[u32], outcome: &[bool]) -> (f64, usize) {
    let mut table: Vec<(u32, f64, f64)> = Vec::new();
    for (&l, &y) in level.iter().zip(outcome) {
        let slot = match table.iter().position(|t| t.0 == l) {
            Some(i) => i,
            None => {
                table.push((l, 0.0, 0.0));
                table.len() - 1
            }
        };
        if let Some(cell) = table.get_mut(slot) {
            if y {
                cell.1 += 1.0;
            } else {
                cell.2 += 1.0;
            }
        }
    }
    let rows = level.len() as f64;
    let positives: f64 = table.iter().map(|t| t.1).sum();
    let negatives = rows - positives;
    if table.len() < 2 || positives == 0.0 || negatives == 0.0 {
        return (0.0, table.len().saturating_sub(1));
    }
    let statistic = table
        .iter()
        .map(|&(_, pos, neg)| {
            let size = pos + neg;
            let (expected_pos, expected_neg) = (size * positives / rows, size * negatives / rows);
            (pos - expected_pos).powi(2) / expected_pos + (neg - expected_neg).powi(2) / expected_neg
        })
        .sum();
    (statistic, table.len() - 1)
}

/// The chi-square value exceeded with probability `alpha` (0.05, 0.01 or 0.001) at `df` degrees
/// of freedom, by the Wilson–Hilferty approximation (within a few per cent from df = 1).
pub fn chi_square_critical(df: usize, alpha: f64) -> f64 {
    // Upper-tail standard normal quantiles of the supported levels.
    let z = if alpha <= 0.001 {
        3.090
    } else if alpha <= 0.01 {
        2.326
    } else {
        1.645
    };
    let k = df.max(1) as f64;
    let c = 2.0 / (9.0 * k);
    k * (1.0 - c + z * c.sqrt()).powi(3)
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
    fn independence_tells_a_signal_from_noise() {
        // Level 0 converts 70 %, level 1 30 %: 200 rows each.
        let level: Vec<u32> = (0..400).map(|i| u32::from(i >= 200)).collect();
        let outcome: Vec<bool> = (0..400).map(|i| (i % 10) < if i < 200 { 7 } else { 3 }).collect();
        let (statistic, df) = independence(&level, &outcome);
        assert_eq!(df, 1);
        assert!((statistic - 64.0).abs() < 1e-9, "{statistic}");
        let even: Vec<bool> = (0..400).map(|i| i % 2 == 0).collect();
        assert_eq!(independence(&level, &even).0, 0.0);
        assert!((chi_square_critical(1, 0.01) - 6.63).abs() < 0.3);
        assert!((chi_square_critical(10, 0.001) - 29.59).abs() < 0.5);
        assert!((chi_square_critical(4, 0.05) - 9.49).abs() < 0.2);
    }

    #[test]
    fn top_share_splits_ties_in_proportion() {
        // Top 50 % of four leads: the 9 (converted) and half of the two tied 5s (one converted).
        let (rate, recall) = top_share(&[9.0, 5.0, 5.0, 1.0], &[true, true, false, false], 0.5);
        assert!((rate - 0.75).abs() < 1e-12 && (recall - 0.75).abs() < 1e-12, "{rate} {recall}");
        assert_eq!(precision_recall(&[true, true, false], &[true, false, true]), (0.5, 0.5, 2.0 / 3.0));
    }
}
