// backup.mjs - backup and restore (issue 6, item 6): `shuniu backup` runs
// while the writers of workload.mjs do (SQLite online backup; pg_dump on
// PostgreSQL), the backup is restored into a new database (SQLite: the file
// in a new data directory with a copy of the attachments; PostgreSQL:
// pg_restore into a new database), `shuniu check` must pass on it, and a
// server on the restored copy must show one consistent point in time:
//   - every write acknowledged before the backup started is there, whole;
//   - no write sent after the backup finished is there;
//   - writes in between are there or not, but whole (workload.mjs);
//   - numbers gapless; the audit chain of the copy is a prefix of the live
//     chain, record for record (same seq, same hash).
//
//   node tests/torture/backup.mjs --backend sqlite|pg --rounds N
//
// Environment as crash.mjs.  Exits 1 on any failed check.
import fs from 'node:fs';
import {
  BIN, PEOPLE, Server, allPages, parseArgs, pgCreateDb, pgDropDb, randomInt, rmTree,
  run, setupOffice, sleep, tempDir,
} from './lib.mjs';
import { Workload, numberCounts, outcome, snapshot, verify } from './workload.mjs';

const BEFORE_MIN_MS = 3000;    // writers run this long before the backup
const BEFORE_MAX_MS = 5000;
const AFTER_MS = 800;          // and this long after it
const AUDIT_PAGE = 1000;

const opts = parseArgs(process.argv.slice(2), { backend: 'sqlite', rounds: 2 });
const started = Date.now();
const dir = tempDir(`shuniu-backup-${opts.backend}-`);
const data = `${dir}/data`;
const admin = process.env.SHUNIU_TEST_PG_ADMIN;
const pgName = `torture_backup_${process.pid}`;
const dropLater = [];
const failures = [];
let db;

function fail(msg) {
  failures.push(msg);
  console.log(`  FAIL ${msg}`);
}

async function auditOf(clients) {
  return allPages(async (off) => {
    const r = await clients.auditor.call('GET', `/api/v1/audit?limit=${AUDIT_PAGE}&offset=${off}`);
    if (r.status !== 200) throw new Error(`audit list: ${r.status}`);
    return r.json.items;
  }, AUDIT_PAGE);
}

// The backup restored into a new database; its url and data directory.
async function restore(file, round) {
  const rdir = `${dir}/restored-${round}`;
  fs.mkdirSync(rdir);
  // attachments: copied after the backup, so a superset of what it names
  fs.cpSync(`${data}/files`, `${rdir}/data/files`, { recursive: true });
  if (opts.backend === 'sqlite') {
    fs.copyFileSync(file, `${rdir}/shuniu.db`);
    return { url: `sqlite:${rdir}/shuniu.db`, rdata: `${rdir}/data`, rdir };
  }
  const name = `${pgName}_r${round}`;
  const url = await pgCreateDb(admin, name);
  dropLater.push(name);
  const r = await run('pg_restore', ['--no-owner', '-d', url, file]);
  if (r.code !== 0) throw new Error(`pg_restore: ${r.stderr.trim()}`);
  return { url, rdata: `${rdir}/data`, rdir };
}

// The copy's audit chain against the live one: the leading records equal
// (seq and hash); the rest only the sign-ins of our check on the copy.
function comparePrefix(live, copy, restoredAt) {
  const liveBySeq = new Map(live.map((r) => [r.seq, r]));
  const sorted = [...copy].sort((a, b) => a.seq - b.seq);
  let same = 0;
  while (same < sorted.length) {
    const l = liveBySeq.get(sorted[same].seq);
    if (!l || l.hash !== sorted[same].hash) break;
    same++;
  }
  for (const r of sorted.slice(same)) {
    if (r.action !== 'auth.login' || Date.parse(r.at) < restoredAt - 1000) {
      fail(`restored audit record ${r.seq} (${r.action}) is not the live chain's`);
      break;
    }
  }
  return same;
}

