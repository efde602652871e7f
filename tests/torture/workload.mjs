// workload.mjs - concurrent writers against a running shuniu, every write
// recorded with its outcome, and the verifier that checks a database
// (after a crash, or a restored backup) against that record.
//
// The writers (Workload.run, WORKERS async loops until stop()):
//   create   督查科 registers supervised items (numbered at creation,
//            督〔year〕n号); now and then a bad one (unknown 来源: a 400)
//   chase    交办 / 签收 / 报送进展 / 催办 on items; now and then a
//            transition from the wrong state (a 409)
//   upload   attachments of random bytes (multipart); now and then an
//            empty file (a 400)
//   number   outgoing documents driven 拟稿 -> ... -> 登记, which takes the
//            gapless 发文字号 (TR_NUMBER)
// Every write carries a tag "T<n>Z" (in the title, the comment, the
// progress note or the file name) that the audit record and the data both
// show, so the verifier can tell for each write whether it is there.
//
// An op: {tag, kind, caseId, status, sent, answered, sha?, number?}.
// status 2xx: acknowledged; 4xx/5xx: failed; 0: no answer (the server died
// while it ran).  The verifier's rule for an op is given by the caller
// (expect(op) -> 'present' | 'absent' | 'either'); whatever the rule, a
// write that is there must be whole: its audit record and its data both,
// each case's timeline matching its audit records one for one, its state
// the one its last audit record says, every attachment's bytes the ones
// sent, and the numbers of each series 1..N without a gap or a repeat.
import { Client, allPages, pick, randomBytes, randomInt, sha256, sleep } from './lib.mjs';

const WORKERS = { create: 2, chase: 2, upload: 2, number: 2 };
const BAD_ONE_IN = 10;            // one write in ten is meant to fail
const UPLOAD_MIN = 1024;
const UPLOAD_MAX = 256 * 1024;
const ERROR_PAUSE_MS = 100;       // after a 5xx (database away), breathe
const LIST_PAGE = 500;            // the case list's largest page
const AUDIT_PAGE = 1000;          // the audit list's largest page
const CHECKLIST = ['type', 'relation', 'format', 'legal', 'wording', 'marks', 'countersign'];
const DOC_PREFIX = '市政办发';

// The 发文 flow up to 登记: [state, who, transition, body].
const DOC_STEPS = {
  draft: ['ms_ng', 'submit', () => ({})],
  check: ['ms_ld', 'check_pass', () => ({})],
  review: ['bg', 'review_pass', () => ({ fields: { checklist: CHECKLIST } })],
  sign: ['fsz', 'sign', () => ({})],
  recheck: ['bg', 'recheck_pass', () => ({})],
  register: ['bg', 'register', () => ({ fields: { prefix: DOC_PREFIX } })],
};

const TAG_RE = /T\d+Z/g;
const isAck = (op) => op.status >= 200 && op.status < 300;
const isFailed = (op) => op.status >= 400;
const isRefused = (op) => op.status >= 400 && op.status < 500;

export class Workload {
  constructor(srv, logins) {
    this.srv = srv;
    this.logins = logins;
    this.clients = {};
    this.ops = [];
    this.seq = 0;
    this.cases = new Map(); // id -> {module, state, busy, stale}
    this.stopped = false;
    this.errors = [];
  }

  async signIn() {
    for (const l of this.logins) this.clients[l] = await new Client(this.srv, l).signIn();
  }

  tag() { return `T${++this.seq}Z`; }

  // Sends one write and records it.
  async write(op, who, method, urlPath, body) {
    op.sent = Date.now();
    this.ops.push(op);
    const r = await this.clients[who].call(method, urlPath, body);
    op.answered = Date.now();
    op.status = r.status;
    if (r.status >= 500) await sleep(ERROR_PAUSE_MS);
    return r;
  }

  // Runs the writers until stop() or until the server stops answering
  // (each writer ends at its first unanswered request).
  async run() {
    this.stopped = false;
    const loops = [];
    for (const [kind, n] of Object.entries(WORKERS)) {
      for (let i = 0; i < n; i++) loops.push(this.loop(kind));
    }
    await Promise.all(loops);
  }

