#!/usr/bin/env bash
# Runs the whole suite three more times with the wall clock moved: at 23:30 and 23:55 UTC, and across Europe's spring DST change
# (London and Berlin move at 01:00 UTC on 2026-03-29). No test may depend on the hour it runs at.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
status=0
SWITCHBOARD_TEST_NOW=2026-12-01T23:30:00Z TZ=UTC \
  npx vitest run --outputFile.json=.data/test-results-2330.json </dev/null || status=1
# Five minutes before midnight: a P1's 15-minute response is due the next day.
SWITCHBOARD_TEST_NOW=2026-12-01T23:55:00Z TZ=UTC \
  npx vitest run --outputFile.json=.data/test-results-2355.json </dev/null || status=1
SWITCHBOARD_TEST_NOW=2026-03-29T00:59:00Z TZ=Europe/London \
  npx vitest run --outputFile.json=.data/test-results-dst.json </dev/null || status=1
exit $status
