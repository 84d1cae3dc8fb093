#!/usr/bin/env bash
# Regenerates docs/architecture.png from a fresh synth of the whole app (default configuration).
# Needs graphviz (`dot`): apt-get install graphviz / brew install graphviz.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dot >/dev/null || { echo "graphviz is not installed: apt-get install graphviz" >&2; exit 1; }
export CDK_DISABLE_CLI_TELEMETRY=true
outdir=$(mktemp -d)
trap 'rm -rf "$outdir"' EXIT
npx cdk synth --quiet --output "$outdir" >/dev/null
mkdir -p docs
npx cdk-dia --tree "$outdir/tree.json" --target "$outdir/diagram.png" >/dev/null
# cdk-dia renders at 200 dpi, which makes a picture of tens of megapixels for this app;
# 60 dpi keeps every label legible when zoomed, at a size a repository can carry.
dot -Gdpi=60 -Tpng "$outdir/diagram.dot" -o docs/architecture.png 2>/dev/null
echo "docs/architecture.png regenerated"
