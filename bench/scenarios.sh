#!/bin/sh
# bench/scenarios.sh N - the shuniu scenarios of issue 7 at N cases.
#
# The office comes from `shuniu gen --cases N --seed 1`, generated once and
# cached under $BENCH_CACHE (build/bench-cache) keyed by N and a hash of the
# generator's sources, so a second run does not regenerate it; each run
# works on a copy (the writes below change it).  Then:
#   cold start   exec of `shuniu serve` to the first 200 of /healthz
#   wrk          at each of $BENCH_CONNS (reads) and $BENCH_WRITE_CONNS
#                (writes), every scenario of the table below
#   RSS          the server's peak resident set (VmHWM) after the wrk runs
#   export       GET /api/v1/cases/export.xlsx (every case, up to 100k rows
#                by default): seconds, rows, bytes and the RSS it added
#   sweep        `shuniu sweep` (the reminder sweep over every open clock)
# Figures go to $BENCH_OUT (see bench/lib.sh); never a pass/fail on timing.
#
# Environment: SHUNIU_BIN, BENCH_OUT, BENCH_CACHE, BENCH_SECONDS (10),
# BENCH_CONNS ("1 16 64"), BENCH_WRITE_CONNS ("1 16"), BENCH_THREADS (2),
# BENCH_EXPORT_MAX (100000: no export above this many cases),
# BENCH_SEARCH2 / BENCH_SEARCH4 (the words searched; default 督办 / 安全生产,
# the same words as bench/redmine.sh; each in about 3% of generated cases,
# words of src/cli/gen_text.c), BENCH_TODO_USERS (the candidates for 我的待办:
# the one with the longest to-do is measured), BENCH_USER (dck1: the reads),
# BENCH_WRITE_USERS (xxk1 zbs1 jyta1 dck1: the candidates for the 催办
# writer), BENCH_PASSWORD (Shuniu@2026).
set -eu

n=${1:?usage: scenarios.sh N}
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$BENCH_DIR/.." && pwd)
. "$BENCH_DIR/lib.sh"
bin=${SHUNIU_BIN:-$top/build/shuniu}
BENCH_OUT=${BENCH_OUT:-$top/build/bench-out}
cache=${BENCH_CACHE:-$top/build/bench-cache}
conns=${BENCH_CONNS:-1 16 64}
wconns=${BENCH_WRITE_CONNS:-1 16}
password=${BENCH_PASSWORD:-Shuniu@2026}
user=${BENCH_USER:-dck1}
write_users=${BENCH_WRITE_USERS:-xxk1 zbs1 jyta1 dck1}
todo_users=${BENCH_TODO_USERS:-jtj_cb jtj_ld qsq_cb msk1 dck1 mishuzhang shizhang}
word2=${BENCH_SEARCH2:-督办}
word4=${BENCH_SEARCH4:-安全生产}
export_max=${BENCH_EXPORT_MAX:-100000}
export BENCH_DIR BENCH_OUT
mkdir -p "$BENCH_OUT" "$cache"
[ -x "$bin" ] || bench_die "$bin is not built (run make bench)"

