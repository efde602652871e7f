// crash.mjs - crash consistency (issue 6, item 1): writers run against a
// server on a fresh database, the server is killed with SIGKILL at a
// random moment, `shuniu check` runs on what it left (SQLite integrity,
// the audit chain, every attachment against its hash), the server starts
// again and every write is checked (workload.mjs): each acknowledged one
// there and whole, each refused one absent, each unanswered one whole if
// there, the numbers gapless.  On PostgreSQL one more round stops the
// database itself with `pg_ctl -m immediate` under the writers and starts
// it again: the running server must reconnect by itself.
//
//   node tests/torture/crash.mjs --backend sqlite|pg --kills N
//
// Environment: SHUNIU_BIN (default build/shuniu); for pg
// SHUNIU_TEST_PG_ADMIN (scripts/pg-test.sh start) and PGTEST_DIR.
// Prints one line per round and a summary; exits 1 on any loss, half-done
// write, failed check, or a server that does not come back.
import {
  BIN, PEOPLE, Server, parseArgs, pgCreateDb, pgDropDb, pgImmediateStop, pgStart,
  randomInt, rmTree, run, setupOffice, sleep, tempDir,
} from './lib.mjs';
import { Workload, crashRule, numberCounts, outcome, snapshot, verify } from './workload.mjs';

const RUN_MIN_MS = 300;        // writers run this long at least before the kill
const RUN_MAX_MS = 2500;
const PG_DOWN_MS = 1000;       // PostgreSQL stays down this long
const RECOVER_TIMEOUT_MS = 60000;
const AFTER_RECOVERY_MS = 1000;

const opts = parseArgs(process.argv.slice(2), { backend: 'sqlite', kills: 30 });
const started = Date.now();
const dir = tempDir(`shuniu-crash-${opts.backend}-`);
const data = `${dir}/data`;
const admin = process.env.SHUNIU_TEST_PG_ADMIN;
const pgName = `torture_crash_${process.pid}`;
let db;

const totals = { kills: 0, ops: 0, acked: 0, refused: 0, errors: 0, unanswered: 0,
  checked: 0, losses: 0, phantoms: 0, broken: 0 };
const failures = [];

function fail(msg) {
  failures.push(msg);
  console.log(`  FAIL ${msg}`);
}

// `shuniu check` on the database the crash left; its figures.
async function check(label) {
  const r = await run(BIN, ['check', '--db', db, '--data', data], { cwd: dir });
  if (r.code !== 0) fail(`${label}: shuniu check exited ${r.code}: ${r.stderr.trim()}`);
  const audit = /审计链：(\d+) 条记录/.exec(r.stdout);
  const files = /附件：(\d+) 个/.exec(r.stdout);
  return { audit: audit ? Number(audit[1]) : 0, files: files ? Number(files[1]) : 0 };
}

function tally(ops) {
  const t = { acked: 0, refused: 0, errors: 0, unanswered: 0 };
  for (const op of ops) {
    if (outcome.isAck(op)) t.acked++;
    else if (outcome.isRefused(op)) t.refused++;
    else if (op.status >= 500) t.errors++;
    else t.unanswered++;
  }
  return t;
}

function addResult(label, res) {
  for (const k of ['checked', 'losses', 'phantoms', 'broken']) totals[k] += res[k];
  for (const p of res.problems) fail(`${label}: ${p}`);
}

// PostgreSQL stopped under the writers (no checkpoint) and started again;
// the server must answer /healthz again without a restart.
async function pgRound(srv) {
  await pgImmediateStop();
  await sleep(PG_DOWN_MS);
  await pgStart();
  const t0 = Date.now();
  while (!(await srv.healthy())) {
    if (Date.now() - t0 > RECOVER_TIMEOUT_MS) {
      fail('the server did not reconnect to PostgreSQL after its immediate stop');
      return false;
    }
    await sleep(100);
  }
  console.log(`  postgresql stopped (-m immediate) and started; server answered again after ${Date.now() - t0} ms`);
  await sleep(AFTER_RECOVERY_MS); // the writers go on against the recovered database
  return true;
}

