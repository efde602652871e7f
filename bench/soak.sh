#!/bin/sh
# bench/soak.sh - `make soak`: SOAK_SECONDS (600) of mixed reads and writes
# at SOAK_CONNS (100) connections against one `shuniu serve` on a fresh
# SQLite demo office (issue 6, item 7).
#
#   build/shuniu demo --no-serve   a fresh demo office in a temp dir
#   build/shuniu serve             on a free loopback port
#   sign in dck1 (督查科 clerk)    curl: the sid cookie and the CSRF token
#   a seed (SOAK_SEED_SECONDS, one slice): registrations only, uncounted
#   wrk + bench/soak.lua           in slices of SOAK_SLICE seconds (60; a
#                                  quarter of the run when it is shorter
#                                  than two minutes, so a quick check still
#                                  has a warm-up slice to compare against)
#
# The load (soak.lua): 90% reads picked at random - the home page 我的待办,
# the notifications page, the list pages of the three modules, a list search, case
# detail pages, and the JSON API (lists, a case, search, todo,
# notifications) - and 10% writes: register a supervised item (5%), assign
# (交办) one registered earlier (5%).
#
# Printed per slice: requests, req/s, errors (non-2xx/3xx answers and
# socket errors, timeouts included), p50 and p99 latency, the server's RSS
# (VmRSS of /proc/PID/status) after the slice, items registered.  At the
# end: totals, RSS growth over the second half of the run (from the end of
# the first half, the warm-up, to the largest RSS after it), and the items
# acknowledged (201) against those in the database.  Exit 1 when errors > 0,
# the RSS grew more than SOAK_RSS_PCT (10) percent in the second half
# (judged when the warm-up lasts 60 s or more, so not in a quick
# SOAK_SECONDS=60 run), an acknowledged item is missing,
# or the server died.  Latency is printed, never judged.
#
# Builds build/shuniu (release) unless SHUNIU_BIN names a binary.
# Environment: SOAK_SECONDS (600), SOAK_CONNS (100), SOAK_THREADS (2),
# SOAK_SLICE (60), SOAK_SEED_SECONDS (one slice; 0: none), SOAK_RSS_PCT (10), SHUNIU_BIN, SOAK_KEEP=1 keeps the temp
# dir (demo.db, server.log, wrk outputs).
set -euf

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${SOAK_SECONDS:-600}
conns=${SOAK_CONNS:-100}
threads=${SOAK_THREADS:-2}
rss_pct=${SOAK_RSS_PCT:-10}
seed=${SOAK_SEED_SECONDS:-}
# The RSS growth is judged over the second half of the run, after a warm-up
# of the first half (at least this many seconds).  Bounded memory fills in
# the warm-up: SQLite's page caches (up to 32 MiB per pooled connection,
# filling as the soak's writes grow the database: last run 74 -> 112 MiB
# over four minutes, then flat) and the allocator's per-thread arenas.  A
# leak keeps growing through the second half.
warm_min=60
# wrk's own timeout: long, so a slow answer counts in p99, not as an error
wrk_timeout=30s
login=dck1

die() { echo "soak: $*" >&2; exit 1; }
case "$secs" in ''|*[!0-9]*) die "SOAK_SECONDS must be a number of seconds" ;; esac
[ "$secs" -ge 8 ] || die "SOAK_SECONDS must be at least 8"
if [ -n "${SOAK_SLICE:-}" ]; then slice=$SOAK_SLICE
elif [ "$secs" -lt 120 ]; then slice=$((secs / 4))
else slice=60; fi
[ -n "$seed" ] || seed=$slice
command -v wrk >/dev/null 2>&1 || die "wrk is not installed (scripts/deps.sh)"
command -v curl >/dev/null 2>&1 || die "curl is not installed"
command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 is not installed"

if [ -n "${SHUNIU_BIN:-}" ]; then
    bin=$SHUNIU_BIN
else
    bin=$top/build/shuniu
    cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$top/build" -j "$(nproc 2>/dev/null || echo 2)" --target shuniu >/dev/null
fi
[ -x "$bin" ] || die "$bin is not built"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/shuniu-soak-XXXXXX")
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.1; i=$((i + 1))
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    if [ "${SOAK_KEEP:-0}" = 1 ]; then echo "soak: kept $tmp"
    else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on (curl exit 7: connection refused).
port=""
n=0
while [ -z "$port" ] && [ $n -lt 50 ]; do
    p=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 + 20000 ))
    rc=0
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/" || rc=$?
    [ "$rc" = 7 ] && port=$p
    n=$((n + 1))
