/**
 * The sandbox server without a browser: the page's API, the real Bolt app behind signed requests,
 * the Web API stand-in, and the watcher's alert.
 */
import { request } from 'node:http';
import { mostLikelyCause } from '../../bot/checks/engine';
import { diagnoseSnapshot } from '../../bot/diagnose';
import { CONTENT_SECURITY_POLICY, PAGE_CSS, PAGE_HTML, PAGE_JS } from '../../bot/sandbox/page';
import { slackSignature } from '../../bot/sandbox/signing';
import { startSandbox, type Sandbox } from '../../bot/sandbox/server';
import { SANDBOX_IDS, type ChannelMessage } from '../../bot/sandbox/workspace';
import { createLogger } from '../../bot/slack/log';
import { SCENARIOS } from '../../scenarios';

const logs: string[] = [];
const logger = createLogger({ level: 'debug', sink: (line) => logs.push(line) });

let sandbox: Sandbox;
let base: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, watcher: false, diagnoseDelayMs: 0, logger, timeZone: 'UTC' });
  base = `http://127.0.0.1:${sandbox.port}`;
});

afterAll(async () => {
  await sandbox.stop();
});

const uuidOf = (scenario: string) => sandbox.accounts.list().find((e) => e.scenario.id === scenario && !e.watched)!.uuid;
const visible = (): ChannelMessage[] => sandbox.workspace.history().filter((m) => !m.ephemeralFor && !m.threadTs);
const lastBot = () => visible().filter((m) => m.user === SANDBOX_IDS.botUser).at(-1)!;
const blocksText = (m: ChannelMessage) => JSON.stringify(m.blocks);

async function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('the sandbox account', () => {
  it('has one ESM per bundled scenario, each with its own UUID', () => {
    const esms = sandbox.accounts.list();
    expect(esms).toHaveLength(SCENARIOS.length);
    expect(new Set(esms.map((e) => e.uuid)).size).toBe(SCENARIOS.length);
  });

  it.each(SCENARIOS.map((s) => [s.id, s] as const))('%s is diagnosed as its scenario expects, under its sandbox UUID', (_id, scenario) => {
    const esm = sandbox.accounts.list().find((e) => e.scenario === scenario)!;
    const report = diagnoseSnapshot(sandbox.accounts.snapshotOf(esm));
    expect(report.target.uuid).toBe(esm.uuid);
    expect(report.verdict).toBe(scenario.expect.verdict);
    if (scenario.expect.cause) expect(mostLikelyCause(report.findings)?.check).toBe(scenario.expect.cause);
    for (const id of scenario.expect.fails ?? []) expect(report.findings.find((f) => f.check === id)?.status).toBe('fail');
  });

  it('times a diagnosis from the start of its stand-in for the AWS calls, so the report does not say "in 0.0 s"', async () => {
    const esm = sandbox.accounts.list()[0]!;
    const before = Date.now();
    const { report } = await sandbox.accounts.engine({ delayMs: 150 })({ uuid: esm.uuid, region: 'eu-west-1' });
    expect(report.durationMs).toBeGreaterThanOrEqual(140);
    expect(Date.parse(report.startedAt)).toBeGreaterThanOrEqual(before - 1);
  });
});

describe('the page', () => {
  it('is served with a CSP that allows this origin only, and loads nothing from elsewhere', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).toContain('Local sandbox');
    for (const asset of [PAGE_HTML, PAGE_CSS, PAGE_JS]) expect(asset).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}|@import|url\(/i);
    expect((await fetch(`${base}/sandbox/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${base}/sandbox/emoji/red_circle`)).headers.get('content-type')).toBe('image/svg+xml');
    expect((await fetch(`${base}/sandbox/emoji/nope`)).status).toBe(404);
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  });

  it('lists the ESMs for completion', async () => {
    const state = (await (await fetch(`${base}/sandbox/state`)).json()) as { esms: { uuid: string; scenario: string }[] };
    expect(state.esms.map((e) => e.uuid)).toEqual(sandbox.accounts.list().map((e) => e.uuid));
  });

  it('refuses a request under another host name (DNS rebinding), from another origin, or not JSON', async () => {
    // fetch will not send another Host header; node:http will, as a browser on a rebound name does.
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: sandbox.port, path: '/sandbox/state', headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
    expect((await postJson('/sandbox/command', { text: 'help' }, { origin: 'https://evil.example' })).status).toBe(403);
    const form = await fetch(`${base}/sandbox/command`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"text":"help"}' });
    expect(form.status).toBe(415);
  });
});

