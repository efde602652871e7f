#!/bin/sh
# bench/redmine.sh N [ISSUES] - Redmine side by side with shuniu at N cases
# (issue 7, item 3), loaded with ISSUES issues (default N; run.sh passes the
# number of supervision items shuniu has at N).
#
# Installs Debian's redmine, redmine-sqlite and puma when missing (as root,
# non-interactive; dbconfig-common is told not to make a database: ours is
# an SQLite file under $BENCH_CACHE/redmine), and runs Redmine as its own
# instance "shuniu_bench" (Debian's multi-tenancy: REDMINE_INSTANCE, root
# /var/lib/redmine/shuniu_bench -> $BENCH_CACHE/redmine/instance), so the
# machine's default instance is not touched.  Once per Redmine version: the
# migrations, the default data in Chinese, REST on, a project with 20
# assignees and an API key (bench/redmine-setup.rb).  Once per ISSUES: that many issues
# with due dates, assignees, statuses and 3 journals each, loaded straight
# into SQLite (bench/sql/redmine-load.sql).  Then puma in production, 2
# workers x 5 threads, logging at warn, and the same wrk runs as shuniu:
#   rm-list        GET /projects/duban/issues  open, by due date, 50 rows
#   rm-detail      GET /issues/ID              random open issues
#   rm-api-list    GET /issues.json            the same filter, API key
#   rm-api-detail  GET /issues/ID.json
#   rm-search2/4   GET /search?q=督办 / 安全生产 (issues)
#   rm-create      POST /issues.json           REST create (the write)
# Figures go to $BENCH_OUT (bench/lib.sh); never a pass/fail on timing.
#
# Environment: BENCH_OUT, BENCH_CACHE, BENCH_SECONDS, BENCH_CONNS,
# BENCH_WRITE_CONNS, BENCH_SEARCH2, BENCH_SEARCH4, REDMINE_WORKERS (2),
# REDMINE_THREADS (5).
set -eu

n=${1:?usage: redmine.sh N [ISSUES]}
nissues=${2:-$n}
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$BENCH_DIR/.." && pwd)
. "$BENCH_DIR/lib.sh"
BENCH_OUT=${BENCH_OUT:-$top/build/bench-out}
cache=${BENCH_CACHE:-$top/build/bench-cache}/redmine
conns=${BENCH_CONNS:-1 16 64}
wconns=${BENCH_WRITE_CONNS:-1 16}
word2=${BENCH_SEARCH2:-督办}
word4=${BENCH_SEARCH4:-安全生产}
workers=${REDMINE_WORKERS:-2}
rthreads=${REDMINE_THREADS:-5}
password=Shuniu@2026
rmroot=/usr/share/redmine
instance=shuniu_bench
export BENCH_DIR BENCH_OUT
mkdir -p "$BENCH_OUT" "$cache"

# ---- install (once) ----
missing=""
for p in redmine redmine-sqlite puma; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    [ "$(id -u)" = 0 ] || bench_die "Redmine needs:$missing (run as root to install)"
    bench_say "installing$missing (large: ruby and rails; once)"
    printf '%s\n' \
        'redmine redmine/instances/default/dbconfig-install boolean false' \
        'redmine redmine/instances/default/database-type select sqlite3' |
        debconf-set-selections
    apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        $missing >"$BENCH_OUT/apt-redmine.log" 2>&1 ||
        { tail -20 "$BENCH_OUT/apt-redmine.log" >&2; bench_die "apt-get install$missing failed"; }
fi
# Redmine runs under puma when the Gemfile lists it; warn-level logging for
# our instance only.
grep -qs '"puma"' "$rmroot/Gemfile.local" || echo 'gem "puma"' >>"$rmroot/Gemfile.local"
if ! grep -qs "$instance" "$rmroot/config/additional_environment.rb"; then
    cat >>"$rmroot/config/additional_environment.rb" <<EOF
# shuniu bench/redmine.sh: its benchmark instance logs at warn (the best
# configuration for a benchmark); other instances are unchanged.
config.log_level = :warn if ENV['REDMINE_INSTANCE'] == '$instance'
EOF
fi

