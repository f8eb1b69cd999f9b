#!/usr/bin/env bash
# The cost of amortized curvature in examples: runs NGD alone on `ngd fig1a` and `ngd mnist` with
# --inverse-period T --damping-interval T for T = 1, 5, 10, 20 (T = 1 is the per-step Eq. 20), keeps
# each run's summary in docs/results/amortized/<experiment>-T<T>.json (and its console log), and
# rewrites the region of docs/amortized-curvature.md between
#   <!-- amortized-results begin -->
#   <!-- amortized-results end -->
# from those files alone.
#
#   scripts/amortized-curvature.sh             run everything (MNIST data from scripts/get-mnist.sh), then render
#   scripts/amortized-curvature.sh --render    render from docs/results/amortized/ without running
#
# MNIST_EXAMPLES (default 150000) caps the MNIST runs: the paper's 300,000 examples take several
# minutes per run on a shared 2-core machine; the cap is printed with the table.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib/results.sh"
results="$root/docs/results/amortized"
doc="$root/docs/amortized-curvature.md"
periods=(1 5 10 20)
experiments=(fig1a mnist)
mnist_examples="${MNIST_EXAMPLES:-150000}"

mode=run
case "${1:-}" in
  --render) mode=render ;;
  "") ;;
  -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "amortized-curvature.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

run_all() {
  local ngd
  ngd="$(build_ngd "$work/bin")"
  mkdir -p "$results"
  "$root/scripts/get-mnist.sh" >&2
  {
    echo "started $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "cpu $(machine), .NET SDK $(dotnet --version)"
    echo "mnist-examples $mnist_examples"
  } > "$results/run.txt"
  for id in "${experiments[@]}"; do
    for t in "${periods[@]}"; do
      local args=("$id" --optimizers ngd --inverse-period "$t" --damping-interval "$t" --out "$work/$id-$t")
      [[ $id == mnist ]] && args+=(--data "$root/data/mnist" --examples "$mnist_examples")
      echo "command ngd ${args[*]/#$work\//}" | sed "s#--out [^ ]*#--out OUT#; s#$root/##g" >> "$results/run.txt"
      echo "amortized-curvature.sh: ngd ${args[*]}" >&2
      local status=0
      "$ngd" "${args[@]}" > "$results/$id-T$t.log" 2>&1 || status=$?
      cp "$work/$id-$t/$id.json" "$results/$id-T$t.json"
      echo "exit $id T=$t $status" >> "$results/run.txt"
    done
  done
  echo "finished $(date -u '+%Y-%m-%d %H:%M UTC')" >> "$results/run.txt"
}

# One table row per run, from its summary JSON (one token per line, as Utf8JsonWriter indents it)
# and, for a run that stopped early, the reason its log gives.
render_row() {
  local id="$1" t="$2" json="$results/$1-T$2.json" log="$results/$1-T$2.log"
  local reason=""
  reason="$(grep -o 'Step [0-9]* failed in layer [0-9]*: [^.]*' "$log" | head -1 || true)"
  awk -v id="$id" -v t="$t" -v reason="$reason" -f "$summary_awk" -f /dev/stdin "$json" <<'AWK'
{
  line = $0; gsub(/^[ \t]+|[ \t,]+$/, "", line)
  if (line ~ /^"runs"/) exit
  if (!match(line, /^"[^"]+": */)) next
  key = substr(line, 2, index(line, "\":") - 2); value = substr(line, RLENGTH + 1); gsub(/"/, "", value)
  if (key == "examplesSeen") seen = value
  else if (key == "finalTestLoss") final = value
  else if (key == "status") status = value
  else if (key ~ /^examplesTo/) {
    text = text (text == "" ? "" : "; ") label(substr(key, 11)) ": " (value == "null" ? "not reached" : group(value))
  }
}
END {
  state = status == "failed" ? "stopped: " reason : status == "examples" ? "budget used" : status
  printf "| `%s` | %s | %s | %s | %s | %s |\n", id, t, group(seen), (final == "null" ? "-" : sprintf("%.4g", final)), text, state
}
AWK
}

render() {
  local region="$work/region.md" cap
  cap="$(sed -n 's/^mnist-examples //p' "$results/run.txt")"
  {
    echo "Run $(sed -n 's/^started //p' "$results/run.txt") on $(sed -n 's/^cpu //p' "$results/run.txt") by"
    echo "\`scripts/amortized-curvature.sh\` (MNIST capped at ${cap} examples); NGD alone, each run"
    echo "\`ngd <experiment> --optimizers ngd --inverse-period T --damping-interval T\` with the experiment's"
    echo "other defaults. Examples are counted to each threshold of the experiment's summary."
    echo
    echo "| experiment | T | examples seen | final test loss | examples to threshold | end |"
    echo "|---|---:|---:|---:|---|---|"
    for id in "${experiments[@]}"; do
      for t in "${periods[@]}"; do
        render_row "$id" "$t"
      done
    done
  } > "$region"
  splice_region "$doc" amortized-results "$region" > "$work/doc.md"
  cp "$work/doc.md" "$doc"
  echo "amortized-curvature.sh: rewrote the table in ${doc#$root/}" >&2
}

[[ $mode == run ]] && run_all
render