done
[ -n "$port" ] || die "no free port found"
base="http://127.0.0.1:$port"
dbfile="$tmp/demo.db"

cd "$tmp"
"$bin" demo --db "sqlite:$dbfile" --data "$tmp/data" --no-serve >"$tmp/demo.out" 2>&1 ||
    { cat "$tmp/demo.out" >&2; die "shuniu demo failed"; }
password=$(sed -n 's/.*演示密码[:：][[:space:]]*\([^[:space:]]*\).*/\1/p' \
    "$tmp/demo.out" | head -n 1)
[ -n "$password" ] || { cat "$tmp/demo.out" >&2; die "no demo password"; }

"$bin" serve --db "sqlite:$dbfile" --data "$tmp/data" --listen "127.0.0.1:$port" \
    >"$tmp/server.log" 2>&1 &
pid=$!
i=0
until curl -sf -o /dev/null --max-time 2 "$base/healthz"; do
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "server exited"; }
    i=$((i + 1))
    [ $i -lt 300 ] || die "server did not answer /healthz in 30 s"
    sleep 0.1
done

# sign in: the sid cookie and the CSRF token of the answer
curl -sf -D "$tmp/login.hdr" -o "$tmp/login.json" -H 'Content-Type: application/json' \
    -d "{\"login\":\"$login\",\"password\":\"$password\"}" "$base/api/v1/session" ||
    die "cannot sign in $login"
sid=$(sed -n 's/^[Ss]et-[Cc]ookie: *sid=\([^;]*\).*/\1/p' "$tmp/login.hdr" | head -n 1)
csrf=$(sed -n 's/.*"csrf":"\([0-9a-f]*\)".*/\1/p' "$tmp/login.json")
[ -n "$sid" ] && [ -n "$csrf" ] || die "no session cookie or CSRF token"
home=$(curl -sf -H "Cookie: sid=$sid" "$base/") || die "home page failed"
echo "$home" | grep -q '我的待办' || die "home page has no 我的待办"

# read paths: pages and API; case ids from the clerk's own list
ids=$(curl -sf -H "Cookie: sid=$sid" "$base/api/v1/cases?module=supervision&per_page=200" |
    grep -o '"items":\[{"id":[0-9]*\|},{"id":[0-9]*' | grep -o '[0-9]*$' | head -n 60)
[ -n "$ids" ] || die "no cases in the demo office"
q=$(printf '%s' '交通' | od -An -tx1 | tr -d ' \n' | sed 's/\(..\)/%\1/g')
{
    for p in / /notifications /m/supervision /m/doc_out /m/doc_in "/m/supervision?q=$q" \
        /api/v1/todo /api/v1/notifications "/api/v1/cases?module=supervision" \
        "/api/v1/cases?module=supervision&light=red" "/api/v1/search?q=$q"; do
        echo "$p"
    done
    for id in $ids; do echo "/cases/$id"; echo "/api/v1/cases/$id"; done
} >"$tmp/paths"
for p in $(head -n 11 "$tmp/paths"); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: sid=$sid" "$base$p")
    [ "$code" = 200 ] || die "GET $p answered $code before the soak"
done

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }

# Seed: registrations only, not counted.  SQLite keeps a page cache of up
# to 32 MiB per connection (the pool's and the job runner's); on the 1 MiB
# demo database those caches fill as the soak's writes grow the file, which
# reads as RSS growth although it is bounded.  Growing the database first
# shortens that; the warm-up half of the run covers the rest.
seeded=0
if [ "$seed" -gt 0 ]; then
    SOAK_COOKIE="sid=$sid" SOAK_CSRF=$csrf SOAK_PATHS="$tmp/paths" SOAK_SLICE=0 \
        SOAK_CREATE=100 SOAK_ASSIGN=0 \
        wrk -t"$threads" -c"$conns" -d"${seed}s" --timeout "$wrk_timeout" \
        -s "$top/bench/soak.lua" "$base" >"$tmp/wrk-seed.out" 2>&1 ||
        { cat "$tmp/wrk-seed.out" >&2; die "wrk failed in the seed"; }
    set -- $(grep '^SOAK ' "$tmp/wrk-seed.out")
    [ "${3:-1}" = 0 ] || { cat "$tmp/wrk-seed.out" >&2; die "errors in the seed"; }
    echo "soak: seed: $6 items registered in ${seed}s (not counted);" \
        "database $(( $(stat -c %s "$dbfile") / 1048576 )) MiB"
    seeded=$6
