#!/usr/bin/env bash
# Step latency from the first step, per runtime configuration, each run in a fresh process
# (perf/NgdKernel.ColdStart: 32-32-32-32-32 tanh network, double, M = 32, 20,000 steps): the
# default tiered JIT with and without OptimizerWarmup.Warmup(), TieredPGO off, TieredCompilation
# off, ReadyToRun and Native AOT. Configurations alternate within each of ROUNDS rounds (default 3)
# so that a slow phase of a shared machine falls on all alike; the table gives medians over rounds.
# Writes the dated table to OUT (default out/coldstart/table.md) and splices it into
# docs/deployment.md between its coldstart markers.
#
# Usage: perf/coldstart.sh   (ROUNDS=N, STEPS=N to change; TABLE_ONLY=1 to redo the table from the last run; needs clang and zlib1g-dev for Native AOT,
#                             which scripts/aot-check.sh installs)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-out/coldstart}"
rounds="${ROUNDS:-3}"
steps="${STEPS:-20000}"
project=perf/NgdKernel.ColdStart/NgdKernel.ColdStart.csproj
mkdir -p "$out"

if [ -z "${TABLE_ONLY:-}" ]; then  # TABLE_ONLY=1: only rebuild the table from OUT/runs.txt
dotnet build -c Release "$project" -o "$out/jit" >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
dotnet publish -c Release "$project" -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/r2r" \
  >"$out/publish-r2r.log" 2>&1 || { cat "$out/publish-r2r.log"; exit 1; }
dotnet publish -c Release "$project" -r linux-x64 -p:PublishAot=true -o "$out/aot" \
  >"$out/publish-aot.log" 2>&1 || { cat "$out/publish-aot.log"; exit 1; }

# name | command prefix (environment and program) | arguments after the optimizer
configs=(
  "JIT default|env dotnet $out/jit/NgdKernel.ColdStart.dll|"
  "JIT default + Warmup()|env dotnet $out/jit/NgdKernel.ColdStart.dll|--warmup"
  "JIT TieredPGO=0|env DOTNET_TieredPGO=0 dotnet $out/jit/NgdKernel.ColdStart.dll|"
  "JIT TieredCompilation=0|env DOTNET_TieredCompilation=0 dotnet $out/jit/NgdKernel.ColdStart.dll|"
  "ReadyToRun|env $out/r2r/NgdKernel.ColdStart|"
  "ReadyToRun + Warmup()|env $out/r2r/NgdKernel.ColdStart|--warmup"
  "Native AOT|env $out/aot/NgdKernel.ColdStart|"
)

: >"$out/runs.txt"
for round in $(seq 1 "$rounds"); do
  for optimizer in sgd ngd; do
    for config in "${configs[@]}"; do
      IFS='|' read -r name command extra <<<"$config"
      # shellcheck disable=SC2086
      line="$($command $optimizer $extra "$steps")"
      echo "$name|$line" | tee -a "$out/runs.txt"
    done
  done
done
fi

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
{
  echo "Run $(date -u +%Y-%m-%d) on $cpu ($(nproc) cores, shared), \`perf/coldstart.sh\` (ROUNDS=$rounds, STEPS=$steps): 32-32-32-32-32 tanh network, double, M = 32, one thread; each cell the median over rounds of one fresh process's value. Steady state is the p50 of steps $((steps / 2))-$steps."
  echo
  echo "| Configuration | Optimizer | First step (ms) | p50 steps 10-100 (us) | p50 steps 100-1000 (us) | p50 steady (us) | 10-100 / steady | 100-1000 / steady | Warmup() (ms) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'|' '
    function field(line, key,   parts, i, kv) {
      n = split(line, parts, " ")
      for (i = 1; i <= n; i++) { split(parts[i], kv, "="); if (kv[1] == key) return kv[2] }
      return ""
    }
    function median(key,   n, i, j, t, v) {
      n = count[key]; for (i = 1; i <= n; i++) v[i] = values[key, i]
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
      return n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2
    }
    {
      opt = $2 ~ /^ngd/ ? "NGD" : "SGD"
      row = $1 SUBSEP opt
      if (!(row in seen)) { seen[row] = 1; order[++rows] = row }
      split("first p50_10_100 p50_100_1000 p50_steady warmupMs", keys, " ")
      for (k in keys) { key = row SUBSEP keys[k]; values[key, ++count[key]] = field($2, keys[k]) + 0 }
    }
    END {
      for (r = 1; r <= rows; r++) {
        row = order[r]; split(row, names, SUBSEP)
        early = median(row SUBSEP "p50_10_100"); middle = median(row SUBSEP "p50_100_1000"); steady = median(row SUBSEP "p50_steady")
        warm = median(row SUBSEP "warmupMs")
        printf "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %s |\n", names[1], names[2], median(row SUBSEP "first") / 1000,
          early, middle, steady, early / steady, middle / steady, (warm > 0 ? sprintf("%.0f", warm) : "-")
      }
    }' "$out/runs.txt"
} | tee "$out/table.md"

# Splice between the markers of docs/deployment.md.
awk -v table="$out/table.md" '
  /<!-- coldstart:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- coldstart:end -->/ { skip = 0 }
  !skip' docs/deployment.md >"$out/deployment.md" && cp "$out/deployment.md" docs/deployment.md
