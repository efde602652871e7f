// lib.mjs - the harness of the reliability tests in tests/torture/: the
// shuniu binary as a child process (CLI commands and `serve` on a free
// loopback port), a small office set up through the CLI, and an HTTP client
// that keeps the session cookie and sends X-CSRF-Token on writes.
//
// Life of a Server:
//   new Server(opts) --start()--> running (healthz answered 200)
//   running --kill9()--> dead (SIGKILL, no clean-up ran: the crash)
//   running --stop()--> stopped (SIGTERM, exit status returned)
// A dead or stopped Server may be started again; every start takes a new
// free port, and clients follow it (Client reads srv.base on each request).
// Children get PR_SET_PDEATHSIG-like care by hand: killAll() on exit.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.SHUNIU_BIN || path.join(TOP, 'build/shuniu');
export const PASSWORD = 'Torture-2026!pass';

const HEALTH_TIMEOUT_MS = 60000;
const STOP_TIMEOUT_MS = 20000;
const HTTP_TIMEOUT_MS = 60000;
const POLL_MS = 50;

// Sanitizer settings for an ASan build (harmless for a plain one).
const SAN_ENV = {
  ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0',
  UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
  LSAN_OPTIONS: process.env.LSAN_OPTIONS ||
    `suppressions=${TOP}/tests/lsan.supp:print_suppressions=0`,
};

export const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

export function randomInt(lo, hi) {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

export function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

export { randomBytes };

// A directory of our own under TMPDIR, removed by the caller (rmTree).
export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(process.env.TMPDIR || os.tmpdir(), prefix));
}

export function rmTree(dir) {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

// A port that was free a moment ago.
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const children = new Set();

// Kills every child still running (on our exit, whatever the reason).
export function killAll() {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone already */ }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { killAll(); process.exit(130); });
}

// Runs a command; resolves {code, signal, stdout, stderr}.  input goes to
// its standard input.
export function run(cmd, args, { input = null, cwd = undefined, env = {} } = {}) {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, {
      cwd, env: { ...process.env, ...SAN_ENV, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(c);
    let stdout = '', stderr = '';
    c.stdout.on('data', (d) => { stdout += d; });
    c.stderr.on('data', (d) => { stderr += d; });
    c.on('error', (err) => { stderr += String(err); });
    c.on('close', (code, signal) => {
      children.delete(c);
      resolve({ code, signal, stdout, stderr });
    });
    c.stdin.on('error', () => {});
    c.stdin.end(input ?? '');
  });
}

// Runs `shuniu ARGS`; throws with its output unless it exits 0.
export async function shuniu(args, opts = {}) {
  const r = await run(BIN, args, opts);
  if (r.code !== 0) {
    throw new Error(`shuniu ${args.slice(0, 2).join(' ')} exited ${r.code ?? r.signal}: ` +
      `${r.stderr.trim()} ${r.stdout.trim()}`.slice(0, 2000));
  }
  return r;
}

// ---- the office ---------------------------------------------------------

// Units and people the workloads use: 督查科 (dc) registers and chases
// supervised items that 市交通运输局 (jtj_cb) handles; 秘书科 drafts (ms_ng)
// and checks (ms_ld) outgoing documents that the office's clerk (bg)
// reviews and registers and the deputy mayor (fsz) signs; the auditor reads
// the trail.
export const UNITS = [
  ['gov', '示例市人民政府', 'government', null],
  ['office', '示例市人民政府办公室', 'office', 'gov'],
  ['dck', '督查科', 'section', 'office'],
  ['mszk', '秘书科', 'section', 'office'],
  ['jtj', '市交通运输局', 'department', 'gov'],
];
export const PEOPLE = [
  ['dc', '督查员', 'dck', 'clerk'],
  ['jtj_cb', '交通局承办人', 'jtj', 'staff'],
  ['ms_ng', '秘书科拟稿人', 'mszk', 'staff'],
  ['ms_ld', '秘书科科长', 'mszk', 'leader'],
  ['bg', '办公室文书', 'office', 'clerk'],
  ['fsz', '副市长', 'gov', 'leader'],
  ['auditor', '安全审计员', 'gov', 'auditor'],
];

