#!/usr/bin/env bash
# The honest comparison in docs/calibrate.md: scikit-learn's logistic regression and gradient
# boosting, InterpretML's Explainable Boosting Machine (additive, and with 10 interactions) and
# leadscore (with interactions and additive only) under the same stratified folds, each judged by
# the ROC AUC of its pooled held-out predictions. Installs its Python packages from PyPI into a
# local virtualenv (.venv-baselines, gitignored) and regenerates the table between the markers in
# docs/calibrate.md. Needs the built package (npm run build). Takes a few minutes; not part of
# npm test (tests/js/baselines-folds.test.mjs checks the fold file logic).
# Usage: bash scripts/baselines.sh [leads.csv]   (default: ../shared/data/xeducation-leads-train.csv)
# BASELINES_REUSE=1 re-runs leadscore's rows only and keeps the other methods' rows of the table
# (same seed, same fold file): for a change to leadscore, without the EBMs' minutes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data/xeducation-leads-train.csv}"
[ -f "$data" ] || { echo "baselines: $data is not here (the shared data set is optional)"; exit 1; }
[ -f "$root/pkg/calibrate-node.js" ] || { echo "baselines: pkg/ is not built: run npm run build first"; exit 1; }
venv="$root/.venv-baselines"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check scikit-learn interpret pandas
work="$root/target/baselines"
mkdir -p "$work"
"$venv/bin/python" "$root/scripts/baselines.py" --data "$data" --work "$work" --doc "$root/docs/calibrate.md" \
  --leadscore "node $root/scripts/baselines-leadscore.mjs" ${BASELINES_REUSE:+--reuse}
