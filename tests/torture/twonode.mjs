#!/usr/bin/env node
// twonode.mjs - two `shuniu serve` nodes on one PostgreSQL database
// (issue 6, item 2).  Self-contained: node's built-in fetch, psql, and the
// shuniu binary; no npm packages.
//
//   node tests/torture/twonode.mjs            full run (make torture)
//   node tests/torture/twonode.mjs --quick    short run (make test)
//
// What it does, in order, and what must hold (any failure: exit 1):
//   1. a fresh database (init, three units, three people through the CLI);
//      nodes A and B serve it on two loopback ports with --test-clock and
//      --sweep-seconds SWEEP_S, so the reminder sweep (case_sweep) is due
//      every SWEEP_S seconds of the (test) clock instead of 300;
//   2. sessions: signed in on one node, the cookie and CSRF token work on
//      the other (a read and a write); signed out on one, refused on both;
//   3. load alternating between the nodes: a clerk registers supervised
//      items (POST /api/v1/cases) and assigns them (交办) on the other node;
//      every write the server acknowledged (201 / 200) is remembered;
//   4. reminders: both clocks jump CLOCK_JUMP_DAYS ahead, every assigned
//      item goes red; after several more sweep intervals each (item,
//      person) has exactly one clock.red notification, and each item has
//      the same recipients (its lead unit's staff and supervising leader);
//   5. failover, under load: the node named in job_runs (the last to run
//      the sweep) is killed with SIGKILL; the time until the survivor runs
//      the sweep is printed and must be under TAKEOVER_BOUND_S (derived
//      from the interval and the runner's 1 s tick, generous); the full run
//      restarts the dead node and does it again the other way round;
//   6. a last clock jump on the survivor(s): the items written during the
//      failover go red and are told once, the earlier ones not again;
//   7. nothing acknowledged is lost: every acknowledged item is in the
//      database with its title, every acknowledged assignment left it
//      assigned; no answer was a 5xx; the sweep never ran twice within one
//      interval (job_runs sampled every POLL_MS); the nodes still alive stop
//      cleanly on SIGTERM with no sanitizer report in their logs.
//
// Environment: SHUNIU_BIN (default build/shuniu), SHUNIU_TEST_PG_ADMIN
// (an admin URL; else scripts/pg-test.sh starts one in PGTEST_DIR or a temp
// dir and stops it at the end), TWONODE_KEEP=1 keeps the temp dir and the
// database.  Needs psql (postgresql-client).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const QUICK = process.argv.includes('--quick');
const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.SHUNIU_BIN || path.join(TOP, 'build', 'shuniu');
const KEEP = process.env.TWONODE_KEEP === '1';

const SWEEP_S = 2;                 // --sweep-seconds for both nodes
const TICK_S = 1;                  // the job runner's tick (jobs.c)
// From the kill to the survivor's run: at most one interval since the dead
// node's last run plus one tick; doubled, and 10 s for a slow (ASan) node.
const TAKEOVER_BOUND_S = 2 * (SWEEP_S + TICK_S) + 10;
const SETTLE_SWEEPS = 3;           // sweeps to wait for after a clock jump
const CLOCK_JUMP_DAYS = 60;        // far past any 5-working-day limit
const POLL_MS = 100;               // job_runs sampling
const WORKERS = QUICK ? 3 : 6;     // concurrent writers
const ITEMS_BEFORE = QUICK ? 12 : 60;   // items written before the jump
const FAILOVERS = QUICK ? 1 : 2;
const LOAD_AFTER_KILL_MS = QUICK ? 3000 : 8000;
const HTTP_TIMEOUT_MS = 30000;
const START_TIMEOUT_MS = 60000;
const PASSWORD = 'Two-Node-2026!pass';
const DAY_MS = 86400000;

const failures = [];
function check(ok, what) {
    if (!ok) {
        failures.push(what);
        console.log(`twonode: FAIL ${what}`);
    }
    return ok;
}
function die(msg) {
    console.error(`twonode: ${msg}`);
    throw new Error(msg);
}
let tStart = 0;
const tsec = () => ((performance.now() - tStart) / 1000).toFixed(0) + 's';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

