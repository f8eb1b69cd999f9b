#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite with one fixed job and writes one Markdown table per benchmark
# class to perf/results/<cpu>/<Bench>.md, headed by the exact command and the OpenBLAS settings.
#
#   perf/run.sh                       # every benchmark (about 15 minutes on 2 cores)
#   perf/run.sh Gemm Cholesky         # a subset: Peak Gemm Syrk Cholesky TrainStep Latency
#   perf/run.sh Gemm -- --job dry     # extra BenchmarkDotNet arguments after --
#
# OpenBLAS is measured under both core selections in the same run, each case in its own process:
# "OpenBLAS env" inherits this shell's OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (on our build machines
# Haswell / 512), "OpenBLAS auto" removes both before the library loads, so OpenBLAS detects the
# core itself (Cooperlake/AVX-512 on Zen 4/5). The faster one is the bar; it is the baseline.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

benches_arg="$*"
benches=()
extra=()
while [[ $# -gt 0 ]]; do
    if [[ "$1" == "--" ]]; then shift; extra=("$@"); break; fi
    benches+=("$1"); shift
done
if [[ ${#benches[@]} -eq 0 ]]; then
    benches=(Peak Gemm Syrk Cholesky TrainStep Latency)
fi

# The job: short enough that the whole suite stays near 15 minutes, long enough (100 ms
# iterations, 5 of them) for ratios that hold up on a shared machine. Five warm-ups of 100 ms:
# with two, a process that calls only a 20³ GEMM was still timing code the tiered JIT had not yet
# recompiled (295 ns per call, against 117 ns after about 0.3 s).
job=(--launchCount 1 --warmupCount 5 --iterationCount 5 --iterationTime 100)

# CPU folder name: model name, plus the AMD Zen generation that its CPUID family implies
# (virtual machines often report only "AMD EPYC").
model="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//; s/(R)//g; s/(TM)//g; s/ CPU.*$//; s/ @.*$//')"
family="$(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')"
case "$(grep -m1 '^vendor_id' /proc/cpuinfo | cut -d: -f2 | tr -d ' '):$family" in
    AuthenticAMD:23) model="$model Zen2" ;;
    AuthenticAMD:25) model="$model Zen4" ;;
    AuthenticAMD:26) model="$model Zen5" ;;
esac
cpu="$(echo "$model" | tr -s ' ' '.' | tr -cd 'A-Za-z0-9.-')"
out="perf/results/$cpu"
mkdir -p "$out"

project=perf/NgdKernel.Benchmarks
dotnet build -c Release "$project" --nologo -v quiet
exe="$project/bin/Release/net10.0/NgdKernel.Benchmarks"

probe_env="$("$exe" probe environment | paste -sd';' | sed 's/;/; /g')"
probe_auto="$("$exe" probe automatic | paste -sd';' | sed 's/;/; /g')"

filters=()
latency=0
for bench in "${benches[@]}"; do
    if [[ "$bench" == Latency ]]; then latency=1; else filters+=("*.${bench}Bench*"); fi
done

artifacts="$(mktemp -d /tmp/ngd-bench.XXXXXX)"
trap 'rm -rf "$artifacts"' EXIT
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
invocation="perf/run.sh${benches_arg:+ $benches_arg}"
touch "$artifacts/run.log"
if [[ ${#filters[@]} -gt 0 ]]; then
    command=("$exe" --filter "${filters[@]}" "${job[@]}" --artifacts "$artifacts" "${extra[@]}")
    echo "running: ${command[*]}"
    "${command[@]}" | tee "$artifacts/run.log"
fi

# Step latency: tails of 10^5 individual steps, a plain timed loop (see LatencyRun.cs).
if [[ $latency -eq 1 ]]; then
    file="$out/LatencyBench.md"
    {
        echo "# LatencyBench"
        echo
        echo "Run $started by \`${invocation}\`: \`${exe} latency 100000\`."
        echo
        "$exe" latency 100000
    } > "$file"
    echo "wrote $file"
fi

legend() { grep -E "^  (GFLOP/s|Peak|Ratio|Allocated) +:" "$artifacts/run.log" | sort -u | sed 's/^  /- /' || true; }

for bench in "${benches[@]}"; do
    [[ "$bench" == Latency ]] && continue
    # float (Single) before double; non-generic classes have a single report.
    reports=()
    for suffix in _Single_ _Double_ ""; do
        for report in "$artifacts"/results/*".${bench}Bench${suffix}-report-github.md"; do
            [[ -e "$report" ]] && reports+=("$report")
        done
    done
    [[ ${#reports[@]} -gt 0 ]] || { echo "no results for ${bench}Bench"; continue; }
    file="$out/${bench}Bench.md"
    {
        echo "# ${bench}Bench"
        echo
        echo "Run $started by \`${invocation}\` (one BenchmarkDotNet run for all the classes it names); this class alone is"
        echo
        echo '```'
        echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-<unset>} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-<unset>} \\"
        echo "  ${exe} --filter '*.${bench}Bench*' ${job[*]} ${extra[*]}"
        echo '```'
        echo
        echo "- OpenBLAS env: ${probe_env}"
        echo "- OpenBLAS auto: ${probe_auto}"
        echo "- Ratio is against the baseline (Ratio = 1.00), OpenBLAS auto where present; below 1 is faster."
        legend
        for report in "${reports[@]}"; do
            name="$(basename "$report" -report-github.md)"
            case "$name" in
                *_Single_) echo; echo "## float" ;;
                *_Double_) echo; echo "## double" ;;
            esac
            echo
            cat "$report"
        done
    } > "$file"
    echo "wrote $file"
done
