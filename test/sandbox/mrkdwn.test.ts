/**
 * The sandbox page draws the bot's messages from mrkdwn and Block Kit; it must draw them as Slack
 * does and must never let a message's text become markup.
 */
import { diagnoseSnapshot } from '../../bot/diagnose';
import { blockHtml, messageBodyHtml } from '../../bot/sandbox/blocks-html';
import { escapeHtml, formatSlackDate, mrkdwnToHtml, plainTextToHtml } from '../../bot/sandbox/mrkdwn';
import { renderReport, renderUsage } from '../../bot/slack/blocks';
import { escapeMrkdwn } from '../../bot/slack/limits';
import { SCENARIOS } from '../../scenarios';

const ctx = { users: { U0ALICE: 'alice' }, channels: { C0OPS: 'ops' }, timeZone: 'UTC', now: new Date('2026-11-20T12:00:00Z') };
const html = (text: string) => mrkdwnToHtml(text, ctx);

/** Every tag the renderer may emit, and no event-handler or style attribute anywhere. */
const ALLOWED_TAGS = new Set(['div', 'span', 'b', 'i', 's', 'code', 'pre', 'blockquote', 'br', 'a', 'img', 'time', 'button', 'hr']);
function assertOnlyOurMarkup(out: string): void {
  for (const m of out.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    expect(ALLOWED_TAGS.has(m[1]!.toLowerCase())).toBe(true);
    expect(m[2]).not.toMatch(/\son\w+\s*=|\sstyle\s*=|javascript:/i);
  }
}

describe('mrkdwn → HTML', () => {
  it.each([
    ['*bold* and _italic_ and ~gone~', '<b>bold</b> and <i>italic</i> and <s>gone</s>'],
    ['run `aws lambda get-event-source-mapping`', 'run <code>aws lambda get-event-source-mapping</code>'],
    ['*Fix:* `x` now', '<b>Fix:</b> <code>x</code> now'],
    ['*Most likely cause — step 4 of 9*\nnext line', '<b>Most likely cause — step 4 of 9</b><br>next line'],
    ['see <https://docs.aws.amazon.com/lambda/|AWS documentation>', 'see <a href="https://docs.aws.amazon.com/lambda/" target="_blank" rel="noopener noreferrer">AWS documentation</a>'],
    ['<https://example.com/a?b=1&amp;c=2>', '<a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">https://example.com/a?b=1&amp;c=2</a>'],
    ['by <@U0ALICE> in <#C0OPS>', 'by <span class="mention">@alice</span> in <span class="mention channel">#ops</span>'],
    ['status :red_circle: :not_an_emoji: done', 'status <img class="emoji" src="/sandbox/emoji/red_circle" alt=":red_circle:" title=":red_circle:" draggable="false"> :not_an_emoji: done'],
  ])('%j', (input, expected) => {
    expect(html(input)).toBe(`<div class="p">${expected}</div>`);
  });

  it('leaves snake_case, arithmetic and ARNs alone', () => {
    expect(html('AmazonMSK_orders_consumer 2*3*4 arn:aws:lambda:eu-west-1:123456789012:function:x')).toBe(
      '<div class="p">AmazonMSK_orders_consumer 2*3*4 arn:aws:lambda:eu-west-1:123456789012:function:x</div>',
    );
  });

  it('draws ``` fences as a code block, keeping their lines and not formatting inside', () => {
    expect(html('*Fix:* first\n```aws ec2 authorize-security-group-ingress \\\n  --group-id *sg-1*```\nafter')).toBe(
      '<div class="p"><b>Fix:</b> first</div><pre class="code-block">aws ec2 authorize-security-group-ingress \\\n  --group-id *sg-1*</pre><div class="p">after</div>',
    );
  });

  it('decodes only &amp; &lt; &gt; inside a code block, and reads a raw <…> there as Slack does (as a link)', () => {
    expect(html("```echo '{\"a\":\"x &amp;&amp; y &lt;z&gt;\"}' &amp;quot;```")).toBe(
      '<pre class="code-block">echo &#39;{&quot;a&quot;:&quot;x &amp;&amp; y &lt;z&gt;&quot;}&#39; &amp;quot;</pre>',
    );
    // A command whose `<` was not escaped loses its brackets in Slack; the sandbox shows the same damage.
    expect(html('```sort <file|x> out```')).toBe('<pre class="code-block">sort x out</pre>');
    expect(html('`map<string,string>`')).toBe('<div class="p"><code>mapstring,string</code></div>');
  });

  it('draws lines starting with > as one quote, but not an escaped &gt;', () => {
    expect(html('*What Lambda says*\n>PROBLEM: Connection error.\n>second\nState: *Enabled*')).toBe(
      '<div class="p"><b>What Lambda says</b><blockquote>PROBLEM: Connection error.<br>second</blockquote>State: <b>Enabled</b></div>',
    );
    expect(html('&gt; not a quote')).toBe('<div class="p">&gt; not a quote</div>');
  });

  it("shows <!date^…> in the reader's zone with Slack's tokens, falling back on the text given", () => {
    const at = Math.floor(Date.parse('2026-11-20T09:14:03Z') / 1000);
    expect(html(`Re-run <!date^${at}^{date_short_pretty} at {time}|2026-11-20 09:14 UTC>`)).toBe(
      `<div class="p">Re-run <time datetime="2026-11-20T09:14:03.000Z" title="Fri, 20 Nov 2026 09:14:03 GMT">Today at 9:14 AM</time></div>`,
    );
    expect(formatSlackDate(at - 86400, '{date_short_pretty}', ctx)).toBe('Yesterday');
    expect(formatSlackDate(at - 40 * 86400, '{date_short_pretty} {date_num}', ctx)).toBe('Oct 11 2026-10-11');
    expect(html('<!date^nope^{time}|fallback & co>')).toBe('<div class="p">fallback &amp; co</div>');
  });
});