  stop() { this.stopped = true; }

  // A writer; a bug of ours (an exception) stops it and is kept in errors.
  async loop(kind) {
    try {
      while (!this.stopped) {
        const answered = await this[kind]();
        if (!answered) return;
      }
    } catch (err) {
      this.errors.push(`${kind}: ${err.stack || err}`);
    }
  }

  // Picks a case of module that no writer holds; null if none.
  takeCase(module, want = () => true) {
    const free = [];
    for (const [id, c] of this.cases) {
      if (c.module === module && !c.busy && !c.stale && want(c)) free.push(id);
    }
    if (free.length === 0) return null;
    const id = pick(free);
    this.cases.get(id).busy = true;
    return id;
  }

  release(id, r) {
    const c = this.cases.get(id);
    c.busy = false;
    // no answer, or a 5xx (done or not?): its state is unknown until resync
    if (r.status === 0 || r.status >= 500) c.stale = true;
    else if (r.status < 300 && r.json && r.json.state) c.state = r.json.state;
  }

  async create() {
    const tag = this.tag();
    const bad = randomInt(1, BAD_ONE_IN) === 1;
    const fields = { title: `督办事项${tag}`, limit_class: 'normal' };
    if (bad) fields.source = 'no_such_source';
    const op = { tag, kind: bad ? 'bad_create' : 'create', module: 'supervision' };
    const r = await this.write(op, 'dc', 'POST', '/api/v1/cases',
      { module: 'supervision', fields, comment: tag });
    if (isAck(op)) {
      op.caseId = r.json.id;
      op.number = r.json.number;
      this.cases.set(op.caseId, { module: 'supervision', state: r.json.state });
    }
    return r.status !== 0;
  }

  async chase() {
    const id = this.takeCase('supervision');
    if (id === null) {
      await sleep(20);
      return true;
    }
    const state = this.cases.get(id).state;
    const tag = this.tag();
    let who = 'dc', code, body = { comment: tag };
    if (randomInt(1, BAD_ONE_IN) === 1) {
      code = state === 'registered' ? 'accept' : 'assign'; // from the wrong state
      who = state === 'registered' ? 'jtj_cb' : 'dc';
      if (code === 'assign') body.fields = { lead_unit: 'jtj' };
    } else if (state === 'registered') {
      code = 'assign';
      body.fields = { lead_unit: 'jtj' };
    } else if (state === 'assigned') {
      [who, code] = pick([['jtj_cb', 'accept'], ['dc', 'urge']]);
    } else {
      [who, code] = pick([['jtj_cb', 'report'], ['dc', 'urge']]);
      if (code === 'report') body = { fields: { progress: randomInt(1, 99), progress_note: tag } };
    }
    const bad = (code === 'accept' && state !== 'assigned') ||
      (code === 'assign' && state !== 'registered');
    const op = { tag, kind: bad ? 'bad_fire' : 'fire', module: 'supervision', caseId: id, code };
    const r = await this.write(op, who, 'POST', `/api/v1/cases/${id}/transitions/${code}`, body);
    this.release(id, r);
    return r.status !== 0;
  }

  async upload() {
    const id = this.takeCase('supervision');
    if (id === null) {
      await sleep(20);
      return true;
    }
    const tag = this.tag();
    const bad = randomInt(1, BAD_ONE_IN) === 1;
    const bytes = bad ? Buffer.alloc(0) : randomBytes(randomInt(UPLOAD_MIN, UPLOAD_MAX));
    const name = `附件${tag}.bin`;
    const form = new FormData();
    form.append('file', new Blob([bytes]), name);
    const op = { tag, kind: bad ? 'bad_upload' : 'upload', module: 'supervision', caseId: id,
      name, sha: sha256(bytes), size: bytes.length };
    const r = await this.write(op, 'dc', 'POST', `/api/v1/cases/${id}/files`, form);
    const c = this.cases.get(id);
    c.busy = false;
    if (r.status === 0 || r.status >= 500) c.stale = true;
    return r.status !== 0;
  }

