import { evaluate } from '../../../bot/checks/engine';
import type { Check } from '../../../bot/checks/check';
import { Report } from '../../../bot/model/report';
import { renderJson } from '../../../bot/render/json';
import { renderMarkdown } from '../../../bot/render/markdown';
import { renderText, wrap } from '../../../bot/render/text';
import { mskIamHealthy } from '../../../scenarios/base';

const SG_COMMAND = 'aws ec2 authorize-security-group-ingress --group-id sg-0a1b2c3d4e5f60718 --protocol tcp --port 9098 --source-group sg-0a1b2c3d4e5f60718 --region eu-west-1';

const checks: Check[] = [
  { id: 'esm.last-result', step: 0, title: 'Lambda reports a problem', run: () => ({ status: 'fail', detail: 'Lambda says: PROBLEM: Connection error.', fix: 'See below.', related: ['network.sg-broker-ingress'] }) },
  { id: 'role.trust', step: 1, title: 'Role trusts Lambda', run: () => ({ status: 'pass', detail: 'ok' }) },
  {
    id: 'network.sg-broker-ingress',
    step: 4,
    title: 'Cluster SG sg-0a1b2c3d4e5f60718 does not admit port 9098 from itself',
    run: () => ({
      status: 'fail',
      detail: 'No ingress rule of sg-0a1b2c3d4e5f60718 admits tcp/9098 | from the ESM subnets.',
      remedy: {
        summary: 'Add a self-referencing rule on 9098.',
        commands: [SG_COMMAND],
        documents: [{ title: 'An example document', json: { Statement: [{ Effect: 'Allow', Action: 'kafka-cluster:Connect' }] } }],
      },
      resources: ['sg-0a1b2c3d4e5f60718'],
    }),
  },
  { id: 'topic.exists', step: 6, title: 'Topic check not possible', run: () => ({ status: 'skip', detail: 'serverless' }) },
  { id: 'batch.payload', step: 8, title: 'Large messages', run: () => ({ status: 'warn', detail: 'max.message.bytes is 10 MB', fix: 'cap producers' }) },
];

function failingReport() {
  const s = mskIamHealthy();
  s.esm.LastProcessingResult = 'PROBLEM: Connection error.';
  return evaluate(s, checks, { startedAt: new Date('2026-11-20T10:00:00Z'), now: () => Date.parse('2026-11-20T10:00:00.250Z') });
}

