#!/usr/bin/env bash
# The suite's wall time two ways on this machine, one after the other: each file in a fresh module graph (vitest's
# isolate: true, how the suite ran before) and files sharing their worker's graph (isolate: false, vitest.config.ts).
# Prints both and their ratio. Not part of CI: a measurement, run by hand on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
run() {
  local start end
  start=$(date +%s)
  npx vitest run "$@" --reporter=dot --reporter=json --outputFile.json=.data/suite-timing.json </dev/null >/dev/null 2>&1 || true
  end=$(date +%s)
  node -e 'const r=require("./.data/suite-timing.json");process.stdout.write(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)'
  echo " in $((end - start)) s"
  echo $((end - start)) >"$tmp/$1"
}
tmp=$(mktemp -d)
echo -n "isolated (before):    "; run --isolate
echo -n "shared graph (after): "; run --no-isolate
node -e 'const [a,b]=process.argv.slice(1).map(Number);console.log(`after/before: ${(b/a).toFixed(2)}`)' "$(cat "$tmp/--isolate")" "$(cat "$tmp/--no-isolate")"
rm -rf "$tmp"
