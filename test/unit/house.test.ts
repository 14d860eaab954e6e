/**
 * House rules that keep bot/ easy to read: no source file over 400 lines. A file that grows past it
 * wants a cohesive piece moved out (as bot/sandbox/routes/, bot/slack/blocks/ and bot/alerts/lanes.ts
 * were), not its lines squeezed.
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const MAX_LINES = 400;
const ROOT = join(__dirname, '..', '..');

/** Lines as `wc -l` counts them, plus a last line without its newline. */
function lineCount(text: string): number {
  const newlines = text.split('\n').length - 1;
  return text.length && !text.endsWith('\n') ? newlines + 1 : newlines;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(path);
    return entry.isFile() && entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** "bot/x.ts has 401 lines" for every .ts file under `dir` longer than `max`, paths relative to `base`. */
function tooLong(dir: string, base: string, max = MAX_LINES): string[] {
  return tsFiles(dir)
    .map((path) => ({ path: relative(base, path), lines: lineCount(readFileSync(path, 'utf8')) }))
    .filter((f) => f.lines > max)
    .sort((a, b) => b.lines - a.lines)
    .map((f) => `${f.path} has ${f.lines} lines (at most ${max})`);
}

describe('the house', () => {
  it(`has no .ts file under bot/ over ${MAX_LINES} lines`, () => {
    const files = tsFiles(join(ROOT, 'bot'));
    // The walk itself must see the tree, or the rule below would hold for nothing.
    expect(files.length).toBeGreaterThan(50);
    expect(files.map((f) => relative(ROOT, f))).toContain(join('bot', 'cli.ts'));
    expect(tooLong(join(ROOT, 'bot'), ROOT)).toEqual([]);
  });

  describe('the line count', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'esm-doctor-house-'));
      mkdirSync(join(dir, 'bot', 'deep'), { recursive: true });
      writeFileSync(join(dir, 'bot', 'ok.ts'), 'x\n'.repeat(MAX_LINES));
      writeFileSync(join(dir, 'bot', 'deep', 'long.ts'), 'x\n'.repeat(MAX_LINES) + 'x');
      writeFileSync(join(dir, 'bot', 'notes.md'), 'x\n'.repeat(MAX_LINES + 100));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('names a file one line over, in a sub-folder, with its count; a file at the limit and non-.ts files pass', () => {
      expect(tooLong(join(dir, 'bot'), dir)).toEqual([`${join('bot', 'deep', 'long.ts')} has ${MAX_LINES + 1} lines (at most ${MAX_LINES})`]);
    });

    it('counts lines as wc -l does, with a last line that has no newline', () => {
      expect(lineCount('')).toBe(0);
      expect(lineCount('a\n')).toBe(1);
      expect(lineCount('a\nb')).toBe(2);
      expect(lineCount('a\nb\n')).toBe(2);
    });
  });
});
