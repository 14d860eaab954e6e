import { z } from 'zod';
import { ParseFailure, firstIssue, issueLines, issuesText } from '../../bot/model/parse-issues';

const Schema = z.object({ target: z.object({ uuid: z.string() }), budgetMs: z.number().max(60_000) });

function errorOf(value: unknown): z.ZodError {
  const r = Schema.safeParse(value);
  if (r.success) throw new Error('expected a failure');
  return r.error;
}

describe('one zod-issue format for every boundary', () => {
  it('says path: message per issue, the path dotted', () => {
    const e = errorOf({ target: { uuid: 7 }, budgetMs: 90_000 });
    expect(issueLines(e)).toEqual([expect.stringMatching(/^target\.uuid: .*string/), expect.stringMatching(/^budgetMs: .*60000/)]);
    expect(issuesText(e)).toBe(issueLines(e).join('; '));
    expect(firstIssue(e)).toBe(issueLines(e)[0]);
  });

  it('names an empty path (root), or what the caller calls it; prefixes paths when asked', () => {
    const e = errorOf('not an object');
    expect(firstIssue(e)).toMatch(/^\(root\): /);
    expect(firstIssue(e, { root: 'environment' })).toMatch(/^environment: /);
    expect(firstIssue(errorOf({ target: { uuid: 'x' }, budgetMs: 'soon' }), { pathPrefix: '--' })).toMatch(/^--budgetMs: /);
    expect(firstIssue(errorOf({ target: { uuid: 'x' }, budgetMs: 'soon' }), { separator: ' ' })).toMatch(/^budgetMs [^:]/);
  });

  it('throws what was parsed with the first issue, keeping the ZodError as the cause', () => {
    const e = errorOf({ target: {}, budgetMs: 1 });
    const failure = new ParseFailure('invalid probe request', e);
    expect(failure.message).toMatch(/^invalid probe request: target\.uuid: /);
    expect(failure.cause).toBe(e);
    expect(failure).toBeInstanceOf(Error);
  });
});