work=$(mktemp -d "${TMPDIR:-/tmp}/shuniu-bench-XXXXXX")
pid=""
cleanup() {
    bench_stop "$pid"
    if [ "${BENCH_KEEP:-0}" = 1 ]; then bench_say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the database, generated once per (N, generator version) ----
# N = demo: the demo office instead (a smoke run without the generator).
if [ "$n" = demo ]; then
    cached="$cache/shuniu-demo.db"
    [ -s "$cached" ] || "$bin" demo --db "sqlite:$cached" --data "$cache/data-demo" \
        --no-serve >"$BENCH_OUT/demo.log" 2>&1 || bench_die "shuniu demo failed"
else
    "$bin" gen --help >/dev/null 2>&1 || bench_die "this shuniu has no 'gen' command"
    genver=$(cat "$top"/src/cli/gen*.c "$top"/src/kernel/schema.c 2>/dev/null |
        sha256sum | cut -c1-12)
    cached="$cache/shuniu-$n-$genver.db"
fi
if [ ! -s "$cached" ]; then
    rm -rf "$cache"/shuniu-"$n"-*.db* "$cache/gen-$n.tmp.db"* "$cache/data-$n"
    bench_say "generating $n cases into $cached (once; cached)"
    t0=$(bench_ms)
    "$bin" gen --db "sqlite:$cache/gen-$n.tmp.db" --data "$cache/data-$n" \
        --cases "$n" --seed 1 >"$BENCH_OUT/gen-$n.log" 2>&1 ||
        { tail -20 "$BENCH_OUT/gen-$n.log" >&2; bench_die "shuniu gen failed"; }
    t1=$(bench_ms)
    mv "$cache/gen-$n.tmp.db" "$cached"
    echo "$(((t1 - t0) / 1000))" >"$cached.gen-seconds"
fi
bench_figure shuniu "$n" "gen (s, once, cached)" "$(cat "$cached.gen-seconds" 2>/dev/null || echo -)" s
bench_figure shuniu "$n" "database size" "$(($(stat -c %s "$cached") / 1048576))" MiB
t0=$(bench_ms)
cp --reflink=auto "$cached" "$work/shuniu.db"
[ -d "$cache/data-$n" ] && cp -r "$cache/data-$n" "$work/data" || mkdir -p "$work/data"
# written out before the server starts: at 1M the copy left 9 GB for the
# kernel to write back during the run, and every figure paid for it
sync "$work/shuniu.db"
bench_say "copied the database and synced it in $(($(bench_ms) - t0)) ms"
db="sqlite:$work/shuniu.db"

# ---- cold start: exec to the first answer (bench/coldstart.mjs) ----
port=$(bench_free_port)
base="http://127.0.0.1:$port"
: >"$BENCH_OUT/server-$n.log"
started=$(node "$BENCH_DIR/coldstart.mjs" "$BENCH_OUT/server-$n.log" "$base/healthz" \
    "$bin" serve --db "$db" --data "$work/data" --listen "127.0.0.1:$port") ||
    { tail "$BENCH_OUT/server-$n.log" >&2; bench_die "the server did not start"; }
set -- $started
pid=$1
bench_figure shuniu "$n" "cold start to first answer" "$2" ms

# sign_in LOGIN: prints "sid csrf"
sign_in() {
    _st=$(curl -s -o "$work/session.json" -w '%{http_code}' -c "$work/jar" \
        -H 'Content-Type: application/json' \
        --data "{\"login\":\"$1\",\"password\":\"$password\"}" "$base/api/v1/session")
    [ "$_st" = 200 ] || { cat "$work/session.json" >&2; bench_die "sign-in as $1: HTTP $_st"; }
    _sid=$(awk '$6 == "sid" { print $7 }' "$work/jar")
    _csrf=$(sed -n 's/.*"csrf": *"\([^"]*\)".*/\1/p' "$work/session.json")
    [ -n "$_sid" ] && [ -n "$_csrf" ] || bench_die "sign-in as $1 gave no sid or csrf"
    echo "$_sid $_csrf"
}
set -- $(sign_in "$user")
sid=$1 csrf=$2

# api_get PATH [SID]: the JSON body, dies on a non-200
api_get() {
    _st=$(curl -s -o "$work/get.json" -w '%{http_code}' -H "Cookie: sid=${2:-$sid}" "$base$1")
    [ "$_st" = 200 ] || { head -c 400 "$work/get.json" >&2; bench_die "GET $1: HTTP $_st"; }
    cat "$work/get.json"
}
json_total() { sed -n 's/.*"total": *\([0-9]*\).*/\1/p' | head -n 1; }

# ---- what the scenarios ask for ----
list_q="module=supervision&state=in_progress&sort=due&per_page=50"
nsup=$(api_get "/api/v1/cases?module=supervision&per_page=1" | json_total)
nopen=$(api_get "/api/v1/cases?$list_q" | json_total)
# 我的待办 of the person with the longest one among the candidates
ntodo=-1
for u in $todo_users; do
    set -- $(sign_in "$u")
    k=$(api_get "/api/v1/todo?limit=1" "$1" | json_total)
    if [ "${k:-0}" -gt "$ntodo" ]; then ntodo=${k:-0} todo_user=$u todo_sid=$1; fi
done
bench_figure shuniu "$n" "supervision items" "${nsup:-?}" cases
bench_figure shuniu "$n" "in progress (list filter)" "${nopen:-?}" cases
bench_figure shuniu "$n" "to-do of $todo_user" "${ntodo:-?}" cases
echo "${nsup:-0}" >"$BENCH_OUT/supervision-$n.count"

# Case ids for the detail and transition scenarios: 500 supervision items
# in progress, from pages spread over the list.
: >"$work/ids"
pages=$(((${nopen:-0} + 499) / 500))
[ "$pages" -ge 1 ] || bench_die "no supervision item in progress to read or urge"
for k in 1 2 3 4 5; do
    p=$(((pages * k + 4) / 5))
    api_get "/api/v1/cases?module=supervision&state=in_progress&per_page=100&page=$p" |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
            for (const it of JSON.parse(s).items || []) console.log(it.id, it.owner_unit)})' >>"$work/ids"
