import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { catalogueMarkdown } from '../../bot/checks/catalogue';
import { mostLikelyCause } from '../../bot/checks/engine';
import { checks } from '../../bot/checks/registry';
import type { Check } from '../../bot/checks/check';

const CHECKS_DIR = path.join(__dirname, '../../bot/checks');

/**
 * The check files: bot/checks/<area>/<check-id>.ts. Every check id has a dot (area.name), helpers of
 * an area (index.ts, lib.ts, problems.ts) have none, so the file name alone tells which is which.
 */
function checkFiles(): Array<{ area: string; id: string; file: string }> {
  return readdirSync(CHECKS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'lib')
    .flatMap((d) => readdirSync(path.join(CHECKS_DIR, d.name)).filter((f) => /^[a-z-]+\.[a-z.-]+\.ts$/.test(f)).map((f) => ({ area: d.name, id: f.replace(/\.ts$/, ''), file: path.join(CHECKS_DIR, d.name, f) })));
}

describe('the check registry', () => {
  it('has one file per check, named by its id, and registers every check file (the registry follows from the files)', () => {
    const files = checkFiles();
    expect(files.map((f) => f.id).sort()).toEqual(checks.map((c) => c.id).sort());
    const misnamed = files.flatMap(({ id, file }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = Object.values(require(file) as Record<string, unknown>).filter((v): v is Check => typeof v === 'object' && v !== null && 'run' in v && 'id' in v);
      return exported.length === 1 && exported[0]!.id === id ? [] : [`${path.relative(CHECKS_DIR, file)} exports ${exported.map((c) => c.id).join(', ') || 'no check'}`];
    });
    expect(misnamed).toEqual([]);
  });

  it('has unique ids, each area.name, each filed under a setup step 0-9 with a title', () => {
    const ids = checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const bad = checks.filter((c) => !/^[a-z-]+\.[a-z.-]+$/.test(c.id) || !Number.isInteger(c.step) || c.step < 0 || c.step > 9 || !c.title).map((c) => c.id);
    expect(bad).toEqual([]);
  });

  it('reconciles with the live probe only through probe checks of the registry, of a step the probe can speak to', () => {
    const byId = new Map<string, Check>(checks.map((c) => [c.id, c]));
    const wrong = checks.flatMap((c) => (c.probe ?? []).filter((r) => !r.probe.startsWith('probe.') || !byId.has(r.probe)).map((r) => `${c.id} → ${r.probe}`));
    expect(wrong).toEqual([]);
  });

  it('puts the live probe\'s checks before the static ones of the same step (a failure the probe saw is named as the cause)', () => {
    const misplaced = checks.flatMap((c, i) =>
      c.id.startsWith('probe.') ? checks.slice(0, i).filter((earlier) => earlier.step === c.step && !earlier.id.startsWith('probe.')).map((earlier) => `${earlier.id} before ${c.id}`) : [],
    );
    expect(misplaced).toEqual([]);
    // The order the cause is taken in: among failures of one step, the first in registry order.
    const failAt4 = checks.filter((c) => c.step === 4).map((c) => ({ check: c.id, step: c.step, status: 'fail' as const, title: c.title, summary: '' }));
    expect(mostLikelyCause(failAt4 as never)?.check).toBe('probe.tcp');
  });

  it('matches docs/checks.md (run `npm run docs` after changing a check)', () => {
    const committed = readFileSync(path.join(__dirname, '../../docs/checks.md'), 'utf8');
    const fresh = committed === catalogueMarkdown(checks);
    expect(fresh ? 'fresh' : 'docs/checks.md is stale: run `npm run docs` and commit the result').toBe('fresh');
    expect(committed).toBe(catalogueMarkdown(checks));
  });
});
