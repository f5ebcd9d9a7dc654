#!/usr/bin/env bash
# Rebuilds the pre-trained demo model from the bundled Fashion-MNIST subset with a fixed seed:
#   bash resources/models/make-demo-model.sh
# Writes resources/models/fashion-mnist-cnn4/ (model.json, weights.bin, deepcorrect.json) and, beside it,
# the training log, the evaluation of the result on the subset's test split, and fashion-mnist-cnn4.sha256
# (the files' checksums, which the demo workspace compares its copy with; `sha256sum -c` checks them too).
# What it records names no folder of this machine (the dataset as resources/datasets/...).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=resources/models/fashion-mnist-cnn4
rm -rf "$out"
node bin/deepcorrect.mjs --backend wasm train \
  --dataset resources/datasets/fashion-mnist-demo --arch cnn4 --epochs 15 \
  --optimizer adam --lr 0.001 --schedule step:10:0.1 --augment flip,shift:2 --val 0.1 --seed 1 \
  --out "$out" | sed "s#^model: $PWD/#model: #" | tee resources/models/fashion-mnist-cnn4.training-log.txt
# The checkpoints served the run (resume after a kill); the shipped model is the best epoch alone.
rm -rf "$out/checkpoint"
(cd resources/models && sha256sum fashion-mnist-cnn4/deepcorrect.json fashion-mnist-cnn4/model.json \
  fashion-mnist-cnn4/weights.bin > fashion-mnist-cnn4.sha256)
node bin/deepcorrect.mjs --backend wasm evaluate --model "$out" \
  --dataset resources/datasets/fashion-mnist-demo --distortion blur --levels paper-cifar --seed 1 \
  | tee resources/models/fashion-mnist-cnn4.evaluation.txt
node bin/deepcorrect.mjs --backend wasm evaluate --model "$out" \
  --dataset resources/datasets/fashion-mnist-demo --distortion noise --levels paper-cifar --seed 1 \
  | tee -a resources/models/fashion-mnist-cnn4.evaluation.txt