# ---- the instance ----
inst="$cache/instance"
mkdir -p "$inst/config" "$inst/tmp" "$inst/log" "$inst/files" "$inst/public"
[ -s "$inst/config/secret_key.txt" ] ||
    od -An -N48 -tx1 /dev/urandom | tr -d ' \n' >"$inst/config/secret_key.txt"
ln -sfn "$inst" "/var/lib/redmine/$instance"
use_db() {
    printf 'production:\n  adapter: sqlite3\n  database: %s\n  timeout: 10000\n' \
        "$1" >"$inst/config/database.yml"
}
rails() {
    (cd "$rmroot" && REDMINE_INSTANCE=$instance RAILS_ENV=production \
        REDMINE_LANG=zh bundle exec "$@")
}
version=$(dpkg-query -W -f='${Version}' redmine)
base="$cache/base-$version.db"
if [ ! -s "$base" ]; then
    bench_say "Redmine $version: migrations, default data, REST, project, API key (once)"
    rm -f "$base.tmp"
    use_db "$base.tmp"
    t0=$(bench_ms)
    rails rake db:migrate >"$BENCH_OUT/redmine-setup.log" 2>&1 &&
        rails rake redmine:load_default_data >>"$BENCH_OUT/redmine-setup.log" 2>&1 &&
        rails rails runner "$BENCH_DIR/redmine-setup.rb" >"$cache/setup.out" 2>>"$BENCH_OUT/redmine-setup.log" ||
        { tail -20 "$BENCH_OUT/redmine-setup.log" >&2; bench_die "Redmine setup failed"; }
    bench_say "Redmine setup took $((($(bench_ms) - t0) / 1000)) s"
    mv "$base.tmp" "$base"
    cp "$cache/setup.out" "$base.setup"
fi
key=$(awk '$1 == "KEY" { print $2 }' "$base.setup")
project=$(awk '$1 == "PROJECT" { print $2 }' "$base.setup")
[ -n "$key" ] && [ -n "$project" ] || bench_die "no API key in $base.setup"
user0=$(sqlite3 "$base" "SELECT min(id) FROM users WHERE login LIKE 'user%'")

loaded="$cache/issues-$nissues-$version.db"
if [ ! -s "$loaded" ]; then
    bench_say "loading $nissues issues into Redmine's SQLite (once; cached)"
    t0=$(bench_ms)
    cp "$base" "$loaded.tmp"
    sed -e "s/:PROJECT/$project/g; s/:AUTHOR/1/g; s/:USER0/$user0/g; s/:N\b/$nissues/g" \
        "$BENCH_DIR/sql/redmine-load.sql" | sqlite3 "$loaded.tmp" >/dev/null ||
        bench_die "loading issues failed"
    sqlite3 "$loaded.tmp" 'PRAGMA journal_mode = DELETE' >/dev/null
    mv "$loaded.tmp" "$loaded"
    bench_say "loaded in $((($(bench_ms) - t0) / 1000)) s"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/redmine-bench-XXXXXX")
