#!/usr/bin/env bash
# Packs NgdKernel.Kernels and NgdKernel into a folder feed, restores them from that feed into a
# copy of samples/Embedding (the README's example) and runs it, all under one work folder:
#
#   scripts/package-check.sh [WORK]     (WORK defaults to a new temporary folder, removed on success)
#
#   WORK/feed/        the .nupkg and .snupkg files
#   WORK/packages/    the NuGet cache of the sample's restore: the NgdKernel ids never reach the
#                     machine's global cache, so a later run cannot pick up a stale copy
#   WORK/output.txt   what the sample printed
#
# bin/ and obj/ of the packed projects go to artifacts/package-check/ (inside the repository, so the
# PDBs' paths of generated sources are mapped to /_/ too; the projects' own bin/ and obj/ are left
# alone). The sample's other dependencies come from the machine's global NuGet cache, used as a read-only
# folder source: packing restored them there, so the check needs no network. Exit code 0 when
# everything packed, restored and ran; the test suite then inspects WORK.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keep=1
work="${1:-}"
if [[ -z $work ]]; then
  work="$(mktemp -d)"
  keep=0
fi
mkdir -p "$work"
work="$(cd "$work" && pwd)"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

for project in NgdKernel.Kernels NgdKernel; do
  dotnet pack "$root/src/$project/$project.csproj" -c Release -o "$work/feed" \
    --artifacts-path "$root/artifacts/package-check" -nologo -v quiet
done

version="$(cd "$work/feed" && ls NgdKernel.Kernels.*.nupkg | sed -n 's/^NgdKernel\.Kernels\.\(.*\)\.nupkg$/\1/p')"
wanted="$(sed -n 's/.*PackageReference Include="NgdKernel" Version="\([^"]*\)".*/\1/p' "$root/samples/Embedding/Embedding.csproj")"
if [[ "$version" != "$wanted" ]]; then
  echo "package-check.sh: the packages are version '$version' but samples/Embedding/Embedding.csproj references '$wanted'" >&2
  exit 1
fi

global="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
rm -rf "$work/sample" "$work/packages"
mkdir -p "$work/sample"
cp "$root/samples/Embedding/"{Program.cs,Embedding.csproj,Directory.Build.props,Directory.Packages.props} "$work/sample/"
cat > "$work/sample/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="feed" value="$work/feed" />
    <add key="cache" value="$global" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="feed">
      <package pattern="NgdKernel" />
      <package pattern="NgdKernel.*" />
    </packageSource>
    <packageSource key="cache">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
XML

NUGET_PACKAGES="$work/packages" DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
  dotnet run -c Release --project "$work/sample/Embedding.csproj" -p:NuGetAudit=false \
  > "$work/output.txt"
cat "$work/output.txt"
echo "package-check.sh: NgdKernel $version packed, restored from $work/feed and run"
[[ $keep == 1 ]] || rm -rf "$work"
