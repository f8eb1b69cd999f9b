# Shared by the scripts that run `ngd` experiments and render their summaries into a Markdown
# region: sourced, never run. Defines functions only.

# Builds the CLI into its own folder ($1) and prints the path of its `ngd`: a long run then uses a
# private copy that a rebuild of the tree cannot replace under it.
build_ngd() {
  dotnet build -c Release "$root/src/NgdKernel.Cli/NgdKernel.Cli.csproj" -v quiet -nologo -o "$1" >&2
  echo "$1/ngd"
}

# One line naming the machine: CPU model and core count.
machine() {
  echo "$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//') ($(nproc) cores)"
}

# Prints file $1 with the lines between the marker lines `<!-- $2 begin -->` and `<!-- $2 end -->`
# (kept) replaced by file $3; fails, naming the file, when a marker is missing.
splice_region() {
  local file="$1" begin="<!-- $2 begin -->" end="<!-- $2 end -->" region="$3"
  grep -qxF "$begin" "$file" && grep -qxF "$end" "$file" \
    || { echo "${0##*/}: ${file#"$root"/} lacks the markers $begin / $end" >&2; exit 1; }
  awk -v region="$region" -v b="$begin" -v e="$end" '
    $0 == b { print; while ((getline line < region) > 0) print line; skipping = 1; next }
    $0 == e { skipping = 0 }
    !skipping { print }
  ' "$file"
}

# awk functions for reading a run summary (lib/summary.awk), for `awk -f "$summary_awk" -f ...`.
summary_awk="$root/scripts/lib/summary.awk"