done
sort -u "$work/ids" -o "$work/ids"
[ -s "$work/ids" ] || bench_die "no case ids from the list"
# 催办 is for the clerks of the owning office: only its own items.  The
# writer is the candidate (BENCH_WRITE_USERS) whose office owns the most
# items in progress: urging a few items thousands of times would measure
# their ever longer timelines, not the transition.
write_sid="" write_csrf="" nurge=0
for u in $write_users; do
    _st=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        --data "{\"login\":\"$u\",\"password\":\"$password\"}" "$base/api/v1/session")
    [ "$_st" = 200 ] || continue # not in this office
    set -- $(sign_in "$u")
    _unit=$(api_get /api/v1/me "$1" | sed -n 's/.*"unit": *"\([^"]*\)".*/\1/p')
    : >"$work/p-urge-$u"
    for _p in 1 2 3 4; do
        api_get "/api/v1/cases?module=supervision&state=in_progress&unit=$_unit&per_page=500&page=$_p" "$1" |
            node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
                for (const it of JSON.parse(s).items || [])
                    if (it.owner_unit === process.argv[1])
                        console.log("/api/v1/cases/" + it.id + "/transitions/urge")})' "$_unit" >>"$work/p-urge-$u"
    done
    _k=$(wc -l <"$work/p-urge-$u")
    if [ "$_k" -gt "$nurge" ]; then
        nurge=$_k write_user=$u write_sid=$1 write_csrf=$2
        cp "$work/p-urge-$u" "$work/p-urge"
    fi
done
[ "$nurge" -gt 0 ] || bench_die "no item in progress owned by the office of any of $write_users to urge"
bench_say "$(wc -l <"$work/ids") case ids to read; $nurge to urge, as $write_user"
awk '{ print "/cases/" $1 }' "$work/ids" >"$work/p-detail"
awk '{ print "/api/v1/cases/" $1 }' "$work/ids" >"$work/p-api-detail"
enc() { node -e 'console.log(encodeURIComponent(process.argv[1]))' "$1"; }
e2=$(enc "$word2")
e4=$(enc "$word4")
echo /bench/hello >"$work/p-hello"
echo / >"$work/p-todo"
echo /api/v1/todo >"$work/p-api-todo"
echo "/m/supervision?state=in_progress&sort=due&per_page=50" >"$work/p-list"
echo "/api/v1/cases?$list_q" >"$work/p-api-list"
echo "/search?q=$e2" >"$work/p-search2"
echo "/search?q=$e4" >"$work/p-search4"
echo "/api/v1/search?q=$e2" >"$work/p-api-search2"
echo "/api/v1/search?q=$e4" >"$work/p-api-search4"
for w in 2 4; do
    eval "ww=\$word$w; ew=\$e$w"
    hits=$(api_get "/api/v1/search?q=$ew" | json_total)
    bench_figure shuniu "$n" "search hits for $ww" "${hits:-?}" cases
done

