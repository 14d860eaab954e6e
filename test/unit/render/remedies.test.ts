/**
 * What an on-call engineer copies must run as printed: for every bundled scenario and every report
 * format, each remedy command appears whole (one fence in markdown, one unwrapped line in the
 * terminal, one string in JSON), parses with bash -n, names its region when it calls AWS, and
 * holds no <placeholder>; each document is valid JSON.
 */
import { spawnSync } from 'node:child_process';
import { diagnoseSnapshot } from '../../../bot/diagnose';
import type { Report } from '../../../bot/model/report';
import { Report as ReportSchema } from '../../../bot/model/report';
import { renderJson } from '../../../bot/render/json';
import { renderMarkdown } from '../../../bot/render/markdown';
import { renderText } from '../../../bot/render/text';
import { SCENARIOS } from '../../../scenarios/index';

const bash = spawnSync('bash', ['-c', 'true']).status === 0;
const parsed = new Map<string, string | null>();

/** bash -n on one command: null when it parses, else bash's complaint. Cached: scenarios share commands. */
function syntaxError(command: string): string | null {
  if (!parsed.has(command)) {
    const r = spawnSync('bash', ['-n'], { input: command, encoding: 'utf8' });
    parsed.set(command, r.status === 0 ? null : r.stderr);
  }
  return parsed.get(command)!;
}

function remedies(report: Report) {
  return report.findings.filter((f) => f.remedy).map((f) => ({ check: f.check, status: f.status, remedy: f.remedy! }));
}

/**
 * The findings whose remedies a report shows: fails and warns, except Lambda's own message when a
 * setup step is the cause (it shrinks to one line naming that step, whose remedy is shown).
 */
function shown(report: Report) {
  const explained = report.cause && report.cause !== 'esm.last-result';
  return remedies(report).filter((r) => (r.status === 'fail' || r.status === 'warn') && !(explained && r.check === 'esm.last-result' && r.status === 'fail'));
}

function commandsOf(report: Report): string[] {
  return remedies(report).flatMap((r) => r.remedy.commands ?? []);
}

