#!/usr/bin/env bash
# Builds .gpu/pack/ (.gpu/ is ignored by git): everything scripts/gpu/run.sh needs on an offline GPU machine
# without Node. Its own subfolder, because other tools keep their own bundles under .gpu/ too.
#
#   scripts/gpu/prepare.sh            on a development machine (Linux x64, node_modules installed)
#
# .gpu/pack/node.xz     this machine's node binary, xz-compressed
# .gpu/pack/app/        the CLI (cli.mjs) and the GPU bench entry (gpu-main.mjs) bundled by esbuild with shared
#                       chunks (class names kept: the step profile reports programs by them); tfjs-backend-wasm's
#                       .wasm files; the PyTorch peer and its cases; the webgpu package's index.js and
#                       package.json under node_modules/ (kept external: it loads dawn.node)
# .gpu/pack/dawn.node.xzthe webgpu package's linux-x64 dawn.node, xz-compressed (run.sh puts it back in place)
# .gpu/pack/gl/*.deb    the Vulkan loader and the GL libraries NVIDIA's Vulkan driver links against
# .gpu/pack/manifest.txtwhat was built from which commit
#
# The recipe is docs facts' "Running on an offline GPU machine without Node". The folder must stay under
# 60 MB (the device tool carries 64 MiB in all).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
GPU=.gpu/pack
APP="$GPU/app"
LIMIT_MB=60

say() { printf 'prepare: %s\n' "$*" >&2; }

[ -d node_modules/esbuild ] || { say 'node_modules is missing: run npm ci first'; exit 1; }
mkdir -p "$GPU"
rm -rf "$APP"
mkdir -p "$APP"

# 1. Node, compressed once per binary (xz -6 of 95 MB takes a while on 2 cores).
NODE_BIN="$(command -v node)"
NODE_ID="$(node --version) $(sha256sum "$NODE_BIN" | cut -c1-16)"
if [ ! -f "$GPU/node.xz" ] || [ "$(cat "$GPU/node.id" 2>/dev/null)" != "$NODE_ID" ]; then
  say "compressing $NODE_BIN ($NODE_ID)…"
  xz -T2 -c "$NODE_BIN" > "$GPU/node.xz.tmp"
  mv "$GPU/node.xz.tmp" "$GPU/node.xz"
  echo "$NODE_ID" > "$GPU/node.id"
fi

# 2. The bundles. Splitting puts tfjs and the engine into shared chunks, once for both entries; .mjs
# chunks because the data-parallel trainer tells a bundle from sources by its module's extension.
say 'bundling the CLI and the GPU bench entry…'
BANNER="import { createRequire as __dcCreateRequire } from 'node:module';
import { fileURLToPath as __dcFileURLToPath } from 'node:url';
import { dirname as __dcDirname } from 'node:path';
const require = __dcCreateRequire(import.meta.url);
const __filename = __dcFileURLToPath(import.meta.url);
const __dirname = __dcDirname(__filename);"
npx esbuild \
  cli=electron/engine/cli/main.ts \
  gpu-main=bench/gpu-main.ts \
  grad-worker=electron/engine/train/grad-worker.ts \
  --bundle --platform=node --format=esm --target=node20 --splitting \
  --outdir="$APP" --out-extension:.js=.mjs --chunk-names='[name]-[hash]' \
  --minify --keep-names --legal-comments=none --log-level=warning \
  --external:webgpu --external:electron --external:playwright-core \
  --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
  --alias:sharp=./scripts/gpu/sharp-stub.mjs \
  --banner:js="$BANNER"

# 3. Files the bundles read beside themselves.
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$APP/"
cp bench/torch_gpu.py bench/gpu-cases.json "$APP/"
WEBGPU="$APP/node_modules/webgpu"
mkdir -p "$WEBGPU/dist/linux-x64"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$WEBGPU/"
DAWN=node_modules/webgpu/dist/linux-x64/dawn.node
DAWN_ID="$(sha256sum "$DAWN" | cut -c1-16)"
if [ ! -f "$GPU/dawn.node.xz" ] || [ "$(cat "$GPU/dawn.id" 2>/dev/null)" != "$DAWN_ID" ]; then
  say 'compressing dawn.node…'
  xz -T2 -c "$DAWN" > "$GPU/dawn.node.xz.tmp"
  mv "$GPU/dawn.node.xz.tmp" "$GPU/dawn.node.xz"
  echo "$DAWN_ID" > "$GPU/dawn.id"
fi

# 4. The Vulkan loader and GL libraries as Debian packages, downloaded once (needs the package mirror).
if ! ls "$GPU"/gl/libvulkan1_*.deb >/dev/null 2>&1; then
  say 'downloading the Vulkan loader packages…'
  mkdir -p "$GPU/gl" /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086 # $o is several options
  if apt-get $o update >/dev/null && (cd "$GPU/gl" && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null); then
    say "downloaded: $(cd "$GPU/gl" && ls -- *.deb | tr '\n' ' ')"
  else
    say 'WARNING: could not download the Vulkan packages; run.sh will rely on the GPU machine having libvulkan.so.1'
  fi
fi

# 5. What was built, and the size check.
{
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "node: $NODE_ID"
  echo "dawn.node: $DAWN_ID"
  echo "webgpu-conv-bench: $([ -f bench/webgpu-conv-bench.ts ] && echo bundled || echo absent)"
} > "$GPU/manifest.txt"
BYTES="$(du -sb "$GPU" | cut -f1)"
MB=$(( (BYTES + 1048575) / 1048576 ))
du -sh "$GPU"/node.xz "$GPU"/dawn.node.xz "$APP" "$GPU/gl" 2>/dev/null | sed 's/^/prepare: /' >&2
say "$GPU is $MB MB (limit $LIMIT_MB)"
if [ "$MB" -gt "$LIMIT_MB" ]; then
  say "ERROR: $GPU is over $LIMIT_MB MB"
  exit 1
fi
say 'done: carry [".gpu/pack"] and run scripts/gpu/run.sh'
