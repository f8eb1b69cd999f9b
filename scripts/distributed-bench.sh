#!/usr/bin/env bash
# Loopback measurements of data-parallel training (all-reduce MB/s, step time for P = 1, 2, 3 against
# one process, modelled speedup at 1/10/100 Gb/s for P = 2, 8, 32), spliced into docs/distributed.md
# between its distributed-bench markers. One dated run; rerun to refresh every figure at once.
#   scripts/distributed-bench.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project perf/NgdKernel.Distributed.Bench -- docs/distributed.md "${1:-3}"
