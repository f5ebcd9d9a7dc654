#!/usr/bin/env bash
# The whole GPU run in one command, from the repository root, on a machine without Node or network:
#
#   scripts/gpu/run.sh              on the GPU machine, with .gpu/pack/ from scripts/gpu/prepare.sh carried over
#   scripts/gpu/run.sh --software   the same path here on SwiftShader (software Vulkan) with tiny sizes
#
# Steps, each under its own time limit and all under GPU_RUN_BUDGET_S (default 390 s, so the run ends
# within 7 minutes): doctor; the webgpu convolution kernels; webgpu training; the PyTorch CUDA peer; the demo
# blur study on webgpu; then ratio lines and a Markdown table. GPU_RUN_STEPS=train,torch (say) runs only
# those, for a second run that spends its time on what the first cut short. Every JSON line goes to $OUT/bench.jsonl, the
# table to $OUT/summary.md and to stdout, each step's full output to $OUT/logs.txt. A missing piece (no
# Node bundle, no Vulkan driver, no torch, no CUDA) prints one line saying so and the rest still runs.
set -u

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT" || exit 1
SOFTWARE=0
[ "${1:-}" = "--software" ] && SOFTWARE=1
# SwiftShader on a shared 2-core machine is slow even at tiny sizes: its step limits are tripled.
if [ $SOFTWARE = 1 ]; then DEFAULT_BUDGET=1500; SCALE=tiny; SLOW=3; else DEFAULT_BUDGET=390; SCALE=full; SLOW=1; fi
BUDGET="${GPU_RUN_BUDGET_S:-$DEFAULT_BUDGET}"
START=$(date +%s)
OUT="${OUT:-$(mktemp -d /tmp/deepcorrect-gpu-out.XXXXXX)}"
mkdir -p "$OUT"
JSONL="$OUT/bench.jsonl"
: > "$JSONL"
WORK="$(mktemp -d /tmp/deepcorrect-gpu.XXXXXX)"

elapsed() { echo $(( $(date +%s) - START )); }
# xz -dc, or Python's lzma where the machine has no xz.
unxz_to() {
  if command -v xz > /dev/null 2>&1; then
    xz -dc "$1" > "$2"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  fi
}
say() { printf '[gpu-run %3ss] %s\n' "$(elapsed)" "$*"; }
# A JSON string literal: backslashes, quotes and control characters escaped.
json_str() {
  printf '"%s"' "$(printf '%s' "$1" | tr '\n\r\t' '   ' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | tr -d '\000-\037')"
}
record() { printf '%s\n' "$1" >> "$JSONL"; }
skip() { # step reason
  say "SKIP $1: $2"
  record "{\"bench\":\"skip\",\"step\":$(json_str "$1"),\"reason\":$(json_str "$2")}"
}

say "out: $OUT; work: $WORK; scale: $SCALE; budget: ${BUDGET} s"
PACK=.gpu/pack
[ -f $PACK/manifest.txt ] && sed 's/^/  pack: /' $PACK/manifest.txt

# --- Node and the bundles -------------------------------------------------------------------------
NODE=""
APP="$WORK/app"
if [ ! -f $PACK/node.xz ] || [ ! -d $PACK/app ]; then
  skip node "no $PACK/node.xz or $PACK/app: run scripts/gpu/prepare.sh on a development machine and carry $PACK"
else
  unxz_to $PACK/node.xz "$WORK/node" && chmod +x "$WORK/node" && cp -r $PACK/app "$APP" &&
    unxz_to $PACK/dawn.node.xz "$APP/node_modules/webgpu/dist/linux-x64/dawn.node"
  if "$WORK/node" --version > /dev/null 2>&1; then
    NODE="$WORK/node"
    say "node $("$NODE" --version) unpacked"
  else
    skip node "the unpacked node binary does not run here"
  fi
fi

# --- Vulkan: the loader and a driver ----------------------------------------------------------------
# The loader and the GL dispatch libraries NVIDIA's Vulkan driver (libGLX_nvidia) links against.
has_libs() {
  local lib
  for lib in libvulkan.so.1 libGLdispatch.so.0 libGLX.so.0 libEGL.so.1; do
    ldconfig -p 2> /dev/null | grep -q "$lib" || [ -e "/usr/lib/x86_64-linux-gnu/$lib" ] || return 1
  done
}
if [ $SOFTWARE = 1 ]; then
  export VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json DEEPCORRECT_ALLOW_SOFTWARE_GPU=1
  [ -f "$VK_DRIVER_FILES" ] || say "no SwiftShader ICD at $VK_DRIVER_FILES (apt-get install chromium)"
