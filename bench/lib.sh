# bench/lib.sh - helpers shared by bench/scenarios.sh and bench/redmine.sh
# (sourced, not run).  Every figure goes to one of two tab-separated files
# under $BENCH_OUT that bench/report.sh turns into bench/RESULTS.md:
#     wrk.tsv      system size scenario conns req/s p50 p95 p99 errors
#     figures.tsv  system size name value unit
# Nothing here fails on a timing.

bench_die() { echo "bench: $*" >&2; exit 1; }
bench_say() { echo "bench: $*" >&2; }

# Milliseconds since the epoch (GNU date).
bench_ms() { date +%s%3N; }

# A loopback port nobody listens on (curl exit 7: connection refused).
bench_free_port() {
    _n=0
    while [ $_n -lt 50 ]; do
        _p=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 + 20000))
        _rc=0
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$_p/" || _rc=$?
        if [ "$_rc" = 7 ]; then echo "$_p"; return 0; fi
        _n=$((_n + 1))
    done
    bench_die "no free port found"
}

# bench_wait URL PID SECONDS: until URL answers 2xx/3xx; dies when PID exits.
bench_wait() {
    _end=$(($(bench_ms) + $3 * 1000))
    until curl -s -f -o /dev/null --max-time 2 "$1"; do
        kill -0 "$2" 2>/dev/null || return 1
        [ "$(bench_ms)" -lt $_end ] || return 1
        sleep 0.05
    done
}

# bench_stop PID: TERM, then KILL after 10 s.
bench_stop() {
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null || return 0
    _i=0
    while kill -0 "$1" 2>/dev/null && [ $_i -lt 100 ]; do
        sleep 0.1
        _i=$((_i + 1))
    done
    kill -KILL "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# bench_figure SYSTEM SIZE NAME VALUE UNIT
bench_figure() {
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$BENCH_OUT/figures.tsv"
    printf '  %-8s %-8s %-28s %12s %s\n' "$1" "$2" "$3" "$4" "$5"
}

# bench_wrk SYSTEM SIZE SCENARIO CONNS LUA BASEURL: one wrk run of
# $BENCH_SECONDS with the Lua script (its environment: BENCH_PATHS,
# BENCH_COOKIE, ...), one line to wrk.tsv and one printed.  Errors are
# non-2xx/3xx answers plus socket errors (timeouts included): a row with
# errors is not to be trusted, and the table says so.
bench_wrk() {
    _t=${BENCH_THREADS:-2}
    [ "$4" -ge "$_t" ] || _t=$4
    _out="$BENCH_OUT/wrk-$1-$2-$3-$4.txt"
    wrk -t"$_t" -c"$4" -d"${BENCH_SECONDS:-10}s" --timeout 10s --latency \
        -s "$BENCH_DIR/lua/$5" "$6" >"$_out" 2>&1 || true
    _line=$(awk '$1 == "BENCH" { print $2, $3, $4, $5 }' "$_out")
    _err=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
               /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
               END { print n + 0 }' "$_out")
    if [ -z "$_line" ]; then
        bench_say "wrk gave no figures for $1 $3 c=$4:"
        sed 's/^/    /' "$_out" >&2
        _line="0 0 0 0"
    fi
    set -- "$1" "$2" "$3" "$4" $_line "$_err"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$BENCH_OUT/wrk.tsv"
    printf '  %-8s %-8s %-14s c=%-3s %10s req/s  p50 %8s  p95 %8s  p99 %8s ms  errors %s\n' "$@"
}

# bench_rss_kb PID [VmRSS|VmHWM]
bench_rss_kb() {
    awk -v k="${2:-VmRSS}:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null
}
