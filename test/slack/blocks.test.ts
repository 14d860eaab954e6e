/**
 * What the report message must show, said in assertions (it replaced a whole-message snapshot, which
 * changed with every wording fix and so caught nothing): the cause in the header, Lambda's first
 * sentence, short evidence, the fix laid out to be copied, one line by step, buttons that fit the state.
 */
import type { ContextBlock, KnownBlock, SectionBlock } from '@slack/types';
import { ACTION_IDS, consoleUrls, evidenceLines, firstSentence, formatFix, formatRunTime, renderReport, renderUsage, stepLine, type RenderOptions } from '../../bot/slack/blocks';
import { buttonKey, signButtonValue } from '../../bot/slack/button';
import { diffReports } from '../../bot/slack/diff';
import { limitViolations, SLACK_LIMITS } from '../../bot/slack/limits';
import { afterSgFixReport, CLUSTER_SG, ESM_UUID, failingReport, finding, fortyFindingReport, healthyReport } from './support/reports';
import { buttons, codeBlocks, header, mrkdwnTexts, prose, texts } from './support/message';

const KEY = buttonKey({ buttonKey: 'k'.repeat(32) });
const VALUE = signButtonValue(KEY, { uuid: ESM_UUID, region: 'eu-west-1', account: '123456789012' });
const OPTIONS: RenderOptions = { buttonValue: VALUE };

function section(blocks: KnownBlock[], startsWith: string): string {
  const found = blocks.find((b): b is SectionBlock => b.type === 'section' && (b.text?.text.startsWith(startsWith) ?? false));
  if (!found) throw new Error(`no section starting with ${startsWith}`);
  return found.text!.text;
}

function contextWith(blocks: KnownBlock[], needle: string): string {
  const found = blocks
    .filter((b): b is ContextBlock => b.type === 'context')
    .flatMap((b) => b.elements)
    .find((e) => 'text' in e && e.text.includes(needle));
  if (!found || !('text' in found)) throw new Error(`no context element with ${needle}`);
  return found.text;
}

