#!/usr/bin/env bash
# Shows, without AWS credentials, how each stack of ./cdk.out differs from the same stack in
# another cloud assembly (for example the pull request's base branch, synthesized beforehand).
#   scripts/diff-offline.sh <base-cdk.out> [--fail]
# With --fail, exits non-zero when any stack differs.
set -uo pipefail
base=${1:?usage: scripts/diff-offline.sh <base-cdk.out> [--fail]}
fail_flag=${2:-}
export CDK_DISABLE_CLI_TELEMETRY=true
status=0
for template in cdk.out/*.template.json; do
  stack=$(basename "$template" .template.json)
  base_template="$base/$stack.template.json"
  echo "### $stack"
  if [ ! -f "$base_template" ]; then
    echo "(new stack)"
    base_template=$(mktemp)
    echo '{}' >"$base_template"
  fi
  npx cdk diff --app cdk.out --template "$base_template" $fail_flag "$stack" || status=1
done
exit $status
