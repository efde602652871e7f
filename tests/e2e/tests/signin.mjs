// signin.mjs - a demo person signs in through the /login form and lands on
// the home page (我的待办, their name); a wrong password keeps them on the
// login page with a Chinese message.  Also saves desktop and phone
// screenshots of the login and home pages for humans (test-results/).

function someone(demo) {
  for (const role of ['clerk', 'staff', 'leader']) {
    const u = demo.users.find((x) => x.roles.includes(role));
    if (u) return u;
  }
  return demo.users[0];
}

export const tests = {
  'signs in and sees 我的待办': async (t) => {
    const { page, assert } = t;
    const user = someone(t.demo);
    await page.goto('/login');
    await t.screenshot('login-1366x768');
    await t.signIn(page, user.login, t.demo.password);
    assert.equal(new URL(page.url()).pathname, '/', `after sign-in the page is ${page.url()}`);
    await page.getByText('我的待办').first().waitFor();
    await page.getByText(user.name).first().waitFor();
    await t.screenshot('home-1366x768');

    // the same person on a phone (a separate context: its own sign-in)
    const phone = await t.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 2,
      isMobile: true, hasTouch: true,
    });
    const p2 = await phone.newPage();
    await p2.goto('/login');
    await t.screenshot('login-390x844', p2);
    await t.signIn(p2, user.login, t.demo.password);
    await p2.getByText('我的待办').first().waitFor();
    await t.screenshot('home-390x844', p2);
  },

  'a wrong password shows a Chinese message': async (t) => {
    const { page, assert } = t;
    const user = someone(t.demo);
    await t.signIn(page, user.login, `${t.demo.password}-wrong`);
    assert.equal(new URL(page.url()).pathname, '/login',
      `a wrong password should stay on /login, not ${page.url()}`);
    assert.equal(await page.getByText('我的待办').count(), 0, 'signed in with a wrong password');
    // the message: visible text with Chinese characters beyond the form's own labels
    const before = await (await t.newContext()).newPage();
    await before.goto('/login');
    const plain = new Set((await before.locator('body').innerText()).split('\n').map((l) => l.trim()));
    const after = (await page.locator('body').innerText()).split('\n').map((l) => l.trim());
    const added = after.filter((l) => l && !plain.has(l) && /\p{Script=Han}/u.test(l));
    assert.ok(added.length > 0,
      `no Chinese error message on the login page after a wrong password; page text:\n${after.join('\n')}`);
    assert.ok(added.some((l) => /密码|登录名|不正确|不对|错误/.test(l)),
      `the message does not mention the password or login: ${added.join(' / ')}`);
    // the password field comes back empty; the login is kept
    assert.equal(await page.inputValue('input[name="password"]'), '');
    await t.screenshot('login-wrong-password-1366x768');
  },
};
