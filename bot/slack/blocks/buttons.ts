/** The buttons row: Re-run, Run live probe, Acknowledge, Fix it, and the console links. */
import type { ActionsBlock, Button } from '@slack/types';
import { verifyPlanHash, type FixPlan } from '../../model/fix-plan';
import { causeOf as causeFinding } from '../../model/cause';
import type { Finding, Report } from '../../model/report';
import { fitText } from '../limits';
import { ACTION_IDS, type RenderOptions } from './options';
import { parseFunctionArn, STATUS_RANK } from './text';

function consoleBase(partition: string, region: string): string {
  if (partition === 'aws-cn') return `https://${region}.console.amazonaws.cn/lambda/home?region=${region}`;
  if (partition === 'aws-us-gov') return `https://${region}.console.amazonaws-us-gov.com/lambda/home?region=${region}`;
  return `https://${region}.console.aws.amazon.com/lambda/home?region=${region}`;
}

/** Console links. The ESM page is the one the Lambda console's "Event source mappings" list opens. */
export function consoleUrls(report: Pick<Report, 'target' | 'esm'>): { esm: string; function?: string } {
  const fn = parseFunctionArn(report.esm?.functionArn);
  const partition = fn?.partition ?? /^arn:([a-z-]+):/.exec(report.target.arn ?? '')?.[1] ?? 'aws';
  const base = consoleBase(partition, report.target.region);
  return {
    esm: `${base}#/event-source-mappings/${encodeURIComponent(report.target.uuid)}`,
    ...(fn ? { function: `${base}#/functions/${encodeURIComponent(fn.name)}` } : {}),
  };
}

/** The plan a finding carries, when it is well-formed and its hash is its own. */
export function planOf(finding: Finding): FixPlan | undefined {
  const plan = (finding.remedy as { plan?: unknown } | undefined)?.plan;
  return plan !== undefined && verifyPlanHash(plan) ? plan : undefined;
}

/** The findings a Fix it can be offered for: problems with a plan, the cause first, at most three. */
export function fixableFindings(report: Report): { finding: Finding; plan: FixPlan }[] {
  const cause = causeFinding(report);
  return report.findings
    .filter((f) => (f.status === 'fail' || f.status === 'warn') && planOf(f))
    .sort((a, b) => Number(b === cause) - Number(a === cause) || STATUS_RANK[a.status] - STATUS_RANK[b.status])
    .slice(0, 3)
    .map((finding) => ({ finding, plan: planOf(finding)! }));
}

function fixButtons(report: Report, options: RenderOptions): Button[] {
  if (!options.fixValue) return [];
  const fixable = fixableFindings(report);
  return fixable.map(({ finding, plan }, i) => ({
    type: 'button' as const,
    action_id: `${ACTION_IDS.fix}${i}`,
    text: { type: 'plain_text' as const, text: fitText(fixable.length === 1 ? 'Fix it' : `Fix it: ${finding.check}`, 75) },
    value: options.fixValue!(plan),
  }));
}

export function actionsBlock(report: Report, options: RenderOptions): ActionsBlock {
  const urls = consoleUrls(report);
  const elements: Button[] = [
    {
      type: 'button',
      action_id: ACTION_IDS.recheck,
      text: { type: 'plain_text', text: 'Re-run checks' },
      style: 'primary',
      value: options.buttonValue,
    },
    ...(options.probe
      ? [{ type: 'button' as const, action_id: ACTION_IDS.probe, text: { type: 'plain_text' as const, text: 'Run live probe' }, value: options.buttonValue }]
      : []),
    // Nothing to acknowledge on a healthy report; once acknowledged, the stamp replaces the button.
    ...(report.verdict !== 'healthy' && !options.acknowledged
      ? [{ type: 'button' as const, action_id: ACTION_IDS.ack, text: { type: 'plain_text' as const, text: 'Acknowledge' }, value: options.buttonValue }]
      : []),
    ...fixButtons(report, options),
    { type: 'button', action_id: ACTION_IDS.openEsm, text: { type: 'plain_text', text: 'ESM in console' }, url: urls.esm },
  ];
  if (urls.function) {
    elements.push({
      type: 'button',
      action_id: ACTION_IDS.openFunction,
      text: { type: 'plain_text', text: 'Function in console' },
      url: urls.function,
    });
  }
  return { type: 'actions', block_id: 'esm_actions', elements };
}