// ---- PostgreSQL -------------------------------------------------------------

let pgStarted = '';
function pgAdmin(tmp) {
    if (process.env.SHUNIU_TEST_PG_ADMIN)
        return process.env.SHUNIU_TEST_PG_ADMIN;
    const dir = process.env.PGTEST_DIR || path.join(tmp, 'pg');
    const script = path.join(TOP, 'scripts', 'pg-test.sh');
    const env = { ...process.env, PGTEST_DIR: dir };
    try { // one already running there is someone else's: use it, keep it
        return execFileSync('sh', [script, 'url'], { env, encoding: 'utf8' }).trim();
    } catch { /* not running: ours to start and stop */ }
    pgStarted = dir;
    const out = execFileSync('sh', [script, 'start'], { env, encoding: 'utf8' });
    const lines = out.trim().split('\n');
    return lines[lines.length - 1];
}
function pgStop() {
    if (!pgStarted) return;
    execFileSync('sh', [path.join(TOP, 'scripts', 'pg-test.sh'), 'stop'],
        { env: { ...process.env, PGTEST_DIR: pgStarted }, stdio: 'ignore' });
}
function dbUrl(admin, name) {
    const u = new URL(admin);
    u.pathname = '/' + name;
    return u.toString();
}
// Rows of a query as arrays of strings (psql -At, fields split on '|').
function sql(url, query) {
    const out = execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1',
        '-d', url, '-c', query], { encoding: 'utf8' });
    return out.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}

// ---- processes --------------------------------------------------------------

const childEnv = {
    ...process.env,
    LSAN_OPTIONS: process.env.LSAN_OPTIONS ||
        `suppressions=${path.join(TOP, 'tests', 'lsan.supp')}`,
};

function cli(db, args, input) {
    try {
        return execFileSync(BIN, [...args, '--db', db], {
            env: childEnv, input: input || '', encoding: 'utf8',
            stdio: ['pipe', 'pipe', 'pipe'],
        });
    } catch (e) {
        die(`shuniu ${args.join(' ')} failed: ${e.stderr || e.message}`);
    }
}

async function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.on('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

// "A(pid N)" of every node process started, for job_runs.node "host:N"
const pidName = new Map();
const nodeLabel = (jobNode) => pidName.get(Number(jobNode.split(':').pop())) || jobNode;

// A node: one `shuniu serve` with its log; name is "A" or "B".
async function startNode(node, db, tmp) {
    node.port = node.port || await freePort();
    node.base = `http://127.0.0.1:${node.port}`;
    node.log = path.join(tmp, `node${node.name}.log`);
    const fd = fs.openSync(node.log, 'a');
    node.proc = spawn(BIN, ['serve', '--db', db, '--data', path.join(tmp, 'data'),
        '--listen', `127.0.0.1:${node.port}`, '--test-clock',
        '--sweep-seconds', String(SWEEP_S)],
        { env: childEnv, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    pidName.set(node.proc.pid, `${node.name}(pid ${node.proc.pid})`);
    node.alive = true;
    node.exit = new Promise((resolve) => node.proc.on('exit', (code, sig) => {
        node.alive = false;
        resolve({ code, sig });
    }));
    const t0 = now();
    while (now() - t0 < START_TIMEOUT_MS) {
        if (!node.alive) die(`node ${node.name} exited at start (see ${node.log})`);
        try {
            const r = await fetch(node.base + '/healthz');
            if (r.status === 200) return;
        } catch { /* not listening yet */ }
        await sleep(100);
    }
    die(`node ${node.name} did not answer /healthz in ${START_TIMEOUT_MS / 1000} s`);
}

async function stopNode(node) {
    if (!node.alive) return null;
    node.proc.kill('SIGTERM');
    const t = setTimeout(() => node.proc.kill('SIGKILL'), 20000);
    const r = await node.exit;
    clearTimeout(t);
    return r;
}

// ---- HTTP -------------------------------------------------------------------

let count5xx = 0;
// One request; {status, json} or {status: 0, error} when the node is gone.
async function req(node, method, p, { sess, body } = {}) {
    const headers = {};
    if (sess) {
        headers.Cookie = `sid=${sess.sid}`;
        if (method !== 'GET') headers['X-CSRF-Token'] = sess.csrf;
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let r;
    try {
        r = await fetch(node.base + p, {
            method, headers, body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), redirect: 'manual',
        });
    } catch (e) {
        return { status: 0, error: String(e.cause?.code || e.message) };
    }
    const text = await r.text();
    if (r.status >= 500) {
        count5xx++;
        console.log(`twonode: ${method} ${p} on ${node.name}: ${r.status} ${text.slice(0, 200)}`);
    }
    let json = null;
    try { json = JSON.parse(text); } catch { /* a page */ }
    return { status: r.status, json, headers: r.headers };
}

async function signIn(node, login) {
    const r = await fetch(node.base + '/api/v1/session', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ login, password: PASSWORD }),
    });
    const j = await r.json();
    if (r.status !== 200) die(`sign-in ${login} on ${node.name}: ${r.status} ${JSON.stringify(j)}`);
    const m = /sid=([^;]+)/.exec(r.headers.get('set-cookie') || '');
    if (!m) die(`sign-in ${login}: no sid cookie`);
    return { sid: m[1], csrf: j.csrf, login };
}

