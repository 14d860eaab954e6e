/** The check catalogue as Markdown, generated from the registry so the docs cannot drift from the code. */
import { STEP_NAMES, type Step } from '../model/report';
import type { Check } from './check';

export function catalogueMarkdown(checks: readonly Check[]): string {
  const out = [
    '# The checks',
    '',
    'Generated from the check files (`bot/checks/<area>/<check-id>.ts`, listed by `bot/checks/registry.ts`) by `npm run docs`; do not edit by hand.',
    'Each check is a pure function of the collected snapshot and answers `fail`, `warn`, `pass`,',
    '`skip` (does not apply, with the reason) or `error` (a fact it needs could not be read, with the permission to grant).',
    '',
  ];
  const steps = [...new Set(checks.map((c) => c.step))].sort((a, b) => a - b) as Step[];
  for (const step of steps) {
    out.push(`## Step ${step}: ${STEP_NAMES[step]}`, '', '| id | what it checks | docs |', '|---|---|---|');
    for (const c of checks.filter((x) => x.step === step)) {
      out.push(`| \`${c.id}\` | ${c.title.replace(/\|/g, '\\|')} | ${c.docs ? `[AWS docs](${c.docs})` : ''} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
