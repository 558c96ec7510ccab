// What the history preview shows of a scored CSV: ROC AUC, scores by outcome, and who moved between two models.

/** 1/0, yes/no, true/false, y/n (any case) -> 1 or 0; anything else -> undefined. */
export function outcome(text) {
  const value = String(text).trim().toLowerCase();
  if (['1', 'yes', 'true', 'y'].includes(value)) return 1;
  if (['0', 'no', 'false', 'n'].includes(value)) return 0;
  return undefined;
}

/** ROC AUC: the chance that a converted lead outscores one that did not, ties counted half. */
export function auc(scores, outcomes) {
  const order = scores.map((s, i) => [s, outcomes[i]]).sort((a, b) => a[0] - b[0]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j][0] === order[i][0]) j++;
    const rank = (i + 1 + j) / 2; // the average 1-based rank of the tie
    for (let k = i; k < j; k++) if (order[k][1]) { positives++; rankSum += rank; }
    i = j;
  }
  const negatives = order.length - positives;
  return positives && negatives ? (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives) : NaN;
}

/** Leads per score band of `width` points, split by outcome: [{ from, converted, other }]. */
export function bands(scores, outcomes, width = 10) {
  const low = Math.floor(Math.min(0, ...scores) / width) * width;
  const high = Math.max(100, ...scores);
  const result = [];
  for (let from = low; from <= high; from += width) result.push({ from, converted: 0, other: 0 });
  scores.forEach((s, i) => {
    const band = result[Math.min(result.length - 1, Math.floor((s - low) / width))];
    if (outcomes[i]) band.converted++; else band.other++;
  });
  return result;
}
