/**
 * Starts moto (the AWS emulator) on a loopback port for integration tests, or says why it cannot.
 *
 * Tests that need it use test/integration/harness.ts `withMoto` or `motoGate` below: where python3
 * or moto is missing they are skipped (jest lists them) with the reason printed, and the rest of the
 * suite still runs.
 * The launcher (test/support/moto_launcher.py) runs moto in-process and registers the operations
 * moto 5.2.1 lacks (Kafka ESMs, GetBootstrapBrokers, ListScramSecrets, topics, SimulatePrincipalPolicy;
 * see test/support/moto_ext). The child watches its stdin pipe and its parent: when the test process
 * goes away without calling stop(), moto goes too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';

export interface Moto {
  endpoint: string;
  /** Environment for a child process (the CLI) pointing the real SDK at this moto. */
  env: Record<string, string>;
  /** Empties moto's state between tests. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export type MotoStart = Moto | { skipped: string };

const LAUNCHER = path.join(__dirname, 'moto_launcher.py');

export function motoAvailable(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import moto.server'], { encoding: 'utf8' });
  if (probe.error) return `python3 is not available (${probe.error.message})`;
  if (probe.status !== 0) return `moto is not installed for python3 (${(probe.stderr || '').trim().split('\n').pop()})`;
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode}`);
    try {
      // The extension's own endpoint: answers only once moto *and* moto_ext are in place.
      const res = await fetch(`${endpoint}/moto-ext/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms`);
}

export async function startMoto(): Promise<MotoStart> {
  const missing = motoAvailable();
  if (missing) return { skipped: missing };
  const port = await freePort();
  const child = spawn('python3', [LAUNCHER, '--host', '127.0.0.1', '--port', String(port), '--watch-stdin'], {
    // stdin stays open as a lifeline: the launcher exits when it reaches end-of-file.
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  child.stdin?.on('error', () => undefined);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitReady(endpoint, child, 20000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: 'eu-west-1',
  };
  return {
    endpoint,
    env,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset answered ${res.status}: ${await res.text()}\n${stderr}`);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin?.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * For test files that start moto themselves: decided when the file is collected, so that where moto
 * cannot run its tests are `it.skip` (jest counts and lists them as skipped) and the reason is
 * printed once — never tests that return early and pass. Where moto can run, `start()` throws if it
 * does not come up.
 */
export function motoGate(what: string): { missing: string | undefined; it: jest.It; start(): Promise<Moto> } {
  const missing = motoAvailable();
  if (missing) console.warn(`${what}: skipped — ${missing}`);
  return {
    missing,
    it: missing ? it.skip : it,
    start: async () => {
      const started = await startMoto();
      if ('skipped' in started) throw new Error(`${what}: moto could not start: ${started.skipped}`);
      return started;
    },
  };
}