# Each page once, checked, before any timing: a 4xx/5xx here would make
# every figure below meaningless.
for f in todo list detail search2 search4; do
    pth=$(head -n 1 "$work/p-$f")
    ck=$sid
    [ "$f" = todo ] && ck=$todo_sid
    st=$(curl -s -o "$work/check.html" -w '%{http_code}' -H "Cookie: sid=$ck" "$base$pth")
    [ "$st" = 200 ] || bench_die "GET $pth: HTTP $st"
done
grep -q '我的待办' "$work/check.html" 2>/dev/null || true

# ---- load ----
read_scenarios="hello todo list detail search2 search4 api-todo api-list api-detail api-search2 api-search4"
for c in $conns; do
    for s in $read_scenarios; do
        ck="sid=$sid"
        case $s in todo | api-todo) ck="sid=$todo_sid" ;; hello) ck="" ;; esac
        BENCH_PATHS="$work/p-$s" BENCH_COOKIE="$ck" \
            bench_wrk shuniu "$n" "$s" "$c" get.lua "$base"
    done
done
for c in $wconns; do
    BENCH_PATHS="$work/p-urge" BENCH_COOKIE="sid=$write_sid" BENCH_CSRF="$write_csrf" \
        BENCH_BODY='{"comment":"请加快办理进度，按期报送办理结果。"}' \
        bench_wrk shuniu "$n" transition "$c" post.lua "$base"
done
kill -0 "$pid" 2>/dev/null || { tail "$BENCH_OUT/server-$n.log" >&2; bench_die "the server died under load"; }
bench_figure shuniu "$n" "RSS peak under load" "$(($(bench_rss_kb "$pid" VmHWM) / 1024))" MiB
bench_figure shuniu "$n" "RSS after load" "$(($(bench_rss_kb "$pid") / 1024))" MiB

# ---- Excel export of every case (up to $export_max) ----
if [ "$n" = demo ] || [ "$n" -le "$export_max" ]; then
    rss0=$(bench_rss_kb "$pid")
    : >"$work/rss"
    (while kill -0 "$pid" 2>/dev/null; do bench_rss_kb "$pid" >>"$work/rss"; sleep 0.05; done) &
    sampler=$!
    t0=$(bench_ms)
    st=$(curl -s -o "$work/export.xlsx" -w '%{http_code}' --max-time 600 \
        -H "Cookie: sid=$sid" "$base/api/v1/cases/export.xlsx")
    t1=$(bench_ms)
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    [ "$st" = 200 ] || bench_say "export: HTTP $st"
    rows=$(unzip -p "$work/export.xlsx" xl/worksheets/sheet1.xml 2>/dev/null |
        grep -o '<row ' | wc -l)
    rssmax=$(sort -n "$work/rss" | tail -n 1)
    bench_figure shuniu "$n" "export rows (with header)" "$rows" rows
    bench_figure shuniu "$n" "export time" "$(((t1 - t0)))" ms
    bench_figure shuniu "$n" "export size" "$(($(stat -c %s "$work/export.xlsx") / 1024))" KiB
    bench_figure shuniu "$n" "export RSS growth" "$(((${rssmax:-$rss0} - rss0) / 1024))" MiB
fi

bench_stop "$pid"
pid=""

# ---- the reminder sweep over every open clock ----
if "$bin" sweep --help >/dev/null 2>&1; then
    t0=$(bench_ms)
    "$bin" sweep --db "$db" >"$BENCH_OUT/sweep-$n.log" 2>&1 ||
        { tail "$BENCH_OUT/sweep-$n.log" >&2; bench_say "shuniu sweep failed"; }
    t1=$(bench_ms)
    sed 's/^/    /' "$BENCH_OUT/sweep-$n.log"
    ms=$(sed -n 's/.*\(用时\|took\) *\([0-9.]*\) *\(毫秒\|ms\).*/\2/p' "$BENCH_OUT/sweep-$n.log" | tail -n 1)
    bench_figure shuniu "$n" "sweep (its own figure)" "${ms:--}" ms
    bench_figure shuniu "$n" "sweep (whole command)" "$((t1 - t0))" ms
else
    bench_say "this shuniu has no 'sweep' command: no sweep figure"
fi
