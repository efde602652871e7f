#!/bin/sh
# fuzz.sh - the body of `make fuzz`: every libFuzzer target of tests/fuzz
# (one per parser of outside input) for a set time.
#
#   scripts/fuzz.sh                 each target FUZZ_SECONDS (default 60)
#   scripts/fuzz.sh --smoke         each target 5 seconds (`make test`)
#   scripts/fuzz.sh csv calendar    only those targets (names as in
#                                   tests/fuzz/fuzz_<name>.c)
#
#   1. build   CC=clang cmake -DSHUNIU_FUZZ=ON into FUZZ_BUILD (build/fuzz),
#              separate from the gcc builds; targets and shuniu_core are
#              built with -fsanitize=fuzzer,address,undefined
#   2. run     each target on a temporary copy of its seeds
#              (tests/fuzz/corpus/<name>/, never grown by a run), one line
#              per target:  fuzz <name>: <execs> execs, <crashes> crashes, <secs>s
#              A crash, leak, timeout or out-of-memory input is kept under
#              FUZZ_BUILD/crashes/ and its reproduction command printed;
#              libFuzzer's output is in FUZZ_BUILD/logs/<name>.log.
#   3. exit    1 when a target failed to build, crashed or did not run.
#
# Environment: FUZZ_SECONDS, FUZZ_BUILD, JOBS (build jobs, 2).  Needs clang
# and libclang-rt-14-dev (scripts/deps.sh installs both).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
build=${FUZZ_BUILD:-build/fuzz}
jobs=${JOBS:-2}
seconds=${FUZZ_SECONDS:-60}
# Largest input tried: requests and imports are bigger in life, but every
# parser's paths show within a few KiB, and short inputs run faster.
max_len=4096
# An input running this long is a hang, not a slow machine (inputs are at
# most max_len bytes; the slowest normal one takes milliseconds).
timeout_per_input=30
targets=""

for arg in "$@"; do
    case "$arg" in
    --smoke) seconds=5 ;;
    -h | --help)
        sed -n '2,22p' "$0"
        exit 0
        ;;
    -*)
        echo "fuzz: unknown option $arg" >&2
        exit 2
        ;;
    *) targets="$targets $arg" ;;
    esac
done
if [ -z "$targets" ]; then
    for src in tests/fuzz/fuzz_*.c; do
        name=${src#tests/fuzz/fuzz_}
        targets="$targets ${name%.c}"
    done
fi

# Sanitizer findings stop the input (libFuzzer keeps it); libraries' own
# leaks are suppressed as in the unit tests.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$top/tests/lsan.supp:print_suppressions=0}"

failed=""
work=$(mktemp -d "${TMPDIR:-/tmp}/shuniu-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'rm -rf "$work"; exit 130' INT TERM

# ---- 1. build ---------------------------------------------------------------
echo "fuzz: building into $build (clang, libFuzzer + ASan + UBSan)"
if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz: clang is missing (scripts/deps.sh installs it)" >&2
    exit 1
fi
if ! CC=clang cmake -S . -B "$build" -DSHUNIU_FUZZ=ON \
        -DCMAKE_BUILD_TYPE=Debug >"$work/configure.log" 2>&1; then
    cat "$work/configure.log" >&2
    echo "fuzz: configure failed" >&2
    exit 1
fi
mkdir -p "$build/crashes" "$build/logs"
built=""
for t in $targets; do
    if [ ! -f "tests/fuzz/fuzz_$t.c" ]; then
        echo "fuzz $t: no such target (tests/fuzz/fuzz_$t.c)"
        failed="$failed $t"
    elif cmake --build "$build" -j "$jobs" --target "fuzz_$t" \
            >"$build/logs/$t.build.log" 2>&1; then
        built="$built $t"
    else
        tail -n 30 "$build/logs/$t.build.log"
        echo "fuzz $t: build FAILED (see $build/logs/$t.build.log)"
        failed="$failed $t"
    fi
done

# ---- 2. run -----------------------------------------------------------------
for t in $built; do
    corpus="$work/$t/corpus"
    artifacts="$work/$t/artifacts"
    log="$build/logs/$t.log"
    mkdir -p "$corpus" "$artifacts"
    if [ -d "tests/fuzz/corpus/$t" ]; then
        cp tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
    fi
    started=$(date +%s)
    "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" \
        -max_len="$max_len" -timeout="$timeout_per_input" \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" \
        >"$log" 2>&1
    rc=$?
    secs=$(($(date +%s) - started))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ -z "$execs" ]; then # no final stats: the last progress line
        execs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')
    fi
    crashes=0
    for f in "$artifacts"/*; do
        [ -f "$f" ] || continue
        crashes=$((crashes + 1))
        kept="$build/crashes/$t-$(basename "$f")"
        mv "$f" "$kept"
        echo "fuzz $t: kept $kept; reproduce: $build/tests/fuzz/fuzz_$t $kept"
    done
    echo "fuzz $t: ${execs:-0} execs, $crashes crashes, ${secs}s"
    if [ "$crashes" -gt 0 ]; then
        grep -v '^stat::' "$log" | grep -m 3 -E 'ERROR|SUMMARY|^[a-z].*: ' |
            sed "s/^/fuzz $t:   /"
        failed="$failed $t"
    elif [ "$rc" != 0 ]; then
        tail -n 10 "$log"
        echo "fuzz $t: exited $rc without a crash file (see $log)"
        failed="$failed $t"
    fi
done

# ---- 3. exit ----------------------------------------------------------------
if [ -n "$failed" ]; then
    echo "fuzz: FAILED:$failed"
    exit 1
fi
echo "fuzz: all targets ran clean ($seconds s each)"
