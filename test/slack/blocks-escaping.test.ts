/**
 * Every place an AWS- or user-supplied string reaches a channel is escaped once (Slack reads &, < and
 * > as markup: `<!channel>` notifies everyone, `<https://x|y>` is a link), and only once: what Slack
 * sends already escaped is decoded at the boundary, and nothing shows `&amp;lt;`.
 */
import type { KnownBlock } from '@slack/types';
import type { EsmStateChange } from '../../bot/model/events';
import { EsmDoctorError } from '../../bot/model/errors';
import { ackHistoryEntry, alertPreface, closedHeadline, closedPreface, renderClosed, renderStormParent, renderThreadNote } from '../../bot/slack/alert-messages';
import { renderNotice, renderProgress, renderUsage } from '../../bot/slack/blocks';
import { parseEsmCommand } from '../../bot/slack/commands/esm';
import { explainFailure } from '../../bot/slack/failure';
import { escapeMrkdwn, fitText, unescapeMrkdwn } from '../../bot/slack/limits';
import { createLogger } from '../../bot/slack/log';
import { failingReport } from './support/reports';
import { header, mrkdwnTexts } from './support/message';

const EVIL = 'USER_INITIATED <!channel> & <https://evil.example|click>';

function change(current: EsmStateChange['current']): EsmStateChange {
  return {
    uuid: '14e0db71-5d35-4eb5-b481-8945cf9d10c2',
    esmArn: 'arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:14e0db71-5d35-4eb5-b481-8945cf9d10c2',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-consumer',
    eventSource: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/5b2c1a7e-3f4d-4e8a-9c1b-2d3e4f5a6b7c-3',
    region: 'eu-west-1',
    account: '123456789012',
    health: 'recovered',
    previous: { state: 'Enabled', lastProcessingResult: 'PROBLEM: Connection error.' },
    current,
    observedAt: '2026-11-20T09:30:00.000Z',
  };
}

/** No raw control sequence from EVIL, and no double escaping, anywhere in these mrkdwn texts. */
function expectInert(texts: string[]): void {
  const all = texts.join('\n');
  expect(all).not.toContain('<!channel>');
  expect(all).not.toContain('<https://evil.example');
  expect(all).not.toMatch(/&amp;(amp|lt|gt);/);
}

const allMrkdwn = (blocks: KnownBlock[]) => mrkdwnTexts(blocks);

