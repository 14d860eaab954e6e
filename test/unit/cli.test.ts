import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main, type Io } from '../../bot/cli';
import { Report } from '../../bot/model/report';
import { SCENARIOS } from '../../scenarios';
import { fakeBotToken } from '../fixtures/slack-tokens';

function fakeIo(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

const UUID = '14e0db71-5d35-4eb5-b481-8945cf9d10c2';

describe('esm-doctor CLI: bad input exits 2 with one clear line and no AWS call', () => {
  it.each([
    [['diagnose', 'not-a-uuid', '--region', 'eu-west-1'], /"not-a-uuid" is not an event source mapping UUID/],
    [['diagnose', UUID], /no region: pass --region/],
    [['diagnose'], /no event source mapping given/],
    [['diagnose', UUID, UUID, '--region', 'eu-west-1'], /expected one event source mapping, got 2/],
    [['diagnose', UUID, '--format', 'yaml'], /--format must be one of text, json, markdown/],
    [['diagnose', UUID, '--region', 'Europe'], /--region: not an AWS region name/],
    [['diagnose', UUID, '--colour'], /Unknown option '--colour'/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['diagnose', '--scenario', 'nope'], /no bundled scenario "nope"; one of: msk-iam-healthy/],
    [['diagnose', UUID, '--region', 'eu-west-1', '--window', 'an hour'], /--window: give minutes or hours, e.g. 60m, 90 or 3h/],
    [['diagnose', UUID, '--region', 'eu-west-1', '--window', '5m'], /--window: must be between 10m and 24h/],
    [['collect', UUID, '--region', 'eu-west-1', '--window', '25h'], /--window: must be between 10m and 24h/],
  ])('%j', async (argv, message) => {
    const t = fakeIo();
    expect(await main(argv, t.io)).toBe(2);
    expect(t.stderr()).toMatch(message);
    expect(t.stderr().trim().split('\n')).toHaveLength(1);
    expect(t.stdout()).toBe('');
  });

  it('prints the usage and exits 2 when called with nothing, 0 with --help', async () => {
    const none = fakeIo();
    expect(await main([], none.io)).toBe(2);
    expect(none.stdout()).toContain('esm-doctor diagnose <uuid|arn>');
    const help = fakeIo();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('Exit codes: 0 healthy');
  });
});

describe('esm-doctor CLI: offline diagnosis', () => {
  it('diagnoses a bundled scenario as exactly one JSON Report, exit 1 when failing', async () => {
    const t = fakeIo();
    expect(await main(['diagnose', '--scenario', 'msk-sg-missing-self-rule', '--format', 'json'], t.io)).toBe(1);
    const report = Report.parse(JSON.parse(t.stdout()));
    expect(report.verdict).toBe('failing');
    expect(report.findings[0]!.status).toBe('fail');
  });

  it('shows the lag and error trend of a stalled mapping as sparklines with start, end and window', async () => {
    const t = fakeIo();
    expect(await main(['diagnose', '--scenario', 'stall-poison-batch', '--no-color'], t.io)).toBe(1);
    expect(t.stdout()).toMatch(/^FAILING {2}Failing at step 9 of 9 \(Invoke the function\): Partition stalled on a\s+failing batch/);
    expect(t.stdout()).toMatch(/\n {2}Offset lag {4}[▁▂▃▄▅▆▇█ ]{30} {2}[\d,]+ → [\d,]+ \(60 min\)\n/);
    expect(t.stdout()).toMatch(/\n {2}Errors \/ min {2}[▁▂▃▄▅▆▇█ ]{30} {2}0 → 1 \(60 min\)\n/);
    const md = fakeIo();
    await main(['diagnose', '--scenario', 'stall-poison-batch', '--format', 'markdown'], md.io);
    expect(md.stdout()).toMatch(/## Trend\n\n```\nOffset lag {4}[▁▂▃▄▅▆▇█ ]{30}/);
  });

  it('exits 0 on a healthy scenario', async () => {
    const t = fakeIo();
    expect(await main(['diagnose', '--scenario', 'msk-iam-healthy'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/^HEALTHY/);
  });

  // Issue 11, item 5: a role with exactly what AWS documents for SCRAM (no kafka:ListScramSecrets) stays healthy.
  it('exits 0 on the documented SCRAM role, whose optional permission is only a note', async () => {
    const t = fakeIo();
    expect(await main(['diagnose', '--scenario', 'msk-scram-documented-role-healthy'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/^HEALTHY/);
  });

  it('diagnoses a snapshot file written earlier, and checks it matches a given UUID', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esm-doctor-'));
    const file = path.join(dir, 'snap.json');
    writeFileSync(file, JSON.stringify(SCENARIOS.find((s) => s.id === 'reserved-concurrency-zero')!.snapshot()));
    const t = fakeIo();
    expect(await main(['diagnose', '--snapshot', file, '--format', 'markdown'], t.io)).toBe(1);
    expect(t.stdout()).toContain('`function.concurrency`');
    const other = fakeIo();
    expect(await main(['diagnose', 'a4b7c0d3-e6f9-4a2b-8c5d-0e1f2a3b4c5d', '--snapshot', file], other.io)).toBe(2);
    expect(other.stderr()).toMatch(/the snapshot is of ESM 14e0db71/);
  });

  it('refuses a snapshot file that is missing, not JSON or not a snapshot', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esm-doctor-'));
    const notJson = path.join(dir, 'a.json');
    const notSnap = path.join(dir, 'b.json');
    writeFileSync(notJson, 'hello');
    writeFileSync(notSnap, JSON.stringify({ schemaVersion: 1 }));
    for (const [file, message] of [
      [path.join(dir, 'missing.json'), /cannot read snapshot .*ENOENT/],
      [notJson, /is not JSON/],
      [notSnap, /is not an esm-doctor snapshot/],
    ] as const) {
      const t = fakeIo();
      expect(await main(['diagnose', '--snapshot', file], t.io)).toBe(2);
      expect(t.stderr()).toMatch(message);
    }
  });

  it('`report` diagnoses every bundled scenario without AWS', async () => {
    const t = fakeIo({});
    expect(await main(['report'], t.io)).toBe(0);
    for (const s of SCENARIOS) expect(t.stdout()).toContain(s.id);
    expect(t.stdout()).toContain('HEALTHY');
    expect(t.stdout()).toContain('FAILING');
  });

  it('lists the scenarios', async () => {
    const t = fakeIo();
    expect(await main(['scenarios'], t.io)).toBe(0);
    expect(t.stdout().trim().split('\n')).toHaveLength(SCENARIOS.length);
  });
});

describe('esm-doctor start / sandbox', () => {
  function stoppable(env: Record<string, string | undefined> = {}) {
    let stop: () => void = () => undefined;
    const until = new Promise<void>((resolve) => (stop = resolve));
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env, until };
    return { io, stop, stdout: () => out.join(''), stderr: () => err.join('') };
  }

  async function waitForUrl(stdout: () => string): Promise<string> {
    for (let i = 0; i < 500; i++) {
      const url = /esm-doctor sandbox: (http:\/\/localhost:\d+)/.exec(stdout())?.[1];
      if (url) return url;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no URL printed: ${stdout()}`);
  }

  it('`start` without Slack tokens runs the sandbox on the port given, prints its URL, and stops cleanly', async () => {
    const t = stoppable({ PORT: '0' });
    const exit = main(['start'], t.io);
    const url = await waitForUrl(t.stdout);
    const port = Number(url.split(':').at(-1));
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Local sandbox');
    expect(t.stdout()).toContain('Ctrl-C to stop');
    t.stop();
    expect(await exit).toBe(0);
    expect(t.stdout()).toContain('esm-doctor sandbox: stopped.');
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('`sandbox --port` wins over PORT, and a bad port is one clear line, exit 2', async () => {
    const t = stoppable({ PORT: '1' });
    const exit = main(['sandbox', '--port', '0'], t.io);
    await waitForUrl(t.stdout);
    t.stop();
    expect(await exit).toBe(0);
    const bad = fakeIo({ PORT: 'http' });
    expect(await main(['sandbox'], bad.io)).toBe(2);
    expect(bad.stderr()).toBe('esm-doctor: PORT must be a port number (0-65535; 0 picks a free one), not "http"\n');
  });

  it('`start` with Slack tokens runs Socket Mode, and says which variable is missing (never a value)', async () => {
    const t = fakeIo({ SLACK_BOT_TOKEN: fakeBotToken('verysecretvalue') });
    expect(await main(['start'], t.io)).toBe(2);
    expect(t.stdout()).toContain('starting the Slack app in Socket Mode');
    expect(t.stderr()).toMatch(/^esm-doctor: invalid Slack configuration: .*SLACK_APP_TOKEN is required here/);
    expect(t.stdout() + t.stderr()).not.toContain('verysecretvalue');
  });
});

describe('the installed esm-doctor binary', () => {
  it('runs the JavaScript built by prepare (no TypeScript at start-up) and exits 2 on a malformed id', () => {
    const bin = path.join(__dirname, '../../bin/esm-doctor.cjs');
    const res = spawnSync(process.execPath, [bin, 'diagnose', 'not-a-uuid'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toMatch(/^esm-doctor: "not-a-uuid" is not an event source mapping UUID/);
  });
});
