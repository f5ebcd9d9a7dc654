#!/usr/bin/env bash
# Remakes the shipped blur study of the demo model (README, "Trained to convergence") with fixed seeds:
#   bash resources/studies/make-demo-study.sh [scratch folder]
# Writes resources/studies/fashion-mnist-blur/ (the study folder: study.json, report.json, report.html, the
# stage records, and per seed its ranking, units and fine-tuned model at their kept epochs) and, beside it,
# fashion-mnist-blur.ranking.json: the demo model's oracle and proxy ranking of conv1-2 on the study's ranking
# images with the oracle experiment (the Ranking view's tables and curve), and fashion-mnist-blur.sha256.
# About 45 minutes on 2 cores (wasm) when the machine is otherwise idle.
# The study runs in the scratch folder (default: a new temporary one); run the script again with the same
# scratch folder to resume a run that was cut short.
#
# What is the same from run to run (resources/README.md): every weight, accuracy, ranking and recorded
# setting; the dates, fixed by SOURCE_DATE_EPOCH below. What is not: the durations the engine measures
# (stage seconds, images/s, the report's timings), and the device line when the machine differs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# 2026-12-05T00:00:00Z: the date recorded in every file written (io/recorded-time.ts).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1796428800}
name=fashion-mnist-blur
out=resources/studies/$name
scratch=${1:-$(mktemp -d)}
mkdir -p "$scratch"
study=$scratch/$name
resume=()
if [[ -f $study/study.json ]]; then resume=(--resume); fi
cli=(node bin/deepcorrect.mjs --backend wasm)

# The oracle experiment of the demo model on the study's first seed's ranking settings (the same order).
"${cli[@]}" rank --model resources/models/fashion-mnist-cnn4 --dataset resources/datasets/fashion-mnist-demo \
  --distortion blur --levels paper-cifar --layers conv1,conv2 --rank-images 200 --method both --seed 1 \
  --experiment --out "$scratch/$name.ranking.json" | tee "$scratch/$name.ranking.txt"

# The study: three seeds trained to convergence (early stopping), replicas fixed so the sums are the same on
# any number of cores.
"${cli[@]}" study --distortion blur --seeds 3 --rank-images 200 --train-per-class 100 --val 0.5 \
  --replicas 2 --out "$study" "${resume[@]}"

# The checkpoints served the run (resume after a kill); the shipped study is the kept epochs alone.
find "$study" -type d -name checkpoint -prune -exec rm -rf {} +
rm -rf "$out" "$out.ranking.json" "$out.ranking.txt"
cp -r "$study" "$out"
cp "$scratch/$name.ranking.json" "$out.ranking.json"
cp "$scratch/$name.ranking.txt" "$out.ranking.txt"
# The checksums the demo workspace compares its copy with (`sha256sum -c` checks them too).
(cd resources/studies && { find "$name" -type f | LC_ALL=C sort | xargs sha256sum; sha256sum "$name.ranking.json"; } \
  > "$name.sha256")
du -sh "$out"
