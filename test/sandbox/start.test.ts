/**
 * `npm start` on a fresh clone with no Slack tokens: the sandbox, through the installed binary,
 * until Ctrl-C, then a clean exit.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const BIN = path.join(__dirname, '../../bin/esm-doctor.cjs');

it('`esm-doctor start` prints the URL, serves the page until SIGINT, then stops cleanly with exit 0', async () => {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', PORT: '0' };
  const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 20_000;
    let url: string | undefined;
    while (!(url = /esm-doctor sandbox: (http:\/\/localhost:\d+)/.exec(stdout)?.[1])) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no URL printed; stdout: ${stdout} stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const port = url.split(':').at(-1);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toContain('esm-doctor sandbox: stopped.');
    expect(stderr).toBe('');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 30_000);
