// run.mjs - the browser-test runner: a fresh shuniu demo office on a free
// port, Debian's chromium driven by playwright-core, every tests/*.mjs.
//
//   SHUNIU_BIN=build/shuniu node tests/e2e/run.mjs [NAME-FILTER...]
//
// Steps: temp dir -> `shuniu demo --db sqlite:TMP/demo.db --no-serve` (its
// stdout gives the demo logins and password) -> `shuniu serve --listen
// 127.0.0.1:PORT --test-clock` (log in TMP/server.log) -> wait for /healthz
// -> chromium -> each test in a fresh browser context -> PASS/FAIL lines and
// a summary -> stop the server (SIGTERM; a non-zero exit or a sanitizer
// report in its log is a failure too) -> exit 1 on any failure.
//
// A test file exports either `default async function (t)` (one test named
// after the file) or `tests = { 'name': async (t) => {...}, ... }`.  t gives:
//   t.page, t.context     a fresh context (1366x768, zh-CN) and its page
//   t.newContext(opts)    another isolated context (a second person)
//   t.baseURL             http://127.0.0.1:PORT
//   t.demo                { password, users: [{login, name, unit, roles}],
//                           pick(role) -> the first user holding that role }
//   t.screenshot(name, page?)  saves test-results/NAME.png (for humans)
//   t.assert              node:assert/strict
//   t.signIn(page, login, password)  fills the /login form and submits
// On failure every open page is saved as test-results/FILE--TEST-N.png.
// Uncaught errors in a page (pageerror) fail the test.
//
// Environment: SHUNIU_BIN (default build/shuniu), SHUNIU_E2E_KEEP=1 keeps the
// temp dir, SHUNIU_E2E_TIMEOUT test timeout in ms (default 60000).

import { spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '..', '..');
const bin = path.resolve(top, process.env.SHUNIU_BIN || 'build/shuniu');
const resultsDir = path.join(here, 'test-results');
const testTimeout = Number(process.env.SHUNIU_E2E_TIMEOUT || 60000);
const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*m/g;
function log(...a) { console.log(...a.map((x) => String(x).replace(ansi, ''))); }

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// The demo's stdout: a table under a header line naming 登录名, then
// 演示密码：PASSWORD.
export function parseDemo(stdout) {
  const m = stdout.match(/演示密码[:：]\s*(\S+)/);
  if (!m) throw new Error('no line with 演示密码 in the output of shuniu demo');
  const lines = stdout.split('\n');
  const head = lines.findIndex((l) => l.includes('登录名'));
  if (head < 0) throw new Error('no line listing logins (登录名) in the output of shuniu demo');
  const users = [];
  for (const line of lines.slice(head + 1)) {
    if (!line.trim()) { if (users.length) break; continue; }
    const cols = line.trim().split(/\s+/);
    if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(cols[0])) continue;
    users.push({
      login: cols[0],
      name: cols[1] || '',
      unit: cols.length > 3 ? cols.slice(2, -1).join(' ') : '',
      roles: cols.length > 2 ? cols[cols.length - 1].split(',') : [],
    });
  }
  if (!users.length) throw new Error('no logins found under the 登录名 line of shuniu demo');
  return {
    password: m[1],
    users,
    pick(role) {
      const u = users.find((x) => x.roles.includes(role));
      if (!u) throw new Error(`the demo office has nobody with role ${role}`);
      return u;
    },
  };
}

function scanLog(file) {
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { /* no log */ }
  const bad = /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:/.test(text);
  return { text, bad };
}

async function waitHealthy(baseURL, child, logFile) {
  const deadline = Date.now() + 20000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before answering /healthz\n` +
        scanLog(logFile).text);
    }
    try {
      const r = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      throw new Error(`/healthz did not answer 200 within 20 s\n${scanLog(logFile).text}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startServer(tmp) {
  const db = `sqlite:${path.join(tmp, 'demo.db')}`;
  const data = path.join(tmp, 'data');
  const demo = spawnSync(bin, ['demo', '--db', db, '--data', data, '--no-serve'], {
    cwd: tmp, encoding: 'utf8', timeout: 120000,
  });
  if (demo.status !== 0) {
    throw new Error(`shuniu demo failed (${demo.status ?? demo.error}):\n${demo.stdout}${demo.stderr}`);
  }
  let parsed;
  try { parsed = parseDemo(demo.stdout); } catch (e) {
    throw new Error(`${e.message}\n--- stdout of shuniu demo:\n${demo.stdout}`);
  }
  const port = await freePort();
  const logFile = path.join(tmp, 'server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(bin, ['serve', '--db', db, '--data', data,
    '--listen', `127.0.0.1:${port}`, '--test-clock'], {
    cwd: tmp, stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const baseURL = `http://127.0.0.1:${port}`;
  await waitHealthy(baseURL, child, logFile);
  return { child, baseURL, logFile, demo: parsed };
}

// SIGTERM, wait up to 10 s; returns a failure message or null.
async function stopServer(srv) {
  const { child } = srv;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = new Promise((r) => setTimeout(() => r('timeout'), 10000));
    if (await Promise.race([exited, timer]) === 'timeout') {
      child.kill('SIGKILL');
      await exited;
      return 'the server did not stop within 10 s of SIGTERM';
    }
  }
  const { bad } = scanLog(srv.logFile);
  if (child.exitCode !== 0) return `the server ended with ${child.exitCode ?? child.signalCode} after SIGTERM (want exit 0)`;
  if (bad) return 'sanitizer report in the server log';
  return null;
}

function safeName(s) {
  return s.replace(/[^\p{L}\p{N}_.-]+/gu, '-').replace(/^-+|-+$/g, '');
}

async function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  try { return await Promise.race([promise, t]); } finally { clearTimeout(timer); }
}