/** Every `aws <service> <operation>` in the command (a command substitution holds a second one). */
function awsCalls(command: string): number {
  return (command.match(/(^|[\s$(])aws [a-z0-9-]+ [a-z0-9-]+/g) ?? []).length;
}

function assertRunnable(command: string, where: string): void {
  expect({ where, command, placeholder: /<[^<>\s]*[^<>]*>/.test(command) }).toEqual({ where, command, placeholder: false });
  if (awsCalls(command) > 0) {
    expect({ where, command, regions: (command.match(/ --region [a-z0-9-]+/g) ?? []).length }).toEqual({ where, command, regions: awsCalls(command) });
  }
  if (bash) expect({ where, command, error: syntaxError(command) }).toEqual({ where, command, error: null });
}

const reports = SCENARIOS.map((s) => ({ id: s.id, verdict: s.expect.verdict, report: diagnoseSnapshot(s.snapshot()) }));

if (!bash) {
  console.warn('remedies.test: bash is not installed, so commands are not parsed with bash -n (the other assertions still run)');
}

describe.each(reports)('scenario $id', ({ verdict, report }) => {
  it('gives every fail and warn with a fix a remedy, and each failing scenario at least one command', () => {
    for (const f of report.findings.filter((x) => (x.status === 'fail' || x.status === 'warn') && x.fix)) {
      expect({ check: f.check, remedy: !!f.remedy }).toEqual({ check: f.check, remedy: true });
    }
    if (verdict === 'failing') expect(commandsOf(report).length).toBeGreaterThan(0);
  });

  it('keeps prose free of AWS CLI commands (they belong in remedy.commands)', () => {
    for (const r of remedies(report)) expect({ check: r.check, summary: r.remedy.summary }).not.toEqual({ check: r.check, summary: expect.stringMatching(/(^|\s)aws [a-z0-9-]+ [a-z0-9-]+ --/) });
  });

  it('json: every command is runnable as printed and every document is JSON', () => {
    const back = ReportSchema.parse(JSON.parse(renderJson(report)));
    let checked = 0;
    for (const r of remedies(back)) {
      for (const command of r.remedy.commands ?? []) {
        assertRunnable(command, `${r.check} (json)`);
        checked++;
      }
      for (const doc of r.remedy.documents ?? []) expect(() => JSON.parse(JSON.stringify(doc.json))).not.toThrow();
    }
    expect(checked).toBe(commandsOf(report).length);
  });

  it('markdown: every command is alone in a ```sh fence, every document in a ```json fence', () => {
    const md = renderMarkdown(report);
    const fences = [...md.matchAll(/^(`{3,})(sh|json)\n([\s\S]*?)\n\1$/gm)].map((m) => ({ lang: m[2], body: m[3]! }));
    for (const r of shown(report)) {
      for (const command of r.remedy.commands ?? []) {
        expect(fences).toContainEqual({ lang: 'sh', body: command });
        assertRunnable(command, `${r.check} (markdown)`);
      }
      for (const doc of r.remedy.documents ?? []) {
        const body = JSON.stringify(doc.json, null, 2);
        expect(fences).toContainEqual({ lang: 'json', body });
        expect(JSON.parse(body)).toEqual(doc.json);
      }
    }
    if (verdict === 'failing') expect(fences.filter((f) => f.lang === 'sh').length).toBeGreaterThan(0);
  });

  it('text at 80 columns: every command of a fail or warn is one unwrapped line, JSON documents whole', () => {
    const text = renderText(report, { width: 80 });
    const lines = text.split('\n').map((l) => l.trim());
    let checked = 0;
    for (const r of shown(report)) {
      for (const command of r.remedy.commands ?? []) {
        expect(lines).toContain(command);
        assertRunnable(command, `${r.check} (text)`);
        checked++;
      }
      for (const doc of r.remedy.documents ?? []) {
        const pretty = JSON.stringify(doc.json, null, 2).split('\n').map((l) => l.trim());
        const at = lines.indexOf(pretty[0]!);
        expect(at).toBeGreaterThanOrEqual(0);
        expect(JSON.parse(lines.slice(at, at + pretty.length).join('\n'))).toEqual(doc.json);
      }
    }
    if (verdict === 'failing') expect(checked).toBeGreaterThan(0);
    // Prose wraps: no line of the text is longer than 80 unless it is a command, JSON or an unbreakable word.
    const commands = new Set(commandsOf(report));
    for (const line of text.split('\n')) {
      if (line.length <= 80 || commands.has(line.trim()) || !line.trim().includes(' ')) continue;
      expect({ line, tooLong: line.length > 80 && /\s\S+\s/.test(line.trim()) && !/^[\s{}[\]"]/.test(line.trim()) }).toEqual({ line, tooLong: false });
    }
  });

  it('text: the cause and its first command come before the rest of the report', () => {
    if (!report.cause) return;
    const text = renderText(report, { width: 80 });
    const cause = report.findings.find((f) => f.check === report.cause)!;
    const causeAt = text.replace(/\s+/g, ' ').indexOf(`Most likely cause: ${cause.title}`.slice(0, 60));
    expect(causeAt).toBeGreaterThan(0);
    const first = cause.remedy?.commands?.[0];
    if (first) expect(text.indexOf(first)).toBeLessThan(text.indexOf('All checks, by setup step'));
    const lastResult = report.findings.find((f) => f.check === 'esm.last-result' && f.status === 'fail');
    if (lastResult && report.cause !== 'esm.last-result') {
      expect(text.replace(/\s+/g, ' ')).toContain(`is explained by ${report.cause}`);
      const paragraph = lastResult.detail.slice(lastResult.detail.indexOf('LastProcessingResult'));
      expect(text.replace(/\s+/g, ' ')).not.toContain(paragraph.slice(0, 80));
    }
  });

  it('lists step 7 in the step summaries, with "no checks" when none covers it', () => {
    const covered = report.findings.some((f) => f.step === 7);
    expect(renderText(report, { width: 80 })).toMatch(covered ? /7 · Poll records\n\s+\S/ : /7 · Poll records\n\s+no checks/);
    expect(renderMarkdown(report)).toMatch(covered ? /\| 7 Poll records \| \S/ : /\| 7 Poll records \| \| \| no checks \|/);
  });
});

describe('right advice for the position', () => {
  const selfManaged = reports.filter((r) => r.report.esm?.source === 'self-managed');

  it('has self-managed scenarios to check', () => expect(selfManaged.length).toBeGreaterThan(0));

  it.each(selfManaged)('$id: no MSK check is named as one that would confirm the finding', ({ report }) => {
    for (const f of report.findings) {
      const m = /would confirm it \(([^)]*)\)|Confirmed by: ([^.]*)\./.exec(f.detail);
      const named = m ? (m[1] ?? m[2] ?? '') : '';
      expect({ check: f.check, named }).not.toEqual({ check: f.check, named: expect.stringMatching(/\bmsk\./) });
    }
  });

  it.each(selfManaged.filter((r) => !r.report.esm?.bootstrapServers || r.report.findings.some((f) => f.check === 'network.self-managed-vpc' && /over the internet/.test(f.detail))))(
    '$id (not in a VPC): no security-group, NACL or subnet advice',
    ({ report }) => {
      for (const f of report.findings.filter((x) => x.status === 'fail' || x.status === 'warn')) {
        // Lambda's own message, quoted in the detail, may say "Security Group": that is not advice.
        const text = `${f.detail.replace(/"[^"]*"/g, '')} ${f.remedy?.summary ?? ''} ${(f.remedy?.commands ?? []).join(' ')}`;
        expect({ check: f.check, advice: /\bsecurity groups?\b|network ACL|\bNACL|authorize-security-group|\bsubnets?\b/i.test(text) }).toEqual({ check: f.check, advice: false });
      }
    },
  );
});