describe('/esm diagnose through the real app', () => {
  it('sends a signed slash command: "Diagnosing…" privately, then the report in the channel', async () => {
    const uuid = uuidOf('msk-sg-missing-self-rule');
    const { status, json } = await postJson('/sandbox/command', { command: '/esm', text: `diagnose ${uuid}` });
    expect({ status, json }).toEqual({ status: 200, json: { ok: true } });
    await sandbox.idle();
    const progress = sandbox.workspace.history().find((m) => m.ephemeralFor === SANDBOX_IDS.user && m.text.includes(`Diagnosing \`${uuid}\``));
    expect(progress).toBeDefined();
    const report = lastBot();
    expect(report.text).toMatch(/^Failing: orders-consumer ← orders/);
    expect(blocksText(report)).toContain('Most likely cause — step 4 of 9');
    expect(blocksText(report)).toContain(uuid);
    expect(sandbox.workspace.calls.filter((c) => c.method === 'chat.postMessage').at(-1)).toEqual({ method: 'chat.postMessage', ok: true });
  });

  it('Re-run edits the report in place; Acknowledge becomes a stamp, which a fresh report of the ESM shows too', async () => {
    await sandbox.command(`diagnose ${uuidOf('reserved-concurrency-zero')}`);
    await sandbox.idle();
    const { ts } = lastBot();
    expect((await postJson('/sandbox/action', { ts, actionId: 'esm_recheck', blockId: 'esm_actions' })).json).toEqual({ ok: true });
    await sandbox.idle();
    const rerun = sandbox.workspace.find(ts)!;
    expect(rerun.edited).toBe(true);
    expect(blocksText(rerun)).toContain(':repeat: Re-run by <@U0SANDBOX>');
    expect(blocksText(rerun)).toContain(': *no change*');
    expect((await sandbox.click(ts, 'esm_ack')).ok).toBe(true);
    await sandbox.idle();
    expect(blocksText(sandbox.workspace.find(ts)!)).toContain(':white_check_mark: Acknowledged by <@U0SANDBOX>');
    // The button is gone: nothing left to click.
    expect(await sandbox.click(ts, 'esm_ack')).toEqual({ ok: false, error: 'action_not_found' });
    await sandbox.command(`diagnose ${uuidOf('reserved-concurrency-zero')}`);
    await sandbox.idle();
    const fresh = lastBot();
    expect(fresh.ts).not.toBe(ts);
    expect(blocksText(fresh)).toContain(':white_check_mark: Acknowledged by <@U0SANDBOX>');
    expect(JSON.stringify(fresh.blocks)).not.toContain('"esm_ack"');
  });

  it('says privately when the ESM is not in the sandbox account, and answers help', async () => {
    await sandbox.command('diagnose 00000000-0000-4000-8000-000000000000');
    await sandbox.idle();
    expect(sandbox.workspace.history().filter((m) => m.ephemeralFor).at(-1)!.text).toBe(
      ':warning: event source mapping 00000000-0000-4000-8000-000000000000 was not found in eu-west-1 (check the region and the account of your credentials)',
    );
    await sandbox.command('help');
    expect(blocksText(sandbox.workspace.history().filter((m) => m.ephemeralFor).at(-1)!)).toContain('/esm diagnose &lt;uuid|arn&gt; [region]');
  });

  it('answers an unknown command as Slack does, and shows what a person types, escaped', async () => {
    expect((await sandbox.command('x', '/deploy')).error).toBe('unknown_command');
    expect(sandbox.workspace.history().at(-1)!.user).toBe(SANDBOX_IDS.slackbot);
    await postJson('/sandbox/message', { text: 'is it <b>fixed</b> & done?' });
    expect(sandbox.workspace.history().at(-1)).toMatchObject({ user: SANDBOX_IDS.user, text: 'is it &lt;b&gt;fixed&lt;/b&gt; &amp; done?' });
  });

  it('escapes a typed command once on the way in (as Slack) and once on the way out (the bot), never twice', async () => {
    await sandbox.command('<!channel>&x');
    await sandbox.idle();
    const answer = sandbox.workspace.history().filter((m) => m.ephemeralFor).at(-1)!;
    expect(answer.text).toBe('"&lt;!channel&gt;&amp;x" is not something I know how to do.');
    expect(blocksText(answer)).not.toMatch(/&amp;(lt|gt|amp);|<!channel>/);
  });
});

