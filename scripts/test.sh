#!/bin/sh
# test.sh - the body of `make test`: every test under ASan + UBSan.
#
#   1. build     cmake -DSHUNIU_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug into
#                build/asan (shuniu, unit tests, API tests)
#   2. postgres  scripts/pg-test.sh start -> SHUNIU_TEST_PG_ADMIN (stopped on
#                exit, whatever happens)
#   3. ctest     unit tests and API tests on SQLite and on PostgreSQL
#   4. e2e       browser tests (tests/e2e/run.mjs) against build/asan/shuniu
#   5. fuzz      every libFuzzer target for a few seconds (scripts/fuzz.sh
#                --smoke; clang, its own build under build/fuzz)
#   6. torture   the quick crash and backup tests (tests/torture/run.sh
#                --quick; `make torture` runs the long ones)
#   7. summary   one line; exit 1 if any step failed
#
# A PostgreSQL that does not start fails the run: the api_pg_* tests refuse
# to skip unless SHUNIU_ALLOW_PG_SKIP=1.  Works as root (CI runs as root).
# Environment: JOBS (build jobs, 2), CTEST_JOBS (1), CTEST_ARGS (extra
# arguments, e.g. "-R health"), SHUNIU_SKIP_E2E=1, PGTEST_DIR.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
tmp_base=${TMPDIR:-/tmp} # before TMPDIR points into this run's private dir
cd "$top" || exit 1
build=build/asan
jobs=${JOBS:-2}
started=$(date +%s)
failed=""
notes=""

fail() { failed="$failed $1"; }
step() { printf '\n==== %s\n' "$*"; }

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# libraries' own leaks (cairo, fontconfig): see the file
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}"

summary() {
    secs=$(( $(date +%s) - started ))
    if [ -z "$failed" ]; then
        echo "test: all passed (build, ctest, e2e, fuzz, torture) in ${secs}s$notes"
    else
        echo "test: FAILED:$failed (${secs}s$notes)"
    fi
}

# ---- 1. build ----------------------------------------------------------------
step "build ($build, ASan + UBSan)"
if ! cmake -S . -B "$build" -DSHUNIU_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
        >/dev/null; then
    fail build-configure
    summary
    exit 1
fi
if ! cmake --build "$build" -j "$jobs"; then
    fail build
    summary
    exit 1
fi

# ---- 2. postgres -------------------------------------------------------------
step "postgres (scripts/pg-test.sh)"
# A directory of this run's own (the postgres user must reach it, so not
# under a possibly closed checkout), removed by `pg-test.sh stop`.
pg_dir_ours=""
if [ -z "${PGTEST_DIR:-}" ]; then
    PGTEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/shuniu-pgtest-XXXXXX")
    pg_dir_ours=$PGTEST_DIR
fi
export PGTEST_DIR
pg_started=0
# Temp dirs of the tests (servers, databases, browser profiles) go under
# one directory of this run, removed at the end even when a test crashed
# before its own cleanup.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/shuniu-test-run-XXXXXX")
stop_pg() {
    if [ "$pg_started" = 1 ]; then
        sh scripts/pg-test.sh stop >/dev/null 2>&1 || true
        pg_started=0
    fi
}
cleanup() {
    stop_pg
    rm -rf "$run_tmp"
    [ -z "$pg_dir_ours" ] || rm -rf "$pg_dir_ours"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
if [ -f scripts/pg-test.sh ]; then
    pg_started=1 # a half-done start is stopped too (stop is idempotent)
    pg_out=$(sh scripts/pg-test.sh start 2>&1)
    pg_rc=$?
    admin=$(printf '%s\n' "$pg_out" | grep -o 'postgres\(ql\)\{0,1\}://[^[:space:]]*' | tail -n 1)
    if [ "$pg_rc" = 0 ] && [ -n "$admin" ]; then
        export SHUNIU_TEST_PG_ADMIN="$admin"
        echo "postgres: $admin"
    else
        printf '%s\n' "$pg_out"
        echo "postgres: did not start (exit $pg_rc); the api_pg_* tests will fail"
        fail postgres
    fi
else
    echo "postgres: scripts/pg-test.sh is missing; the api_pg_* tests will fail"
    fail postgres
fi

export TMPDIR="$run_tmp"

# ---- 3. ctest ----------------------------------------------------------------
step "ctest (unit + API, SQLite and PostgreSQL)"
# shellcheck disable=SC2086
if ! ctest --test-dir "$build" --output-on-failure --timeout 600 \
        -j "${CTEST_JOBS:-1}" ${CTEST_ARGS:-}; then
    fail ctest
fi

# ---- 4. e2e ------------------------------------------------------------------
if [ "${SHUNIU_SKIP_E2E:-0}" = 1 ]; then
    step "e2e skipped (SHUNIU_SKIP_E2E=1)"
    notes="$notes, e2e SKIPPED on request"
else
    step "e2e (playwright-core + chromium)"
    if [ ! -d tests/e2e/node_modules/playwright-core ]; then
        echo "e2e: tests/e2e/node_modules is missing (scripts/deps.sh installs it)"
        fail e2e
    elif ! SHUNIU_BIN="$top/$build/shuniu" node tests/e2e/run.mjs; then
        fail e2e
    fi
fi

# ---- 5. fuzz smoke -----------------------------------------------------------
step "fuzz smoke (scripts/fuzz.sh --smoke: every target a few seconds)"
if ! sh scripts/fuzz.sh --smoke; then
    fail fuzz
fi

# ---- 6. torture, quick -------------------------------------------------------
# kill -9 under writes and backup/restore on both engines, against the
# sanitized binary; it starts (and stops, once immediately) a PostgreSQL of
# its own, so it must not be handed ours
stop_pg
step "torture, quick (tests/torture/run.sh --quick)"
# (its PostgreSQL's directory must be reachable by the postgres user: not
# under this run's private TMPDIR)
if ! env -u PGTEST_DIR -u SHUNIU_TEST_PG_ADMIN TMPDIR="$tmp_base" \
        SHUNIU_BIN="$top/$build/shuniu" sh tests/torture/run.sh --quick; then
    fail torture
fi

step "summary"
summary
[ -z "$failed" ]
