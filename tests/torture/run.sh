#!/bin/sh
# run.sh - the body of `make torture`: the long reliability tests.
#
#   sh tests/torture/run.sh           full: crash (30 kills) and backup
#                                     (3 rounds) on SQLite and PostgreSQL,
#                                     then two nodes on one PostgreSQL
#                                     (twonode.mjs: sessions, the sweep
#                                     job on exactly one node, takeover)
#   sh tests/torture/run.sh --quick   for `make test`: 3 kills and one
#                                     backup round per backend, two nodes
#                                     with one kill
#
# Steps: build (unless SHUNIU_BIN names a binary: then that one is tested),
# a throwaway PostgreSQL (scripts/pg-test.sh, stopped on exit whatever
# happens), each test in turn; a summary line; exit 1 if any failed.
# Environment: SHUNIU_BIN, JOBS (build jobs, 2), PGTEST_DIR, KILLS and
# BACKUP_ROUNDS (override the counts).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
started=$(date +%s)
failed=""
quick=0
[ "${1:-}" = "--quick" ] && quick=1

if [ "$quick" = 1 ]; then
    kills=${KILLS:-3}
    rounds=${BACKUP_ROUNDS:-1}
else
    kills=${KILLS:-30}
    rounds=${BACKUP_ROUNDS:-3}
fi

fail() { failed="$failed $1"; }
step() { printf '\n==== %s\n' "$*"; }

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}"

# ---- build -------------------------------------------------------------------
if [ -z "${SHUNIU_BIN:-}" ]; then
    step "build (build/shuniu)"
    if ! cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
        ! cmake --build build -j "${JOBS:-2}" --target shuniu; then
        echo "torture: FAILED: build"
        exit 1
    fi
    SHUNIU_BIN="$top/build/shuniu"
fi
export SHUNIU_BIN

# ---- postgres ----------------------------------------------------------------
step "postgres (scripts/pg-test.sh)"
pg_dir_ours=""
if [ -z "${PGTEST_DIR:-}" ]; then
    PGTEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/shuniu-torture-pg-XXXXXX")
    pg_dir_ours=$PGTEST_DIR
fi
export PGTEST_DIR
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/shuniu-torture-XXXXXX")
cleanup() {
    sh scripts/pg-test.sh stop >/dev/null 2>&1 || true
    rm -rf "$run_tmp"
    [ -z "$pg_dir_ours" ] || rm -rf "$pg_dir_ours"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
pg_out=$(sh scripts/pg-test.sh start 2>&1)
pg_rc=$?
admin=$(printf '%s\n' "$pg_out" | grep -o 'postgres\(ql\)\{0,1\}://[^[:space:]]*' | tail -n 1)
if [ "$pg_rc" = 0 ] && [ -n "$admin" ]; then
    export SHUNIU_TEST_PG_ADMIN="$admin"
    echo "postgres: $admin"
else
    printf '%s\n' "$pg_out"
    echo "postgres: did not start (exit $pg_rc)"
    fail postgres
fi
# failed tests keep their directories for a look; under the run's, so
# they go at the end (their paths are printed)
export TMPDIR="$run_tmp"

# ---- the tests ---------------------------------------------------------------
for backend in sqlite pg; do
    if [ "$backend" = pg ] && [ -z "${SHUNIU_TEST_PG_ADMIN:-}" ]; then
        fail "crash-pg backup-pg"
        continue
    fi
    step "crash consistency ($backend, $kills kills)"
    node tests/torture/crash.mjs --backend "$backend" --kills "$kills" ||
        fail "crash-$backend"
    step "backup and restore ($backend, $rounds rounds)"
    node tests/torture/backup.mjs --backend "$backend" --rounds "$rounds" ||
        fail "backup-$backend"
done
if [ -n "${SHUNIU_TEST_PG_ADMIN:-}" ]; then
    if [ "$quick" = 1 ]; then
        step "two nodes on one PostgreSQL (quick: one kill)"
        node tests/torture/twonode.mjs --quick || fail twonode
    else
        step "two nodes on one PostgreSQL"
        node tests/torture/twonode.mjs || fail twonode
    fi
else
    fail twonode
fi

step "postgresql restarted under a running server (its own PostgreSQL)"
node tests/torture/pgrestart.mjs || fail pgrestart

step "summary"
secs=$(( $(date +%s) - started ))
if [ -z "$failed" ]; then
    echo "torture: all passed in ${secs}s"
else
    echo "torture: FAILED:$failed (${secs}s)"
fi
[ -z "$failed" ]
