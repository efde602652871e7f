#!/bin/sh
# bench/run.sh - `make bench`: the scenarios of issue 7 on shuniu at each
# size, Redmine side by side at the sizes up to 100k, then bench/RESULTS.md.
#
#   1. bench/scenarios.sh N   for N in $BENCH_SIZES (shuniu gen, cached)
#   2. bench/redmine.sh N K   for N in $BENCH_REDMINE_SIZES, K = the
#                             supervision items shuniu has at N
#   3. bench/report.mjs       every figure, the ratios, the targets
#                             -> bench/RESULTS.md (and printed)
# Each phase prints how long it took.  A phase that fails is reported and
# the others still run; nothing fails on a timing.  Builds nothing: `make
# bench` builds build/shuniu (release with debug info) first, and a binary
# older than the sources is refused.
#
# Environment: BENCH_SIZES ("10000 100000 1000000"), BENCH_REDMINE_SIZES
# (the sizes up to 100000; "" for none), BENCH_SECONDS (10), BENCH_CONNS
# ("1 16 64"), BENCH_WRITE_CONNS ("1 16"), BENCH_THREADS (2), SHUNIU_BIN,
# BENCH_OUT (build/bench-out), BENCH_CACHE (build/bench-cache: generated
# databases and Redmine, kept between runs), BENCH_RESULTS (bench/RESULTS.md).
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$BENCH_DIR/.." && pwd)
. "$BENCH_DIR/lib.sh"
BENCH_OUT=${BENCH_OUT:-$top/build/bench-out}
BENCH_CACHE=${BENCH_CACHE:-$top/build/bench-cache}
results=${BENCH_RESULTS:-$BENCH_DIR/RESULTS.md}
sizes=${BENCH_SIZES:-10000 100000 1000000}
if [ "${BENCH_REDMINE_SIZES+set}" = set ]; then
    rsizes=$BENCH_REDMINE_SIZES
else
    rsizes=""
    for n in $sizes; do
        case $n in *[!0-9]*) ;; *) [ "$n" -le 100000 ] && rsizes="$rsizes $n" ;; esac
    done
fi
export BENCH_DIR BENCH_OUT BENCH_CACHE
command -v wrk >/dev/null 2>&1 || bench_die "wrk is not installed (scripts/deps.sh)"
command -v node >/dev/null 2>&1 || bench_die "node is not installed (scripts/deps.sh)"
# A binary older than the sources would be measured as if it were them
# (bench/run.sh run by hand after a change, without make build): refused,
# unless SHUNIU_BIN names one on purpose.
bin=${SHUNIU_BIN:-$top/build/shuniu}
[ -x "$bin" ] || bench_die "$bin is missing: make build (make bench does)"
if [ -z "${SHUNIU_BIN:-}" ] &&
    [ -n "$(find "$top/src" "$top/CMakeLists.txt" -newer "$bin" -type f 2>/dev/null | head -n 1)" ]; then
    bench_die "$bin is older than the sources: make build first (make bench does)"
fi
mkdir -p "$BENCH_OUT" "$BENCH_CACHE"
rm -f "$BENCH_OUT"/*.tsv "$BENCH_OUT"/wrk-*.txt

{
    echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "host:     $(uname -srm)"
    echo "cpu:      $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1) ($(nproc) cores)"
    echo "memory:   $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, at the start)"
    echo "shuniu:   $bin, built $(date -u -r "$bin" '+%Y-%m-%d %H:%M UTC'), HEAD $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?'), build type $(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$top/build/CMakeCache.txt" 2>/dev/null || echo '?')"
    echo "wrk:      -t${BENCH_THREADS:-2} -d${BENCH_SECONDS:-10}s, conns ${BENCH_CONNS:-1 16 64} (reads), ${BENCH_WRITE_CONNS:-1 16} (writes)"
    echo "sizes:    shuniu $sizes; Redmine${rsizes:- none}"
} >"$BENCH_OUT/machine.txt"
cat "$BENCH_OUT/machine.txt"

start=$(bench_ms)
failed=""
# phase NAME SIZE COMMAND...: runs it, prints and records its wall time
phase() {
    _name=$1 _size=$2
    shift 2
    echo
    echo "== $_name at $_size =="
    _t0=$(bench_ms)
    "$@" || { failed="$failed $_name@$_size"; bench_say "$_name at $_size failed"; }
    _s=$((($(bench_ms) - _t0) / 1000))
    printf 'phase\t%s\t%s\t%s\ts\n' "$_size" "$_name wall time" "$_s" >>"$BENCH_OUT/figures.tsv"
    echo "== $_name at $_size: ${_s} s =="
}

for n in $sizes; do
    phase shuniu "$n" sh "$BENCH_DIR/scenarios.sh" "$n"
done
for n in $rsizes; do
    k=$(cat "$BENCH_OUT/supervision-$n.count" 2>/dev/null || echo "$n")
    [ "${k:-0}" -gt 0 ] || k=$n
    phase redmine "$n" sh "$BENCH_DIR/redmine.sh" "$n" "$k"
done
printf 'phase\tall\twhole run\t%s\ts\n' "$((($(bench_ms) - start) / 1000))" >>"$BENCH_OUT/figures.tsv"

node "$BENCH_DIR/report.mjs" "$BENCH_OUT" >"$results.tmp" && mv "$results.tmp" "$results"
echo
sed -n '/^## Targets/,$p' "$results"
echo
echo "bench: every figure in $results (raw: $BENCH_OUT); whole run $((($(bench_ms) - start) / 1000)) s"
[ -z "$failed" ] || { echo "bench: phases that failed:$failed" >&2; exit 1; }