  // One step of the oldest document on its way to 登记, or a new draft.
  async number() {
    const id = this.takeCase('doc_out', (c) => c.state in DOC_STEPS);
    if (id === null || randomInt(1, 4) === 1) {
      if (id !== null) this.cases.get(id).busy = false;
      const tag = this.tag();
      const op = { tag, kind: 'create', module: 'doc_out' };
      const r = await this.write(op, 'ms_ng', 'POST', '/api/v1/cases', {
        module: 'doc_out', comment: tag,
        fields: { title: `关于${tag}的函`, doc_type: '函', issuer: 'office',
          body: '函文正文。', signer: 'fsz' },
      });
      if (isAck(op)) {
        op.caseId = r.json.id;
        this.cases.set(op.caseId, { module: 'doc_out', state: r.json.state });
      }
      return r.status !== 0;
    }
    const [who, code, body] = DOC_STEPS[this.cases.get(id).state];
    const tag = this.tag();
    const op = { tag, kind: 'fire', module: 'doc_out', caseId: id, code };
    const r = await this.write(op, who, 'POST', `/api/v1/cases/${id}/transitions/${code}`,
      { ...body(), comment: tag });
    if (isAck(op) && code === 'register') op.number = r.json.number;
    this.release(id, r);
    return r.status !== 0;
  }

  // After a restart: every case's state as the server has it, stale ones
  // usable again; a case created without an answer joins if it is there.
  resync(seen) {
    for (const c of seen.cases.values()) {
      const mine = this.cases.get(c.id);
      if (mine) {
        mine.state = c.state;
        mine.stale = false;
        mine.busy = false;
      } else {
        this.cases.set(c.id, { module: c.module, state: c.state });
      }
    }
  }
}

// ---- the verifier -------------------------------------------------------

// What the database holds, read through the API: every audit record, every
// case (listed by the person whose unit owns the module's cases), and the
// detail of the cases asked for.
export async function snapshot(clients, { detailOf = () => true } = {}) {
  const audit = await allPages(async (off) => {
    const r = await clients.auditor.call('GET', `/api/v1/audit?limit=${AUDIT_PAGE}&offset=${off}`);
    if (r.status !== 200) throw new Error(`audit list: ${r.status} ${r.text.slice(0, 200)}`);
    return r.json.items;
  }, AUDIT_PAGE);
  const cases = new Map();
  for (const [module, who] of [['supervision', 'dc'], ['doc_out', 'ms_ng']]) {
    const items = await allPages(async (off) => {
      const page = off / LIST_PAGE + 1;
      const r = await clients[who].call('GET',
        `/api/v1/cases?module=${module}&per_page=${LIST_PAGE}&page=${page}`);
      if (r.status !== 200) throw new Error(`case list: ${r.status} ${r.text.slice(0, 200)}`);
      return r.json.items;
    }, LIST_PAGE);
    for (const it of items) cases.set(it.id, { ...it, owner: who });
  }
  const detail = new Map();
  for (const c of cases.values()) {
    if (!detailOf(c)) continue;
    const r = await clients[c.owner].call('GET', `/api/v1/cases/${c.id}`);
    if (r.status !== 200) throw new Error(`case ${c.id}: ${r.status} ${r.text.slice(0, 200)}`);
    detail.set(c.id, r.json);
  }
  return { audit, cases, detail };
}

// The tag a good audit record carries for its write, or null.
function auditTag(rec) {
  const d = rec.detail || {};
  let s = '';
  if (rec.action.startsWith('case.')) s = `${d.comment || ''} ${(d.after && d.after.progress_note) || ''}`;
  else if (rec.action === 'file.upload') s = d.name || '';
  const m = s.match(TAG_RE);
  return m ? m[0] : null;
}

// The series number n of "督〔2026〕12号" / "市政办发〔2026〕12号".
function seriesOf(number) {
  const m = /^(.*〔\d{4}〕)(\d+)号$/.exec(number || '');
  return m ? { series: m[1], n: Number(m[2]) } : null;
}

