# Sourced by submit-ranking.sh and submit-study.sh: the array job, then its merge as a dependent job.

# split_args ARG...: the words before a lone "--" into task_args, those after it into merge_args.
split_args() {
  task_args=()
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
    task_args+=("$1")
    shift
  done
  [ "${1:-}" = "--" ] && shift
  merge_args=("$@")
}

# job_id TOOL OUTPUT: the job id in sbatch --parsable's output ("ID" or "ID;CLUSTER").
job_id() {
  local id="${2%%;*}"
  if ! [[ "$id" =~ ^[0-9]+$ ]]; then
    echo "$1: sbatch printed '$2', not a job id" >&2
    return 1
  fi
  echo "$id"
}

# submit_array_then_merge TOOL COUNT ARRAY_SCRIPT MERGE_SCRIPT: submits ARRAY_SCRIPT with task_args as an
# array of COUNT tasks (ids 0..COUNT-1), then MERGE_SCRIPT with merge_args to run once every task succeeded;
# a failed task cancels the merge (--kill-on-invalid-dep), so it never waits for ever. Sets array_id and
# merge_id; if the merge cannot be submitted, the array is cancelled and the script exits.
submit_array_then_merge() {
  local tool="$1" count="$2" array_script="$3" merge_script="$4" merge_out
  array_id="$(job_id "$tool" "$(sbatch --parsable --array="0-$((count - 1))" "$array_script" "${task_args[@]}")")"
  if ! merge_out="$(sbatch --parsable --dependency="afterok:$array_id" --kill-on-invalid-dep=yes \
    "$merge_script" "${merge_args[@]}")" || ! merge_id="$(job_id "$tool" "$merge_out")"; then
    echo "$tool: the merge was not submitted; cancelling the array job $array_id" >&2
    scancel "$array_id" || true
    exit 1
  fi
}
