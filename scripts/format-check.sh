#!/usr/bin/env bash
# Checks that the tree follows .editorconfig (whitespace, using order, code style at warning level):
#   scripts/format-check.sh          # exit 0 when nothing would change, else lists the places
#   scripts/format-check.sh --fix    # applies the formatting instead
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ "${1:-}" == "--fix" ]]; then
    dotnet format NgdKernel.sln
else
    dotnet format NgdKernel.sln --verify-no-changes
fi
