import { mostLikelyCause } from '../../bot/checks/engine';
import { checks } from '../../bot/checks/registry';
import { diagnoseSnapshot } from '../../bot/diagnose';
import { Snapshot } from '../../bot/model/snapshot';
import { SCENARIOS } from '../../scenarios';

describe('bundled scenarios', () => {
  it('are at least the eight the product promises, with unique ids', () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(SCENARIOS.map((s) => s.id)).size).toBe(SCENARIOS.length);
  });

  describe.each(SCENARIOS.map((s) => [s.id, s] as const))('%s', (_id, scenario) => {
    const snapshot = scenario.snapshot();
    const report = diagnoseSnapshot(snapshot);

    it('is a valid snapshot after a JSON round-trip', () => {
      expect(() => Snapshot.parse(JSON.parse(JSON.stringify(snapshot)))).not.toThrow();
    });

    it(`is diagnosed ${scenario.expect.verdict}`, () => {
      const summary = report.findings.filter((f) => f.status !== 'pass' && f.status !== 'skip').map((f) => `${f.check}:${f.status}`);
      expect({ verdict: report.verdict, summary }).toEqual({ verdict: scenario.expect.verdict, summary: expect.any(Array) });
    });

    if (scenario.expect.cause) {
      it(`names ${scenario.expect.cause} as the most likely cause`, () => {
        expect(mostLikelyCause(report.findings)?.check).toBe(scenario.expect.cause);
        expect(report.headline).toContain(mostLikelyCause(report.findings)!.title);
      });
    }

    for (const id of scenario.expect.fails ?? []) {
      it(`fails ${id}`, () => {
        expect(report.findings.find((f) => f.check === id)?.status).toBe('fail');
      });
    }

    it('runs every registered check exactly once, with no internal errors', () => {
      expect(report.findings.map((f) => f.check).sort()).toEqual(checks.map((c) => c.id).sort());
      expect(report.findings.filter((f) => f.title.startsWith('Internal error'))).toEqual([]);
    });
  });

  // Issue 11, item 6: Lambda's message and the checks agree. Whenever the message is decoded and a
  // setup step is named as the cause, the esm.last-result finding must not call the cause "likely live".
  it.each(SCENARIOS.map((s) => [s.id, s] as const))('%s: esm.last-result never contradicts the headline', (_id, scenario) => {
    const report = diagnoseSnapshot(scenario.snapshot());
    const last = report.findings.find((f) => f.check === 'esm.last-result');
    const cause = mostLikelyCause(report.findings);
    if (last?.status === 'fail' && cause && cause.step > 0) {
      expect(last.detail).not.toContain('likely live');
    }
  });
});