// Checks snap against ops; returns {checked, losses, phantoms, broken,
// problems[]} where checked counts the acknowledged writes found whole.
export async function verify(snap, ops, expect, clients) {
  const res = { checked: 0, losses: 0, phantoms: 0, broken: 0, problems: [] };
  const problem = (what, n = 'broken') => {
    res[n]++;
    if (res.problems.length < 30) res.problems.push(what);
  };
  const bySeq = [...snap.audit].sort((a, b) => a.seq - b.seq);
  bySeq.forEach((rec, i) => {
    if (rec.seq !== i + 1) problem(`audit: record ${i + 1} missing (seq ${rec.seq} found there)`);
  });
  // audit side, per tag and per case
  const tagAudit = new Map();
  const caseAudit = new Map(); // id -> {counts: Map code->n, files: [], last}
  const perCase = (id) => {
    if (!caseAudit.has(id)) caseAudit.set(id, { counts: new Map(), files: [], last: null });
    return caseAudit.get(id);
  };
  for (const rec of bySeq) {
    if (rec.result !== 'ok') continue;
    const tag = auditTag(rec);
    if (tag) tagAudit.set(tag, rec);
    if (rec.target_type === 'case' && rec.action.startsWith('case.')) {
      const pc = perCase(Number(rec.target));
      const code = rec.action.split('.').pop();
      pc.counts.set(code, (pc.counts.get(code) || 0) + 1);
      pc.last = rec;
    } else if (rec.action === 'file.upload') {
      perCase(Number(rec.detail.case_id)).files.push(rec.detail);
    }
  }
  // data side, per tag
  const tagData = new Map();
  for (const c of snap.cases.values()) {
    for (const t of (c.title || '').match(TAG_RE) || []) tagData.set(t, { caseId: c.id });
  }
  for (const [id, d] of snap.detail) {
    for (const ev of d.timeline) {
      for (const t of (ev.text || '').match(TAG_RE) || []) {
        if (ev.kind !== 'file' && ev.kind !== 'create') tagData.set(t, { caseId: id, event: ev });
      }
    }
    for (const f of d.files) {
      for (const t of (f.name || '').match(TAG_RE) || []) tagData.set(t, { caseId: id, file: f });
    }
    checkCase(id, snap.cases.get(id), d, caseAudit.get(id), problem);
  }
  checkNumbers(snap.cases, problem);
  // op by op
  for (const op of ops) {
    const rule = expect(op);
    const inAudit = tagAudit.has(op.tag);
    const inData = dataHas(op, inAudit, snap, tagData);
    const there = inAudit || inData;
    if (inAudit !== inData) {
      problem(`${op.tag} ${op.kind} ${op.code || ''} case ${op.caseId}: half there ` +
        `(audit record ${inAudit}, data ${inData}; answered ${op.status})`);
      continue;
    }
    if (rule === 'present') {
      if (!there) {
        problem(`${op.tag} ${op.kind} ${op.code || ''} case ${op.caseId}: acknowledged (${op.status}) but lost`, 'losses');
        continue;
      }
      if (await checkOp(op, snap, tagData, clients, problem)) res.checked++;
    } else if (rule === 'absent') {
      if (there) problem(`${op.tag} ${op.kind} ${op.code || ''}: answered ${op.status} but present`, 'phantoms');
    } else if (there && op.sha && snap.detail.has(op.caseId)) {
      await checkOp(op, snap, tagData, clients, problem);
    }
  }
  return res;
}

// Whether the op's data is there: the case titled with its tag, the
// timeline entry with its comment, the file named with it.  Where the
// data cannot show it (a report's entry has no text, a case whose detail
// was not read), the audit record's answer stands, tied to the data by
// checkCase's one-for-one counts.
function dataHas(op, inAudit, snap, tagData) {
  if (op.kind.includes('create')) return tagData.has(op.tag);
  if (op.code === 'report' || !snap.detail.has(op.caseId)) return inAudit;
  return tagData.has(op.tag);
}

