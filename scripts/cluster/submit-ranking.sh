#!/usr/bin/env bash
# Submits a sharded filter ranking to Slurm: rank.sbatch as an array of SHARDS tasks, then rank-merge.sbatch
# to run once every task succeeded (--dependency=afterok); a failed task cancels the merge.
#
# Usage: scripts/cluster/submit-ranking.sh SHARDS [rank options...] [-- merge options...]
#   e.g. scripts/cluster/submit-ranking.sh 4 --model models/cnn4 --dataset data/fmnist --method oracle
# Run it from the folder the jobs should work in (their logs, PARTS_DIR and RANKING_OUT are relative to it),
# on a file system every node sees. Environment: PARTS_DIR (default: parts), RANKING_OUT (default:
# ranking.json), DEEPCORRECT_BIN (default: this checkout's bin/deepcorrect.mjs), DEEPCORRECT_BACKEND, and
# sbatch's own SBATCH_* variables (SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT...) for both jobs.
# Prints the two job ids, "ARRAY_ID MERGE_ID", on stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=submit-lib.sh
. "$here/submit-lib.sh"
usage="usage: $0 SHARDS [rank options...] [-- merge options...]"

shards="${1:-}"
if ! [[ "$shards" =~ ^[1-9][0-9]*$ ]]; then
  echo "submit-ranking.sh: SHARDS must be a whole number of shards, 1 or more (got '${shards}')" >&2
  echo "$usage" >&2
  exit 2
fi
shift
split_args "$@"

export SHARDS="$shards"
export PARTS_DIR="${PARTS_DIR:-parts}"
export RANKING_OUT="${RANKING_OUT:-ranking.json}"
export DEEPCORRECT_BIN="${DEEPCORRECT_BIN:-$(cd "$here/../.." && pwd)/bin/deepcorrect.mjs}"

# Parts of an earlier run would be merged with this run's (or refused by the merge): start from none.
shopt -s nullglob
stale=("$PARTS_DIR"/part-*.json)
if [ "${#stale[@]}" -gt 0 ]; then
  echo "submit-ranking.sh: $PARTS_DIR (PARTS_DIR) already holds ${#stale[@]} part files of an earlier run; remove them or set another PARTS_DIR" >&2
  exit 2
fi
mkdir -p "$PARTS_DIR"

submit_array_then_merge submit-ranking.sh "$shards" "$here/rank.sbatch" "$here/rank-merge.sbatch"
echo "submit-ranking.sh: array job $array_id ($shards shards into $PARTS_DIR), merge job $merge_id (into $RANKING_OUT, after the array succeeds)" >&2
# The ids alone on stdout, for a script to read: ARRAY_ID MERGE_ID
echo "$array_id $merge_id"
