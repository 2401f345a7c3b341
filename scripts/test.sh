#!/usr/bin/env bash
# The body of `npm test` ("pretest" has run scripts/setup.sh and the build: the
# daemon tests run bgp-rr from its bin, which runs dist/).
#
# Runs tap on every **/*.test.ts (tap.include in package.json), or on the files
# given as arguments, with coverage, then:
#   - holds the coverage threshold: lines of packages/*/src covered by the tests
#     >= BGP_RR_COVERAGE_LINES (default below; source files no test loads count as
#     uncovered). tap's own thresholds are set to 0 here (its default is 100% and
#     would print "# ERROR: incomplete ... coverage"): this is the threshold we state
#     and enforce. Only enforced on a full run (no file arguments).
#   - checks that nothing is left behind: no process started by this run (BIRD,
#     etcd, gobgpd, bgp-rr ...: each carries BGP_RR_TEST_RUN in its environment) and
#     no test network namespace; a leftover is one failed assertion, named, then
#     removed (scripts/lib/leftovers.mjs; with CI set, any bird/bird6/etcd/gobgpd).
#   - prints as its LAST line `N passed, N failed`, counting assertions (leaf test
#     points) over all test files and the leftovers check; a file or subtest that
#     fails without a failing assertion (crash, timeout, plan mismatch) counts as one
#     failure (scripts/lib/count-tap.mjs).
# Output: at a terminal, tap's own reporter (raw TAP goes to a file for the count);
# otherwise (CI, a pipe) the raw TAP stream, once.
# Exits non-zero on any test failure, a missed threshold or a leftover.
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

# Every process this run starts inherits this mark (see the leftovers check).
BGP_RR_TEST_RUN="$(date +%s)-$$"
export BGP_RR_TEST_RUN

tap_args=(--jobs="$JOBS" --coverage-report=json-summary --coverage-report=text-summary
  --statements=0 --branches=0 --functions=0 --lines=0)
if [ -t 1 ]; then
  npx tap "${tap_args[@]}" --output-file="$out/results.tap" "$@"
  tap_rc=$?
else
  # tap's "tap" reporter with --output-file writes every line twice to stdout: tee instead.
  npx tap "${tap_args[@]}" --reporter=tap "$@" | tee "$out/results.tap"
  tap_rc=${PIPESTATUS[0]}
fi

cov_rc=0
if [ "$#" -eq 0 ]; then
  if [ -f .tap/report/coverage-summary.json ]; then
    node scripts/lib/coverage-check.mjs .tap/report/coverage-summary.json "$MIN_LINES" || cov_rc=1
  else
    echo "no coverage summary was produced (.tap/report/coverage-summary.json)"
    cov_rc=1
  fi
fi

left_args=()
[ -n "${CI:-}" ] && left_args=(--all)
node scripts/lib/leftovers.mjs "$BGP_RR_TEST_RUN" "$out/leftovers.tap" "${left_args[@]}"

# The count is the last line, whatever happened above.
node scripts/lib/count-tap.mjs "$out/results.tap" "$out/leftovers.tap"
count_rc=$?
if [ "$tap_rc" -ne 0 ] || [ "$cov_rc" -ne 0 ] || [ "$count_rc" -ne 0 ]; then
  exit 1
fi
exit 0