async function round(n, srv, wl) {
  const first = wl.ops.length;
  const writers = wl.run();
  await sleep(randomInt(BEFORE_MIN_MS, BEFORE_MAX_MS));
  const file = `${dir}/backup-${n}.${opts.backend === 'sqlite' ? 'db' : 'dump'}`;
  const t0 = Date.now();
  const b = await run(BIN, ['backup', '--db', db, '--data', data, file], { cwd: dir });
  const t1 = Date.now();
  if (b.code !== 0) throw new Error(`shuniu backup exited ${b.code}: ${b.stderr.trim()}`);
  await sleep(AFTER_MS);
  wl.stop();
  await writers;
  for (const e of wl.errors.splice(0)) fail(`round ${n}: writer: ${e}`);
  const live = await auditOf(wl.clients);

  const { url, rdata, rdir } = await restore(file, n);
  const c = await run(BIN, ['check', '--db', url, '--data', rdata], { cwd: rdir });
  if (c.code !== 0) fail(`round ${n}: shuniu check on the restored copy exited ${c.code}: ${c.stderr.trim()}`);
  const restoredAt = Date.now();
  const rsrv = new Server({ db: url, data: rdata, cwd: rdir, log: `${dir}/restored.log` });
  await rsrv.start();
  const rw = new Workload(rsrv, PEOPLE.map((p) => p[0]));
  await rw.signIn();
  const snap = await snapshot(rw.clients);
  const ops = wl.ops; // all so far: earlier rounds' writes are before this backup
  const rule = (op) => {
    if (outcome.isRefused(op) || op.sent > t1) return 'absent';
    if (outcome.isAck(op) && op.answered < t0) return 'present';
    return 'either';
  };
  const res = await verify(snap, ops, rule, rw.clients);
  for (const p of res.problems) fail(`round ${n}: ${p}`);
  const same = comparePrefix(live, snap.audit, restoredAt);
  const stopped = await rsrv.stop();
  if (stopped.code !== 0) fail(`round ${n}: server on the copy exited ${stopped.code ?? stopped.signal}`);
  const during = ops.slice(first).filter((op) => op.sent <= t1 && op.answered >= t0).length;
  const before = ops.filter((op) => rule(op) === 'present').length;
  console.log(`round ${n}: backup took ${t1 - t0} ms with ${during} writes in flight; restored copy: ` +
    `${before} writes acknowledged before the backup all there (checked ${res.checked}), ` +
    `losses ${res.losses}, half-done ${res.broken}, after-the-backup-but-present ${res.phantoms}; ` +
    `cases ${snap.cases.size}, numbers ${numberCounts(snap.cases)} gapless, audit chain ` +
    `${same} of the live ${live.length} records identical`);
  return res;
}

async function main() {
  if (opts.backend === 'pg') {
    if (!admin) throw new Error('SHUNIU_TEST_PG_ADMIN is not set (scripts/pg-test.sh start)');
    db = await pgCreateDb(admin, pgName);
    dropLater.push(pgName);
  } else {
    db = `sqlite:${dir}/shuniu.db`;
  }
  await setupOffice({ db, data, cwd: dir });
  fs.mkdirSync(`${data}/files`, { recursive: true });
  const srv = new Server({ db, data, cwd: dir, log: `${dir}/server.log` });
  await srv.start();
  const wl = new Workload(srv, PEOPLE.map((p) => p[0]));
  await wl.signIn();
  let checked = 0, losses = 0;
  for (let n = 1; n <= opts.rounds; n++) {
    const res = await round(n, srv, wl);
    checked += res.checked;
    losses += res.losses;
  }
  const stopped = await srv.stop();
  if (stopped.code !== 0) fail(`server exited ${stopped.code ?? stopped.signal} on SIGTERM`);
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`backup ${opts.backend}: rounds ${opts.rounds}, writes ${wl.ops.length}, acknowledged ` +
    `writes checked in the copies ${checked}, losses ${losses}; ${secs}s`);
}

let code = 0;
try {
  await main();
} catch (err) {
  fail(`${err.stack || err}`);
}
if (failures.length > 0) {
  console.log(`backup ${opts.backend}: FAILED (${failures.length} problems; logs in ${dir})`);
  code = 1;
}
if (admin) for (const name of dropLater) await pgDropDb(admin, name).catch(() => {});
if (code === 0) rmTree(dir);
process.exit(code);