// The op's own data: the case it created, the number it was told, the
// bytes it uploaded.  true when all is as acknowledged.
async function checkOp(op, snap, tagData, clients, problem) {
  const got = tagData.get(op.tag);
  if (op.kind === 'create' && got && op.caseId && got.caseId !== op.caseId) {
    problem(`${op.tag}: created as case ${op.caseId} but found as ${got.caseId}`);
    return false;
  }
  if (op.number) {
    const c = snap.cases.get(op.caseId);
    if (!c || c.number !== op.number) {
      problem(`${op.tag}: told number ${op.number}, case ${op.caseId} has ${c && c.number}`);
      return false;
    }
  }
  if (op.sha && got && got.file) {
    const r = await clients.dc.call('GET', got.file.url, undefined, { raw: true });
    if (r.status !== 200 || sha256(r.bytes) !== op.sha || r.bytes.length !== op.size) {
      problem(`${op.tag}: attachment ${got.file.id} download ${r.status}, bytes differ from those sent`);
      return false;
    }
  }
  return true;
}

// One case whole: its timeline one for one with its audit records, its
// files with their upload records, its state the last record's, a number.
function checkCase(id, c, d, pa, problem) {
  pa = pa || { counts: new Map(), files: [], last: null };
  const events = new Map();
  let fileEvents = 0;
  for (const ev of d.timeline) {
    if (ev.kind === 'file') fileEvents++;
    else if (ev.kind === 'create') events.set('create', (events.get('create') || 0) + 1);
    else if (ev.transition) events.set(ev.transition, (events.get(ev.transition) || 0) + 1);
  }
  const codes = new Set([...events.keys(), ...pa.counts.keys()]);
  for (const code of codes) {
    if ((events.get(code) || 0) !== (pa.counts.get(code) || 0)) {
      problem(`case ${id}: ${events.get(code) || 0} timeline entries for ${code}, ` +
        `${pa.counts.get(code) || 0} audit records`);
    }
  }
  if (events.get('create') !== 1) problem(`case ${id}: no creation entry in its timeline`);
  if (!(d.files.length === pa.files.length && d.files.length === fileEvents)) {
    problem(`case ${id}: ${d.files.length} files, ${fileEvents} timeline entries, ` +
      `${pa.files.length} upload records`);
  }
  const names = new Set(pa.files.map((f) => `${f.name}/${f.size}`));
  for (const f of d.files) {
    if (!names.has(`${f.name}/${f.size}`)) problem(`case ${id}: file ${f.name} has no upload record`);
  }
  const last = pa.last && pa.last.detail && pa.last.detail.after && pa.last.detail.after.state;
  if (last && last !== d.state) problem(`case ${id}: state ${d.state}, last audit record says ${last}`);
  const numbered = c.module === 'supervision' || (pa.counts.get('register') || 0) > 0;
  if (numbered !== Boolean(c.number)) problem(`case ${id} (${c.module}): number "${c.number}"`);
}

// Every series 1..N, no gap, no repeat.
function checkNumbers(cases, problem) {
  const series = new Map();
  for (const c of cases.values()) {
    if (!c.number) continue;
    const s = seriesOf(c.number);
    if (!s) {
      problem(`case ${c.id}: number ${c.number} not of a series`);
      continue;
    }
    if (!series.has(s.series)) series.set(s.series, []);
    series.get(s.series).push(s.n);
  }
  for (const [name, ns] of series) {
    ns.sort((a, b) => a - b);
    ns.forEach((n, i) => {
      if (n !== i + 1) problem(`numbers ${name}: ${i + 1} expected, ${n} found (gap or repeat)`);
    });
  }
  return series;
}

export function numberCounts(cases) {
  let n = 0;
  for (const c of cases.values()) if (c.number) n++;
  return n;
}

export const outcome = { isAck, isFailed, isRefused };

// The rule after a crash: acknowledged there, refused (4xx) absent;
// unanswered, or a 5xx (the database went away: the commit may have
// happened without its answer), either way -- but whole.
export function crashRule(op) {
  if (isAck(op)) return 'present';
  if (isRefused(op)) return 'absent';
  return 'either';
}
