/**
 * CLI start-up against Node's own: `node -e 0`, `esm-doctor --help` and `esm-doctor diagnose
 * not-a-uuid` (exit 2), interleaved in the same run so that the machine's load affects all three
 * alike; the median of several fresh processes each. Targets: --help ≤ 4× node -e 0, bad input ≤ 5×.
 * The CLI is built first (scripts/build-cli.cjs, as `prepare` builds it).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'esm-doctor.cjs');
const RUNS = 9;

function timed(args: string[], expectCode: number): number {
  const started = process.hrtime.bigint();
  const res = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== expectCode) throw new Error(`${args.join(' ')} exited ${res.status}, expected ${expectCode}: ${res.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  await (require('../scripts/build-cli.cjs') as { build(o: { quiet: boolean }): Promise<unknown> }).build({ quiet: true });
  const cases = [
    { label: 'node -e 0', args: ['-e', '0'], code: 0, times: [] as number[] },
    { label: 'esm-doctor --help', args: [BIN, '--help'], code: 0, times: [] as number[], target: 4 },
    { label: 'esm-doctor diagnose not-a-uuid', args: [BIN, 'diagnose', 'not-a-uuid'], code: 2, times: [] as number[], target: 5 },
  ];
  for (const c of cases) timed(c.args, c.code); // warm the file cache
  for (let i = 0; i < RUNS; i++) for (const c of cases) c.times.push(timed(c.args, c.code));
  const base = median(cases[0]!.times);
  return cases.map((c) => {
    const m = median(c.times);
    const ratio = m / base;
    const verdict = c.target === undefined ? '' : ` · ${ratio.toFixed(1)}× node (target ≤ ${c.target}×: ${ratio <= c.target ? 'met' : 'MISSED'})`;
    return `${c.label.padEnd(32)} median ${m.toFixed(0).padStart(5)} ms of ${RUNS}${verdict}`;
  });
}