describe('Slack, as the app sees it', () => {
  it('Bolt refuses a request whose signature does not match', async () => {
    const body = 'command=%2Fesm&text=help';
    const timestamp = Math.floor(Date.now() / 1000);
    const res = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature('not-the-secret', timestamp, body) },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('the Web API answers like Slack: invalid_auth without the token, channel_not_found, message_not_found', async () => {
    const call = async (method: string, args: Record<string, unknown>, token?: string) =>
      (await (await fetch(`${base}/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(args) })).json()) as Record<string, unknown>;
    const token = sandbox.config.botToken;
    expect(await call('chat.postMessage', { channel: 'C0SANDBOX', text: 'x' }, 'xoxb-wrong')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await call('chat.postMessage', { channel: 'C0ELSEWHERE', text: 'x' }, token)).toEqual({ ok: false, error: 'channel_not_found' });
    expect(await call('chat.update', { channel: 'C0SANDBOX', ts: '1.000001', text: 'x' }, token)).toEqual({ ok: false, error: 'message_not_found' });
    expect(await call('chat.postMessage', { channel: 'C0SANDBOX', text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, token)).toEqual({ ok: false, error: 'invalid_blocks' });
    expect(logs.join('\n')).not.toContain(token);
  });

  it('pushes every change to the page as server-sent events, messages already rendered', async () => {
    const res = await fetch(`${base}/sandbox/events`);
    const reader = res.body!.getReader();
    const seen: string[] = [];
    const read = async (until: (text: string) => boolean) => {
      const decoder = new TextDecoder();
      while (!until(seen.join(''))) {
        const { value, done } = await reader.read();
        if (done) break;
        seen.push(decoder.decode(value));
      }
    };
    await read((t) => t.includes('event: reset'));
    const uuid = uuidOf('msk-on-demand-no-nat');
    await sandbox.command(`diagnose ${uuid}`);
    await sandbox.idle();
    const report = () =>
      seen
        .join('')
        .split('\n\n')
        .filter((e) => e.startsWith('event: upsert'))
        .map((e) => JSON.parse(e.split('\ndata: ')[1]!) as { ts: string; html: string })
        .find((e) => e.html.includes('<div class="block header">') && e.html.includes(uuid));
    await read(() => report() !== undefined);
    expect(report()!.html).toContain('<b>orders-consumer</b> ← <code>orders</code>');
    expect(report()!.ts).toBe(lastBot().ts);
    await reader.cancel();
  });
});

describe('the watcher', () => {
  it('turns the watched ESM failing: the production notifier posts an alert whose buttons work, then closes it on recovery', async () => {
    const own = await startSandbox({ port: 0, watcher: { failAfterMs: 20, recoverAfterMs: 400 }, diagnoseDelayMs: 0, logger, alerts: { pacing: { postMs: 0, updateMs: 0 } } });
    try {
      const watched = own.accounts.list().find((e) => e.watched)!;
      const alert = await waitFor(() => own.workspace.history().find((m) => blocksText(m).includes(':rotating_light: *Alert*')));
      expect(blocksText(alert)).toContain(watched.uuid);
      expect(blocksText(alert)).toContain('Most likely cause — step 4 of 9');
      expect(alert.text).toMatch(/^Failing: orders-consumer ← orders/);
      // Its buttons are a report's buttons: the Slack app's store has the report behind it (stored
      // just after the post, so once the notifier is idle; reading at once raced it).
      await own.idle();
      expect(await own.store.getMessage(own.workspace.channel.id, alert.ts)).toMatchObject({ target: { uuid: watched.uuid } });
      await own.watcher!.done;
      await own.idle();
      const closed = own.workspace.find(alert.ts)!;
      expect(closed.edited).toBe(true);
      expect((closed.blocks![0] as { text: { text: string } }).text.text).toBe(':large_green_circle: Recovered after less than a minute: orders-consumer ← orders');
      expect(own.workspace.replies(alert.ts).map((r) => r.text)).toEqual([':large_green_circle: Recovered after less than a minute.']);
    } finally {
      await own.stop();
    }
  });
});

describe('the watcher: a silent stall', () => {
  it('stalls a busy mapping on a poison batch while Lambda says OK: the alert names the failing batch with the lag sparkline, and closes when it delivers again', async () => {
    const own = await startSandbox({
      port: 0,
      watcher: { failAfterMs: 10_000, recoverAfterMs: 20_000, stallAfterMs: 20, stallRecoverAfterMs: 400 },
      diagnoseDelayMs: 0,
      logger,
      alerts: { pacing: { postMs: 0, updateMs: 0 } },
    });
    try {
      const uuid = own.accounts.stallUuid!;
      expect(own.accounts.get(uuid)!.scenario.id).toBe('busy-catching-up');
      const alert = await waitFor(() => own.workspace.history().find((m) => blocksText(m).includes(':rotating_light: *Alert*') && blocksText(m).includes(uuid)));
      const text = blocksText(alert);
      expect(text).toContain('Partition stalled on a failing batch');
      expect(text).toContain('Offset lag');
      expect(text).toMatch(/[▁▂▃▄▅▆▇█]{5,}/);
      await waitFor(() => (own.workspace.find(alert.ts)!.edited ? true : undefined), 5000);
      await own.idle();
      expect((own.workspace.find(alert.ts)!.blocks![0] as { text: { text: string } }).text.text).toMatch(/^:large_green_circle: Recovered after less than a minute/);
    } finally {
      await own.stop();
    }
  });
});

async function waitFor<T>(find: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