describe('renderReport: what the message shows at a glance', () => {
  const message = renderReport(failingReport(), OPTIONS);

  it('says the status and the cause in plain words in the header', () => {
    expect(header(message)).toBe(":red_circle: Failing: No cluster security group admits port 9098 from the ESM's subnets");
  });

  it('reads the cause from report.cause, not from the findings', () => {
    // The engine named the IAM finding (say, after the probe overruled the SG check): the message follows it.
    const report = { ...failingReport(), cause: 'iam.execution-role' };
    const out = renderReport(report, OPTIONS);
    expect(header(out)).toBe(":red_circle: Failing: The execution role cannot kafka-cluster:AlterGroup on the ESM's consumer group");
    expect(section(out.blocks, '*Most likely cause')).toContain('step 6 of 9');
  });

  it('still shows the cause of a report stored before the engine named it', () => {
    const { cause: _named, ...legacy } = failingReport();
    expect(header(renderReport(legacy, OPTIONS))).toBe(header(message));
  });

  it('puts function ← topic first in the context line, then where it runs', () => {
    const ctx = message.blocks.find((b) => b.type === 'context' && texts([b])[0]!.includes('←'))!;
    expect(texts([ctx])).toEqual([
      '*orders-consumer* ← `orders`',
      'Account *123456789012*',
      'Region *eu-west-1*',
      `ESM \`${ESM_UUID}\``,
      'MSK cluster *orders-prod*',
      'On-demand mode',
      'Auth *IAM (SASL/OAUTHBEARER)*',
    ]);
  });

  it("shortens Lambda's message to its first sentence, with the full message on a line of its own", () => {
    const says = section(message.blocks, '*What Lambda says*');
    expect(says).toBe('*What Lambda says* · state *Enabled* (USER_INITIATED)\n>PROBLEM: Connection error.');
    const full = contextWith(message.blocks, 'Full message');
    expect(full).toMatch(/^_Full message:_ PROBLEM: Connection error\. Please check your event source connection configuration\./);
    expect(full).toContain('not related to VPC or Endpoint configuration.');
  });

  it('has no "full message" line when the message is one sentence', () => {
    const out = renderReport(afterSgFixReport(), OPTIONS);
    expect(texts(out.blocks).some((t) => t.includes('Full message'))).toBe(false);
    expect(section(out.blocks, '*What Lambda says*')).toContain('>OK');
  });

  it('gives the evidence as a few short lines, not a paragraph', () => {
    const cause = section(message.blocks, '*Most likely cause');
    const lines = cause.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      '*Most likely cause — step 4 of 9 — Network path to the brokers*',
      ":x: *No cluster security group admits port 9098 from the ESM's subnets*",
    ]);
    expect(lines.slice(2)).toEqual([
      `• The cluster uses ${CLUSTER_SG}.`,
      "• Its inbound rules admit tcp/9092 from 10.0.0.0/16 and tcp/9098 from 10.1.0.0/24 only; the ESM's subnets are 10.0.1.0/24, 10.0.2.0/24 and 10.0.3.0/24, and there is no self-referencing rule.",
    ]);
  });

  it('lays a fix without a remedy out as prose and a code block for the command', () => {
    expect(codeBlocks(message)).toEqual([
      `aws ec2 authorize-security-group-ingress --group-id ${CLUSTER_SG} --protocol tcp --port 9098 --source-group ${CLUSTER_SG} --region eu-west-1`,
    ]);
    expect(contextWith(message.blocks, 'check `network.sg-broker-ingress`')).toContain(`resources \`${CLUSTER_SG}\``);
  });

  it('lists the other fails and warnings one line each', () => {
    expect(section(message.blocks, '*Also found*').split('\n')).toEqual([
      '*Also found*',
      ':x: *Lambda reports a connection error* — step 0 · `esm.last-result`',
      ":x: *The execution role cannot kafka-cluster:AlterGroup on the ESM's consumer group* — step 6 · `iam.execution-role`",
      ':warning: *The ESM uses a custom consumer group id* — step 6 · `consumer-group.unique`',
    ]);
  });

  it('sums every step up on one line, step 7 included although no check covers it', () => {
    const line = contextWith(message.blocks, 'All checks by step');
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain('0 :x: · 1 :white_check_mark: · 2 :heavy_minus_sign: · 3 :white_check_mark: · 4 :x: · 5 :white_check_mark: · 6 :x: · 7 _no checks_ · 8 :white_check_mark: · 9 :white_check_mark:');
    expect(line).toMatch(/— 19 checks: 3 fail, 1 warn, 13 pass, 2 skip$/);
    expect(stepLine([])).toContain('0 _no checks_');
  });

  it('says how long the run took, in milliseconds when it was quick', () => {
    expect(contextWith(message.blocks, 'Checked')).toMatch(/^Checked <!date\^1795166043\^.*> in 8\.4 s$/);
    expect(formatRunTime(37)).toBe('37 ms');
    expect(formatRunTime(0)).toBe('0 ms');
    expect(formatRunTime(1520)).toBe('1.5 s');
  });

  it('gives notifications a fallback text with the status, the function and the headline', () => {
    expect(message.text).toBe(
      `Failing: orders-consumer ← orders (ESM ${ESM_UUID}, eu-west-1) — Failing at step 4 of 9 (Network path to the brokers): No cluster security group admits port 9098 from the ESM's subnets`,
    );
  });

  it('stays within every Slack limit', () => {
    expect(limitViolations(message)).toEqual([]);
  });
});

