// supervision.mjs - issue 4's walk through 督查督办 in a browser: a 督查科
// clerk registers a leader's instruction and assigns it to 市交通运输局; the
// bureau's handler signs for it, reports progress and asks to close it; the
// clerk reviews and closes it, and the item shows 办结.

const TITLE = `关于城区道路破损修复的批示（浏览器测试${Date.now() % 100000}）`;

// Presses an action of the case page: a direct button, or a link to a form
// that is filled by `fill` and submitted.  Answers confirm dialogs.
async function act(t, page, label, fill) {
  const bar = page.locator('.case-actions');
  await bar.getByText(label, { exact: true }).first().click();
  if (new URL(page.url()).pathname.includes('/do/')) {
    if (fill) await fill(page);
    await page.locator('form .actions button[type="submit"]').first().click();
  }
  await page.waitForURL(/\/cases\/\d+(\?.*)?$/);
}

async function openCase(page, id) {
  await page.goto(`/cases/${id}`);
  await page.getByRole('heading', { name: TITLE }).first().waitFor();
}

export const tests = {
  'a clerk registers and assigns, the bureau handles, the clerk closes': async (t) => {
    const { page, assert } = t;
    page.on('dialog', (d) => d.accept());
    const clerk = t.demo.users.find((u) => u.login === 'dck1');
    const handler = t.demo.users.find((u) => u.login === 'jtj_cb');
    assert.ok(clerk && handler, 'demo users dck1 (督查科) and jtj_cb (市交通运输局) exist');

    // 1. register (立项)
    await t.signIn(page, clerk.login, t.demo.password);
    await page.goto('/m/supervision/new');
    await page.fill('#f-title', TITLE);
    await page.fill('#f-requirement', '请市交通运输局于两周内完成城区主干道破损路面修复，并报送进展。');
    await page.selectOption('#f-source', 'instruction');
    await page.fill('#f-source_ref', '市长批示（2026年11月20日）');
    await page.selectOption('#f-lead_unit', 'jtj');
    await page.fill('#f-supervising_leader', 'fushizhang1');
    await page.selectOption('#f-limit_class', 'normal');
    await page.locator('form .actions button[type="submit"]').first().click();
    await page.waitForURL(/\/cases\/\d+/);
    const id = new URL(page.url()).pathname.split('/')[2];
    await page.getByText('立项').first().waitFor();
    await t.screenshot('supervision-registered');

    // 2. assign (交办): the sign-for clock starts
    await act(t, page, '交办');
    await page.getByText('待签收').first().waitFor();

    // 3. the bureau signs for it, reports progress, asks to close
    const ctx2 = await t.newContext();
    const p2 = await ctx2.newPage();
    p2.on('dialog', (d) => d.accept());
    await t.signIn(p2, handler.login, t.demo.password);
    // it waits in the handler's 我的待办
    await p2.getByText(TITLE).first().waitFor();
    await openCase(p2, id);
    await act(t, p2, '签收');
    await p2.getByText('办理中').first().waitFor();
    await act(t, p2, '报送进展', async (f) => {
      await f.fill('#f-progress', '60');
      await f.fill('#f-progress_note', '已完成主干道12处破损路面修复，其余路段正在施工。');
    });
    await p2.getByText('已完成主干道12处破损路面修复').first().waitFor();
    await act(t, p2, '申请办结', async (f) => {
      await f.fill('#f-result', '城区主干道破损路面已全部修复，并建立巡查制度。');
    });
    await p2.getByText('申请办结').first().waitFor();
    await t.screenshot('supervision-completion-requested', p2);

    // 4. the clerk reviews and closes it
    await openCase(page, id);
    await act(t, page, '办结', async (f) => {
      const c = f.locator('#f-comment');
      if (await c.count()) await c.fill('经核查，已按要求完成。');
    });
    const status = await page.locator('body').innerText();
    assert.ok(/办结/.test(status), 'the item shows 办结');
    assert.ok(!/办理中/.test(await page.locator('.case-status, .status, header').first().innerText()),
      'the status line no longer says 办理中');
    // the timeline keeps every step, like a paper 处理笺
    for (const step of ['交办', '签收', '报送进展', '申请办结', '办结']) {
      assert.ok(status.includes(step), `the timeline shows ${step}`);
    }
    await t.screenshot('supervision-done');

    // the module's own pages are in the navigation: the ledger (台账)
    await page.locator('nav').getByRole('link', { name: '督办台账' }).first().click();
    await page.waitForURL(/\/supervision\/ledger/);
    assert.ok(/台账/.test(await page.locator('main, body').first().innerText()),
      'the ledger page shows 台账');
    await page.locator('nav').getByRole('link', { name: '督办统计' }).first().click();
    await page.waitForURL(/\/supervision\/stats/);
    assert.ok(await page.locator('svg').count() > 0, 'the figures page draws an SVG chart');
    await t.screenshot('supervision-stats');
  },
};