else
  if has_libs; then
    say "Vulkan loader and GL libraries present: $(ldconfig -p 2>/dev/null | grep -m1 'libvulkan\.so\.1' | sed 's/.*=> //')"
  elif ls $PACK/gl/*.deb > /dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      for f in $PACK/gl/*.deb; do dpkg -x "$f" /; done
      ldconfig
      say "installed $(ls $PACK/gl/*.deb | wc -l) Vulkan/GL packages with dpkg -x into /"
    else
      mkdir -p "$WORK/sysroot"
      for f in $PACK/gl/*.deb; do dpkg -x "$f" "$WORK/sysroot"; done
      export LD_LIBRARY_PATH="$WORK/sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      say "not root: Vulkan/GL packages unpacked into $WORK/sysroot (LD_LIBRARY_PATH)"
    fi
  else
    say "no Vulkan loader and no $PACK/gl/*.deb: webgpu will not find an adapter"
  fi
  if [ -z "${VK_DRIVER_FILES:-}" ]; then
    for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd*.json \
      /etc/vulkan/icd.d/nvidia_icd*.json /usr/local/share/vulkan/icd.d/nvidia_icd*.json; do
      if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
    done
  fi
  if [ -z "${VK_DRIVER_FILES:-}" ]; then
    # The container toolkit may mount NVIDIA's driver without its ICD file: describe the library ourselves.
    lib="$(ldconfig -p 2>/dev/null | grep -m1 'libGLX_nvidia\.so\.0' | sed 's/.*=> //')"
    if [ -n "$lib" ]; then
      printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3"}}\n' "$lib" > "$WORK/nvidia_icd.json"
      export VK_DRIVER_FILES="$WORK/nvidia_icd.json"
      say "no NVIDIA ICD file found; wrote one for $lib"
    fi
  fi
fi
say "VK_DRIVER_FILES=${VK_DRIVER_FILES:-<none found: no Vulkan driver for Dawn>}"
[ -n "${VK_DRIVER_FILES:-}" ] && [ -f "$VK_DRIVER_FILES" ] && { sed 's/^/  icd: /' "$VK_DRIVER_FILES" | head -5; echo; }

# --- The machine ------------------------------------------------------------------------------------
if command -v nvidia-smi > /dev/null 2>&1; then nvidia-smi -L | sed 's/^/  /'; else say "no nvidia-smi"; fi
PYTHON="${TORCH_PEER_PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for p in python3 /usr/bin/python3; do
    if command -v "$p" > /dev/null 2>&1 && "$p" -c 'import torch' > /dev/null 2>&1; then PYTHON="$p"; break; fi
  done
fi
if [ -n "$PYTHON" ]; then
  say "torch: $("$PYTHON" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda, "available:", torch.cuda.is_available())' 2>&1 | tail -1) ($PYTHON)"
else
  say "no python3 that can import torch"
fi

# --- The steps ----------------------------------------------------------------------------------------
# step NAME LIMIT_S COMMAND...: runs COMMAND under min(LIMIT_S, what is left of the budget less a reserve
# for the summary); JSON object lines of its stdout go to bench.jsonl, everything to $OUT/NAME.log.
RESERVE=15
LAST_RC=0
STEPS=",${GPU_RUN_STEPS:-doctor,kernels,train,torch,study},"
step() {
  local name="$1" limit=$(( $2 * SLOW ))
  shift 2
  if [[ "$STEPS" != *",$name,"* ]]; then
    say "$name: not in GPU_RUN_STEPS"
    LAST_RC=0
    return
  fi
  local left=$(( BUDGET - $(elapsed) - RESERVE ))
  [ "$limit" -gt "$left" ] && limit=$left
  if [ "$limit" -lt 5 ]; then
    skip "$name" "no time left in the ${BUDGET} s budget"
    LAST_RC=124
    return
  fi
  say "$name (limit ${limit} s)…"
  local t0 rc
  t0=$(date +%s)
  timeout -k 5 "$limit" "$@" > "$OUT/$name.out" 2> "$OUT/$name.log"
  rc=$?
  grep '^{' "$OUT/$name.out" >> "$JSONL"
  grep -v '^{' "$OUT/$name.out" >> "$OUT/$name.log"
  rm -f "$OUT/$name.out"
  local wall=$(( $(date +%s) - t0 )) timed_out=false
  { [ $rc = 124 ] || [ $rc = 137 ]; } && timed_out=true
  record "{\"bench\":\"gpu-step\",\"step\":$(json_str "$name"),\"rc\":$rc,\"wall_s\":$wall,\"budget_s\":$limit,\"timed_out\":$timed_out}"
  say "$name: exit $rc in ${wall} s$([ $timed_out = true ] && echo ' (TIMED OUT)')"
  [ $rc = 0 ] || tail -n 3 "$OUT/$name.log" | sed 's/^/    /'
  LAST_RC=$rc
}

if [ -n "$NODE" ]; then
  step doctor 30 "$NODE" "$APP/cli.mjs" doctor
  [ -f "$OUT/doctor.log" ] && sed 's/^/  /' "$OUT/doctor.log" | grep -v '^  *$' | head -12
  step kernels 100 "$NODE" "$APP/gpu-main.mjs" kernels --scale "$SCALE"
  step train 130 "$NODE" "$APP/gpu-main.mjs" train --scale "$SCALE"
else
  skip webgpu "no Node: doctor, kernels, training and the study are not run"
fi

if [ -n "$PYTHON" ]; then
  DEVICE=cuda
  [ $SOFTWARE = 1 ] && DEVICE=cpu
  # Exactly the convolutions our side timed (bench/webgpu-conv-bench.ts's shapes), else the cases' own.
  SHAPES="$(grep -E '"bench":"(webgpu-conv|kernel)"' "$JSONL" | grep -o '"shape":"[^"]*"' | sed -e 's/^"shape":"//' -e 's/"$//' | awk '!seen[$0]++' | paste -sd, -)"
  step torch 60 "$PYTHON" bench/torch_gpu.py --scale "$SCALE" --device "$DEVICE" ${SHAPES:+--conv-shapes "$SHAPES"}
else
  skip torch "no python3 that can import torch"
fi

if [ -n "$NODE" ] && [[ "$STEPS" == *",study,"* ]]; then
  STUDY_OUT="$WORK/study-blur"
  STUDY=(--backend webgpu study --distortion blur --model resources/models/fashion-mnist-cnn4
    --dataset resources/datasets/fashion-mnist-demo --out "$STUDY_OUT")
  # SwiftShader runs a cnn4 step in seconds: a few images, one epoch and one level prove the path there.
  [ $SOFTWARE = 1 ] && STUDY+=(--epochs 1 --levels 2 --train-per-class 2 --test-per-class 1 --rank-per-class 1 --batch 10 --rank proxy)
  t0=$(date +%s)
  step study 400 "$NODE" "$APP/cli.mjs" "${STUDY[@]}"
  rc=$LAST_RC
  wall=$(( $(date +%s) - t0 ))
  timed_out=false
  { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && timed_out=true
  last="$(grep -v '^ *$' "$OUT/study.log" 2> /dev/null | tail -n 1)"
  # The study logs each finished stage as "<stage>: <seconds> s": how far it got, and where the time went.
  stages="$(grep -E '^[a-zA-Z][a-zA-Z -]*: [0-9.]+ s$' "$OUT/study.log" 2> /dev/null | paste -sd';' - | sed 's/;/; /g')"
  record "{\"bench\":\"gpu-study\",\"command\":$(json_str "deepcorrect ${STUDY[*]}"),\"rc\":$rc,\"wall_s\":$wall,\"timed_out\":$timed_out,\"stages\":$(json_str "$stages"),\"last_line\":$(json_str "$last")}"
  [ -f "$STUDY_OUT/report.json" ] && cp "$STUDY_OUT/report.json" "$OUT/study-report.json"
fi

# --- Ratios and the table ----------------------------------------------------------------------------
if [ $SOFTWARE = 1 ]; then
  MACHINE='SwiftShader, tiny sizes'
else
  MACHINE="$(nvidia-smi -L 2> /dev/null | head -n 1 | sed -e 's/ (UUID.*//' -e 's/^GPU 0: //')"
fi
TITLE="GPU run $(date -u +%Y-%m-%d) (${MACHINE:-no nvidia-smi})"
if [ -n "$NODE" ]; then
  "$NODE" "$APP/gpu-main.mjs" ratios "$JSONL" > "$WORK/ratios.jsonl" 2>> "$OUT/summary.log" && cat "$WORK/ratios.jsonl" >> "$JSONL"
  "$NODE" "$APP/gpu-main.mjs" summary "$JSONL" --title "$TITLE" > "$OUT/summary.md" 2>> "$OUT/summary.log"
else
  { echo "# $TITLE"; echo; echo "No Node bundle: the raw lines follow."; echo; sed 's/^/    /' "$JSONL"; } > "$OUT/summary.md"
fi
# The device tool brings back at most 8 files: the step logs travel as one logs.txt, each under a header.
for log in "$OUT"/*.log; do
  [ -f "$log" ] || continue
  { printf '===== %s =====\n' "$(basename "$log")"; cat "$log"; echo; } >> "$OUT/logs.txt"
  rm -f "$log"
done
echo
cat "$OUT/summary.md"
say "done in $(elapsed) s; results in $OUT (bench.jsonl, summary.md, logs.txt)"
rm -rf "$WORK"