describe('the closed alert (StateTransitionReason from AWS)', () => {
  const disabled = change({ state: 'Disabled', stateTransitionReason: EVIL });
  const headline = closedHeadline('recovered', disabled, 20 * 60_000);

  it('escapes the reason in the headline that goes to the history and the thread', () => {
    expect(headline.text).toBe('No longer failing after 20 min (now Disabled, USER_INITIATED &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;)');
    const note = renderThreadNote(`${headline.emoji} ${headline.text}.`);
    expectInert([note.text, ...allMrkdwn(note.blocks)]);
    expectInert(closedPreface(headline, [{ at: disabled.observedAt, text: headline.text }]));
  });

  it('shows it as written in the plain-text header, and escapes it in the message', () => {
    const message = renderClosed(failingReport(), {
      kind: 'recovered',
      durationMs: 20 * 60_000,
      history: [{ at: disabled.observedAt, text: headline.text }],
      change: disabled,
      buttonValue: 'v',
    });
    expect(header(message)).toContain(`(now Disabled, ${EVIL})`);
    expectInert([message.text, ...allMrkdwn(message.blocks)]);
    expect(message.text).toMatch(/^No longer failing after 20 min \(now Disabled, USER_INITIATED &lt;!channel&gt; &amp;/);
  });

  it("records who acknowledged it in the closed alert's history", () => {
    const entry = ackHistoryEntry({ by: 'U0ALICE', at: '2026-11-20T09:12:00.000Z' });
    expect(entry).toEqual({ at: '2026-11-20T09:12:00.000Z', text: 'Acknowledged by <@U0ALICE>' });
    const message = renderClosed(undefined, { kind: 'recovered', durationMs: 60_000, history: [entry], change: change({ state: 'Enabled' }), buttonValue: 'v' });
    expect(allMrkdwn(message.blocks).join('\n')).toContain('Acknowledged by <@U0ALICE>');
    expect(ackHistoryEntry({ by: '<!here>', at: entry.at }).text).toBe('Acknowledged by &lt;!here&gt;');
  });
});

describe('storm labels and alert lines', () => {
  it('escapes member labels and the cluster', () => {
    const message = renderStormParent({
      cluster: 'b-1.evil<x>:9092,b-2&y:9092',
      members: [{ uuid: 'u-1', at: '2026-11-20T09:00:00.000Z', open: true, label: EVIL }],
      openedAt: '2026-11-20T09:00:00.000Z',
      windowMinutes: 5,
    });
    expectInert(allMrkdwn(message.blocks));
    expect(allMrkdwn(message.blocks).join('\n')).toContain('`b-1.evil&lt;x&gt;:9092,b-2&amp;y:9092`');
  });

  it('keeps history entries as the notifier wrote them (mrkdwn, escaped once where they quote AWS)', () => {
    const lines = alertPreface('2026-11-20T09:00:00.000Z', [
      { at: '2026-11-20T09:00:00.000Z', text: `Failing: ${escapeMrkdwn(EVIL)}` },
      { at: '2026-11-20T09:05:00.000Z', text: 'Acknowledged by <@U0ALICE>' },
    ]);
    expectInert(lines);
    expect(lines.join('\n')).toContain('Acknowledged by <@U0ALICE>');
  });
});

describe('what people type', () => {
  it('decodes the slash command text Slack sends escaped, so that the answer escapes it once', () => {
    // Slack sends `/esm diagnose <x>` as "diagnose &lt;x&gt;".
    const parsed = parseEsmCommand('&lt;!channel&gt;&amp;x diagnose', 'eu-west-1');
    expect(parsed).toEqual({ kind: 'invalid', problem: '"<!channel>&x" is not something I know how to do.' });
    const usage = renderUsage(parsed.kind === 'invalid' ? parsed.problem : undefined, 'eu-west-1');
    expect(usage.text).toBe('"&lt;!channel&gt;&amp;x" is not something I know how to do.');
    expectInert([usage.text, ...allMrkdwn(usage.blocks)]);
  });

  it('never puts a raw <uuid> into the usage, the region prompt or a button notice', () => {
    const missing = parseEsmCommand('diagnose 14e0db71-5d35-4eb5-b481-8945cf9d10c2');
    const usage = renderUsage(missing.kind === 'invalid' ? missing.problem : undefined);
    for (const text of allMrkdwn(usage.blocks)) expect(text).not.toMatch(/<uuid|<arn/);
    expect(allMrkdwn(usage.blocks).join('\n')).toContain('/esm diagnose &lt;uuid&gt; eu-west-1');
  });

  it('escapes what an esm-doctor error quotes (the input, or what AWS answered)', () => {
    const text = explainFailure(new EsmDoctorError('No ESM <!channel> & co here'), createLogger({ sink: () => undefined }));
    expect(text).toBe(':warning: No ESM &lt;!channel&gt; &amp; co here');
    expectInert(allMrkdwn(renderNotice(text).blocks));
  });

  it('escapes the target in the progress line', () => {
    const out = renderProgress({ uuid: 'a<b>', region: 'eu-west-1' } as never);
    expect(out.text).toContain('`a&lt;b&gt;`');
  });
});

describe('truncation and the escaping helper', () => {
  it('never leaves a broken entity when it shortens escaped text', () => {
    const escaped = escapeMrkdwn(`${'word '.repeat(10)}&&&&&&&&`);
    for (let max = 40; max < escaped.length; max++) {
      const out = fitText(escaped, max);
      expect(out.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
    }
  });

  it('unescapeMrkdwn undoes escapeMrkdwn, and decodes nothing else', () => {
    const s = `a & b < c > d &amp; &quot; &#60;`;
    expect(unescapeMrkdwn(escapeMrkdwn(s))).toBe(s);
    expect(unescapeMrkdwn('&quot;&#60;')).toBe('&quot;&#60;');
  });
});