// A fresh database with the office above (shuniu init, unit add, user add).
export async function setupOffice({ db, data, cwd }) {
  const base = ['--db', db, '--data', data];
  await shuniu(['init', ...base], { cwd });
  for (const [code, name, kind, parent] of UNITS) {
    const a = ['unit', 'add', ...base, '--code', code, '--name', name, '--kind', kind];
    if (parent) a.push('--parent', parent);
    await shuniu(a, { cwd });
  }
  for (const [login, name, unit, role] of PEOPLE) {
    await shuniu(['user', 'add', ...base, '--login', login, '--name', name,
      '--unit', unit, '--role', role, '--clearance', '0', '--password-stdin'],
    { cwd, input: `${PASSWORD}\n` });
  }
}

// ---- PostgreSQL ---------------------------------------------------------

// The url of database name on the server of the admin url.
export function pgUrl(adminUrl, name) {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function psql(adminUrl, sql) {
  const r = await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', adminUrl, '-c', sql]);
  if (r.code !== 0) throw new Error(`psql: ${r.stderr.trim()}`);
  return r.stdout;
}

// A new empty database; its url.
export async function pgCreateDb(adminUrl, name) {
  await psql(adminUrl, `DROP DATABASE IF EXISTS ${name}`);
  await psql(adminUrl, `CREATE DATABASE ${name}`);
  return pgUrl(adminUrl, name);
}

export async function pgDropDb(adminUrl, name) {
  await psql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

// The PostgreSQL of scripts/pg-test.sh ($PGTEST_DIR): an immediate stop
// (no checkpoint: crash recovery at the next start) and a start with the
// options pg-test.sh used.
const PGBIN = process.env.PGBIN || '/usr/lib/postgresql/15/bin';

function pgAsOwner(args) {
  const isRoot = process.getuid && process.getuid() === 0;
  return isRoot ? run('runuser', ['-u', 'postgres', '--', ...args]) : run(args[0], args.slice(1));
}

// Stops it with pg_ctl -m mode (fast: backends told to go; immediate: no
// checkpoint, crash recovery at the next start).
export async function pgStop(mode) {
  const dir = process.env.PGTEST_DIR || '/tmp/shuniu-pgtest';
  const r = await pgAsOwner([`${PGBIN}/pg_ctl`, '-D', `${dir}/data`, '-m', mode, '-w', 'stop']);
  if (r.code !== 0) throw new Error(`pg_ctl stop: ${r.stderr.trim()}`);
}

export async function pgImmediateStop() {
  await pgStop('immediate');
}

export async function pgStart() {
  const dir = process.env.PGTEST_DIR || '/tmp/shuniu-pgtest';
  const port = fs.readFileSync(`${dir}/port`, 'utf8').trim();
  const sock = fs.existsSync(`${dir}/sockdir`)
    ? fs.readFileSync(`${dir}/sockdir`, 'utf8').trim() : `${dir}/sock`;
  const r = await pgAsOwner([`${PGBIN}/pg_ctl`, '-D', `${dir}/data`, '-l', `${dir}/log`,
    '-w', '-t', '60', '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${sock} -c fsync=off`,
    'start']);
  if (r.code !== 0) throw new Error(`pg_ctl start: ${r.stderr.trim()} ${r.stdout.trim()}`);
}

// ---- the server ---------------------------------------------------------

export class Server {
  // db: url; data: data directory; cwd: where it runs (no stray
  // shuniu.conf); log: file that collects its output across starts.
  constructor({ db, data, cwd, log, args = [] }) {
    Object.assign(this, { db, data, cwd, log, args });
    this.proc = null;
    this.port = 0;
    this.starts = 0;
  }

  get base() { return `http://127.0.0.1:${this.port}`; }

  async start() {
    this.port = await freePort();
    const out = fs.openSync(this.log, 'a');
    fs.writeSync(out, `\n---- start ${++this.starts} on port ${this.port}\n`);
    const c = spawn(BIN, ['serve', '--db', this.db, '--data', this.data,
      '--listen', `127.0.0.1:${this.port}`, ...this.args], {
      cwd: this.cwd, env: { ...process.env, ...SAN_ENV }, stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    children.add(c);
    this.proc = c;
    this.exit = new Promise((resolve) => c.on('exit', (code, signal) => {
      children.delete(c);
      resolve({ code, signal });
    }));
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (c.exitCode !== null || c.signalCode !== null) break;
      if (await this.healthy()) return;
      await sleep(POLL_MS);
    }
    throw new Error(`server did not become healthy; see ${this.log}`);
  }

  async healthy() {
    try {
      const r = await fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      return r.status === 200;
    } catch {
      return false;
    }
  }

  // The crash: SIGKILL, then wait until it is gone.
  async kill9() {
    if (!this.proc) return;
    this.proc.kill('SIGKILL');
    await this.exit;
    this.proc = null;
  }

  // A clean stop; resolves {code, signal}.
  async stop() {
    if (!this.proc) return { code: 0, signal: null };
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc && this.proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const r = await this.exit;
    clearTimeout(t);
    this.proc = null;
    return r;
  }
}

// ---- the client ---------------------------------------------------------

// A signed-in person.  req() resolves {status, json, text}; status 0 means
// no answer (connection refused or cut: the server died mid-request).
export class Client {
  constructor(srv, login, password = PASSWORD) {
    Object.assign(this, { srv, login, password });
    this.sid = '';
    this.csrf = '';
  }

  async signIn() {
    this.sid = '';
    const r = await this.req('POST', '/api/v1/session',
      { login: this.login, password: this.password });
    if (r.status !== 200) {
      throw new Error(`sign-in ${this.login}: ${r.status} ${r.text.slice(0, 300)}`);
    }
    this.csrf = r.json.csrf;
    return this;
  }

  // body: an object (sent as JSON) or a FormData (multipart).
  async req(method, urlPath, body = undefined, { raw = false } = {}) {
    const headers = {};
    if (this.sid) headers.Cookie = `sid=${this.sid}`;
    if (method !== 'GET' && method !== 'HEAD' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    let payload;
    if (body instanceof FormData) {
      payload = body;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(this.srv.base + urlPath, {
        method, headers, body: payload, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
    } catch (err) {
      return { status: 0, json: null, text: String(err.cause?.code || err.message) };
    }
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sid='));
    if (cookie) this.sid = cookie.slice(4).split(';')[0];
    let bytes;
    try {
      bytes = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      // headers came but the body was cut: no whole answer either
      return { status: 0, json: null, text: String(err.cause?.code || err.message) };
    }
    if (raw) return { status: res.status, bytes, json: null, text: '' };
    const text = bytes.toString('utf8');
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, json, text };
  }

  // Like req, but a 401 (session gone) signs in again once; when that
  // sign-in is not answered 200, its answer is the answer.
  async call(method, urlPath, body, opts) {
    let r = await this.req(method, urlPath, body, opts);
    if (r.status === 401) {
      const sid = this.sid;
      this.sid = '';
      const s = await this.req('POST', '/api/v1/session',
        { login: this.login, password: this.password });
      if (s.status !== 200) {
        this.sid = sid; // the old session may well come back with the database
        return s;
      }
      this.csrf = s.json.csrf;
      r = await this.req(method, urlPath, body, opts);
    }
    return r;
  }
}

// Every page of a paged list: calls get(offset) until a short page.
export async function allPages(get, pageSize) {
  const out = [];
  for (let off = 0; ; off += pageSize) {
    const items = await get(off);
    out.push(...items);
    if (items.length < pageSize) return out;
  }
}

// Parses --name value flags into an object (numbers when numeric).
export function parseArgs(argv, defaults) {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2);
    if (!(key in defaults)) throw new Error(`unknown option ${a}`);
    if (typeof defaults[key] === 'boolean') {
      o[key] = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    o[key] = typeof defaults[key] === 'number' ? Number(v) : v;
  }
  return o;
}
