// doc_out.mjs - issue 5's walk through 发文 in a browser: a 市交通运输局
// staff member drafts a 通知 in the name of the general office (部门代拟);
// the bureau's head checks it (核稿); an office clerk reviews it against the
// checklist (审核); the leader named as 签发人 signs it (签发); the clerk
// rechecks, registers (发文字号 市政办发〔year〕n号), prints and issues it
// (核发).  The receiving unit finds the incoming document in its 待办 and
// signs for it (签收); the sender's 回执 then shows it signed with a time;
// the PDF linked from the document's page is a real GB/T 9704 PDF.
//
// Everyone works in their own browser context, through the pages only.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TAG = Date.now() % 100000;
const TITLE = `关于做好冬季道路交通安全工作的通知（浏览器测试${TAG}）`;
const BODY = [
  '各区人民政府办公室：',
  '为做好今冬明春道路交通安全工作，现将有关事项通知如下。',
  '一、加强隐患排查',
  '各地要对辖区内急弯陡坡、临水临崖路段开展一次全面排查。',
  '二、做好应急准备',
  '各地要储备融雪物资，遇雨雪冰冻天气及时处置。',
].join('\n');
const MAIN_TO = ['qsqb', 'ljqb']; // 青山区、临江区人民政府办公室
const RECEIVER_UNIT = '青山区人民政府办公室';
const OTHER_UNIT = '临江区人民政府办公室';
const PREFIX = '市政办发'; // the office's 代字 (doc_out.c: prefix〔{year}〕{n}号)
const PDF_MIN_BYTES = 4096;

// The people of the walk (kernel/demo.c); the printed demo list does not
// show every one of them, and all share the demo password.
const PEOPLE = {
  drafter: 'jtj_cb', // 蒋丽, 市交通运输局 staff
  checker: 'jtj_ld', // 苏永刚, its head (leader)
  clerk: 'bgsfzr', // 黄立新, the general office's clerk
  signer: 'mishuzhang', // 杨文博, 秘书长 (leader)
  receiver: 'qsq_cb', // 钟玲, clerk of 青山区人民政府办公室
};

// The year of the server's clock in Beijing, as the number pattern uses it.
function beijingYear() {
  return new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' })
    .format(new Date());
}

// A person in a browser context of their own, signed in.
async function person(t, login) {
  const ctx = await t.newContext();
  const page = await ctx.newPage();
  page.on('dialog', (d) => d.accept());
  await t.signIn(page, login, t.demo.password);
  t.assert.ok(!new URL(page.url()).pathname.startsWith('/login'),
    `${login} signs in (still on ${page.url()})`);
  return { ctx, page };
}

async function openCase(page, id) {
  await page.goto(`/cases/${id}`);
  await page.getByRole('heading', { name: TITLE }).first().waitFor();
}

async function stateOf(page) {
  return (await page.locator('.status-line .state strong').first().innerText()).trim();
}

// The field errors of a form that came back instead of the case page.
async function formErrors(page) {
  const errs = await page.locator('.field-error, .flash').allInnerTexts();
  return errs.join('; ') || '(no message on the page)';
}

// Clicks and waits for the page that click leads to: a direct action posts
// and comes back to the same address, so the address alone cannot tell.
// 核发 renders the PDF for every receiving unit: slow on a busy machine
// under the sanitizers, hence the longer wait than the context's default.
const NAVIGATION_WAIT_MS = 30000;
async function clickThrough(page, locator) {
  const navigated = page.waitForEvent('framenavigated', {
    predicate: (f) => f === page.mainFrame(), timeout: NAVIGATION_WAIT_MS,
  });
  await locator.click();
  await navigated;
  await page.waitForLoadState('load');
}

