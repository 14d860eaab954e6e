/**
 * What the built CLI loads on its cheap paths, read from esbuild's metafile of dist/cli (built by
 * jest's global setup from the current sources). A module reached only through `await import()`
 * lands in a chunk that Node reads when that import runs; one reached through static imports is
 * read at start-up. --help and bad input must read no AWS SDK, Bolt, kafkajs or sandbox code;
 * `report` and `--scenario` (offline) may add the checks and scenarios, still no AWS client.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Output {
  imports: { path: string; kind: string }[];
  inputs: Record<string, unknown>;
  entryPoint?: string;
}

const ROOT = path.join(__dirname, '../..');
const meta = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'cli-meta.json'), 'utf8')) as { outputs: Record<string, Output> };
const outputs = meta.outputs;

/** Every source file read when `start` is loaded, following static imports only. */
function staticClosure(start: string[]): Set<string> {
  const seen = new Set<string>();
  const inputs = new Set<string>();
  const stack = [...start];
  while (stack.length) {
    const out = stack.pop()!;
    if (seen.has(out)) continue;
    seen.add(out);
    const o = outputs[out];
    if (!o) continue;
    for (const input of Object.keys(o.inputs)) inputs.add(input);
    for (const i of o.imports) if (i.kind === 'import-statement' && outputs[i.path]) stack.push(i.path);
  }
  return inputs;
}

/** The chunks a dynamic import of `source` resolves to (the output that holds it, and its statics). */
function outputHolding(source: string): string {
  const hit = Object.entries(outputs).find(([name, o]) => !name.endsWith('.map') && source in o.inputs);
  if (!hit) throw new Error(`${source} is not in the CLI bundle`);
  return hit[0];
}

const HEAVY = [/node_modules\/@aws-sdk\/client-/, /node_modules\/@smithy\//, /node_modules\/@slack\/bolt\//, /node_modules\/kafkajs\//, /^bot\/sandbox\//, /^bot\/collect\//];
const heavy = (inputs: Set<string>) => [...inputs].filter((i) => HEAVY.some((h) => h.test(i)));

const entry = Object.keys(outputs).find((name) => outputs[name]!.entryPoint === 'bot/cli.ts')!;

describe('the built CLI loads lazily', () => {
  it('--help, --version and bad input read only argument parsing, the models and the renderers', () => {
    const loaded = staticClosure([entry]);
    expect(loaded.has('bot/cli.ts')).toBe(true);
    expect(loaded.has('bot/model/target.ts')).toBe(true);
    expect(heavy(loaded)).toEqual([]);
  });

  it('report and diagnose --scenario add the checks and the scenarios, still no AWS client', () => {
    const loaded = staticClosure([entry, outputHolding('bot/diagnose.ts'), outputHolding('scenarios/index.ts')]);
    expect(loaded.has('bot/checks/registry.ts')).toBe(true);
    expect(heavy(loaded)).toEqual([]);
  });

  it('diagnose <uuid> does load the collectors and the SDK (the check above can fail)', () => {
    const loaded = staticClosure([outputHolding('bot/collect/snapshot.ts')]);
    expect(heavy(loaded).some((i) => i.includes('@aws-sdk/client-lambda'))).toBe(true);
  });
});
