#!/usr/bin/env bash
# Native AOT against the JIT, side by side: the kernel path each picks and GEMM GFLOP/s at
# 1000x784x400 (NN) in float and double, from `ngd bench gemm`, the JIT build and the Native AOT
# build run alternately ROUNDS times (default 5); the table gives medians and the AOT/JIT ratio.
# Publishes the CLI with Native AOT first (installing clang and zlib1g-dev with apt-get if missing)
# and fails when the publish prints a warning, when the paths differ or when AOT is below 0.9x.
# The dated table goes to OUT_DIR/table.md and into docs/deployment.md between its aotcheck markers.
#
# Usage: scripts/aot-check.sh [OUT_DIR]   (default out/aot-check; ROUNDS=N to change rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
source scripts/lib/results.sh
out="${1:-out/aot-check}"
rounds="${ROUNDS:-5}"
mkdir -p "$out"

if ! command -v clang >/dev/null || [ ! -e /usr/include/zlib.h ]; then
  echo "installing the Native AOT toolchain (clang, zlib1g-dev)"
  apt-get update && apt-get install -y clang zlib1g-dev
fi

cli=src/NgdKernel.Cli/NgdKernel.Cli.csproj
dotnet build -c Release "$cli" -o "$out/jit" >"$out/build-jit.log" 2>&1 || { cat "$out/build-jit.log"; exit 1; }
# Default publish settings: the instruction set comes from NgdKernel.Kernels' buildTransitive targets.
dotnet publish "$cli" -r linux-x64 -c Release -p:PublishAot=true -o "$out/aot" >"$out/publish-aot.log" 2>&1 \
  || { cat "$out/publish-aot.log"; exit 1; }
if grep -E "warning [A-Z]+[0-9]+" "$out/publish-aot.log" | sort -u | tee "$out/publish-warnings.txt" | grep -q .; then
  echo "Native AOT publish printed warnings (see $out/publish-warnings.txt)"; exit 1
fi

# One bench run: prints "<path> <float GFLOP/s> <double GFLOP/s>" for the 1000x784x400 NN case.
bench() {
  "$@" bench gemm --shape 1000x784x400 | awk '
    /^NgdKernel path / { path = $3; sub(/,$/, "", path) }
    $1 == "gemm" && $2 == "NN" && $4 == "1000x784x400" { rate[$3] = $6 }
    END { print path, rate["float"], rate["double"] }'
}

: >"$out/runs.txt"
for round in $(seq 1 "$rounds"); do
  echo "jit $(bench dotnet "$out/jit/ngd.dll")" | tee -a "$out/runs.txt"
  echo "aot $(bench "$out/aot/ngd")" | tee -a "$out/runs.txt"
done

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
awk -v date="$(date -u +%Y-%m-%d)" -v cpu="$cpu" -v rounds="$rounds" '
  function median(list, n,   sorted, i, j, t) {
    for (i = 1; i <= n; i++) sorted[i] = list[i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && sorted[j-1] > sorted[j]; j--) { t = sorted[j]; sorted[j] = sorted[j-1]; sorted[j-1] = t }
    return n % 2 ? sorted[(n+1)/2] : (sorted[n/2] + sorted[n/2+1]) / 2
  }
  { path[$1] = path[$1] == "" || path[$1] == $2 ? $2 : path[$1] "/" $2; n[$1]++; f[$1, n[$1]] = $3; d[$1, n[$1]] = $4 }
  END {
    for (mode in n) { for (i = 1; i <= n[mode]; i++) { ff[i] = f[mode, i]; dd[i] = d[mode, i] }; mf[mode] = median(ff, n[mode]); md[mode] = median(dd, n[mode]) }
    printf "Run %s on %s, `ngd bench gemm --shape 1000x784x400`, GEMM NN 1000x784x400, 1 thread, median of %d runs each, JIT and Native AOT alternating.\n\n", date, cpu, rounds
    print "| Build | Kernel path | float GFLOP/s | double GFLOP/s |"
    print "|-------|-------------|--------------:|---------------:|"
    printf "| JIT | %s | %.1f | %.1f |\n", path["jit"], mf["jit"], md["jit"]
    printf "| Native AOT | %s | %.1f | %.1f |\n", path["aot"], mf["aot"], md["aot"]
    printf "| AOT / JIT | %s | %.2f | %.2f |\n", path["aot"] == path["jit"] ? "same" : "DIFFERENT", mf["aot"] / mf["jit"], md["aot"] / md["jit"]
    ok = path["aot"] == path["jit"] && mf["aot"] >= 0.9 * mf["jit"] && md["aot"] >= 0.9 * md["jit"]
    exit ok ? 0 : 2
  }' "$out/runs.txt" | tee "$out/table.md"
status=${PIPESTATUS[0]}
splice_region docs/deployment.md aotcheck "$out/table.md" >"$out/deployment.md" && cp "$out/deployment.md" docs/deployment.md
[ "$status" -eq 0 ] || echo "FAILED: Native AOT differs from the JIT in path or is below 0.9x (see $out/table.md)"
exit "$status"
