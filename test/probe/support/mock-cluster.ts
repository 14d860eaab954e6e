/**
 * librdkafka's mock cluster (Debian librdkafka-dev), started by the tiny C driver mock-cluster.c,
 * built once with `cc` into test/.tmp. It speaks the real Kafka protocol on loopback listeners;
 * commands on its stdin create topics and inject faults.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { missing } from './tools';

const SOURCE = path.join(__dirname, 'mock-cluster.c');
const OUT_DIR = path.join(__dirname, '..', '..', '.tmp', 'probe');
const BINARY = path.join(OUT_DIR, 'mock-cluster');

export function mockClusterUnavailable(): string | undefined {
  return missing(['cc'], ['/usr/include/librdkafka/rdkafka_mock.h']);
}

/** Compiles the driver unless an up-to-date binary is there (parallel jest workers build to a temp name and rename). */
export function buildMockCluster(): string {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return BINARY;
  mkdirSync(OUT_DIR, { recursive: true });
  const tmp = `${BINARY}.${process.pid}`;
  const cc = spawnSync('cc', ['-O1', '-o', tmp, SOURCE, '-lrdkafka'], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
  renameSync(tmp, BINARY);
  return BINARY;
}

export interface MockCluster {
  bootstraps: string[];
  /** One stdin command ("topic orders 3 1", "errors 10 30 1", ...); resolves with the driver's answer. */
  command(line: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startMockCluster(brokers = 3): Promise<MockCluster> {
  const child: ChildProcessWithoutNullStreams = spawn(buildMockCluster(), [String(brokers)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting: Array<(line: string) => void> = [];
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    buffer += d;
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      waiting.shift()?.(line);
    }
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the mock cluster did not answer within 5 s')), 5_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  const first = await next();
  const m = /^BOOTSTRAPS (.+)$/.exec(first);
  if (!m) throw new Error(`unexpected first line from the mock cluster: ${first}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    bootstraps: m[1]!.split(','),
    async command(line) {
      const answer = next();
      child.stdin.write(`${line}\n`);
      const a = await answer;
      if (a !== 'OK') throw new Error(`mock cluster: ${line} → ${a}`);
      return a;
    },
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
