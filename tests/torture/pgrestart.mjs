// pgrestart.mjs - the server's pooled PostgreSQL connections come back by
// themselves when PostgreSQL restarts, without a single 5xx once it is up
// (src/store/pg.c: conn_ensure).  Before, each pooled connection answered
// one request with an error after the restart before it was reset.
//
//   node tests/torture/pgrestart.mjs [--requests N] [--concurrency N]
//
// What it does, and what must hold (any failure: exit 1):
//   1. a PostgreSQL of its own (scripts/pg-test.sh in a new PGTEST_DIR under
//      /tmp, stopped and removed at the end: it is restarted below, so it
//      must be no one else's), a fresh database with the torture office
//      (lib.mjs setupOffice), `shuniu serve` with --threads CONCURRENCY so
//      that as many requests, each on its own pooled connection, run at once;
//   2. warm-up: REQUESTS reads over CONCURRENCY concurrent connections and
//      one write: every answer 200/201; the server's backends are counted
//      (pg_stat_activity) and printed;
//   3. per round (one `pg_ctl stop -m fast`, one `-m immediate`):
//      - while PostgreSQL is down, OUTAGE_REQUESTS reads: every one answered
//        (no hang, no cut connection) with 503, the answer of an outage;
//      - PostgreSQL started again (pg_ctl -w: accepting connections), then
//        at once REQUESTS reads over CONCURRENCY connections: every one 200
//        (no 5xx: every dead pooled connection was reset before use);
//      - a write: a new supervised item is 201, then read back (200, its
//        title), and present in the database (psql);
//   4. the server stops cleanly on SIGTERM (exit 0) and its log holds no
//      sanitizer report.
// Prints per round the answers by status and the slowest answer during the
// outage and after the restart (figures, not checks).
//
// Environment: SHUNIU_BIN (default build/shuniu); needs psql and pg_ctl
// (PGBIN, default /usr/lib/postgresql/15/bin), as scripts/pg-test.sh.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  Client, Server, TOP, parseArgs, pgCreateDb, pgStart, pgStop, psql, rmTree,
  setupOffice, tempDir,
} from './lib.mjs';

const OUTAGE_REQUESTS = 16;
const MODES = ['fast', 'immediate'];
const opts = parseArgs(process.argv.slice(2), { requests: 50, concurrency: 8 });
const started = Date.now();
const failures = [];
const dir = tempDir('shuniu-pgrestart-');
const data = `${dir}/data`;
const log = `${dir}/server.log`;
// Not under TMPDIR: run.sh's is closed to the postgres user.
const pgDir = fs.mkdtempSync('/tmp/shuniu-pgrestart-pg-');
const pgScript = path.join(TOP, 'scripts', 'pg-test.sh');

function check(ok, what) {
  if (!ok) {
    failures.push(what);
    console.log(`  FAIL ${what}`);
  }
  return ok;
}

function pgTest(cmd) {
  return execFileSync('sh', [pgScript, cmd],
    { env: { ...process.env, PGTEST_DIR: pgDir }, encoding: 'utf8' });
}

// n requests made by `send`, at most `width` at a time; their answers
// {status, ms, text} in order.
async function fanOut(n, width, send) {
  const out = new Array(n);
  let next = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      const t0 = performance.now();
      const r = await send(i);
      out[i] = { status: r.status, ms: performance.now() - t0, text: r.text };
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
  return out;
}

// "200×48 503×2" and the slowest answer in ms.
function summary(answers) {
  const by = new Map();
  for (const a of answers) by.set(a.status, (by.get(a.status) || 0) + 1);
  const codes = [...by.entries()].sort((a, b) => a[0] - b[0])
    .map(([s, k]) => `${s}×${k}`).join(' ');
  const slowest = Math.max(...answers.map((a) => a.ms));
  return `${codes}; slowest ${slowest.toFixed(0)} ms`;
}

// Reads that each need the database: the list and one item's page.
function read(client, id) {
  return (i) => client.req('GET', i % 2 === 0
    ? '/api/v1/cases?module=supervision&per_page=20&page=1'
    : `/api/v1/cases/${id}`);
}

