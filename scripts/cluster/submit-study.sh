#!/usr/bin/env bash
# Submits a study split by seed to Slurm: study.sbatch as an array of SEEDS tasks (one seed each), then
# study-merge.sbatch to run once every task succeeded (--dependency=afterok); a failed task cancels the merge.
#
# Usage: scripts/cluster/submit-study.sh SEEDS [study options...] [-- merge options...]
#   e.g. scripts/cluster/submit-study.sh 5 --model models/cnn4 --dataset data/fmnist --distortion blur
# Run it from the folder the jobs should work in (their logs and STUDY_DIR are relative to it), on a file
# system every node sees. Environment: STUDY_DIR (default: study), DEEPCORRECT_BIN (default: this checkout's
# bin/deepcorrect.mjs), DEEPCORRECT_BACKEND, and sbatch's own SBATCH_* variables for both jobs.
# Prints the two job ids, "ARRAY_ID MERGE_ID", on stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=submit-lib.sh
. "$here/submit-lib.sh"
usage="usage: $0 SEEDS [study options...] [-- merge options...]"

seeds="${1:-}"
# A study split by seed has at least 2 (one seed runs whole: deepcorrect study without --seed-index).
# (The CLI refuses more than its --seeds limit, in every task: see deepcorrect study --help.)
if ! [[ "$seeds" =~ ^[1-9][0-9]*$ ]] || [ "$seeds" -lt 2 ]; then
  echo "submit-study.sh: SEEDS must be a whole number of seeds, 2 or more (got '${seeds}')" >&2
  echo "$usage" >&2
  exit 2
fi
shift
split_args "$@"

export SEEDS="$seeds"
export STUDY_DIR="${STUDY_DIR:-study}"
export DEEPCORRECT_BIN="${DEEPCORRECT_BIN:-$(cd "$here/../.." && pwd)/bin/deepcorrect.mjs}"

submit_array_then_merge submit-study.sh "$seeds" "$here/study.sbatch" "$here/study-merge.sbatch"
echo "submit-study.sh: array job $array_id ($seeds seeds into $STUDY_DIR), merge job $merge_id (after the array succeeds)" >&2
# The ids alone on stdout, for a script to read: ARRAY_ID MERGE_ID
echo "$array_id $merge_id"