// Presses an action of the case page: a direct button, or a link to a form
// that `fill` fills and that is then submitted; waits for the case page.
async function act(t, page, label, fill) {
  const bar = page.locator('.case-actions');
  const button = bar.getByText(label, { exact: true }).first();
  t.assert.ok(await button.count(), `the action ${label} is offered on ${page.url()}`);
  await clickThrough(page, button);
  if (new URL(page.url()).pathname.includes('/do/')) {
    if (fill) await fill(page);
    await clickThrough(page, page.locator('form .actions button[type="submit"]').first());
  }
  const at = new URL(page.url()).pathname;
  t.assert.ok(/^\/cases\/\d+$/.test(at), `${label} done (on ${at}: ${await formErrors(page)})`);
}

async function expectState(t, page, want) {
  t.assert.equal(await stateOf(page), want, `the document is now in ${want}`);
}

// What one test leaves for the next: the tests of this file run in order
// on one server, each step's people in contexts of their own.
const walk = { id: null, number: null };

function need(t, what) {
  t.assert.ok(walk[what], `the previous test of this file left the document's ${what}`);
  return walk[what];
}

export const tests = {
  '拟稿: a bureau staff member drafts the notice and sends it on': async (t) => {
    const { assert } = t;

    // 拟稿: the bureau's staff member drafts the notice and sends it on
    const drafter = await person(t, PEOPLE.drafter);
    const p = drafter.page;
    await p.goto('/m/doc_out/new');
    await p.fill('#f-title', TITLE);
    await p.selectOption('#f-doc_type', '通知');
    await p.selectOption('#f-issuer', 'office');
    await p.selectOption('#f-main_to', MAIN_TO);
    await p.fill('#f-body', BODY);
    await p.fill('#f-signer', PEOPLE.signer);
    await clickThrough(p, p.locator('form .actions button[type="submit"]').first());
    assert.ok(/^\/cases\/\d+$/.test(new URL(p.url()).pathname),
      `the draft is registered (${p.url()}: ${await formErrors(p)})`);
    const id = new URL(p.url()).pathname.split('/')[2];
    await expectState(t, p, '拟稿');
    const fields = await p.locator('.case-fields').innerText();
    assert.ok(fields.includes('一、加强隐患排查'), 'the body keeps its heading 一、');
    assert.ok(fields.includes(RECEIVER_UNIT) && fields.includes(OTHER_UNIT),
      'the 主送机关 are shown by name');
    assert.ok(fields.includes('杨文博'), 'the 签发人 is shown by name');
    await t.screenshot('doc_out-1-drafted', p);
    await act(t, p, '送核稿', async (f) => {
      await f.fill('#f-comment', '请审核。');
    });
    await expectState(t, p, '核稿');
    walk.id = id;
  },

  '核稿 by the bureau head, from their 待办': async (t) => {
    const id = need(t, 'id');

    // 核稿 by the bureau's head: it waits in their 待办
    const checker = await person(t, PEOPLE.checker);
    await checker.page.getByRole('link', { name: TITLE }).first().waitFor();
    await openCase(checker.page, id);
    await act(t, checker.page, '核稿通过', async (f) => {
      await f.fill('#f-comment', '同意，请办公室审核。');
    });
    await expectState(t, checker.page, '审核');
  },

  '审核 by the office clerk, ticking the checklist': async (t) => {
    const { assert } = t;
    const id = need(t, 'id');

    // 审核 by the office's clerk, ticking the checklist the form shows
    const clerk = await person(t, PEOPLE.clerk);
    await openCase(clerk.page, id);
    await act(t, clerk.page, '审核通过', async (f) => {
      const boxes = f.locator('input[type="checkbox"][name="checklist"]');
      const n = await boxes.count();
      assert.ok(n >= 5, `the review form shows the checklist (${n} items)`);
      const shown = await f.locator('fieldset.checks').innerText();
      for (const item of ['文种使用正确', '格式符合GB/T 9704-2012', '涉及部门已会签']) {
        assert.ok(shown.includes(item), `the checklist shows ${item}`);
      }
      for (let i = 0; i < n; i++) await boxes.nth(i).check();
      await f.fill('#f-comment', '经审核，符合要求。');
    });
    await expectState(t, clerk.page, '签发');
    await t.screenshot('doc_out-2-reviewed', clerk.page);
  },

  '签发 by the leader named as 签发人, with an opinion': async (t) => {
    const { assert } = t;
    const id = need(t, 'id');

    const signer = await person(t, PEOPLE.signer);
    await openCase(signer.page, id);
    await act(t, signer.page, '签发', async (f) => {
      await f.fill('#f-comment', '同意印发。');
    });
    await expectState(t, signer.page, '复核');
    assert.ok((await signer.page.locator('.timeline').innerText()).includes('同意印发。'),
      'the timeline keeps the 签发意见');
    await t.screenshot('doc_out-3-signed', signer.page);
  },

  '复核, 登记 takes the number, 印制, 核发': async (t) => {
    const { assert } = t;
    const id = need(t, 'id');
    const year = beijingYear();

    const clerk = await person(t, PEOPLE.clerk);
    const p = clerk.page;
    await openCase(p, id);
    await act(t, p, '复核通过');
    await expectState(t, p, '登记');
    await act(t, p, '登记编号', async (f) => {
      await f.fill('#f-prefix', PREFIX);
    });
    await expectState(t, p, '印制');
    const numberRe = new RegExp(`${PREFIX}〔${year}〕[1-9]\\d*号`);
    const head = await p.locator('.case-head').innerText();
    const number = (head.match(numberRe) || [])[0];
    assert.ok(number, `the page shows a number like ${PREFIX}〔${year}〕N号 (head: ${head})`);
    assert.ok((await p.locator('.case-fields').innerText()).includes(number),
      'the 发文字号 field holds the number');
    await t.screenshot('doc_out-4-registered', p);
    await act(t, p, '印制完成', async (f) => {
      await f.fill('#f-copies', '30');
    });
    await expectState(t, p, '核发');
    await act(t, p, '核发'); // asks to confirm: the dialog is accepted
    await expectState(t, p, '已核发');
    walk.number = number;
  },

  '回执: both 主送 units await 签收': async (t) => {
    const { assert } = t;
    const id = need(t, 'id');
    const number = need(t, 'number');

    // the sender's 回执: both 主送 units await 签收
    const clerk = await person(t, PEOPLE.clerk);
    const p = clerk.page;
    await openCase(p, id);
    await clickThrough(p, p.locator('.case-kind').getByRole('link', { name: '回执' }));
    assert.match(new URL(p.url()).pathname, /^\/doc_out\/\d+\/receipts$/, 'the 回执 page opens');
    const rows = await p.locator('main table tbody').innerText();
    for (const unit of [RECEIVER_UNIT, OTHER_UNIT]) {
      const row = rowOf(rows, unit);
      assert.ok(row.includes('未签收'), `the 回执 lists ${unit} as 未签收 (${row})`);
    }
    const before = await p.locator('main').innerText();
    assert.ok(before.includes('送达 2 个单位：已签收 0 个，未签收 2 个'),
      `the 回执 counts two units waiting (${before.split('\n').find((l) => l.includes('送达')) || before})`);
    await t.screenshot('doc_out-5-receipts-waiting', p);
  },

  'a receiving unit finds it in its 待办 and signs for it (签收)': async (t) => {
    const { assert } = t;
    need(t, 'id');
    const number = need(t, 'number');

    // the receiving unit finds it in its 待办, awaiting 签收, and signs for it
    const receiver = await person(t, PEOPLE.receiver);
    const rp = receiver.page;
    await rp.goto('/');
    const todo = rp.getByRole('link', { name: TITLE }).first();
    await todo.waitFor();
    await clickThrough(rp, todo);
    await rp.getByRole('heading', { name: TITLE }).first().waitFor();
    assert.ok((await rp.locator('.case-kind').innerText()).includes('收文'),
      'the receiver opens an incoming document (收文)');
    assert.equal(await stateOf(rp), '待签收', 'the incoming document awaits 签收');
    assert.ok((await rp.locator('.case-fields').innerText()).includes(number),
      'the incoming document carries the 发文字号');
    await act(t, rp, '签收', async (f) => {
      const c = f.locator('#f-comment');
      if (await c.count()) await c.fill('已签收。');
    });
    assert.notEqual(await stateOf(rp), '待签收', 'signed for: no longer 待签收');
    await t.screenshot('doc_out-6-signed-for', rp);
  },

  'the sender 回执 shows the unit signed, by whom and when': async (t) => {
    const { assert } = t;
    const id = need(t, 'id');
    const clerk = await person(t, PEOPLE.clerk);
    const p = clerk.page;
    await p.goto(`/doc_out/${id}/receipts`);
    const rows = await p.locator('main table tbody').innerText();
    const signed = rowOf(rows, RECEIVER_UNIT);
    assert.ok(signed.includes('已签收'), `the 回执 shows ${RECEIVER_UNIT} 已签收 (${signed})`);
    assert.ok(signed.includes('钟玲'), `the 回执 names who signed (${signed})`);
    assert.ok(/\d{1,2}:\d{2}/.test(signed), `the 回执 shows when (${signed})`);
    assert.ok(rowOf(rows, OTHER_UNIT).includes('未签收'), `${OTHER_UNIT} is still 未签收`);
    const after = await p.locator('main').innerText();
    assert.ok(after.includes('已签收 1 个，未签收 1 个'),
      `the 回执 counts one signed, one waiting (${after.split('\n').find((l) => l.includes('送达')) || after})`);
    await t.screenshot('doc_out-7-receipts-signed', p);
  },

  'the PDF opens from the document page (GB/T 9704)': async (t) => {
    const { assert } = t;
    const id = need(t, 'id');
    const number = need(t, 'number');

    // by the link on the document's page, in the clerk's session
    const clerk = await person(t, PEOPLE.clerk);
    const p = clerk.page;
    await openCase(p, id);
    const link = p.locator('.case-kind').getByRole('link', { name: /PDF/ }).first();
    assert.ok(await link.count(), 'the document page links to its PDF');
    const href = await link.getAttribute('href');
    const res = await clerk.ctx.request.get(href);
    assert.equal(res.status(), 200, `GET ${href} answers 200`);
    assert.match(res.headers()['content-type'] || '', /^application\/pdf/, 'content-type is PDF');
    const pdf = await res.body();
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'the body is a PDF');
    assert.ok(pdf.length > PDF_MIN_BYTES, `the PDF is ${pdf.length} bytes (more than ${PDF_MIN_BYTES})`);
    const text = pdfText(pdf);
    console.log(`  doc_out: ${number}, PDF ${pdf.length} bytes` +
      (text === null ? ' (no pdftotext: text not checked)' : `, ${text.length} characters of text`));
    if (text !== null) {
      const flat = text.replace(/\s+/g, '');
      assert.ok(flat.includes(number), `the PDF text holds the number ${number}`);
      assert.ok(flat.includes('关于做好冬季道路交通安全工作的通知'), 'the PDF text holds the title');
      assert.ok(flat.includes('一、加强隐患排查'), 'the PDF text holds the body\'s heading');
    }
  },
};

// The line of a table's text that names unit ('' when none).
function rowOf(rows, unit) {
  return rows.split('\n').find((l) => l.includes(unit)) || '';
}

// The text of a PDF by pdftotext (poppler-utils), or null without it.
function pdfText(pdf) {
  const which = spawnSync('sh', ['-c', 'command -v pdftotext'], { encoding: 'utf8' });
  if (which.status !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shuniu-pdf-'));
  try {
    const file = path.join(dir, 'doc.pdf');
    fs.writeFileSync(file, pdf);
    const r = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pdftotext failed: ${r.stderr}`);
    return r.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
