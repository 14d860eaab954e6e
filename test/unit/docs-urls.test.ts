/**
 * Every AWS documentation URL the product shows (check docs links, remedy documents) comes from one
 * table, bot/checks/lib/aws-docs.ts: a moved page is one edit. Comments may cite pages freely.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { AWS_DOCS } from '../../bot/checks/lib/aws-docs';
import { checks } from '../../bot/checks/registry';

const BOT = path.join(__dirname, '..', '..', 'bot');
const TABLE = path.join(BOT, 'checks', 'lib', 'aws-docs.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** The code of a file without its comments (line comments and block comments). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('AWS documentation URLs', () => {
  it('are written only in bot/checks/lib/aws-docs.ts', () => {
    const elsewhere = sourceFiles(BOT)
      .filter((f) => f !== TABLE)
      .flatMap((f) => [...withoutComments(readFileSync(f, 'utf8')).matchAll(/https:\/\/docs\.aws\.amazon\.com[^'"`\s)]*/g)].map((m) => `${path.relative(BOT, f)}: ${m[0]}`));
    expect(elsewhere).toEqual([]);
  });

  it('link every check to a page of the table', () => {
    const pages = new Set<string>(Object.values(AWS_DOCS));
    expect(checks.filter((c) => c.docs && !pages.has(c.docs)).map((c) => `${c.id}: ${c.docs}`)).toEqual([]);
  });
});
