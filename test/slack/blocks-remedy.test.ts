/**
 * The fix is what an on-call engineer copies from Slack: every remedy command must appear intact in
 * exactly one code block, every document must be valid JSON in its block, and nothing inside a block
 * may be escaped in a way Slack would show (only &, < and > are, and Slack decodes exactly those).
 * Held for hand-built remedies with awkward commands and for every bundled scenario, as a report
 * and as an alert, within Slack's limits.
 */
import type { Finding, Remedy, Report } from '../../bot/model/report';
import { remedyText } from '../../bot/model/remedy';
import { diagnoseSnapshot } from '../../bot/diagnose';
import { renderAlert } from '../../bot/slack/alert-messages';
import { renderReport, type SlackReport } from '../../bot/slack/blocks';
import { limitViolations, SLACK_LIMITS, type SlackMessage } from '../../bot/slack/limits';
import { SCENARIOS } from '../../scenarios/index';
import { failingReport } from './support/reports';
import { codeBlocks, header, mrkdwnTexts, prose } from './support/message';

const OPTIONS = { buttonValue: 'signed-value' };

const POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeGroup'],
      Resource: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3',
      Condition: { StringLike: { 'aws:PrincipalTag/team': 'a&b<c>' } },
    },
  ],
};

/** Commands as a shell-quoting helper writes them: single quotes, JSON with &, <, >, backslashes, `$`. */
const TRICKY: Remedy = {
  summary: 'Give the execution role the kafka-cluster actions & re-enable the ESM (<2 min>).',
  documents: [{ title: 'Inline policy esm-doctor-kafka <event source>', json: POLICY }],
  commands: [
    `aws iam put-role-policy --role-name orders-consumer-role --policy-name esm-doctor-kafka --policy-document '${JSON.stringify(POLICY)}' --region eu-west-1`,
    "aws lambda update-function-configuration --function-name orders-consumer --environment 'Variables={NOTE='\\''it'\\''s a&b <ok>'\\''}' --region eu-west-1",
    'aws secretsmanager put-secret-value --secret-id \'AmazonMSK_orders\' --secret-string \'{"username":"svc","password":"$(cat pw.txt)"}\' --region eu-west-1',
    'aws kafka batch-associate-scram-secret --cluster-arn arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3 --secret-arn-list arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_orders-Qx81Tz --region eu-west-1',
    "aws lambda update-event-source-mapping --uuid 14e0db71-5d35-4eb5-b481-8945cf9d10c2 --enabled --region eu-west-1 && echo 'done > ok'",
  ],
};

function withRemedy(report: SlackReport, check: string, remedy: Remedy): SlackReport {
  return {
    ...report,
    findings: report.findings.map((f) => (f.check === check ? { ...f, remedy, fix: remedyText(remedy) } : f)),
  };
}

/** Every command and every document of `finding` is in the message, each in exactly one code block. */
function expectLaidOut(message: SlackMessage, finding: Finding): void {
  const blocks = codeBlocks(message);
  for (const command of finding.remedy?.commands ?? []) {
    expect(blocks.filter((b) => b === command)).toHaveLength(1);
    // …and nowhere else, neither inside another block nor in prose.
    expect(blocks.filter((b) => b !== command && b.includes(command))).toEqual([]);
  }
  for (const doc of finding.remedy?.documents ?? []) {
    const matching = blocks.filter((b) => {
      try {
        return JSON.stringify(JSON.parse(b)) === JSON.stringify(doc.json);
      } catch {
        return false;
      }
    });
    expect(matching).toHaveLength(1);
  }
}

