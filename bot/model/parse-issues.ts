/**
 * How a value that failed its zod schema is reported, the same at every boundary (handlers, CLI,
 * Slack and alert configuration, facts read from AWS, probe answers): `path: message` per issue,
 * the path dotted and `(root)` when the whole value is wrong. Like Powertools' parser envelopes
 * (packages/parser/src/envelopes/eventbridge.ts), a thrown failure says what was being parsed and
 * keeps the ZodError as its `cause`.
 */
import type { z } from 'zod';

export interface IssueFormat {
  /** What an empty path is called: `(root)` by default, `environment` for env vars. */
  root?: string;
  /** Put before every path (the CLI names options `--budget`). */
  pathPrefix?: string;
  /** Between path and message: `: ` by default; ` ` where the messages read on from the name ("SLACK_BOT_TOKEN must be …"). */
  separator?: string;
}

/** One line per issue: `path: message`. */
export function issueLines(error: z.ZodError, format: IssueFormat = {}): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path ? `${format.pathPrefix ?? ''}${path}` : (format.root ?? '(root)')}${format.separator ?? ': '}${issue.message}`;
  });
}

/** Every issue on one line, `; ` between them. */
export function issuesText(error: z.ZodError, format: IssueFormat = {}): string {
  return issueLines(error, format).join('; ');
}

/** The first issue only, for a one-line error where the first problem is enough to fix. */
export function firstIssue(error: z.ZodError, format: IssueFormat = {}): string {
  return issueLines(error, format)[0] ?? `${format.root ?? '(root)'}: invalid`;
}

/** A parse failure at a boundary: `<what>: <first issue>`, the ZodError as its cause. */
export class ParseFailure extends Error {
  constructor(what: string, error: z.ZodError, format: IssueFormat = {}) {
    super(`${what}: ${firstIssue(error, format)}`, { cause: error });
    this.name = 'ParseFailure';
  }
}