async function runOne(browser, srv, file, name, fn) {
  const contexts = [];
  const pageErrors = [];
  const newContext = async (opts = {}) => {
    const ctx = await browser.newContext({
      baseURL: srv.baseURL, viewport: { width: 1366, height: 768 },
      locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...opts,
    });
    ctx.setDefaultTimeout(10000);
    ctx.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
    contexts.push(ctx);
    return ctx;
  };
  const context = await newContext();
  const page = await context.newPage();
  const t = {
    page, context, newContext, baseURL: srv.baseURL, demo: srv.demo, assert,
    async screenshot(shot, p = page) {
      fs.mkdirSync(resultsDir, { recursive: true });
      const f = path.join(resultsDir, `${safeName(shot)}.png`);
      await p.screenshot({ path: f, fullPage: true });
      return f;
    },
    async signIn(p, login, password) {
      await p.goto('/login');
      await p.fill('input[name="login"]', login);
      await p.fill('input[name="password"]', password);
      const button = p.locator('form:has(input[name="password"]) button:not([type="button"]), ' +
        'form:has(input[name="password"]) input[type="submit"]').first();
      const posted = p.waitForResponse((r) => r.request().method() === 'POST', { timeout: 15000 });
      if (await button.count()) await button.click();
      else await p.press('input[name="password"]', 'Enter');
      await posted;
      await p.waitForLoadState('load');
    },
  };
  let error = null;
  try {
    await withTimeout(fn(t), testTimeout, name);
    if (pageErrors.length) throw new Error(`uncaught errors in the page:\n  ${pageErrors.join('\n  ')}`);
  } catch (e) {
    error = e;
  }
  if (error) {
    fs.mkdirSync(resultsDir, { recursive: true });
    let n = 0;
    for (const ctx of contexts) {
      for (const p of ctx.pages()) {
        const f = path.join(resultsDir, `${safeName(`${file}--${name}`)}-${++n}.png`);
        try {
          await p.screenshot({ path: f, fullPage: true });
          log(`  screenshot: ${path.relative(top, f)} (${p.url()})`);
        } catch { /* page gone */ }
      }
    }
  }
  for (const ctx of contexts) await ctx.close().catch(() => {});
  return error;
}

async function main() {
  const filters = process.argv.slice(2);
  const files = fs.readdirSync(path.join(here, 'tests'))
    .filter((f) => f.endsWith('.mjs'))
    .filter((f) => !filters.length || filters.some((x) => f.includes(x)))
    .sort();
  if (!fs.existsSync(bin)) {
    console.error(`e2e: ${bin} does not exist (set SHUNIU_BIN)`);
    return 1;
  }
  fs.rmSync(resultsDir, { recursive: true, force: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'shuniu-e2e-'));
  let srv = null;
  let browser = null;
  let passed = 0;
  const failed = [];
  const started = Date.now();
  try {
    srv = await startServer(tmp);
    log(`e2e: server ${srv.baseURL} (${bin}), demo users: ${srv.demo.users.map((u) => u.login).join(' ')}`);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', headless: true, args: chromiumArgs,
    });
    for (const file of files) {
      const mod = await import(pathToFileURL(path.join(here, 'tests', file)).href);
      const base = file.replace(/\.mjs$/, '');
      const list = typeof mod.default === 'function'
        ? [[base, mod.default]]
        : Object.entries(mod.tests || {}).map(([n, fn]) => [`${base}: ${n}`, fn]);
      if (!list.length) {
        failed.push(`${file}: exports no tests`);
        log(`FAIL ${file}: exports no tests`);
      }
      for (const [name, fn] of list) {
        const t0 = Date.now();
        const err = await runOne(browser, srv, base, name, fn);
        const ms = Date.now() - t0;
        if (err) {
          failed.push(name);
          log(`FAIL ${name} (${ms} ms)\n  ${String(err.stack || err).split('\n').join('\n  ')}`);
        } else {
          passed++;
          log(`PASS ${name} (${ms} ms)`);
        }
      }
    }
  } catch (e) {
    failed.push('harness');
    log(`FAIL harness\n  ${String(e.stack || e).split('\n').join('\n  ')}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (srv) {
      const msg = await stopServer(srv);
      if (msg) {
        failed.push('server');
        log(`FAIL server: ${msg}\n---- server log\n${scanLog(srv.logFile).text}---- end of server log`);
      }
    }
    if (process.env.SHUNIU_E2E_KEEP === '1') log(`e2e: kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  log(`e2e: ${passed} passed, ${failed.length} failed (${secs} s)` +
    (failed.length ? ` -- failed: ${failed.join('; ')}` : ''));
  return failed.length ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