// The test clock of node as ms; PUT with an ISO instant.
async function setClock(node, ms) {
    const iso = new Date(ms).toISOString();
    const r = await req(node, 'PUT', '/api/v1/test/clock', { body: { now: iso } });
    if (r.status !== 200) die(`clock on ${node.name}: ${r.status} ${JSON.stringify(r.json)}`);
}

// ---- the scenario -----------------------------------------------------------

// The test clock: one instant for both nodes, tracked here so a restarted
// node can be put back on it (real elapsed time is added).  A jump of days
// outlasts the idle timeout: signed-in sessions (sess) sign in again.
const clock = { base: 0, at: 0 };
const clockNow = () => clock.base + Math.round(now() - clock.at);
async function jumpClocks(nodes, ms, sess) {
    clock.base = ms;
    clock.at = now();
    await Promise.all(nodes.filter((n) => n.alive).map((n) => setClock(n, clockNow())));
    if (sess) Object.assign(sess, await signIn(pick(nodes, 0), sess.login));
}

// Acknowledged writes: id -> {title, assigned}
const acked = new Map();
let writeSeq = 0;
let refusedOnDead = 0;

// The live nodes in order of preference for the k-th request: alternate,
// skip a dead one (as a load balancer would).
function pick(nodes, k) {
    const live = nodes.filter((n) => n.alive);
    if (live.length === 0) die('no node alive');
    return live[k % live.length];
}

// One item: created on one node, assigned on the other; the writes that
// were acknowledged are recorded.  Returns the id or 0.
async function writeItem(nodes, sess, k) {
    const title = `双节点测试督办事项 ${process.pid}-${++writeSeq}`;
    let node = pick(nodes, k);
    let r = await req(node, 'POST', '/api/v1/cases', {
        sess, body: { module: 'supervision', fields: { title, source: 'instruction' } },
    });
    if (r.status === 0) { refusedOnDead++; return 0; }
    if (!check(r.status === 201, `create on ${node.name}: ${r.status} ${JSON.stringify(r.json)}`))
        return 0;
    const id = r.json.id;
    acked.set(id, { title, assigned: false });
    node = pick(nodes, k + 1);
    r = await req(node, 'POST', `/api/v1/cases/${id}/transitions/assign`, {
        sess, body: { fields: { lead_unit: 'jtj', supervising_leader: 'fsz',
            responsible_leader: 'fsz', limit_class: 'urgent' } },
    });
    if (r.status === 0) { refusedOnDead++; return id; }
    if (check(r.status === 200 && r.json.state === 'assigned',
        `assign ${id} on ${node.name}: ${r.status} ${JSON.stringify(r.json)}`))
        acked.get(id).assigned = true;
    return id;
}

