import type { ActionsBlock, ContextBlock, KnownBlock } from '@slack/types';
import { enforceLimits, escapeMrkdwn, fitLines, fitText, limitViolations, SLACK_LIMITS } from '../../bot/slack/limits';

describe('fitText', () => {
  it('leaves text within the limit alone', () => {
    expect(fitText('short enough', 20)).toBe('short enough');
  });

  it('ends on a word boundary with an ellipsis, never mid-word', () => {
    const out = fitText('the cluster security group admits nothing from the ESM subnets', 30);
    expect(out.length).toBeLessThanOrEqual(30);
    expect(out).toBe('the cluster security group…');
  });

  it('cuts a single word longer than half the budget rather than dropping it all', () => {
    const arn = `arn:aws:kafka:eu-west-1:123456789012:cluster/${'x'.repeat(100)}`;
    const out = fitText(`see ${arn}`, 40);
    expect(out.length).toBeLessThanOrEqual(40);
    expect(out.startsWith('see arn:aws:kafka')).toBe(true);
  });

  it('never leaves a Slack link or an HTML entity half open', () => {
    const link = fitText('read <https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html|the AWS documentation on MSK> today', 50);
    expect(link).toBe('read…');
    const entity = fitText(`a${'b'.repeat(30)}&amp;c`, 34);
    expect(entity).not.toMatch(/&[a-z]*…$/);
  });

  it('closes a code block it had to cut', () => {
    const out = fitText(`Fix:\n\`\`\`\n${'aws ec2 authorize-security-group-ingress '.repeat(10)}\n\`\`\``, 80);
    expect(out.length).toBeLessThanOrEqual(80);
    expect((out.match(/```/g) ?? []).length % 2).toBe(0);
  });
});

describe('fitLines', () => {
  it('keeps whole lines and summarises the rest', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line number ${i}`);
    const out = fitLines(lines, 60, (n) => `…and ${n} more`);
    expect(out.length).toBeLessThanOrEqual(60);
    expect(out.split('\n').slice(0, -1).every((l) => lines.includes(l))).toBe(true);
    expect(out).toMatch(/…and \d+ more$/);
  });

  it('joins everything when it fits', () => {
    expect(fitLines(['a', 'b'], 10, () => 'x')).toBe('a\nb');
  });
});

describe('escapeMrkdwn', () => {
  it('escapes the three control characters', () => {
    expect(escapeMrkdwn('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
  });
});

describe('enforceLimits', () => {
  const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
  const actions = (n: number): ActionsBlock => ({
    type: 'actions',
    block_id: 'many',
    elements: Array.from({ length: n }, (_, i) => ({ type: 'button' as const, action_id: `b${i}`, text: { type: 'plain_text' as const, text: `B${i}` } })),
  });

  it('keeps a message of 60 blocks to 50, saying how many were left out, with the buttons last', () => {
    const message = enforceLimits({ text: 'x', blocks: [...Array.from({ length: 59 }, (_, i) => section(`block ${i}`)), actions(3)] });
    expect(message.blocks).toHaveLength(SLACK_LIMITS.blocksPerMessage);
    expect(message.blocks.at(-1)!.type).toBe('actions');
    const note = message.blocks.at(-2) as ContextBlock;
    expect(note.type).toBe('context');
    expect(JSON.stringify(note)).toContain('11 more blocks left out');
    expect(limitViolations(message)).toEqual([]);
  });

  it('splits an actions block of 30 elements into blocks of at most 25', () => {
    const message = enforceLimits({ text: 'x', blocks: [actions(30)] });
    expect(message.blocks.map((b) => (b as ActionsBlock).elements.length)).toEqual([25, 5]);
    expect(message.blocks.map((b) => b.block_id)).toEqual(['many', 'many-1']);
  });

  it('folds a context block of 12 elements into 10', () => {
    const message = enforceLimits({
      text: 'x',
      blocks: [{ type: 'context', elements: Array.from({ length: 12 }, (_, i) => ({ type: 'mrkdwn' as const, text: `e${i}` })) }],
    });
    const ctx = message.blocks[0] as ContextBlock;
    expect(ctx.elements).toHaveLength(10);
    expect(JSON.stringify(ctx.elements.at(-1))).toContain('e9 · e10 · e11');
  });

  it('shortens a long header and a long section on word boundaries', () => {
    const message = enforceLimits({
      text: 'word '.repeat(1000),
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'header '.repeat(40) } }, section('evidence '.repeat(500))],
    });
    expect(limitViolations(message)).toEqual([]);
    expect(JSON.stringify(message)).not.toMatch(/\b(heade|eviden)…/);
  });

  it('refuses a button value over 2000 characters instead of corrupting it', () => {
    expect(() =>
      enforceLimits({
        text: 'x',
        blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'a' }, value: 'v'.repeat(2001) }] }],
      }),
    ).toThrow(/2001 characters/);
  });
});