// A new supervised item, read back through the API and found by psql.
async function writeLands(client, db, label) {
  const title = `重启后督办事项${label}${process.pid}`;
  const c = await client.req('POST', '/api/v1/cases',
    { module: 'supervision', fields: { title, limit_class: 'normal' } });
  if (!check(c.status === 201, `${label}: write answered ${c.status}: ${c.text.slice(0, 200)}`)) return null;
  const g = await client.req('GET', `/api/v1/cases/${c.json.id}`);
  check(g.status === 200 && g.text.includes(title),
    `${label}: the new item ${c.json.id} read back ${g.status}`);
  const rows = await psql(db, `SELECT count(*) FROM cases WHERE title = '${title}'`);
  check(/\b1\b/.test(rows), `${label}: the new item is not in the database (${rows.trim()})`);
  return c.json.id;
}

async function serverBackends(db) {
  const name = new URL(db).pathname.slice(1);
  const out = await psql(db, 'SELECT count(*) FROM pg_stat_activity ' +
    `WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
  return Number(/\d+/.exec(out)[0]);
}

async function round(mode, client, id, db) {
  await pgStop(mode);
  const down = await fanOut(OUTAGE_REQUESTS, opts.concurrency, read(client, id));
  check(down.every((a) => a.status === 503),
    `${mode}: answers while PostgreSQL is down: ${summary(down)} (all 503 expected)`);
  await pgStart();
  const back = await fanOut(opts.requests, opts.concurrency, read(client, id));
  const bad = back.filter((a) => a.status !== 200);
  check(bad.length === 0, `${mode}: ${bad.length} of ${back.length} answers after the restart ` +
    `were not 200: ${bad.slice(0, 3).map((a) => `${a.status} ${a.text.slice(0, 120)}`).join(' | ')}`);
  const newId = await writeLands(client, db, mode);
  console.log(`round pg_ctl stop -m ${mode}: while down ${OUTAGE_REQUESTS} reads: ${summary(down)}; ` +
    `after start ${back.length} reads over ${opts.concurrency} connections: ${summary(back)}; ` +
    `write after restart ${newId !== null ? 'landed' : 'LOST'}`);
}

async function main() {
  const admin = pgTest('start').trim().split('\n').pop();
  process.env.PGTEST_DIR = pgDir; // for lib.mjs pgStop / pgStart
  const db = await pgCreateDb(admin, 'pgrestart');
  await setupOffice({ db, data, cwd: dir });
  const srv = new Server({ db, data, cwd: dir, log,
    args: ['--threads', String(opts.concurrency)] });
  await srv.start();
  const client = await new Client(srv, 'dc').signIn();
  const id = await writeLands(client, db, 'warm-up');
  if (id === null) throw new Error('the warm-up write failed');
  const warm = await fanOut(opts.requests, opts.concurrency, read(client, id));
  check(warm.every((a) => a.status === 200), `warm-up: ${summary(warm)}`);
  console.log(`warm-up: ${warm.length} reads: ${summary(warm)}; ` +
    `server connections to PostgreSQL: ${await serverBackends(db)}`);
  for (const mode of MODES) await round(mode, client, id, db);
  console.log(`after the rounds: server connections to PostgreSQL: ${await serverBackends(db)}`);
  const stopped = await srv.stop();
  check(stopped.code === 0, `server exited ${stopped.code ?? stopped.signal} on SIGTERM`);
  const text = fs.readFileSync(log, 'utf8');
  check(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(text),
    `sanitizer report in ${log}`);
  const lost = (text.match(/database connection lost; reconnecting/g) || []).length;
  console.log(`server log: ${lost} reconnects`);
}

let code = 0;
try {
  await main();
} catch (err) {
  check(false, `${err.stack || err}`);
}
try {
  pgTest('stop');
} catch (err) {
  console.log(`pgrestart: cannot stop its PostgreSQL: ${err}`);
}
rmTree(pgDir);
const secs = ((Date.now() - started) / 1000).toFixed(0);
if (failures.length > 0) {
  console.log(`pgrestart: FAILED (${failures.length} problems; server log ${log}); ${secs}s`);
  code = 1;
} else {
  console.log(`pgrestart: all passed; ${secs}s`);
  rmTree(dir);
}
process.exit(code);
