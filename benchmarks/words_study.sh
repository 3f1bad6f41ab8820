#!/usr/bin/env bash
# Are the words read? The three-mode study with its controls (empty, wrong-task and opposite
# words), told in user phrasings and in held-out templates, for the shipped text model and for
# the two short retrains of configs/experiments/words-retrain.yaml (before and after the
# text-path fixes). Tables land in docs/words/; docs/words.md quotes them.
#   benchmarks/words_study.sh [bench|study|balance|report] ...   (no argument: all, ~30 min on 2 cores)
# Needs the Debian photos (make debian-photos) and the runs (same config, same steps and stream):
#   after:  pixtask train --config configs/experiments/words-retrain.yaml --set data.measured_words=0.25
#   align:  the same with --set text_alignment=0.1 --set out_dir=runs/words-align
#   before: the same config run by the code before the text-path fixes (commit fe11f75),
#           --set out_dir=runs/words-before
set -euo pipefail
cd "$(dirname "$0")/.."
PIX=".venv/bin/pixtask"
PY=".venv/bin/python"
BENCH="${BENCH:-out/bench-words}"
OUT="${OUT:-out/words}"
DOCS=docs/words
TASKS=$($PY -c "import yaml;print(','.join(yaml.safe_load(open('configs/shipped-tiny-text.yaml'))['data']['tasks']))")
declare -A MODELS=([shipped]=pixtask-tiny-text [before]=runs/words-before/model [after]=runs/words-after/model
  [align]=runs/words-align/model)

stage_bench() {
  # test photos only (bundled + Debian), 128 px, level 3: two queries per task
  [ -f "$BENCH/manifest.json" ] || $PIX bench build --out "$BENCH" --photos all --size 128 --tasks "$TASKS" \
    --levels 3 --prompts 2 --max-queries 2
}

stage_study() {
  for name in shipped before after align; do
    [ -d "${MODELS[$name]}" ] || [ "$name" = shipped ] || { echo "skipping $name: no ${MODELS[$name]}"; continue; }
    for split in user heldout; do
      [ -f "$OUT/$name/$split/modes.json" ] && continue  # done already (delete it to rerun)
      $PIX study modes --overwrite --bench "$BENCH" --model "${MODELS[$name]}" --instructions "$split" \
        --out "$OUT/$name/$split" --tasks "$TASKS"
    done
  done
}

stage_balance() {
  # example and word tokens told together: the attention weighting measured on 256 px examples
  $PY benchmarks/token_balance.py --model pixtask-tiny-text --out "$OUT/balance/shipped"
  [ -d runs/words-after/model ] && $PY benchmarks/token_balance.py --model runs/words-after/model --out "$OUT/balance/after"
}

stage_report() {
  mkdir -p "$DOCS"
  $PY benchmarks/words_report.py --runs "$OUT" --out "$DOCS/words.md"
  for name in shipped after; do
    [ -f "$OUT/balance/$name/balance.md" ] && cp "$OUT/balance/$name/balance.md" "$DOCS/balance-$name.md"
  done
  true
}

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(bench study balance report)
for s in "${stages[@]}"; do "stage_$s"; done
