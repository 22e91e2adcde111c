import { chromium } from '@playwright/test';
const base = process.env.BASE;
const out = '/tmp/shots';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
async function as(email) {
  const ctx = await browser.newContext({ baseURL: base });
  const p = await ctx.newPage();
  if (email) {
    await p.goto('/connexion');
    await p.fill('#field-email', email);
    await p.getByLabel('Mot de passe', { exact: true }).fill('demo-password-2026');
    await p.click('form.auth-form button[type=submit]');
    await p.waitForURL(/compte/);
  }
  return p;
}
async function shot(p, url, name) {
  await p.goto(url);
  for (const w of [360, 1280]) {
    await p.setViewportSize({ width: w, height: 900 });
    await p.screenshot({ path: `${out}/${name}-${w}.png`, fullPage: true });
  }
}
const spec = JSON.parse(process.env.SHOTS);
for (const [who, url, name] of spec) {
  const p = await as(who);
  await shot(p, url, name);
  await p.context().close();
}
await browser.close();