describe('mrkdwn → HTML never injects markup', () => {
  it.each([
    '<script>alert(1)</script>',
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '<img src=x onerror=alert(1)>',
    '<javascript:alert(1)|click me>',
    '<JaVaScRiPt:alert(1)>',
    '<https://ok.example/" onmouseover="alert(1)|x>',
    '<https://ok.example/|"><script>alert(1)</script>>',
    '*<b onclick=alert(1)>*',
    '`</code><script>x</script>`',
    '```</pre><script>x</script>```',
    '> <svg onload=alert(1)>',
    ':red_circle" onerror="alert(1):',
    '<@U1"><script>|x>',
    '<!date^1^{time}^javascript:alert(1)|x>',
    '<!subteam^S1|"><img src=x onerror=1>>',
  ])('%j', (input) => {
    const out = html(input);
    assertOnlyOurMarkup(out);
    expect(out).not.toMatch(/<script|<svg|<img src=x|href="javascript/i);
  });

  it('escapes what Slack escaped exactly once: &amp;lt; shows as &lt;', () => {
    expect(html(escapeMrkdwn('a < b && c > d; &lt;'))).toBe('<div class="p">a &lt; b &amp;&amp; c &gt; d; &amp;lt;</div>');
  });

  it('holds for random text built from the characters that matter', () => {
    const alphabet = ['<', '>', '&', '"', "'", '*', '_', '~', '`', '```', '\n', '>', '|', '@', '#', '!', ':', 'red_circle', 'https://x.example/', 'javascript:', 'onerror=', 'script', ' ', 'a'];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 500; i++) {
      const input = Array.from({ length: 5 + rand(40) }, () => alphabet[rand(alphabet.length)]).join('');
      assertOnlyOurMarkup(html(input));
    }
  });

  it('plain_text is only escaped (and given its emoji)', () => {
    expect(plainTextToHtml(':large_green_circle: Healthy: <b>orders</b> & "x"')).toBe(
      '<img class="emoji" src="/sandbox/emoji/large_green_circle" alt=":large_green_circle:" title=":large_green_circle:" draggable="false"> Healthy: &lt;b&gt;orders&lt;/b&gt; &amp; &quot;x&quot;',
    );
    expect(plainTextToHtml(':x: no', false)).toBe(':x: no');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});

describe('Block Kit → HTML', () => {
  const scenario = SCENARIOS.find((s) => s.id === 'msk-sg-missing-self-rule')!;
  const message = renderReport({ ...diagnoseSnapshot(scenario.snapshot()), pollerMode: 'on-demand' }, { buttonValue: '{"uuid":"x","sig":"<&>"}' });
  const out = messageBodyHtml(message, ctx);

  it('draws a report: header, context, quote, divider, cause, buttons, URL buttons', () => {
    expect(out).toContain('<div class="block header"><img class="emoji" src="/sandbox/emoji/red_circle"');
    expect(out).toMatch(/> Failing: Cluster security group sg-\w+ does not admit the ESM on 9098<\/div>/);
    expect(out).toContain('<b>orders-consumer</b> ← <code>orders</code>');
    expect(out).toContain('<div class="block context">');
    expect(out).toContain('<blockquote>PROBLEM: Connection error.');
    expect(out).toContain('<hr class="block divider">');
    expect(out).toContain('<b>Most likely cause — step 4 of 9');
    expect(out).toMatch(/<button type="button" class="btn btn-primary" data-action-id="esm_recheck" data-block-id="esm_actions" data-value="\{&quot;uuid&quot;:&quot;x&quot;,&quot;sig&quot;:&quot;&lt;&amp;&gt;&quot;\}">Re-run checks<\/button>/);
    expect(out).toContain('data-action-id="esm_ack"');
    expect(out).toMatch(/<a class="btn" role="button" href="https:\/\/eu-west-1\.console\.aws\.amazon\.com\/lambda\/home\?region=eu-west-1#\/event-source-mappings\/14e0db71-5d35-4eb5-b481-8945cf9d10c2" target="_blank" rel="noopener noreferrer" data-action-id="esm_open_esm"/);
    assertOnlyOurMarkup(out);
  });

  it('shows every remedy command and document exactly as it is to be copied', () => {
    const policy = { Statement: [{ Effect: 'Allow', Action: 'kafka-cluster:Connect', Resource: '*', Condition: { StringLike: { 'aws:x': 'a&b<c>' } } }] };
    const commands = [
      `aws iam put-role-policy --role-name r --policy-name p --policy-document '${JSON.stringify(policy)}' --region eu-west-1`,
      "aws lambda update-function-configuration --function-name f --environment 'Variables={A='\\''x'\\''}' --region eu-west-1 && echo '*not bold* _nor italic_ <ok>'",
    ];
    const report = diagnoseSnapshot(scenario.snapshot());
    const withRemedy = {
      ...report,
      findings: report.findings.map((f) => (f.check === report.cause ? { ...f, remedy: { summary: 'Do this & that.', documents: [{ title: 'Policy', json: policy }], commands } } : f)),
    };
    const page = messageBodyHtml(renderReport(withRemedy, { buttonValue: 'v' }), ctx);
    const shown = [...page.matchAll(/<pre class="code-block">([\s\S]*?)<\/pre>/g)].map((m) =>
      m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
    );
    expect(shown).toEqual([JSON.stringify(policy, null, 2), ...commands]);
  });

  it('draws section fields in columns, and a section accessory button', () => {
    const section = blockHtml(
      {
        type: 'section',
        block_id: 'b1',
        text: { type: 'mrkdwn', text: '*Title*' },
        fields: [{ type: 'mrkdwn', text: '*Region*\neu-west-1' }, { type: 'plain_text', text: '<plain>' }],
        accessory: { type: 'button', action_id: 'go', text: { type: 'plain_text', text: 'Go' }, style: 'danger', value: 'v' },
      },
      ctx,
    );
    expect(section).toBe(
      '<div class="block section"><div class="section-body"><div class="section-text"><div class="p"><b>Title</b></div></div><div class="fields"><div class="field"><div class="p"><b>Region</b><br>eu-west-1</div></div><div class="field">&lt;plain&gt;</div></div></div><div class="accessory"><button type="button" class="btn btn-danger" data-action-id="go" data-block-id="b1" data-value="v">Go</button></div></div>',
    );
  });

  it('never loads an image from elsewhere, never links a non-http URL button, and survives junk', () => {
    expect(blockHtml({ type: 'image', image_url: 'https://tracker.example/p.gif', alt_text: 'chart' }, ctx)).not.toContain('tracker.example');
    expect(blockHtml({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'x' }, url: 'javascript:alert(1)' }] }, ctx)).not.toContain('javascript:');
    expect(blockHtml({ type: 'rich_text_list<script>' }, ctx)).toBe('<div class="block unsupported">This block (rich_text_list&lt;script&gt;) is not drawn by the sandbox.</div>');
    for (const junk of [null, 42, 'x', [], { type: 'section', text: 7 }, { type: 'context', elements: 'no' }, { type: 'actions', elements: [null, { type: 'select' }] }]) {
      expect(() => blockHtml(junk, ctx)).not.toThrow();
    }
  });

  it('draws the usage message the bot answers /esm help with', () => {
    const usage = messageBodyHtml(renderUsage('"x" is <not> a uuid'), ctx);
    expect(usage).toContain('<img class="emoji" src="/sandbox/emoji/warning"');
    expect(usage).toContain('&quot;x&quot; is &lt;not&gt; a uuid');
    expect(usage).toContain('<code>/esm diagnose &lt;uuid|arn&gt; [region]</code>');
  });
});