// WORKERS writers until stop() says so or each wrote `each` items.
function runLoad(nodes, sess, { each = Infinity } = {}) {
    let stopped = false;
    let k = 0;
    const worker = async () => {
        for (let i = 0; i < each && !stopped; i++)
            await writeItem(nodes, sess, k++);
    };
    const done = Promise.all(Array.from({ length: WORKERS }, worker));
    return { done, stop: () => { stopped = true; return done; } };
}

// job_runs of case_sweep sampled every POLL_MS: the distinct runs seen.
function sampleRuns(db) {
    const seen = [];
    let stopped = false;
    const last = () => seen[seen.length - 1];
    const loop = (async () => {
        while (!stopped) {
            const rows = sql(db, "SELECT last_run_ms, node, runs FROM job_runs WHERE name = 'case_sweep'");
            if (rows.length === 1) {
                const [ms, node, runs] = [Number(rows[0][0]), rows[0][1], Number(rows[0][2])];
                if (!last() || last().runs !== runs)
                    seen.push({ ms, node, runs, t: now() });
            }
            await sleep(POLL_MS);
        }
    })();
    return { seen, last, stop: async () => { stopped = true; await loop; } };
}

async function waitFor(what, cond, timeoutMs) {
    const t0 = now();
    while (now() - t0 < timeoutMs) {
        if (await cond()) return now() - t0;
        await sleep(POLL_MS);
    }
    die(`timed out waiting for ${what}`);
}

// Waits until SETTLE_SWEEPS sweeps ran at or after test-clock instant ms.
async function settle(runs, ms) {
    await waitFor(`${SETTLE_SWEEPS} sweeps after the clock jump`, () => {
        const after = runs.seen.filter((r) => r.ms >= ms);
        return after.length >= SETTLE_SWEEPS;
    }, (SETTLE_SWEEPS + 2) * (SWEEP_S + TICK_S) * 1000 + 30000);
}

// Checks the clock notifications: no (case, person, kind) twice; every
// assigned acknowledged item among `ids` has the same recipients as the
// first, at least one; and the clock reminders number exactly those
// recipients times the items assigned in the database (all of them are
// red by now; an assignment whose answer was lost with a dying node may
// still have been stored, so the database, not `acked`, is counted).
// Returns {items, perItem, recipients, total}.
function checkReminders(db, ids, label) {
    const dups = sql(db, "SELECT case_id, user_id, kind, COUNT(*) FROM notifications"
        + " WHERE kind LIKE 'clock.%' GROUP BY 1, 2, 3 HAVING COUNT(*) > 1");
    check(dups.length === 0, `${label}: ${dups.length} duplicate reminders, e.g. ${JSON.stringify(dups.slice(0, 3))}`);
    const want = ids.filter((id) => acked.get(id).assigned);
    const byCase = new Map();
    if (want.length) {
        for (const [cid, logins] of sql(db, "SELECT n.case_id, string_agg(u.login, ',' ORDER BY u.login)"
            + " FROM notifications n JOIN users u ON u.id = n.user_id"
            + ` WHERE n.kind = 'clock.red' AND n.case_id IN (${want.join(',')}) GROUP BY 1`))
            byCase.set(Number(cid), logins);
    }
    const first = byCase.get(want[0]) || '';
    const perItem = first ? first.split(',').length : 0;
    const off = want.filter((id) => byCase.get(id) !== first);
    check(perItem > 0, `${label}: no clock.red reminder for item ${want[0]}`);
    check(off.length === 0, `${label}: ${off.length} of ${want.length} items told other people than `
        + `${first}, e.g. ${off.slice(0, 3).map((id) => `${id}: ${byCase.get(id) || '(none)'}`).join('; ')}`);
    const total = Number(sql(db, "SELECT COUNT(*) FROM notifications WHERE kind LIKE 'clock.%'")[0][0]);
    const assigned = Number(sql(db, "SELECT COUNT(*) FROM cases WHERE state = 'assigned'")[0][0]);
    check(total === assigned * perItem, `${label}: ${total} clock reminders, want ${perItem} for each of `
        + `the ${assigned} assigned items`);
    return { items: want.length, perItem, recipients: first, total };
}