describe('renderReport: buttons and stamps', () => {
  it('has Re-run, Acknowledge and two console links on a failing report', () => {
    const b = buttons(renderReport(failingReport(), OPTIONS));
    expect(b.map((x) => x.action_id)).toEqual([ACTION_IDS.recheck, ACTION_IDS.ack, ACTION_IDS.openEsm, ACTION_IDS.openFunction]);
    expect(b[0]!.value).toBe(VALUE);
    expect(b[1]!.value).toBe(VALUE);
    expect(b[2]!.url).toBe(`https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/event-source-mappings/${ESM_UUID}`);
    expect(b[3]!.url).toBe('https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/orders-consumer');
  });

  it('offers Run live probe, after Re-run, only when probing is configured', () => {
    const ids = (probe: boolean) => buttons(renderReport(failingReport(), { ...OPTIONS, probe })).map((b) => b.action_id);
    expect(ids(false)).not.toContain(ACTION_IDS.probe);
    expect(ids(true).slice(0, 3)).toEqual([ACTION_IDS.recheck, ACTION_IDS.probe, ACTION_IDS.ack]);
  });

  it('turns Acknowledge into a stamp saying who and when, where the button was', () => {
    const out = renderReport(failingReport(), { ...OPTIONS, acknowledged: { by: 'U0ALICE', at: '2026-11-20T09:15:00.000Z' } });
    expect(buttons(out).map((b) => b.action_id)).not.toContain(ACTION_IDS.ack);
    const stamp = out.blocks.at(-2)!;
    expect(stamp.type).toBe('context');
    expect(texts([stamp])[0]).toMatch(/^:white_check_mark: Acknowledged by <@U0ALICE> <!date\^1795166100\^\{date_short_pretty\} at \{time\}\|2026-11-20 09:15 UTC>/);
    expect(texts(out.blocks).filter((t) => t.includes('Acknowledged by'))).toHaveLength(1);
  });

  it('offers no Acknowledge on a healthy report', () => {
    const out = renderReport(healthyReport(), OPTIONS);
    expect(header(out)).toBe(':large_green_circle: Healthy: orders-consumer ← orders');
    expect(section(out.blocks, '*Healthy: all')).toBe('*Healthy: all 13 applicable checks pass*');
    expect(buttons(out).map((b) => b.action_id)).toEqual([ACTION_IDS.recheck, ACTION_IDS.openEsm, ACTION_IDS.openFunction]);
    expect(JSON.stringify(out.blocks)).not.toContain('Most likely cause');
  });

  it("keeps a preface (an alert's state and history) right under the header", () => {
    const { blocks } = renderReport(failingReport(), { ...OPTIONS, preface: [':rotating_light: *Alert* from the esm-doctor watcher', '*History*\nfailing'] });
    expect(texts([blocks[1]!])).toEqual([':rotating_light: *Alert* from the esm-doctor watcher']);
    expect(texts([blocks[2]!])).toEqual(['*History*\nfailing']);
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
});

describe('renderReport: escaping what AWS and people wrote', () => {
  it('escapes evidence so that it cannot inject links or mentions', () => {
    const report = failingReport();
    report.findings[1] = { ...report.findings[1]!, detail: 'see <!channel> and <https://evil.example|AWS>' };
    const cause = section(renderReport(report, OPTIONS).blocks, '*Most likely cause');
    expect(cause).toContain('see &lt;!channel&gt; and &lt;https://evil.example|AWS&gt;');
  });

  it("escapes Lambda's message, the state reason, topics and the function name, and leaves the plain-text header as written", () => {
    const report = failingReport();
    report.esm = {
      ...report.esm!,
      lastProcessingResult: 'PROBLEM: Broker <b-1> said "x & y". Then more.',
      stateTransitionReason: 'USER_INITIATED <@U0EVIL>',
      topics: ['a<b>&c'],
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f&g',
    };
    const out = renderReport(report, OPTIONS);
    const all = mrkdwnTexts(out.blocks).join('\n');
    expect(all).toContain('(USER_INITIATED &lt;@U0EVIL&gt;)');
    expect(all).toContain('>PROBLEM: Broker &lt;b-1&gt; said "x &amp; y".');
    expect(all).toContain('*f&amp;g* ← `a&lt;b&gt;&amp;c`');
    expect(all).not.toMatch(/<@U0EVIL>|<b-1>|&amp;amp;/);
    expect(out.text).toContain('f&amp;g ← a&lt;b&gt;&amp;c');
    // A header is plain_text: Slack shows it as written, so it is not escaped.
    const plain = renderReport({ ...report, cause: undefined, findings: [], verdict: 'unknown' }, OPTIONS);
    expect(header(plain)).toBe(':white_circle: Unknown: f&g ← a<b>&c');
  });

  it('escapes a title in the "also found" list and a resource in the footer', () => {
    const report = failingReport();
    report.findings[2] = { ...report.findings[2]!, title: 'Role <x> & co' };
    report.findings[1] = { ...report.findings[1]!, resources: ['sg-1<2>'] };
    const out = renderReport(report, OPTIONS);
    expect(section(out.blocks, '*Also found*')).toContain('*Role &lt;x&gt; &amp; co*');
    expect(contextWith(out.blocks, 'resources')).toContain('`sg-1&lt;2&gt;`');
  });
});

describe('renderReport with 40 findings and very long evidence', () => {
  const report = fortyFindingReport();
  const message = renderReport(report, OPTIONS);

  it('stays within every Slack limit', () => {
    expect(limitViolations(message)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  });

  it('summarises the findings it cannot list instead of cutting them', () => {
    const also = section(message.blocks, '*Also found*');
    expect(also).toMatch(/_…and \d+ more \(the CLI lists them all\)_$/);
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
        const word = m[1]!.replace(/^[>*_`(•]+/, '');
        if (word === '' || word.startsWith('_')) continue;
        expect(vocabulary.has(word) || vocabulary.has(`${word},`)).toBe(true);
      }
    }
  });
});

describe('small pieces', () => {
  it('firstSentence splits after the first full stop, and leaves a single sentence alone', () => {
    expect(firstSentence('PROBLEM: Connection error. Please check it.')).toEqual({ first: 'PROBLEM: Connection error.', rest: 'Please check it.' });
    expect(firstSentence('OK')).toEqual({ first: 'OK', rest: '' });
  });

  it('evidenceLines keeps list items as lines and counts what it leaves out', () => {
    expect(evidenceLines('It denies:\n- a\n- b\n- c\n- d\n- e', 3)).toEqual(['• It denies:', '• a', '• b', '_…and 3 more (the CLI shows the whole evidence)_']);
  });

  it('formatFix turns indented lines and aws command lines into code blocks, escaping only &, < and >', () => {
    expect(formatFix('Add a self-referencing rule on 9098:\n  aws ec2 authorize-security-group-ingress --group-id sg-1 --port 9098\n  aws ec2 describe-security-groups --group-ids sg-1')).toBe(
      'Add a self-referencing rule on 9098:\n```aws ec2 authorize-security-group-ingress --group-id sg-1 --port 9098```\n```aws ec2 describe-security-groups --group-ids sg-1```',
    );
    expect(formatFix('Raise it to at least 1 & retry <soon>')).toBe('Raise it to at least 1 &amp; retry &lt;soon&gt;');
    expect(formatFix('Run:\n  aws ec2 create-vpc-endpoint \\\n    --vpc-id vpc-1')).toBe('Run:\n```aws ec2 create-vpc-endpoint \\\n--vpc-id vpc-1```');
    expect(formatFix("aws lambda update-function-configuration --function-name f --environment 'Variables={A=1&B=<2>}'")).toBe(
      "```aws lambda update-function-configuration --function-name f --environment 'Variables={A=1&amp;B=&lt;2&gt;}'```",
    );
  });

  it('consoleUrls uses the partition of the function ARN', () => {
    const report = failingReport();
    report.target.region = 'cn-north-1';
    report.esm!.functionArn = 'arn:aws-cn:lambda:cn-north-1:123456789012:function:orders-consumer:live';
    expect(consoleUrls(report).function).toBe('https://cn-north-1.console.amazonaws.cn/lambda/home?region=cn-north-1#/functions/orders-consumer');
  });

  it('a finding with neither remedy nor fix shows no Fix line', () => {
    const report = failingReport();
    report.findings[1] = finding('network.sg-broker-ingress', 4, 'fail', 'No rule', 'Nothing admits 9098.');
    expect(prose(renderReport(report, OPTIONS))).not.toContain('*Fix:*');
  });
});

describe('renderUsage', () => {
  it('says what is wrong, then how to use /esm, without a raw <uuid|arn> that Slack would read as a link', () => {
    const usage = renderUsage('"nope" is not an event source mapping UUID', 'eu-west-1');
    expect(usage.text).toBe('"nope" is not an event source mapping UUID');
    const all = mrkdwnTexts(usage.blocks).join('\n');
    expect(all).toContain('/esm diagnose &lt;uuid|arn&gt; [region]');
    expect(all).not.toMatch(/<uuid|<arn/);
    expect(all).toContain('the region is *eu-west-1*');
  });
});
