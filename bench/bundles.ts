/**
 * The Lambda bundles as the CDK builds them (infra/constructs/bundling.ts): size minified, the ten
 * packages that weigh most (esbuild's metafile), and module init — require + construction of the
 * handler's clients — timed inside a fresh Node process, the median of several. Target: ≤ 1.5 MB
 * each. The runtime's SDK modules resolve from node_modules, as they would from /var/runtime.
 * For comparison in the same run (this machine's load varies), each handler is also built the way
 * it was before bundling.ts: everything bundled, nothing stubbed.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { lambdaBuildOptions, PROJECT_ROOT } from '../infra/constructs/bundling';

const HANDLERS = ['slack', 'worker', 'watcher', 'alert', 'probe'];
const MAX_BYTES = 1.5 * 1024 * 1024;
const RUNS = 5;
/** What the handlers read at init (placeholders: nothing is called). */
const ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  SLACK_BOT_TOKEN: `xoxb-${'0'.repeat(10)}-${'0'.repeat(12)}-benchbenchbenchbenchbench`,
  SLACK_SIGNING_SECRET: '0'.repeat(32),
  ESM_DOCTOR_TABLE: 'esm-doctor',
  ESM_DOCTOR_WORKER_FUNCTION: 'esm-doctor-worker',
  ESM_DOCTOR_EVENT_BUS: 'esm-doctor',
  ESM_DOCTOR_REGIONS: 'eu-west-1',
  ESM_DOCTOR_ALERT_CHANNEL: 'C0ALERTS',
  LOG_LEVEL: 'error',
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kb = (n: number) => `${(n / 1024).toFixed(0)} kB`;

/** require + construction of one bundle, timed inside a fresh process. */
function initMs(handler: string, file: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  const res = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'), ...ENV } });
  if (res.status !== 0) throw new Error(`${handler}: init failed: ${res.stderr}`);
  return Number(res.stdout);
}

export async function run(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esm-doctor-bundles-'));
  const lines: string[] = [];
  try {
    for (const h of HANDLERS) {
      const outfile = path.join(dir, h, 'index.js');
      const result = await esbuild.build({ ...lambdaBuildOptions(h), outfile, metafile: true, logLevel: 'error' });
      const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint)!;
      const byPackage = new Map<string, number>();
      for (const [file, input] of Object.entries(output.inputs)) {
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? '(esm-doctor)';
        byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + input.bytesInOutput);
      }
      const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 10);
      const allBundled = path.join(dir, h, 'all-bundled.js');
      const old = await esbuild.build({ ...lambdaBuildOptions(h), external: [], alias: {}, outfile: allBundled, metafile: true, logLevel: 'error' });
      const oldBytes = Object.values(old.metafile.outputs).find((o) => o.entryPoint)!.bytes;
      const inits: number[] = [];
      const oldInits: number[] = [];
      // Interleaved, so that both see the same load.
      for (let i = 0; i < RUNS; i++) {
        inits.push(initMs(h, outfile));
        oldInits.push(initMs(h, allBundled));
      }
      const size = output.bytes;
      lines.push(
        `${h.padEnd(8)} ${(size / 1024 / 1024).toFixed(2)} MB (${size <= MAX_BYTES ? 'met' : 'MISSED'} ≤ 1.5 MB) · init median ${median(inits).toFixed(0)} ms of ${RUNS}` +
          ` · all bundled, as before: ${(oldBytes / 1024 / 1024).toFixed(2)} MB, init ${median(oldInits).toFixed(0)} ms`,
      );
      lines.push(`         top 10: ${top.map(([p, n]) => `${p} ${kb(n)}`).join(', ')}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}