async function main() {
  if (opts.backend === 'pg') {
    if (!admin) throw new Error('SHUNIU_TEST_PG_ADMIN is not set (scripts/pg-test.sh start)');
    db = await pgCreateDb(admin, pgName);
  } else {
    db = `sqlite:${dir}/shuniu.db`;
  }
  await setupOffice({ db, data, cwd: dir });
  const srv = new Server({ db, data, cwd: dir, log: `${dir}/server.log` });
  await srv.start();
  const wl = new Workload(srv, PEOPLE.map((p) => p[0]));
  await wl.signIn();
  const rounds = opts.kills + (opts.backend === 'pg' ? 1 : 0);
  const pgAt = opts.backend === 'pg' ? Math.ceil(rounds / 2) : 0;
  for (let round = 1; round <= rounds; round++) {
    const first = wl.ops.length;
    const known = new Set(wl.cases.keys());
    const writers = wl.run();
    await sleep(randomInt(RUN_MIN_MS, RUN_MAX_MS));
    let what;
    if (round === pgAt) {
      what = 'pg immediate stop';
      const ok = await pgRound(srv);
      wl.stop();
      await writers;
      if (!ok) {
        await srv.kill9();
        await srv.start();
      }
    } else {
      what = 'kill -9';
      await srv.kill9();
      totals.kills++;
      wl.stop();
      await writers;
      await check(`round ${round} (server down)`);
      await srv.start();
    }
    const ops = wl.ops.slice(first);
    for (const e of wl.errors.splice(0)) fail(`round ${round}: writer: ${e}`);
    const touched = new Set(ops.map((op) => op.caseId).filter(Boolean));
    const snap = await snapshot(wl.clients,
      { detailOf: (c) => touched.has(c.id) || !known.has(c.id) });
    const res = await verify(snap, ops, crashRule, wl.clients);
    addResult(`round ${round}`, res);
    wl.resync(snap);
    const t = tally(ops);
    console.log(`round ${round} (${what}): writes ${ops.length} (acknowledged ${t.acked}, ` +
      `refused ${t.refused}, 5xx ${t.errors}, unanswered ${t.unanswered}); checked ${res.checked}, ` +
      `losses ${res.losses}, half-done ${res.broken}, refused-but-present ${res.phantoms}`);
  }
  // all writes again, every case in full, then a clean stop and a last check
  const snap = await snapshot(wl.clients);
  const res = await verify(snap, wl.ops, crashRule, wl.clients);
  for (const p of res.problems) fail(`final: ${p}`);
  const stopped = await srv.stop();
  if (stopped.code !== 0) fail(`server exited ${stopped.code ?? stopped.signal} on SIGTERM (see ${dir}/server.log)`);
  const final = await check('final');
  Object.assign(totals, tally(wl.ops), { ops: wl.ops.length });
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`crash ${opts.backend}: kills ${totals.kills}${opts.backend === 'pg' ? ' + 1 postgresql immediate stop' : ''}, ` +
    `writes ${totals.ops} (acknowledged ${totals.acked}, refused ${totals.refused}, 5xx ${totals.errors}, ` +
    `unanswered ${totals.unanswered}), acknowledged writes checked ${totals.checked} after the restarts ` +
    `and ${res.checked} at the end, losses ${totals.losses + res.losses}, ` +
    `half-done ${totals.broken + res.broken}, refused-but-present ${totals.phantoms + res.phantoms}; ` +
    `cases ${snap.cases.size}, numbers ${numberCounts(snap.cases)} gapless, audit records ${final.audit}, ` +
    `attachments ${final.files} matching their hashes; ${secs}s`);
}

let code = 0;
try {
  await main();
} catch (err) {
  fail(`${err.stack || err}`);
}
if (failures.length > 0) {
  console.log(`crash ${opts.backend}: FAILED (${failures.length} problems; server log ${dir}/server.log)`);
  code = 1;
}
if (opts.backend === 'pg' && admin) await pgDropDb(admin, pgName).catch(() => {});
if (code === 0) rmTree(dir);
process.exit(code);
