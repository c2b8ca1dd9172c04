#!/usr/bin/env bash
# Runs the files whose behaviour depends on the time of day three more times with the wall clock moved: at 23:30 and
# 23:55 UTC, and across Europe's spring DST change (London and Berlin move at 01:00 UTC on 2026-03-29). No test may
# depend on the hour it runs at. Those files carry `// @module-tag time-of-day` (test/unit/testTags.test.ts says
# which must); the rest of the suite runs once, in `npm test`.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(grep -rlE '^// @module-tag time-of-day$' test --include='*.test.ts' | sort)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "no test file carries the time-of-day tag" >&2
  exit 1
fi
echo "moved-clock passes over ${#files[@]} files tagged time-of-day"
status=0
run() {
  local now=$1 tz=$2 out=$3
  SWITCHBOARD_TEST_NOW=$now TZ=$tz npx vitest run --tags-filter=time-of-day --outputFile.json="$out" "${files[@]}" </dev/null ||
    status=1
}
run 2026-12-01T23:30:00Z UTC .data/test-results-2330.json
# Five minutes before midnight: a P1's 15-minute response is due the next day.
run 2026-12-01T23:55:00Z UTC .data/test-results-2355.json
run 2026-03-29T00:59:00Z Europe/London .data/test-results-dst.json
exit $status
