/**
 * The sandbox as a person uses it, in Debian's Chromium driven by playwright-core: type a command
 * (with completion), read the report, Re-run, Acknowledge, watch an alert arrive and recover.
 * Takes the screenshot in docs/sandbox.png (UPDATE_SCREENSHOT=1 npx jest test/sandbox/browser).
 * Skips, saying why, where there is no Chromium.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../bot/sandbox/server';
import { createLogger } from '../../bot/slack/log';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(`test/sandbox/browser.test.ts skipped: no Chromium at ${CHROMIUM} (install it with scripts/ci-deps.sh, or set CHROMIUM_PATH)`);
}
const describeInBrowser = available ? describe : describe.skip;

// docs/sandbox.png is rewritten only on request (UPDATE_SCREENSHOT=1), so that a test run never edits
// the tree; otherwise the picture goes to the temp directory, for a look when the test fails.
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? path.join(__dirname, '../../docs/sandbox.png') : path.join(tmpdir(), 'esm-doctor-sandbox.png');

describeInBrowser('the sandbox in a browser', () => {
  let sandbox: Sandbox;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const problems: string[] = [];
  const elsewhere: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      diagnoseDelayMs: 400,
      // Recovery late enough that the alert is still open when the steps before it are done on a slow machine.
      watcher: { failAfterMs: 2500, recoverAfterMs: 30_000 },
      logger: createLogger({ level: 'error', sink: (line) => problems.push(`server: ${line}`) }),
    });
    profile = mkdtempSync(path.join(tmpdir(), 'esm-doctor-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 1000 },
      locale: 'en-US',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    // The page may load nothing from anywhere but the sandbox.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === 'localhost' || url.hostname === '127.0.0.1') return route.continue();
      elsewhere.push(route.request().url());
      return route.abort();
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await sandbox?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const message = (text: string | RegExp): Locator => page.locator('#messages > .msg').filter({ hasText: text });

  it('diagnoses, re-runs, acknowledges, and shows an alert arrive and recover', async () => {
    await page.goto(sandbox.url);
    await page.locator('#conn.live').waitFor();
    await expectText(page.locator('.sandbox-banner'), 'Local sandbox');

    // Compose /esm diagnose with completion of the sandbox's ESM ids.
    const uuid = sandbox.accounts.list().find((e) => e.scenario.id === 'msk-sg-missing-self-rule' && !e.watched)!.uuid;
    const input = page.locator('#composer-input');
    await input.click();
    await input.pressSequentially('/es');
    await page.locator('#completion .option', { hasText: '/esm' }).waitFor();
    await input.press('Tab');
    await input.pressSequentially('diag');
    await input.press('Tab');
    expect(await input.inputValue()).toBe('/esm diagnose ');
    await input.pressSequentially(uuid.slice(0, 5));
    const option = page.locator('#completion .option', { hasText: uuid });
    await option.waitFor();
    expect(await page.locator('#completion .option').count()).toBe(1);
    await input.press('Tab');
    expect(await input.inputValue()).toBe(`/esm diagnose ${uuid}`);
    await input.press('Enter');

    // The private acknowledgement, then the report in the channel.
    await message('Only visible to you').filter({ hasText: `Diagnosing ${uuid}` }).waitFor();
    const report = message(uuid).filter({ has: page.locator('.block.header', { hasText: 'Failing: Cluster security group' }) });
    await report.waitFor();
    await expectText(report, 'orders-consumer ← orders');
    await expectText(report, 'Most likely cause — step 4 of 9 — Network path to the brokers');
    await expectText(report.locator('pre.code-block'), 'aws ec2 authorize-security-group-ingress');
    // The sandbox stands in for the AWS calls with a pause, and the report says how long it took.
    expect(await report.locator('.block.context', { hasText: 'Checked' }).innerText()).toMatch(/in 0\.[4-9] s|in [1-9]\.\d s/);
    await expectText(report.locator('blockquote'), 'PROBLEM: Connection error.');
    expect(await report.locator('.block.header img.emoji[alt=":red_circle:"]').count()).toBe(1);
    expect(await report.locator('a.btn[data-action-id="esm_open_esm"]').getAttribute('href')).toContain(`#/event-source-mappings/${uuid}`);

    // Re-run: the same message is edited, first "re-running", then what changed.
    await report.locator('button[data-action-id="esm_recheck"]').click();
    await expectText(report, 'Re-run by @you');
    await expectText(report, 'no change');
    await expectText(report.locator('.edited'), '(edited)');
    expect(await message(uuid).filter({ has: page.locator('.block.header') }).count()).toBe(1);

    // Acknowledge: the stamp.
    await report.locator('button[data-action-id="esm_ack"]').click();
    await expectText(report, 'Acknowledged by @you');
    expect(await report.locator('button[data-action-id="esm_ack"]').count()).toBe(0); // the button became the stamp

    // The watcher's alert arrives on its own.
    const watched = sandbox.accounts.list().find((e) => e.watched)!;
    const alert = message(watched.uuid).filter({ hasText: 'Alert from the esm-doctor watcher' });
    await alert.waitFor({ timeout: 20_000 });
    await expectText(alert.locator('.block.header'), 'Failing: ');
    await expectText(alert, 'orders-consumer ← orders');
    // The picture for docs/: the end of the acknowledged report, and the alert as it arrived.
    await page.mouse.move(5, 400);
    await alert.evaluate((el) => {
      const list = el.parentElement!;
      list.scrollTop = el.offsetTop - list.offsetTop - 260;
    });
    await page.waitForTimeout(200);
    await page.screenshot({ path: SCREENSHOT });

    // …and recovers: the alert is edited in place, and its thread says so.
    const recovered = message(watched.uuid).filter({ has: page.locator('.block.header', { hasText: 'Recovered after' }) });
    await recovered.waitFor({ timeout: 45_000 });
    await recovered.locator('.thread-summary').click();
    await expectText(recovered.locator('.thread .msg.reply'), 'Recovered after');

    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);
});

async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 10_000 });
}
