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
study_args=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  study_args+=("$1")
  shift
done
[ "${1:-}" = "--" ] && shift
merge_args=("$@")

export SEEDS="$seeds"
export STUDY_DIR="${STUDY_DIR:-study}"
export DEEPCORRECT_BIN="${DEEPCORRECT_BIN:-$(cd "$here/../.." && pwd)/bin/deepcorrect.mjs}"

job_id() {
  # sbatch --parsable prints "ID" or "ID;CLUSTER".
  local id="${1%%;*}"
  if ! [[ "$id" =~ ^[0-9]+$ ]]; then
    echo "submit-study.sh: sbatch printed '$1', not a job id" >&2
    return 1
  fi
  echo "$id"
}

array_id="$(job_id "$(sbatch --parsable --array="0-$((seeds - 1))" "$here/study.sbatch" "${study_args[@]}")")"
if ! merge_out="$(sbatch --parsable --dependency="afterok:$array_id" --kill-on-invalid-dep=yes \
  "$here/study-merge.sbatch" "${merge_args[@]}")" || ! merge_id="$(job_id "$merge_out")"; then
  echo "submit-study.sh: the merge was not submitted; cancelling the array job $array_id" >&2
  scancel "$array_id" || true
  exit 1
fi
echo "submit-study.sh: array job $array_id ($seeds seeds into $STUDY_DIR), merge job $merge_id (after the array succeeds)" >&2
# The ids alone on stdout, for a script to read: ARRAY_ID MERGE_ID
echo "$array_id $merge_id"
