#!/usr/bin/env bash
# The body of `npm test` ("pretest" has run scripts/setup.sh and the build).
#
# Runs tap on every **/*.test.ts (tap.include in package.json), or on the files
# given as arguments, with coverage, then:
#   - holds the coverage threshold: lines of packages/*/src covered by the tests
#     >= BGP_RR_COVERAGE_LINES (default below; source files no test loads count as
#     uncovered). tap's own 100% default is switched off with
#     allow-incomplete-coverage; this is the threshold we state and enforce.
#     Only enforced on a full run (no file arguments).
#   - prints as its LAST line `N passed, N failed`, counting assertions (leaf test
#     points) over all test files; a file or subtest that fails without a failing
#     assertion (crash, timeout, plan mismatch) counts as one failure
#     (scripts/lib/count-tap.mjs).
# Exits non-zero on any test failure or a missed threshold.
#
# Environment: BGP_RR_TEST_JOBS (tap --jobs, default 2: the integration tests run
# real daemons and a 2-core machine is saturated by two files at once),
# BGP_RR_COVERAGE_LINES (default 80).
set -uo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$BGP_RR_ROOT"
BGP_RR_LOG_TAG=test

MIN_LINES="${BGP_RR_COVERAGE_LINES:-80}"
JOBS="${BGP_RR_TEST_JOBS:-2}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

npx tap --jobs="$JOBS" --output-file="$out/results.tap" \
  --coverage-report=json-summary --coverage-report=text-summary "$@"
tap_rc=$?

cov_rc=0
if [ "$#" -eq 0 ]; then
  if [ -f .tap/report/coverage-summary.json ]; then
    node scripts/lib/coverage-check.mjs .tap/report/coverage-summary.json "$MIN_LINES" || cov_rc=1
  else
    echo "no coverage summary was produced (.tap/report/coverage-summary.json)"
    cov_rc=1
  fi
fi

# The count is the last line, whatever happened above.
node scripts/lib/count-tap.mjs "$out/results.tap"
count_rc=$?
if [ "$tap_rc" -ne 0 ] || [ "$cov_rc" -ne 0 ] || [ "$count_rc" -ne 0 ]; then
  exit 1
fi
exit 0
