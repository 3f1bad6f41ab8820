#!/usr/bin/env bash
# The GenLV paper's studies on our CPU-trained models; results land in docs/studies/.
#   benchmarks/studies.sh [benches|eval|prompts|mismatch|zero-shot|few-shot|ablation|specialists|scale] ...
# With no argument every stage runs in order (about 2 h on 2 cores, most of it training and eval).
# Needs the Debian photos (make debian-photos) for the evaluation benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
PIX=".venv/bin/pixtask"
MODEL="${MODEL:-pixtask-tiny}"
DOCS=docs/studies
RUNS="${RUNS:-runs/studies}"
EVAL_BENCH="${EVAL_BENCH:-out/bench-eval}"
PROMPT_BENCH="${PROMPT_BENCH:-out/bench-prompts}"
STUDY_BENCH="${STUDY_BENCH:-out/bench-restoration6}"
SIX=denoise-gaussian,deblur-gaussian,dejpeg,derain,sr-x2,dehaze
CFG=configs/studies/restoration6.yaml
mkdir -p "$DOCS"

# studies write everything (models, pairs, HTML pointing into the benchmark) under $RUNS;
# only the tables and figures are copied into the docs
publish() {
  local study=$1; shift
  mkdir -p "$DOCS/$study"
  for f in "$@"; do cp "$RUNS/$study/$f" "$DOCS/$study/"; done
}

stage_benches() {
  # the shipped model's 26 trained tasks + 6 held out, all 23 test photos (bundled + Debian)
  TRAINED=$(python3 -c "import yaml;print(','.join(yaml.safe_load(open('configs/shipped-tiny.yaml'))['data']['tasks']))")
  HELD=deblur-lens,denoise-speckle,vignetting-removal,contrast-weaken-correction,superpixel-mosaic,dog-lines
  [ -f "$EVAL_BENCH/manifest.json" ] || $PIX bench build --out "$EVAL_BENCH" --photos all --levels 1,3,5 --prompts 2 --tasks "$TRAINED,$HELD"
  [ -f "$PROMPT_BENCH/manifest.json" ] || $PIX bench build --out "$PROMPT_BENCH" --photos all --levels 3 --prompts 20 \
      --max-queries 5 --tasks denoise-gaussian,deblur-gaussian,dejpeg,derain,lowlight-enhancement,white-balance,canny
  [ -f "$STUDY_BENCH/manifest.json" ] || $PIX bench build --out "$STUDY_BENCH" --photos bundled --levels 3 --prompts 3 --tasks "$SIX"
}
stage_eval() {
  $PIX eval --model "$MODEL" --bench "$EVAL_BENCH" --out "docs/eval-$MODEL" --overwrite
  rm -rf "docs/eval-$MODEL/images" "docs/eval-$MODEL/report.html"  # they point into the local benchmark
  .venv/bin/python benchmarks/classical_baselines.py --bench "$EVAL_BENCH" --model "$MODEL"
}
stage_prompts() { $PIX study prompts --overwrite --model "$MODEL" --bench "$PROMPT_BENCH" --out "$DOCS/prompts"; }
stage_mismatch() {
  $PIX study mismatch --overwrite --model "$MODEL" --bench "$EVAL_BENCH" --out "$DOCS/mismatch" \
    --prompt-tasks denoise-gaussian,deblur-gaussian,derain,lowlight-enhancement,cartoon,canny \
    --input-tasks denoise-gaussian,deblur-gaussian,derain,lowlight-enhancement
}
stage_zero_shot() {
  $PIX study zero-shot --overwrite --model "$MODEL" --bench "$EVAL_BENCH" --out "$RUNS/zero-shot"
  publish zero-shot results.md summary.json per_task.png
}
stage_few_shot() {
  $PIX study few-shot --overwrite --model "$MODEL" --task deblur-lens --bench "$EVAL_BENCH" --out "$RUNS/few-shot"
  publish few-shot few_shot.md few_shot.json few_shot.png
}
train() { [ -d "$1/model" ] || $PIX train --config "$CFG" --set out_dir="$1" "${@:2}"; }
stage_ablation() {
  train "$RUNS/generalist"
  train "$RUNS/no-prompt" --set model_overrides.use_prompt=false
  $PIX study compare --overwrite --bench "$STUDY_BENCH" --title "Prompts vs none (6 restoration tasks, same budget)" \
    --model "GenLV (prompt)=$RUNS/generalist/model" --model "no prompt=$RUNS/no-prompt/model" --out "$DOCS/ablation"
}
stage_specialists() {
  train "$RUNS/generalist"
  # split: the generalist's steps shared by the six (same compute); same: its full steps each
  # (6x the compute, about 30 min). BUDGETS=split skips the expensive one.
  budgets=()
  for b in ${BUDGETS:-split same}; do budgets+=(--budget "$b"); done
  # the group reference (prompt-free, all six tasks, same steps) is the no-prompt ablation's config:
  # reuse that run when it exists instead of training the same bytes twice
  if [ -d "$RUNS/no-prompt/model" ] && [ ! -e "$RUNS/specialists/reference" ]; then
    mkdir -p "$RUNS/specialists" && ln -s "$(realpath "$RUNS/no-prompt")" "$RUNS/specialists/reference"
  fi
  $PIX study specialists --config "$CFG" --tasks "$SIX" --out "$RUNS/specialists" "${budgets[@]}" --train
  columns=(--model "generalist=$RUNS/generalist/model" --model "specialist, split budget=$RUNS/specialists/split/{task}/model")
  [[ " ${BUDGETS:-split same} " == *" same "* ]] && columns+=(--model "specialist, same steps=$RUNS/specialists/same/{task}/model")
  $PIX study compare --overwrite --bench "$STUDY_BENCH" --title "Generalist vs specialists (6 restoration tasks)" "${columns[@]}" \
    --model "reference (group, no prompt)=$RUNS/specialists/reference/model" --out "$DOCS/specialists"
}
stage_scale() {
  # same wall-clock: small trains at 0.66x tiny's samples/s (docs/training_speed.md)
  train "$RUNS/generalist"
  local tiny small
  tiny=$(python3 -c "import yaml;print(yaml.safe_load(open('$CFG'))['steps'])")
  small=$(( tiny * 66 / 100 ))
  train "$RUNS/small" --set model=genlv-small --set steps=$small --set optim.warmup_steps=$(( small / 10 ))
  $PIX study compare --overwrite --bench "$STUDY_BENCH" --title "Tiny vs small, same data and wall-clock" \
    --model "tiny ($tiny steps)=$RUNS/generalist/model" --model "small ($small steps)=$RUNS/small/model" --out "$DOCS/scale"
}

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(benches eval prompts mismatch zero-shot few-shot ablation specialists scale)
for s in "${stages[@]}"; do
  echo "== $s"
  "stage_${s//-/_}"
done
