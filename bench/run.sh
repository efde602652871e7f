#!/bin/sh
# bench/run.sh - HTTP throughput of build/shuniu against its own hello-world.
#
# Starts `shuniu serve` on a fresh SQLite demo office on a free port, signs
# in a demo person with curl, then runs wrk (2 threads, --latency) against:
#     hello    GET /bench/hello   the ceiling: MHD + our router, nothing else
#     healthz  GET /healthz       a tiny JSON answer that touches the database
#     home     GET /              the signed-in home page (session + template)
# at each connection level, and prints one table: req/s, p99 latency and the
# ratio to hello at the same level.  wrk shares the machine's cores with the
# server, so read the ratios of one run, not absolute figures across runs.
# Builds nothing: `make bench` builds first.  Never fails on a timing.
#
# Environment: SHUNIU_BIN (default build/shuniu), BENCH_SECONDS (10),
# BENCH_CONNS ("10 50"), BENCH_THREADS (2), BENCH_KEEP=1 keeps the temp dir.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${SHUNIU_BIN:-$top/build/shuniu}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-10 50}
threads=${BENCH_THREADS:-2}

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$bin" ] || die "$bin is not built (run make bench)"
command -v wrk >/dev/null 2>&1 || die "wrk is not installed (scripts/deps.sh)"
command -v curl >/dev/null 2>&1 || die "curl is not installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/shuniu-bench-XXXXXX")
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
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $tmp"
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
db="sqlite:$tmp/demo.db"

cd "$tmp"
"$bin" demo --db "$db" --data "$tmp/data" --no-serve >"$tmp/demo.out" 2>&1 ||
    { cat "$tmp/demo.out" >&2; die "shuniu demo failed"; }
password=$(sed -n 's/.*演示密码[:：][[:space:]]*\([^[:space:]]*\).*/\1/p' \
    "$tmp/demo.out" | head -n 1)
# the first person under the 登录名 header with a business role
login=$(awk '/登录名/ { t = 1; next }
             t && NF >= 2 && $NF ~ /(clerk|staff|leader)/ { print $1; exit }' \
    "$tmp/demo.out")
if [ -z "$password" ] || [ -z "$login" ]; then
    cat "$tmp/demo.out" >&2
    die "cannot read a demo login and password"
fi

"$bin" serve --db "$db" --data "$tmp/data" --listen "127.0.0.1:$port" \
    >"$tmp/server.log" 2>&1 &
pid=$!
i=0
until curl -sf -o /dev/null --max-time 2 "$base/healthz"; do
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "server exited"; }
    i=$((i + 1))
    [ $i -lt 200 ] || { cat "$tmp/server.log" >&2; die "no /healthz in 20 s"; }
    sleep 0.1
done

# Sign in; the sid cookie goes to wrk as a header.
body=$(printf '{"login":"%s","password":"%s"}' "$login" "$password")
status=$(curl -s -o "$tmp/session.json" -w '%{http_code}' -c "$tmp/jar" \
    -H 'Content-Type: application/json' --data "$body" "$base/api/v1/session")
[ "$status" = 200 ] || { cat "$tmp/session.json" >&2; die "sign-in as $login: HTTP $status"; }
sid=$(awk '$6 == "sid" { print $7 }' "$tmp/jar")
[ -n "$sid" ] || die "sign-in gave no sid cookie"
status=$(curl -s -o "$tmp/home.html" -w '%{http_code}' -H "Cookie: sid=$sid" "$base/")
if [ "$status" != 200 ] || ! grep -q '我的待办' "$tmp/home.html"; then
    die "the signed-in home page answered $status without 我的待办"
fi

# ms from wrk's "1.23ms" / "456.00us" / "1.02s" / "2.00m".
to_ms() {
    echo "$1" | awk '{ v = $1 + 0
        if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v += 0;
        else if ($1 ~ /m$/) v *= 60000; else if ($1 ~ /s$/) v *= 1000;
        printf "%.2f", v }'
}

results="$tmp/results"
: >"$results"
echo "bench: $bin on $base, $(nproc) cores, wrk -t$threads -d${secs}s, signed in as $login"
for c in $conns; do
    for sc in hello healthz home; do
        case $sc in
        hello) path=/bench/hello; hdr="" ;;
        healthz) path=/healthz; hdr="" ;;
        home) path=/; hdr="Cookie: sid=$sid" ;;
        esac
        out="$tmp/wrk-$sc-$c.txt"
        if [ -n "$hdr" ]; then
            wrk -t"$threads" -c"$c" -d"${secs}s" --latency -H "$hdr" "$base$path" >"$out" 2>&1 || true
        else
            wrk -t"$threads" -c"$c" -d"${secs}s" --latency "$base$path" >"$out" 2>&1 || true
        fi
        rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
        p99=$(awk '$1 == "99%" { print $2 }' "$out")
        bad=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
                   /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
                   END { print n + 0 }' "$out")
        [ -n "$rps" ] || { echo "bench: wrk gave no figures for $sc:" >&2; cat "$out" >&2; rps=0; }
        echo "$sc $c $rps $(to_ms "${p99:-0ms}") $bad" >>"$results"
        printf '  %-8s c=%-4s %10s req/s  p99 %s\n' "$sc" "$c" "$rps" "${p99:-?}"
    done
done
kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "the server died during the run"; }

echo
awk '
    { sc[NR] = $1; c[NR] = $2; rps[NR] = $3; p99[NR] = $4; bad[NR] = $5
      if ($1 == "hello") hello[$2] = $3 }
    END {
        printf "%-10s %6s %12s %10s %9s %8s\n", "scenario", "conns", "req/s", "p99 (ms)", "vs hello", "errors"
        for (i = 1; i <= NR; i++) {
            r = hello[c[i]] > 0 ? sprintf("%.2f", rps[i] / hello[c[i]]) : "-"
            printf "%-10s %6d %12.0f %10.2f %9s %8d\n", sc[i], c[i], rps[i], p99[i], r, bad[i]
        }
    }' "$results"
echo
echo "bench: ratios compare scenarios within this run; errors = non-2xx/3xx + socket errors"
