import type { ActionsBlock, Button, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import { ACTION_IDS, consoleUrls, formatFix, renderReport, renderUsage, type RenderOptions } from '../../bot/slack/blocks';
import { buttonKey, signButtonValue } from '../../bot/slack/button';
import { diffReports } from '../../bot/slack/diff';
import { limitViolations, SLACK_LIMITS } from '../../bot/slack/limits';
import { afterSgFixReport, ESM_UUID, failingReport, fortyFindingReport, healthyReport } from './support/reports';

const KEY = buttonKey({ buttonKey: 'k'.repeat(32) });
const VALUE = signButtonValue(KEY, { uuid: ESM_UUID, region: 'eu-west-1', account: '123456789012' });
const OPTIONS: RenderOptions = { buttonValue: VALUE };

function texts(blocks: KnownBlock[]): string[] {
  const out: string[] = [];
  JSON.stringify(blocks, (key, value) => {
    if (key === 'text' && typeof value === 'string') out.push(value);
    return value;
  });
  return out;
}

function section(blocks: KnownBlock[], startsWith: string): string {
  const found = blocks.find((b): b is SectionBlock => b.type === 'section' && (b.text?.text.startsWith(startsWith) ?? false));
  if (!found) throw new Error(`no section starting with ${startsWith}`);
  return found.text!.text;
}

describe('renderReport', () => {
  it('renders a failing report (snapshot)', () => {
    expect(renderReport(failingReport(), OPTIONS)).toMatchSnapshot();
  });

  it('puts status, function and topic in the header', () => {
    const header = renderReport(failingReport(), OPTIONS).blocks[0] as HeaderBlock;
    expect(header.text.text).toBe(':red_circle: Failing: orders-consumer ← orders');
  });

  it('says what Lambda says, quoted, and the state', () => {
    const says = section(renderReport(failingReport(), OPTIONS).blocks, '*What Lambda says*');
    expect(says).toMatch(/^\*What Lambda says\*\n>PROBLEM: Connection error\./);
    expect(says).toContain('State: *Enabled (USER_INITIATED)*');
  });

  it('names the first failing setup step as the most likely cause, with evidence and fix', () => {
    const { blocks } = renderReport(failingReport(), OPTIONS);
    const cause = section(blocks, '*Most likely cause');
    expect(cause).toContain('*Most likely cause — step 4 of 9 — Network path to the brokers*');
    expect(cause).toContain("No cluster security group admits port 9098 from the ESM's subnets");
    expect(cause).toContain('tcp/9098 from 10.1.0.0/24 only');
    expect(section(blocks, '*Fix:*')).toContain('aws ec2 authorize-security-group-ingress --group-id sg-0a1b2c3d4e5f60718');
  });

  it('lists the other fails and warnings in short, and every step in the summary', () => {
    const { blocks } = renderReport(failingReport(), OPTIONS);
    const also = section(blocks, '*Also found*');
    expect(also.split('\n')).toEqual([
      '*Also found*',
      ':x: *Lambda reports a connection error* — step 0 · `esm.last-result`',
      ":x: *The execution role cannot kafka-cluster:AlterGroup on the ESM's consumer group* — step 6 · `iam.execution-role`",
      ':warning: *The ESM uses a custom consumer group id* — step 6 · `consumer-group.unique`',
    ]);
    const steps = section(blocks, '*All checks by step*');
    expect(steps).toContain(':x: *4* Network path to the brokers — 1 fail, 3 pass');
    expect(steps).toContain(':heavy_minus_sign: *2* Secrets Manager: read the auth secret — 1 skip');
    expect(steps.split('\n')).toHaveLength(1 + 9); // no check for step 7 in this report
  });

  it('shows the account, region, ESM, cluster, mode and auth in the context line', () => {
    const ctx = renderReport(failingReport(), OPTIONS).blocks.find((b) => b.type === 'context')!;
    expect(texts([ctx])).toEqual([
      'Account *123456789012*',
      'Region *eu-west-1*',
      `ESM \`${ESM_UUID}\``,
      'MSK cluster *orders-prod*',
      'On-demand mode',
      'Auth *IAM (SASL/OAUTHBEARER)*',
    ]);
  });

  it('has Re-run, Acknowledge and two console links', () => {
    const actions = renderReport(failingReport(), OPTIONS).blocks.at(-1) as ActionsBlock;
    const buttons = actions.elements as Button[];
    expect(buttons.map((b) => b.action_id)).toEqual([ACTION_IDS.recheck, ACTION_IDS.ack, 'esm_open_esm', 'esm_open_function']);
    expect(buttons[0]!.value).toBe(VALUE);
    expect(buttons[1]!.value).toBe(VALUE);
    expect(buttons[2]!.url).toBe(`https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/event-source-mappings/${ESM_UUID}`);
    expect(buttons[3]!.url).toBe('https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/orders-consumer');
  });

  it('offers Run live probe, after Re-run, only when probing is configured', () => {
    const ids = (probe: boolean) =>
      ((renderReport(failingReport(), { ...OPTIONS, probe }).blocks.at(-1) as ActionsBlock).elements as Button[]).map((b) => b.action_id);
    expect(ids(false)).not.toContain(ACTION_IDS.probe);
    expect(ids(true).slice(0, 3)).toEqual([ACTION_IDS.recheck, ACTION_IDS.probe, ACTION_IDS.ack]);
  });

  it('keeps a preface (an alert\'s state and history) right under the header, above the notes', () => {
    const { blocks } = renderReport(failingReport(), {
      ...OPTIONS,
      preface: [':rotating_light: *Alert* from the esm-doctor watcher', '*History*\nfailing'],
      acknowledged: { by: 'U0ALICE', at: '2026-11-20T09:15:00.000Z' },
    });
    expect(texts([blocks[1]!])).toEqual([':rotating_light: *Alert* from the esm-doctor watcher']);
    expect(texts([blocks[2]!])).toEqual(['*History*\nfailing']);
    expect(texts([blocks[3]!])[0]).toMatch(/^:white_check_mark: Acknowledged by <@U0ALICE>/);
  });

  it('gives notifications a fallback text with the status, the function and the headline', () => {
    expect(renderReport(failingReport(), OPTIONS).text).toBe(
      `Failing: orders-consumer ← orders (ESM ${ESM_UUID}, eu-west-1) — Failing at step 4 of 9 (Network path to the brokers): No cluster security group admits port 9098 from the ESM's subnets`,
    );
  });

  it('shows the headline instead of a cause when nothing fails', () => {
    const { blocks } = renderReport(healthyReport(), OPTIONS);
    expect((blocks[0] as HeaderBlock).text.text).toBe(':large_green_circle: Healthy: orders-consumer ← orders');
    expect(section(blocks, '*Healthy: all')).toBe('*Healthy: all 13 applicable checks pass*');
    expect(JSON.stringify(blocks)).not.toContain('Most likely cause');
  });

  it('says who re-ran it, when, and what changed', () => {
    const diff = diffReports(failingReport(), afterSgFixReport());
    const { blocks } = renderReport(afterSgFixReport(), { ...OPTIONS, rerun: { by: 'U0BOB', at: '2026-11-20T09:20:00.000Z', diff } });
    const note = texts([blocks[1]!]);
    expect(note[0]).toBe(
      ':repeat: Re-run by <@U0BOB> <!date^1795166400^{date_short_pretty} at {time}|2026-11-20 09:20 UTC>: *2 fixed, 1 new, 2 unchanged*',
    );
    expect(note[1]).toBe('Fixed: `esm.last-result`, `network.sg-broker-ingress` · New: `function.concurrency`');
  });

  it('stamps who acknowledged it and when', () => {
    const { blocks } = renderReport(failingReport(), { ...OPTIONS, acknowledged: { by: 'U0ALICE', at: '2026-11-20T09:15:00.000Z' } });
    expect(texts([blocks[1]!])[0]).toMatch(/^:white_check_mark: Acknowledged by <@U0ALICE> <!date\^1795166100\^/);
  });

  it('escapes what the report says so that it cannot inject links or mentions', () => {
    const report = failingReport();
    report.findings[1] = { ...report.findings[1]!, detail: 'see <!channel> and <https://evil.example|AWS>' };
    const cause = section(renderReport(report, OPTIONS).blocks, '*Most likely cause');
    expect(cause).toContain('see &lt;!channel&gt; and &lt;https://evil.example|AWS&gt;');
  });
});

describe('renderReport with 40 findings and very long evidence', () => {
  const report = fortyFindingReport();
  const message = renderReport(report, OPTIONS);

  it('stays within every Slack limit', () => {
    expect(limitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    const header = message.blocks[0] as HeaderBlock;
    expect(header.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
  });

  it('summarises the findings it cannot list instead of cutting them', () => {
    const also = section(message.blocks, '*Also found*');
    expect(also).toMatch(/_…and \d+ more \(see the summary by step below\)_$/);
    const listed = also.split('\n').filter((l) => l.startsWith(':'));
    const more = Number(/…and (\d+) more/.exec(also)![1]);
    expect(listed.length + more).toBe(39);
  });

  it('never cuts a word in half', () => {
    const vocabulary = new Set<string>();
    const add = (s: string | undefined) => s?.split(/\s+/).forEach((w) => vocabulary.add(w));
    report.findings.forEach((f) => [f.title, f.detail, f.fix].forEach(add));
    add(report.esm!.lastProcessingResult);
    add(report.esm!.topics.join(', '));
    for (const text of [...texts(message.blocks), message.text]) {
      for (const m of text.matchAll(/(\S+)…/g)) {
        const word = m[1]!.replace(/^[>*_`(]+/, '');
        if (word === '' || word.startsWith('_')) continue;
        expect(vocabulary.has(word) || vocabulary.has(`${word},`)).toBe(true);
      }
    }
  });
});

describe('consoleUrls', () => {
  it('uses the partition of the function ARN', () => {
    const report = failingReport();
    report.target.region = 'cn-north-1';
    report.esm!.functionArn = 'arn:aws-cn:lambda:cn-north-1:123456789012:function:orders-consumer:live';
    expect(consoleUrls(report).function).toBe('https://cn-north-1.console.amazonaws.cn/lambda/home?region=cn-north-1#/functions/orders-consumer');
  });
});

describe('renderUsage', () => {
  it('says what is wrong, then how to use /esm', () => {
    const usage = renderUsage('"nope" is not an event source mapping UUID', 'eu-west-1');
    expect(usage.text).toBe('"nope" is not an event source mapping UUID');
    expect(JSON.stringify(usage.blocks)).toContain('/esm diagnose <uuid|arn> [region]');
    expect(JSON.stringify(usage.blocks)).toContain('the region is *eu-west-1*');
  });
});

describe('formatFix', () => {
  it('turns the indented command lines the checks write into a code block', () => {
    expect(formatFix('Add a self-referencing rule on 9098:\n  aws ec2 authorize-security-group-ingress --group-id sg-1 --port 9098\n  aws ec2 describe-security-groups --group-ids sg-1')).toBe(
      'Add a self-referencing rule on 9098:\n```aws ec2 authorize-security-group-ingress --group-id sg-1 --port 9098\naws ec2 describe-security-groups --group-ids sg-1```',
    );
    expect(formatFix('Raise it to at least 1 & retry <soon>')).toBe('Raise it to at least 1 &amp; retry &lt;soon&gt;');
  });
});
