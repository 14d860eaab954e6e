/** `esm-doctor diagnose --format blocks|markdown|text` as a user runs it (main() with a fake terminal). */
import { main, type Io } from '../../../bot/cli';
import { diagnoseSnapshot } from '../../../bot/diagnose';
import { renderReport } from '../../../bot/slack/blocks';
import { SCENARIOS } from '../../../scenarios/index';

function run(argv: string[], stdout: Partial<Io['stdout']> = {}, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: { write: (s: string) => out.push(s), ...stdout }, stderr: { write: (s: string) => err.push(s) }, env };
  return main(argv, io).then((code) => ({ code, out: out.join(''), err: err.join('') }));
}

const SCENARIO = 'msk-sg-missing-self-rule';

describe('diagnose --format blocks', () => {
  it('prints { text, blocks } as the bot would post it', async () => {
    const r = await run(['diagnose', '--scenario', SCENARIO, '--format', 'blocks']);
    expect(r.code).toBe(1);
    const message = JSON.parse(r.out) as { text: string; blocks: Array<{ type: string; block_id?: string }> };
    expect(Object.keys(message).sort()).toEqual(['blocks', 'text']);
    // The bot's own builder, same report: the same blocks (the button values differ only by signing key).
    const report = diagnoseSnapshot(SCENARIOS.find((s) => s.id === SCENARIO)!.snapshot());
    const expected = renderReport(report, { buttonValue: 'x' });
    expect(message.text).toBe(expected.text);
    const strip = (b: unknown) => JSON.stringify(b).replace(/"value":"(?:\\.|[^"\\])*"/g, '"value":""').replace(/Checked <!date[^>]*>[^"]*/g, '');
    expect(message.blocks.map(strip)).toEqual((expected.blocks as unknown[]).map(strip));
  });

  it('works on a saved snapshot too, and signs the buttons with the configured key', async () => {
    const r = await run(['diagnose', '--scenario', 'msk-iam-healthy', '--format', 'blocks'], {}, { ESM_DOCTOR_BUTTON_KEY: 'k'.repeat(32) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).blocks.length).toBeGreaterThan(0);
  });

  it('names blocks among the formats when the format is wrong', async () => {
    const r = await run(['diagnose', '--scenario', SCENARIO, '--format', 'yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('blocks');
  });
});

describe('diagnose text width', () => {
  it('wraps prose to the terminal, and to 80 columns when output is not a terminal', async () => {
    const wide = await run(['diagnose', '--scenario', SCENARIO], { isTTY: true, columns: 160 });
    const piped = await run(['diagnose', '--scenario', SCENARIO]);
    const longest = (t: string) => Math.max(...t.split('\n').filter((l) => !l.trim().startsWith('aws ') && l.trim().includes(' ')).map((l) => l.length));
    expect(longest(piped.out)).toBeLessThanOrEqual(80);
    expect(longest(wide.out)).toBeGreaterThan(80);
  });

  it('--format markdown fences the commands', async () => {
    const r = await run(['diagnose', '--scenario', SCENARIO, '--format', 'markdown']);
    expect(r.out).toMatch(/```sh\naws ec2 authorize-security-group-ingress [^\n]+ --region eu-west-1\n```/);
  });
});
