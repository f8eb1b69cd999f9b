#!/usr/bin/env bash
# Copies the tables in perf/results/<cpu>/<Bench>.md into docs/performance.md, between the markers
#   <!-- results: <cpu>/<Bench> -->
#   <!-- end results -->
# so the document never carries hand-edited numbers. Run after perf/run.sh:
#   perf/splice-results.sh [docs/performance.md]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
doc="${1:-$root/docs/performance.md}"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT

awk -v results="$root/perf/results" '
    /^<!-- results: .* -->$/ {
        print
        name = $0
        sub(/^<!-- results: /, "", name); sub(/ -->$/, "", name)
        file = results "/" name ".md"
        if ((getline line < file) <= 0) {
            print "_(no results yet: run `perf/run.sh` and then `perf/splice-results.sh`)_"
        } else {
            # Drop the file title: the document has its own headings. Demote the rest by two levels.
            do {
                if (line ~ /^# /) continue
                if (line ~ /^## /) line = "####" substr(line, 3)
                print line
            } while ((getline line < file) > 0)
            close(file)
        }
        skipping = 1
        next
    }
    /^<!-- end results -->$/ { skipping = 0 }
    !skipping { print }
' "$doc" > "$tmp"
cp "$tmp" "$doc"
echo "spliced results into $doc"