// Under load, kills the node that ran the sweep last, right after it ran
// it (read from job_runs, not the sampler, which may lag).  Returns
// {victim, survivors, ms: kill to the survivor's run, gap: the dead node's
// last run to the survivor's, both on the shared test clock}.
async function failover(nodes, db, runs, sess) {
    const load = runLoad(nodes, sess);
    await sleep(500); // writes in flight on both nodes when the node dies
    // the next run, read straight from job_runs (the sampler may lag)
    const runsNow = () => sql(db, "SELECT last_run_ms, node, runs FROM job_runs WHERE name = 'case_sweep'")[0];
    const start = Number(runsNow()[2]);
    let victim = null, lastMs = 0, before = 0;
    await waitFor('a sweep run to kill its node after', () => {
        const [ms, node, n] = runsNow();
        [lastMs, before] = [Number(ms), Number(n)];
        if (before === start) return false;
        victim = nodes.find((x) => x.alive && node.endsWith(`:${x.proc.pid}`));
        if (!victim) die(`job_runs names ${node}, not a live node of ours`);
        return true;
    }, 10 * (SWEEP_S + TICK_S) * 1000 + 60000);
    const survivors = nodes.filter((n) => n.alive && n !== victim);
    const killMs = clockNow();
    victim.proc.kill('SIGKILL');
    await victim.exit;
    let next = null;
    await waitFor('the survivor to run the sweep', () => {
        next = runs.seen.find((r) => r.runs > before);
        return next !== undefined;
    }, TAKEOVER_BOUND_S * 3000);
    check(survivors.some((n) => next.node.endsWith(`:${n.proc.pid}`)),
        `after the kill the sweep ran on ${next.node}, not a survivor`);
    await sleep(LOAD_AFTER_KILL_MS);
    await load.stop();
    return { victim, survivors, ms: next.ms - killMs, gap: next.ms - lastMs };
}