pid=""
cleanup() {
    bench_stop "$pid"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp "$loaded" "$work/redmine.db"
use_db "$work/redmine.db"
bench_figure redmine "$n" "issues" "$(sqlite3 "$work/redmine.db" 'SELECT count(*) FROM issues')" issues
bench_figure redmine "$n" "journals" "$(sqlite3 "$work/redmine.db" 'SELECT count(*) FROM journals')" rows

# ---- puma ----
port=$(bench_free_port)
url="http://127.0.0.1:$port"
# preload_app: the application loads once in the master and the workers fork
# from it (faster boot, shared memory); a busy machine may need minutes.
cat >"$work/puma.rb" <<EOF
environment "production"
workers $workers
threads $rthreads, $rthreads
preload_app!
worker_boot_timeout 600
worker_timeout 600
bind "tcp://127.0.0.1:$port"
EOF
t0=$(bench_ms)
(cd "$rmroot" && REDMINE_INSTANCE=$instance RAILS_ENV=production exec bundle exec \
    puma -C "$work/puma.rb") >"$BENCH_OUT/redmine-puma-$n.log" 2>&1 &
pid=$!
# both workers booted, or the first requests time the boot
end=$(($(bench_ms) + 900000))
until [ "$(grep -c 'booted' "$BENCH_OUT/redmine-puma-$n.log")" -ge "$workers" ] &&
    curl -s -f -o /dev/null --max-time 30 "$url/login"; do
    kill -0 "$pid" 2>/dev/null || { tail "$BENCH_OUT/redmine-puma-$n.log" >&2; bench_die "puma exited"; }
    [ "$(bench_ms)" -lt $end ] || bench_die "Redmine did not answer in 900 s"
    sleep 0.2
done
bench_figure redmine "$n" "cold start to first answer" "$(($(bench_ms) - t0))" ms

# Sign in through the form (HTML pages take no API key).
tok=$(curl -s -c "$work/jar" "$url/login" |
    sed -n 's/.*name="authenticity_token" value="\([^"]*\)".*/\1/p' | head -n 1)
curl -s -o /dev/null -b "$work/jar" -c "$work/jar" --data-urlencode "authenticity_token=$tok" \
    --data-urlencode username=admin --data-urlencode "password=$password" "$url/login"
cookie=$(awk '$6 == "Redmine" { print "Redmine=" $7 }' "$work/jar")
[ -n "$cookie" ] || bench_die "Redmine sign-in gave no cookie"

enc() { node -e 'console.log(encodeURIComponent(process.argv[1]))' "$1"; }
e2=$(enc "$word2")
e4=$(enc "$word4")
sqlite3 "$work/redmine.db" \
    "SELECT id FROM issues WHERE status_id IN (SELECT id FROM issue_statuses WHERE is_closed = 0) ORDER BY random() LIMIT 500" >"$work/ids"
filter="set_filter=1&f%5B%5D=status_id&op%5Bstatus_id%5D=o&sort=due_date&per_page=50"
echo "/projects/duban/issues?$filter" >"$work/p-list"
sed 's|^|/issues/|' "$work/ids" >"$work/p-detail"
echo "/issues.json?project_id=$project&status_id=open&sort=due_date&limit=50&key=$key" >"$work/p-api-list"
sed "s|^\(.*\)$|/issues/\1.json?key=$key|" "$work/ids" >"$work/p-api-detail"
echo "/search?q=$e2&scope=all&issues=1" >"$work/p-search2"
echo "/search?q=$e4&scope=all&issues=1" >"$work/p-search4"
echo "/issues.json" >"$work/p-create"

# Each page once, checked, before any timing.
for s in list detail api-list api-detail search2 search4; do
    pth=$(head -n 1 "$work/p-$s")
    st=$(curl -s -o "$work/check" -w '%{http_code}' -H "Cookie: $cookie" "$url$pth")
    [ "$st" = 200 ] || bench_die "Redmine GET $pth: HTTP $st"
    case $s in
    list) grep -q 'hascontextmenu' "$work/check" || bench_die "Redmine's list shows no issue" ;;
    search2 | search4)
        hits=$(sed -n 's/.*结果 *(\([0-9][0-9]*\)).*/\1/p' "$work/check" | head -n 1)
        bench_figure redmine "$n" "search hits for $(eval echo \$word${s#search})" "${hits:-?}" issues ;;
    esac
done

for c in $conns; do
    for s in list detail search2 search4 api-list api-detail; do
        BENCH_PATHS="$work/p-$s" BENCH_COOKIE="$cookie" \
            bench_wrk redmine "$n" "rm-$s" "$c" get.lua "$url"
    done
done
body=$(printf '{"issue":{"project_id":%s,"tracker_id":1,"subject":"关于加快推进安全生产专项整治的督办事项","description":"请按期报送办理结果。","assigned_to_id":%s,"due_date":"2026-12-31"}}' "$project" "$user0")
for c in $wconns; do
    BENCH_PATHS="$work/p-create" BENCH_AUTH="X-Redmine-API-Key: $key" BENCH_BODY="$body" \
        bench_wrk redmine "$n" rm-create "$c" post.lua "$url"
done
kill -0 "$pid" 2>/dev/null || bench_die "puma died under load"
rss=0
for p in $pid $(pgrep -P "$pid" || true); do
    r=$(bench_rss_kb "$p" VmHWM || echo 0)
    rss=$((rss + ${r:-0}))
done
bench_figure redmine "$n" "RSS peak (master + workers)" "$((rss / 1024))" MiB
