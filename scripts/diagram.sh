#!/usr/bin/env bash
# Regenerates docs/architecture/<stack>.png, one picture per stack, from a fresh synth of the
# whole app (default configuration). Needs graphviz (`dot`, `unflatten`):
# apt-get install graphviz / brew install graphviz.
#
# cdk-dia draws every construct of the tree. Before it does, the construct tree is pruned of
# plumbing and repetition, so that each picture shows what the stack holds and how it connects:
#   - log groups, IAM policies, Lambda functions and custom-resource providers are left out
#     (the custom resources they serve stay);
#   - a construct of four or more resources of at most two types (LF-Tag associations,
#     Lake Formation grants) is drawn as one node that says how many it holds;
#   - a construct that wraps a single resource lends it its name ("DataLake Bucket").
# `unflatten` staggers long rows of nodes, and 72 dpi keeps each picture about as wide as the
# README column with labels at 12 px.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in dot unflatten; do
  command -v "$tool" >/dev/null || { echo "graphviz is not installed: apt-get install graphviz" >&2; exit 1; }
done
export CDK_DISABLE_CLI_TELEMETRY=true
outdir=$(mktemp -d)
trap 'rm -rf "$outdir"' EXIT
npx cdk synth --quiet --output "$outdir/cdk.out" >/dev/null

stacks=$(node - "$outdir/cdk.out/tree.json" "$outdir/tree.json" <<'EOF'
const fs = require('fs');
const [, , source, target] = process.argv;
const tree = JSON.parse(fs.readFileSync(source, 'utf8'));
const PLUMBING_CONSTRUCTS = new Set([
  'aws-cdk-lib.aws_logs.LogGroup',
  'aws-cdk-lib.aws_iam.Policy',
  'aws-cdk-lib.custom_resources.Provider',
  'aws-cdk-lib.CustomResourceProviderBase',
]);
const PLUMBING_TYPES = new Set(['AWS::Logs::LogGroup', 'AWS::IAM::Policy', 'AWS::Lambda::Function']);
const fqn = (node) => node.constructInfo?.fqn;
const cfnType = (node) =>
  node.attributes?.['aws:cdk:cloudformation:type'] ??
  (fqn(node) === 'aws-cdk-lib.CustomResource' ? 'Custom' : undefined);
const isPlumbing = (node) =>
  PLUMBING_CONSTRUCTS.has(fqn(node)) ||
  PLUMBING_TYPES.has(cfnType(node)) ||
  /Provider$/.test(node.id);

function prune(node) {
  for (const [key, child] of Object.entries(node.children ?? {})) {
    if (isPlumbing(child)) delete node.children[key];
    else prune(child);
  }
  const children = Object.values(node.children ?? {});
  const types = children.map(cfnType);
  if (children.length >= 4 && types.every(Boolean) && new Set(types).size <= 2) {
    node.attributes = { ...node.attributes, 'CDK-DIA_CollapssingCustomizer': 'FORCE_COLLAPSE' };
    node.id = `${node.id}: ${children.length} resources`;
  } else if (children.length === 1 && !['Resource', 'Default'].includes(children[0].id)) {
    children[0].id = `${node.id} ${children[0].id}`;
  }
}
for (const stack of Object.values(tree.tree.children)) {
  if (fqn(stack) === 'aws-cdk-lib.Stack') prune(stack);
}
fs.writeFileSync(target, JSON.stringify(tree));
const stacks = Object.values(tree.tree.children).filter((node) => fqn(node) === 'aws-cdk-lib.Stack');
console.log(stacks.map((stack) => stack.id).join('\n'));
EOF
)

rm -rf docs/architecture
mkdir -p docs/architecture
for stack in $stacks; do
  npx cdk-dia --tree "$outdir/tree.json" --target "$outdir/$stack.png" --include "$stack" >/dev/null
  unflatten -l 3 -f -c 3 "$outdir/$stack.dot" >"$outdir/$stack.flat.dot"
  # cdk-dia renders at 200 dpi with an inch of padding; the README shows the pictures at 72 dpi.
  picture="docs/architecture/$(echo "$stack" | tr '[:upper:]' '[:lower:]').png"
  dot -Gdpi=72 -Gpad=0.25 -Tpng "$outdir/$stack.flat.dot" -o "$picture" 2>/dev/null
  echo "$picture"
done
