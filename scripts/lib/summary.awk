# Functions for reading an `ngd` run summary, shared by the scripts that render summaries into
# Markdown tables (used as `awk -f scripts/lib/summary.awk -f <script>`).

# n with thousands separators: 150000 -> 150,000.
function group(n,   s, grouped) {
  s = sprintf("%d", n); grouped = ""
  while (length(s) > 3) { grouped = "," substr(s, length(s) - 2) grouped; s = substr(s, 1, length(s) - 3) }
  return s grouped
}

# The threshold a key examplesTo<suffix> names, in words: 97 -> "97 % accuracy", 2xMin -> "2x floor",
# MseHalf -> "MSE Half".
function label(suffix) {
  if (suffix ~ /^[0-9.]+$/) return suffix " % accuracy"
  if (suffix ~ /xMin$/) { sub(/xMin$/, "x floor", suffix); return suffix }
  if (suffix ~ /^Mse/) { sub(/^Mse/, "MSE ", suffix); return suffix }
  return suffix
}