fi

nslices=$(( (secs + slice - 1) / slice ))
warm_slices=$(( nslices / 2 ))
[ $warm_slices -ge 1 ] || warm_slices=1
echo "soak: $bin, SQLite demo office, $conns connections, $threads wrk threads,"
echo "soak: 90% reads (pages, API), 5% registrations, 5% assignments"
echo "soak: ${secs}s in $nslices slices of ${slice}s; RSS at start $(( $(rss_kb) / 1024 )) MiB"
printf '%5s %9s %8s %7s %9s %9s %8s %8s\n' slice requests 'req/s' errors \
    'p50 ms' 'p99 ms' 'RSS MiB' created
total=0 errors=0 created=$seeded sent_assign=0 warm=0 peak=0 rss=0
k=1
left=$secs
while [ $k -le $nslices ]; do
    d=$slice
    [ $left -lt $d ] && d=$left
    SOAK_COOKIE="sid=$sid" SOAK_CSRF=$csrf SOAK_PATHS="$tmp/paths" SOAK_SLICE=$k \
        wrk -t"$threads" -c"$conns" -d"${d}s" --timeout "$wrk_timeout" \
        -s "$top/bench/soak.lua" "$base" >"$tmp/wrk-$k.out" 2>&1 ||
        { cat "$tmp/wrk-$k.out" >&2; die "wrk failed in slice $k"; }
    kill -0 "$pid" 2>/dev/null || { tail -20 "$tmp/server.log" >&2; die "server died in slice $k"; }
    line=$(grep '^SOAK ' "$tmp/wrk-$k.out") ||
        { cat "$tmp/wrk-$k.out" >&2; die "no SOAK line from wrk in slice $k"; }
    set -- $line
    rss=$(rss_kb)
    printf '%5s %9s %8s %7s %9s %9s %8s %8s\n' "$k" "$2" "$(( $2 / d ))" "$3" "$4" "$5" \
        "$(( rss / 1024 ))" "$6"
    [ "$3" = 0 ] || echo "soak:   slice $k: $8 answers 4xx, $9 answers 5xx, the rest socket errors"
    total=$((total + $2)) errors=$((errors + $3))
    created=$((created + $6)) sent_assign=$((sent_assign + $7))
    if [ $k -eq $warm_slices ]; then warm=$rss
    elif [ $k -gt $warm_slices ] && [ "$rss" -gt "$peak" ]; then peak=$rss; fi
    left=$((left - d))
    k=$((k + 1))
done

fail=0
in_db=$(sqlite3 "$dbfile" "PRAGMA busy_timeout = 5000;
    SELECT COUNT(*) FROM cases WHERE title LIKE '压力测试事项 %'" | tail -n 1)
# wrk abandons the requests in flight when a slice ends: the server may
# still have stored up to one item per connection per slice beyond the 201s
if [ "$in_db" -lt "$created" ] || [ "$in_db" -gt $((created + conns * (nslices + 1))) ]; then
    echo "soak: FAIL $created items acknowledged, $in_db in the database"
    fail=1
fi
echo "soak: total $total requests, $errors errors, $((created - seeded)) items registered" \
    "($created with the seed, all $in_db in the database), $sent_assign assignments sent"
if [ $nslices -ge 2 ]; then
    growth=$(( (peak - warm) * 1000 / warm ))
    sign=""
    [ $growth -lt 0 ] && { sign="-"; growth=$(( -growth )); }
    echo "soak: RSS after the warm-up ($warm_slices slices) $(( warm / 1024 )) MiB, largest after it" \
        "$(( peak / 1024 )) MiB, at the end $(( rss / 1024 )) MiB:" \
        "growth $sign$((growth / 10)).$((growth % 10))% (limit $rss_pct%)"
    if [ $((slice * warm_slices)) -lt "$warm_min" ]; then
        echo "soak: (RSS growth not judged: a warm-up under ${warm_min}s" \
            "has not filled the caches yet)"
    elif [ -z "$sign" ] && [ $growth -gt $((rss_pct * 10)) ]; then
        echo "soak: FAIL RSS grew more than $rss_pct% in the second half"
        fail=1
    fi
fi
if [ "$errors" != 0 ]; then
    echo "soak: FAIL $errors errors (see $tmp/server.log; SOAK_KEEP=1 keeps it)"
    fail=1
fi
[ $fail = 0 ] && echo "soak: passed"
exit $fail