describe('text renderer', () => {
  it('leads with the verdict, the headline and what Lambda says', () => {
    const text = renderText(failingReport());
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^FAILING {2}Failing at step 4 of 9 \(Network path to the brokers\): Cluster SG/);
    expect(text).toContain('Lambda says: "PROBLEM: Connection error."');
  });

  it('puts the most likely cause and its remedy first, and shrinks Lambda\'s generic paragraph to one line', () => {
    const text = renderText(failingReport(), { width: 80 });
    const lines = text.split('\n');
    const cause = text.indexOf('Most likely cause: Cluster SG sg-0a1b2c3d4e5f60718');
    const all = text.indexOf('All checks, by setup step');
    expect(cause).toBeGreaterThan(0);
    expect(all).toBeGreaterThan(cause);
    expect(lines.map((l) => l.trim())).toContain(SG_COMMAND);
    expect(text.indexOf(SG_COMMAND)).toBeLessThan(all);
    expect(text).toContain('Fix: Add a self-referencing rule on 9098.');
    expect(lines.map((l) => l.trim())).toEqual(expect.arrayContaining(['{', '"Effect": "Allow",']));
    expect(text.replace(/\s+/g, ' ')).toContain('is explained by network.sg-broker-ingress');
    expect(text).not.toContain('Confirmed by: network.sg-broker-ingress (fail)');
  });

  it('wraps prose to the width it is given, 80 by default', () => {
    const long = renderText(failingReport(), { width: 120 }).split('\n');
    const normal = renderText(failingReport()).split('\n');
    // A single word longer than the width (an ARN) stays whole: breaking it would break a copy.
    expect(normal.filter((l) => !l.includes(SG_COMMAND) && l.length > 80 && l.trim().includes(' '))).toEqual([]);
    expect(long[0]!.length).toBeGreaterThan(80);
  });

  it('lists step 7 with "no checks" when no check covers it', () => {
    expect(renderText(failingReport())).toMatch(/7 · Poll records\n\s+no checks/);
    expect(renderMarkdown(failingReport())).toContain('| 7 Poll records | | | no checks |');
  });

  it('shortens Lambda\'s message to its first sentence', () => {
    const s = mskIamHealthy();
    s.esm.LastProcessingResult = 'PROBLEM: Connection error. Your VPC must be able to connect to Lambda and STS.';
    const text = renderText(evaluate(s, checks));
    expect(text).toContain('Lambda says: "PROBLEM: Connection error. …"');
    expect(text).not.toContain('Your VPC must be able');
  });

  it('groups the listing by step and shows warnings with their detail', () => {
    const text = renderText(failingReport());
    expect(text).toMatch(/1 · STS: assume the execution role\n\s+✓ role\.trust/);
    expect(text).toMatch(/▲ batch\.payload\s+Large messages\n\s+max\.message\.bytes is 10 MB/);
  });

  it('uses colour only when asked', () => {
    expect(renderText(failingReport())).not.toContain('\u001b[');
    expect(renderText(failingReport(), { color: true })).toContain('\u001b[31m');
  });

  it('wraps at word boundaries and never splits a long command', () => {
    const cmd = 'aws ec2 authorize-security-group-ingress --group-id sg-0a1b2c3d4e5f60718';
    const wrapped = wrap(`Fix: ${cmd} now`, 20);
    expect(wrapped.split('\n').every((l) => l.length <= 20 || !l.includes(' '))).toBe(true);
    expect(wrapped.replace(/\n/g, ' ')).toBe(`Fix: ${cmd} now`);
  });

  it('leaves a command or a JSON line on one line, however long', () => {
    const cmd = 'aws ec2 authorize-security-group-ingress --group-id sg-0a1b2c3d4e5f60718 --protocol tcp --port 9098';
    expect(wrap(`Add the rule:\n${cmd}\n  "Action": ["kafka-cluster:Connect", "kafka-cluster:DescribeGroup"]`, 30).split('\n')).toEqual([
      'Add the rule:',
      cmd,
      '  "Action": ["kafka-cluster:Connect", "kafka-cluster:DescribeGroup"]',
    ]);
  });

  it('in summary mode keeps the fails and counts but drops the per-step listing', () => {
    const text = renderText(failingReport(), { summary: true });
    expect(text).toContain('Most likely cause: Cluster SG');
    expect(text).not.toContain('All checks, by setup step');
    expect(text).toContain('2 fail, 1 warn, 1 pass, 1 skip');
  });
});

describe('markdown renderer', () => {
  it('writes a heading, the facts, the fails with fixes and a table that survives pipes', () => {
    const md = renderMarkdown(failingReport());
    expect(md).toMatch(/^# ESM 14e0db71-5d35-4eb5-b481-8945cf9d10c2: failing/);
    expect(md).toContain('> PROBLEM: Connection error.');
    expect(md).toContain('## Most likely cause: Cluster SG sg-0a1b2c3d4e5f60718 does not admit port 9098 from itself');
    expect(md).toContain('**Fix:** Add a self-referencing rule on 9098.');
    expect(md).toContain('```sh\n' + SG_COMMAND + '\n```');
    expect(md).toContain('```json\n{\n  "Statement": [');
    expect(md).toMatch(/\| 4 Network path to the brokers \| ✖ fail \| `network.sg-broker-ingress` \|/);
  });
});

describe('json renderer', () => {
  it('prints exactly one Report that the contract schema accepts', () => {
    const json = renderJson(failingReport());
    const parsed = Report.parse(JSON.parse(json));
    expect(parsed.verdict).toBe('failing');
    expect(parsed.findings.map((f) => f.check)).toEqual([
      'esm.last-result', 'network.sg-broker-ingress', 'role.trust', 'topic.exists', 'batch.payload',
    ]);
    expect(parsed.durationMs).toBe(250);
  });
});