async function main() {
    if (!fs.existsSync(BIN)) die(`${BIN} is not built (set SHUNIU_BIN)`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shuniu-twonode-'));
    const dbName = `shuniu_twonode_${process.pid}`;
    const nodes = [{ name: 'A' }, { name: 'B' }];
    let admin = '', db = '';
    const t0 = now();
    tStart = t0;
    try {
        admin = pgAdmin(tmp);
        sql(admin, `CREATE DATABASE ${dbName}`);
        db = dbUrl(admin, dbName);
        console.log(`twonode: ${QUICK ? 'quick' : 'full'} run, ${BIN}, database ${dbName}, `
            + `sweep every ${SWEEP_S} s, runner tick ${TICK_S} s`);

        // 1. a small office
        cli(db, ['init']);
        cli(db, ['unit', 'add', '--code', 'gov', '--name', '示例市人民政府', '--kind', 'government']);
        cli(db, ['unit', 'add', '--code', 'office', '--name', '示例市人民政府办公室', '--kind', 'office', '--parent', 'gov']);
        cli(db, ['unit', 'add', '--code', 'jtj', '--name', '市交通运输局', '--short', '市交通局', '--kind', 'department', '--parent', 'gov']);
        for (const [login, name, unit, role] of [['clerk', '督查科文员', 'office', 'clerk'],
            ['jtj_cb', '蒋丽', 'jtj', 'staff'], ['fsz', '张志强', 'gov', 'leader']])
            cli(db, ['user', 'add', '--login', login, '--name', name, '--unit', unit,
                '--role', role, '--password-stdin'], PASSWORD + '\n');
        await Promise.all(nodes.map((n) => startNode(n, db, tmp)));
        const runs = sampleRuns(db);
        // A week from now, 09:00 Beijing: ahead of the real clock, so a
        // node restarted on the real clock never runs the sweep "later"
        // than the test clock.
        const start = Math.floor((Date.now() + 7 * DAY_MS) / DAY_MS) * DAY_MS + 3600000;
        await jumpClocks(nodes, start);

        // 2. sessions on either node
        const [A, B] = nodes;
        const clerk = await signIn(A, 'clerk');
        let r = await req(B, 'GET', '/api/v1/me', { sess: clerk });
        check(r.status === 200 && r.json?.login === 'clerk', `session from A on B: ${r.status} ${JSON.stringify(r.json)}`);
        r = await req(B, 'GET', '/', { sess: clerk });
        check(r.status === 200, `home page on B with A's session: ${r.status}`);
        const other = await signIn(B, 'jtj_cb');
        r = await req(A, 'GET', '/api/v1/me', { sess: other });
        check(r.status === 200 && r.json?.login === 'jtj_cb', `session from B on A: ${r.status}`);
        r = await req(A, 'DELETE', '/api/v1/session', { sess: other });
        check(r.status === 200, `sign out on A: ${r.status}`);
        const gone = await Promise.all(nodes.map((n) => req(n, 'GET', '/api/v1/me', { sess: other })));
        check(gone.every((g) => g.status === 401), `signed out on A, still in on: ${gone.map((g) => g.status)}`);
        console.log(`twonode: sessions: signed in on A works on B and back; signed out on one is out on both [t=${tsec()}]`);

        // 3. load on both nodes
        await runLoad(nodes, clerk, { each: Math.ceil(ITEMS_BEFORE / WORKERS) }).done;
        const firstIds = [...acked.keys()];
        console.log(`twonode: load: ${firstIds.length} items written on both nodes [t=${tsec()}]`);
        const red0 = Number(sql(db, "SELECT COUNT(*) FROM notifications WHERE kind LIKE 'clock.%'")[0][0]);
        check(red0 === 0, `${red0} clock reminders before any item was due`);

        // 4. every item due: each told once
        await jumpClocks(nodes, clockNow() + CLOCK_JUMP_DAYS * DAY_MS, clerk);
        await settle(runs, clock.base);
        const rem1 = checkReminders(db, firstIds, 'after the first jump');
        console.log(`twonode: reminders: ${rem1.items} items red, ${rem1.perItem} people told once each `
            + `(${rem1.recipients}), ${rem1.total} clock reminders in all [t=${tsec()}]`);

        // 5. failover under load
        const takeovers = [];
        for (let f = 0; f < FAILOVERS; f++) {
            const fo = await failover(nodes, db, runs, clerk);
            takeovers.push(fo.ms);
            console.log(`twonode: failover ${f + 1}: killed node ${fo.victim.name} (pid ${fo.victim.proc.pid}, `
                + `${((fo.gap - fo.ms) / 1000).toFixed(2)} s after it ran the sweep); node `
                + `${fo.survivors.map((n) => n.name).join(',')} ran it ${(fo.ms / 1000).toFixed(2)} s after the kill, `
                + `${(fo.gap / 1000).toFixed(2)} s after the last run (bound ${TAKEOVER_BOUND_S} s) [t=${tsec()}]`);
            check(fo.ms <= TAKEOVER_BOUND_S * 1000,
                `takeover took ${(fo.ms / 1000).toFixed(2)} s > ${TAKEOVER_BOUND_S} s`);
            if (f + 1 < FAILOVERS) { // bring it back on the shared clock
                await startNode(fo.victim, db, tmp);
                await setClock(fo.victim, clockNow());
                await sleep(2 * (SWEEP_S + TICK_S) * 1000);
            }
        }

        // 6. the items written during the failovers fall due too
        const laterIds = [...acked.keys()].filter((id) => !firstIds.includes(id));
        await jumpClocks(nodes, clockNow() + CLOCK_JUMP_DAYS * DAY_MS, clerk);
        await settle(runs, clock.base);
        const rem2 = checkReminders(db, [...acked.keys()], 'after the last jump');
        console.log(`twonode: reminders: ${laterIds.length} more items red, ${rem2.total} clock reminders in all, `
            + `none twice [t=${tsec()}]`);

        // 7. nothing acknowledged lost; the sweep never twice in an interval
        const ids = [...acked.keys()];
        const stored = new Map(sql(db, `SELECT id, title, state FROM cases WHERE id IN (${ids.join(',')})`)
            .map(([id, title, state]) => [Number(id), { title, state }]));
        const lost = ids.filter((id) => stored.get(id)?.title !== acked.get(id).title);
        const unassigned = ids.filter((id) => acked.get(id).assigned && stored.get(id)?.state !== 'assigned');
        check(lost.length === 0, `${lost.length} acknowledged items lost: ${lost.slice(0, 5)}`);
        check(unassigned.length === 0, `${unassigned.length} acknowledged assignments lost: ${unassigned.slice(0, 5)}`);
        const live = nodes.find((n) => n.alive);
        r = await req(live, 'GET', `/api/v1/cases/${ids[ids.length - 1]}`, { sess: clerk });
        check(r.status === 200, `last item on node ${live.name}: ${r.status}`);
        await runs.stop();
        const close = [];
        for (let i = 1; i < runs.seen.length; i++) {
            const gap = runs.seen[i].ms - runs.seen[i - 1].ms;
            // k runs since the last sample: each at least an interval of
            // the test clock after the one before (a clock jump makes
            // runs close in real time, never on the test clock)
            const k = runs.seen[i].runs - runs.seen[i - 1].runs;
            if (gap < k * SWEEP_S * 1000)
                close.push(`${k} run(s) in ${gap} ms`);
        }
        check(close.length === 0, `the sweep ran twice within ${SWEEP_S} s: ${close.join(', ')}`);
        const byNode = {};
        for (const s of runs.seen) byNode[nodeLabel(s.node)] = (byNode[nodeLabel(s.node)] || 0) + 1;
        check(count5xx === 0, `${count5xx} answers were 5xx`);
        console.log(`twonode: writes acknowledged: ${ids.length} items, `
            + `${ids.filter((id) => acked.get(id).assigned).length} assignments; lost 0 of them `
            + `is required, lost ${lost.length + unassigned.length}; ${refusedOnDead} refused by a dying node`);
        console.log(`twonode: sweep runs seen ${runs.seen.length} (by node ${JSON.stringify(byNode)}), `
            + `closest two ${Math.min(...runs.seen.slice(1).map((s, i) => s.ms - runs.seen[i].ms))} ms apart `
            + `(interval ${SWEEP_S * 1000} ms); 5xx answers ${count5xx}`);
        for (const n of nodes) {
            const res = await stopNode(n);
            if (res) check(res.code === 0, `node ${n.name} exit ${res.code} ${res.sig || ''}`);
            const log = fs.readFileSync(n.log, 'utf8');
            check(!/Sanitizer|runtime error:/.test(log), `sanitizer report in ${n.log}`);
        }
        console.log(`twonode: takeover ${takeovers.map((ms) => (ms / 1000).toFixed(2) + ' s').join(', ')} `
            + `(bound ${TAKEOVER_BOUND_S} s = 2 x (interval ${SWEEP_S} s + tick ${TICK_S} s) + 10 s)`);
    } catch (e) {
        if (!failures.length) failures.push(e.message);
        console.error(e.stack);
    } finally {
        for (const n of nodes) if (n.alive) n.proc.kill('SIGKILL');
        if (!KEEP && db) {
            try { sql(admin, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`); } catch { /* best effort */ }
        }
        try { pgStop(); } catch { /* best effort */ }
        if (KEEP) console.log(`twonode: kept ${tmp} and database ${dbName}`);
        else fs.rmSync(tmp, { recursive: true, force: true });
    }
    const secs = ((now() - t0) / 1000).toFixed(1);
    if (failures.length) {
        console.log(`twonode: FAILED (${failures.length}) in ${secs} s`);
        process.exit(1);
    }
    console.log(`twonode: passed in ${secs} s`);
}

main();
