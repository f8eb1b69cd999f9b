#!/usr/bin/env bash
# Generates the result tables of docs/performance.md from the raw BenchmarkDotNet files that
# perf/run.sh writes to perf/results/<cpu>/, between the markers
#   <!-- results: <cpu> -->            the tables of one CPU
#   <!-- results: <cpu>/<Bench> -->    one raw file, as it is
#   <!-- end results -->
# so the document never carries a number typed by hand. Per CPU: one ratio table of the kernels
# (kernel, shape, NgdKernel GFLOP/s, OpenBLAS GFLOP/s, ratio, fraction of peak) and one table of
# the training step's time against SGD's. Run after perf/run.sh:
#   perf/splice-results.sh [docs/performance.md]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
doc="${1:-$root/docs/performance.md}"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT

# Prints the two tables of one CPU folder.
tables() {
    local dir="$1" cpu
    cpu="$(basename "$dir")"
    awk -v cpu="$cpu" '
        function trim(s) { gsub(/^ +| +$/, "", s); return s }
        function number(s) { s = trim(s); gsub(/,/, "", s); return s }
        # Column numbers (after split on "|") of a BenchmarkDotNet header line.
        function columns(line,   f, i) {
            split(line, f, "|")
            for (i in f) col[trim(f[i])] = i
        }
        # A mean such as "1,234.5 μs" in microseconds; "" for NA.
        function micros(s,   v) {
            s = number(s)
            if (s !~ /^[0-9.]+ /) return ""
            v = s + 0
            if (s ~ / ns$/) return v / 1000
            if (s ~ / ms$/) return v * 1000
            if (s ~ / s$/) return v * 1e6
            return v
        }
        function run(file,   line) {
            if ((getline line < file) > 0 && (getline line < file) > 0 && (getline line < file) > 0) {
                close(file)
                if (match(line, /Run [0-9-]+ [0-9:]+ UTC/)) return substr(line, RSTART + 4, RLENGTH - 4)
            }
            close(file)
            return "?"
        }
        BEGIN {
            n = 0
            split("Gemm Syrk Cholesky", benches, " ")
            split("GEMM SYRK Cholesky", names, " ")
            for (b = 1; b <= 3; b++) {
                file = ARGV[1] "/" benches[b] "Bench.md"
                dates = dates (b > 1 ? ", " : "") "[" benches[b] "Bench](../perf/results/" cpu "/" benches[b] "Bench.md) " run(file)
                precision = ""
                while ((getline line < file) > 0) {
                    if (line ~ /^## float/) precision = "float"
                    else if (line ~ /^## double/) precision = "double"
                    if (line ~ /^\| Method /) columns(line)
                    if (line !~ /^\| (NgdKernel|OpenBLAS-auto) /) continue
                    split(line, f, "|")
                    key = names[b] " " precision "|" trim(f[3])
                    if (trim(f[2]) == "NgdKernel") {
                        order[++n] = key; ours[key] = number(f[col["GFLOP/s"]]); peak[key] = trim(f[col["Peak"]])
                    } else {
                        theirs[key] = number(f[col["GFLOP/s"]])
                    }
                }
                close(file)
            }
            ARGV[1] = ""
            print "Kernels, from " dates ". Ratio = NgdKernel / OpenBLAS GFLOP/s (above 1 is faster); OpenBLAS chooses its own kernels for the CPU (`OPENBLAS_CORETYPE` unset); peak = fraction of threads x the single-thread FMA peak."
            print ""
            print "| kernel | shape | NgdKernel GFLOP/s | OpenBLAS GFLOP/s | ratio | peak |"
            print "|--------|-------|------------------:|-----------------:|------:|-----:|"
            for (i = 1; i <= n; i++) {
                key = order[i]; split(key, k, "|")
                them = (key in theirs) ? theirs[key] : "-"
                ratio = (them != "-" && them + 0 > 0 && ours[key] + 0 > 0) ? sprintf("%.2f", ours[key] / them) : "-"
                print "| " k[1] " | " k[2] " | " ours[key] " | " them " | " ratio " | " peak[key] " |"
            }

            file = ARGV[2] "/TrainStepBench.md"
            print ""
            print "Training step, from [TrainStepBench](../perf/results/" cpu "/TrainStepBench.md) " run(file) ": mean time of one SGD step, and the mean NGD step times as multiples of it at equal batch; `-` where the run has no such time."
            print ""
            print "| precision | network, batch, threads | SGD | NGD Cholesky / SGD | NGD Sherman-Morrison / SGD |"
            print "|-----------|-------------------------|----:|-------------------:|---------------------------:|"
            m = 0; precision = ""
            while ((getline line < file) > 0) {
                if (line ~ /^## float/) precision = "float"
                else if (line ~ /^## double/) precision = "double"
                if (line ~ /^\| Method /) columns(line)
                if (line !~ /^\| (Sgd|NgdCholesky|NgdShermanMorrison) /) continue
                split(line, f, "|")
                key = precision "|" trim(f[3])
                if (!(key in seen)) { seen[key] = 1; steps[++m] = key }
                mean[key, trim(f[2])] = micros(f[col["Mean"]])
                if (trim(f[2]) == "Sgd") sgd[key] = trim(f[col["Mean"]])
            }
            close(file)
            for (i = 1; i <= m; i++) {
                key = steps[i]; split(key, k, "|")
                base = mean[key, "Sgd"]
                chol = (base != "" && mean[key, "NgdCholesky"] != "") ? sprintf("%.2f", mean[key, "NgdCholesky"] / base) : "-"
                sm = (base != "" && mean[key, "NgdShermanMorrison"] != "") ? sprintf("%.2f", mean[key, "NgdShermanMorrison"] / base) : "-"
                print "| " k[1] " | " k[2] " | " (base != "" ? sgd[key] : "-") " | " chol " | " sm " |"
            }
            ARGV[2] = ""
        }
    ' "$dir" "$dir"
}

awk -v root="$root" '
    /^<!-- results: .* -->$/ {
        print
        cpu = $0
        sub(/^<!-- results: /, "", cpu); sub(/ -->$/, "", cpu)
        if (cpu ~ /\//) {
            # <cpu>/<Bench>: the raw file itself, its title dropped and its headings demoted.
            file = root "/perf/results/" cpu ".md"
            while ((getline line < file) > 0) {
                if (line ~ /^# /) continue
                if (line ~ /^## /) line = "####" substr(line, 3)
                print line
            }
            close(file)
        } else {
            command = "bash -c \"source <(sed -n \\\"/^tables()/,/^}/p\\\" " root "/perf/splice-results.sh); tables " root "/perf/results/" cpu "\""
            while ((command | getline line) > 0) print line
            close(command)
        }
        skipping = 1
        next
    }
    /^<!-- end results -->$/ { skipping = 0 }
    !skipping { print }
' "$doc" > "$tmp"
cp "$tmp" "$doc"
echo "spliced results into $doc"
