import { causeOf, diffReports, summariseDiff } from '../../bot/slack/diff';
import { afterSgFixReport, failingReport, finding, healthyReport } from './support/reports';

describe('diffReports', () => {
  it('counts fixed, new and unchanged problems by check id and status', () => {
    const diff = diffReports(failingReport(), afterSgFixReport());
    expect(diff.fixed.map((c) => c.check).sort()).toEqual(['esm.last-result', 'network.sg-broker-ingress']);
    expect(diff.appeared.map((c) => c.check)).toEqual(['function.concurrency']);
    expect(diff.unchanged.map((c) => c.check).sort()).toEqual(['consumer-group.unique', 'iam.execution-role']);
    expect(summariseDiff(diff)).toBe('2 fixed, 1 new, 2 unchanged');
  });

  it('reports a status change of a problem, and the verdict change', () => {
    const before = failingReport();
    const after = healthyReport();
    after.verdict = 'at-risk';
    after.findings = [...after.findings, finding('iam.execution-role', 6, 'warn', 'Could be tighter')];
    const diff = diffReports(before, after);
    expect(diff.changed).toEqual([{ check: 'iam.execution-role', title: 'Could be tighter', before: 'fail', after: 'warn' }]);
    expect(summariseDiff(diff)).toBe('3 fixed, 1 changed (failing → at-risk)');
  });

  it('counts a problem whose check no longer runs as fixed', () => {
    const before = failingReport();
    const after = { ...before, findings: before.findings.filter((f) => f.check !== 'consumer-group.unique') };
    expect(diffReports(before, after).fixed.map((c) => c.check)).toEqual(['consumer-group.unique']);
  });

  it('says "no change" when nothing changed', () => {
    expect(summariseDiff(diffReports(failingReport(), failingReport()))).toBe('no change');
  });
});

describe('causeOf', () => {
  it('is the most likely cause when failing, the first warning when at risk, else the verdict', () => {
    expect(causeOf(failingReport())).toBe('network.sg-broker-ingress');
    const atRisk = { ...healthyReport(), verdict: 'at-risk' as const };
    atRisk.findings = [finding('consumer-group.unique', 6, 'warn', 'custom group'), ...atRisk.findings];
    expect(causeOf(atRisk)).toBe('consumer-group.unique');
    expect(causeOf(healthyReport())).toBe('verdict:healthy');
  });
});
