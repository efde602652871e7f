#!/bin/sh
# valgrind.sh - the body of `make valgrind`: every unit test under
# valgrind's memcheck, on a build without sanitizers (valgrind and ASan do
# not mix): build/valgrind, Debug.
#
# A test fails on any memcheck error (invalid read or write, use of
# uninitialised memory, a bad free) and on a "definitely lost" leak; the
# suppressions file names the libraries' own one-time allocations
# (fontconfig, cairo, pango, OpenSSL), as tests/lsan.supp does for ASan.
# Prints one line per test and a summary; exit 1 if any failed.
#
# Environment: JOBS (build jobs, 2), VALGRIND_ARGS (extra arguments),
# VALGRIND_FILTER (run only the tests whose name contains it).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
build=build/valgrind
started=$(date +%s)

command -v valgrind >/dev/null 2>&1 || {
    echo "valgrind: not installed (scripts/deps.sh installs it)"; exit 1; }
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DSHUNIU_SANITIZE=OFF \
    >/dev/null || exit 1
cmake --build "$build" -j "${JOBS:-2}" || exit 1

# tests that wait for a server's answer allow 10 times longer under memcheck
export SHUNIU_TEST_SLOW=10
logs="$build/valgrind-logs"
rm -rf "$logs"
mkdir -p "$logs"
passed=0
failed=""
for t in "$build"/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    case "$name" in *"${VALGRIND_FILTER:-}"*) ;; *) continue ;; esac
    t0=$(date +%s)
    # shellcheck disable=SC2086
    if valgrind --quiet --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite --show-leak-kinds=definite \
            --suppressions="$top/tests/valgrind.supp" \
            --log-file="$logs/$name.log" ${VALGRIND_ARGS:-} "$t" \
            >"$logs/$name.out" 2>&1; then
        passed=$((passed + 1))
        echo "valgrind $name: ok ($(( $(date +%s) - t0 ))s)"
    else
        failed="$failed $name"
        echo "valgrind $name: FAILED ($(( $(date +%s) - t0 ))s)"
        cat "$logs/$name.log"
        tail -n 20 "$logs/$name.out"
    fi
done
secs=$(( $(date +%s) - started ))
if [ -z "$failed" ]; then
    echo "valgrind: $passed unit tests clean in ${secs}s"
else
    echo "valgrind: FAILED:$failed ($passed clean, ${secs}s)"
    exit 1
fi