/** In Slack's markup, a code block holds nothing escaped but &, < and > (which Slack decodes). */
function expectNothingElseEscaped(message: SlackMessage): void {
  for (const text of mrkdwnTexts(message.blocks)) {
    for (const m of text.matchAll(/```([\s\S]*?)```/g)) {
      const raw = m[1]!;
      expect(raw).not.toMatch(/[<>]/); // raw control characters would become links or vanish
      expect(raw.replace(/&(amp|lt|gt);/g, '')).not.toContain('&'); // every & is an entity Slack decodes
      expect(raw).not.toMatch(/&(quot|#\d+|apos);|\u200b/);
    }
  }
}

describe('a remedy with awkward commands and a document', () => {
  const report = withRemedy(failingReport(), 'network.sg-broker-ingress', TRICKY);
  const cause = report.findings.find((f) => f.check === 'network.sg-broker-ingress')!;
  const message = renderReport(report, OPTIONS);

  it('puts each command in its own code block, intact', () => {
    expectLaidOut(message, cause);
    expect(codeBlocks(message)).toHaveLength(TRICKY.commands!.length + TRICKY.documents!.length);
  });

  it('shows the document as pretty-printed JSON', () => {
    const doc = codeBlocks(message).find((b) => b.startsWith('{'))!;
    expect(doc).toBe(JSON.stringify(POLICY, null, 2));
  });

  it('escapes only what Slack decodes, inside the blocks and out', () => {
    expectNothingElseEscaped(message);
    const text = prose(message);
    expect(text).toContain('*Fix:* Give the execution role the kafka-cluster actions &amp; re-enable the ESM (&lt;2 min&gt;).');
    expect(text).toContain('_Inline policy esm-doctor-kafka &lt;event source&gt;_');
  });

  it('shows the summary as prose, before the blocks, and no plain-text copy of the fix', () => {
    const all = mrkdwnTexts(message.blocks).join('\n');
    expect(all.indexOf('*Fix:*')).toBeLessThan(all.indexOf('```'));
    // `fix` is the same remedy as text; laid out once, not twice.
    expect(all.split('aws iam put-role-policy')).toHaveLength(2);
  });

  it('stays within the limits, as a report and as an alert', () => {
    expect(limitViolations(message)).toEqual([]);
    const alert = renderAlert(report, { buttonValue: 'v', since: '2026-11-20T09:14:03.000Z', history: [] });
    expect(limitViolations(alert)).toEqual([]);
    expectLaidOut(alert, cause);
  });

  it('compacts a document too long to pretty-print, and never shows a cut one', () => {
    const big = { Statement: Array.from({ length: 40 }, (_, i) => ({ Effect: 'Allow', Action: `kafka-cluster:Action${i}`, Resource: '*' })) };
    const huge = { Statement: Array.from({ length: 200 }, (_, i) => ({ Effect: 'Allow', Action: `kafka-cluster:Action${i}`, Resource: '*' })) };
    const out = renderReport(withRemedy(failingReport(), 'network.sg-broker-ingress', { summary: 'Apply these.', documents: [{ title: 'big', json: big }, { title: 'huge', json: huge }] }), OPTIONS);
    const blocks = codeBlocks(out);
    expect(blocks).toEqual([JSON.stringify(big)]);
    expect(prose(out)).toContain('Too large to show in Slack whole');
    expect(limitViolations(out)).toEqual([]);
  });

  it('refuses to show a command it cannot show faithfully, rather than breaking it', () => {
    const out = renderReport(withRemedy(failingReport(), 'network.sg-broker-ingress', { summary: 'Run it.', commands: ['echo ```', `aws x ${'y'.repeat(4000)}`] }), OPTIONS);
    expect(codeBlocks(out)).toEqual([]);
    expect(prose(out).match(/too long to show in Slack whole/g)).toHaveLength(2);
  });
});

describe('every bundled scenario', () => {
  const reports: Array<[string, Report]> = SCENARIOS.map((s) => [s.id, diagnoseSnapshot(s.snapshot())]);

  it.each(reports)('%s: the header names the cause, the fix is laid out to be copied, and the message fits', (_id, report) => {
    const message = renderReport(report, OPTIONS);
    const alert = renderAlert(report, { buttonValue: 'v', since: report.startedAt, history: [{ at: report.startedAt, text: 'Failing' }] });
    for (const m of [message, alert]) {
      expect(limitViolations(m)).toEqual([]);
      expect(m.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
      expectNothingElseEscaped(m);
      // Step 7 is always in the step summary, with its checks' status or "no checks".
      expect(mrkdwnTexts(m.blocks).join('\n')).toMatch(/ · 7 (_no checks_|:[a-z_]+:)/);
    }
    const cause = report.findings.find((f) => f.check === report.cause);
    if (!cause) {
      expect(report.verdict).not.toBe('failing');
      return;
    }
    expect(header(message)).toContain(cause.title.slice(0, 60));
    for (const m of [message, alert]) {
      if (cause.remedy) expectLaidOut(m, cause);
      // A fix that is still text: each command line in it is in a code block, whole.
      else {
        const commandLines = (cause.fix ?? '').split('\n').filter((l) => /^\s*aws [a-z0-9-]+ [a-z0-9-]+/.test(l)).map((l) => l.trim());
        for (const line of commandLines) expect(codeBlocks(m).join('\n').split('\n')).toContain(line);
      }
    }
  });

  it('covers the failing scenarios (the test above is not vacuous)', () => {
    const failing = reports.filter(([, r]) => r.verdict === 'failing');
    expect(failing.length).toBeGreaterThanOrEqual(8);
    const withCode = failing.filter(([, r]) => codeBlocks(renderReport(r, OPTIONS)).length > 0);
    expect(withCode.length).toBeGreaterThan(0);
  });
});
