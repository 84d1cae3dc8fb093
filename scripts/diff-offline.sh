#!/usr/bin/env bash
# Shows, without AWS credentials, how each stack of ./cdk.out differs from the same stack in
# another cloud assembly (for example the pull request's base branch, synthesized beforehand).
#   scripts/diff-offline.sh <base-cdk.out> [--fail]
# A stack is identified by its artifact id (the name of its template file); only top-level stacks
# are compared. Stacks only in ./cdk.out are diffed against an empty template ("new stack");
# stacks only in the base are reported as removed.
# Exit status: 0 when every stack diffed (without --fail, also when some differ), 1 with --fail
# when any stack differs, was added or was removed, 2 when the cdk CLI failed for a stack or the
# arguments are wrong. The CLI to run is $CDK_CLI, by default the project's node_modules/.bin/cdk.
set -euo pipefail

usage='usage: scripts/diff-offline.sh <base-cdk.out> [--fail]'
base=${1:-}
fail=false
case "${2:-}" in
  '') ;;
  --fail) fail=true ;;
  *) echo "$usage" >&2 && exit 2 ;;
esac
if [ -z "$base" ] || [ $# -gt 2 ]; then echo "$usage" >&2 && exit 2; fi
for assembly in cdk.out "$base"; do
  if [ ! -f "$assembly/manifest.json" ]; then
    echo "diff-offline: no cloud assembly at $assembly (no manifest.json)" >&2
    exit 2
  fi
done

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cdk=${CDK_CLI:-$script_dir/../node_modules/.bin/cdk}
if [ ! -x "$cdk" ]; then
  echo "diff-offline: no cdk CLI at $cdk (run npm ci, or set CDK_CLI)" >&2
  exit 2
fi
export CDK_DISABLE_CLI_TELEMETRY=true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
empty_template=$work/empty.template.json
echo '{}' >"$empty_template"

# One line per stack, fields separated by \x1f: "compare", the artifact id, the selector
# (display name) and the base template, empty for a new stack; or "removed" and the artifact id.
plan() {
  node -e '
    const fs = require("node:fs");
    const path = require("node:path");
    function stacks(dir) {
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
      return new Map(
        Object.entries(manifest.artifacts ?? {})
          .filter(([, artifact]) => artifact.type === "aws:cloudformation:stack")
          .map(([id, artifact]) => [id, { display: artifact.displayName ?? id,
            template: path.join(dir, artifact.properties.templateFile) }]),
      );
    }
    const [current, base] = [stacks(process.argv[1]), stacks(process.argv[2])];
    for (const [id, { display }] of [...current].sort(([a], [b]) => (a < b ? -1 : 1))) {
      console.log(["compare", id, display, base.get(id)?.template ?? ""].join("\x1f"));
    }
    for (const id of [...base.keys()].sort()) {
      if (!current.has(id)) console.log(["removed", id].join("\x1f"));
    }' cdk.out "$base"
}
plan_lines=$(plan) || exit 2

changed=() added=() removed=() failed=()
while IFS=$'\x1f' read -r kind id display old_template; do
  [ -n "$kind" ] || continue
  echo "### $id"
  if [ "$kind" = removed ]; then
    echo "(removed stack: in $base, absent from cdk.out)"
    removed+=("$id")
    continue
  fi
  if [ -z "$old_template" ]; then
    echo "(new stack: absent from $base)"
    old_template=$empty_template
    added+=("$id")
  fi
  # --fail-on=never: the CLI then exits non-zero only when it fails, and the count it prints says
  # whether the stack differs. (With --fail it exits 1 both on a difference and on an error.)
  rc=0
  "$cdk" diff --app cdk.out --no-notices --fail-on=never --exclusively \
    --template "$old_template" "$display" >"$work/out" 2>&1 || rc=$?
  cat "$work/out"
  count=$(sed -n 's/.*Number of stacks with differences: \([0-9][0-9]*\).*/\1/p' "$work/out" | tail -n 1)
  if [ "$rc" -ne 0 ] || [ -z "$count" ]; then
    echo "(cdk diff failed for $id, exit status $rc)"
    failed+=("$id")
  elif [ "$count" -ne 0 ] && [ "$old_template" != "$empty_template" ]; then
    changed+=("$id")
  fi
done <<<"$plan_lines"

echo
echo "Summary: ${#changed[@]} changed, ${#added[@]} new, ${#removed[@]} removed, ${#failed[@]} failed."
[ ${#changed[@]} -eq 0 ] || echo "  changed: ${changed[*]}"
[ ${#added[@]} -eq 0 ] || echo "  new: ${added[*]}"
[ ${#removed[@]} -eq 0 ] || echo "  removed: ${removed[*]}"
[ ${#failed[@]} -eq 0 ] || echo "  failed: ${failed[*]}"

if [ ${#failed[@]} -ne 0 ]; then exit 2; fi
if $fail && [ $((${#changed[@]} + ${#added[@]} + ${#removed[@]})) -ne 0 ]; then exit 1; fi
exit 0
