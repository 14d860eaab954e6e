import type { Check, Outcome } from './check';
import type { Finding, Report, Status, Verdict } from '../model/report';
import { STEP_NAMES } from '../model/report';
import type { Snapshot } from '../model/snapshot';
import { AUTH_LABELS, bootstrapServers, chooseAuth, esmSource } from '../model/esm';
import { PROBE_RECONCILIATION } from './probe';
import { remedyText } from '../model/remedy';
import { attachPlans } from '../remediate/plans';

const STATUS_ORDER: Record<Status, number> = { fail: 0, error: 1, warn: 2, pass: 3, skip: 4 };

/** Runs one check; a check that throws becomes an `error` finding instead of ending the report. */
export function runCheck(check: Check, snapshot: Snapshot): Finding {
  return toFinding(check, outcomeOf(check, snapshot));
}

function outcomeOf(check: Check, snapshot: Snapshot): Outcome {
  let outcome: Outcome;
  try {
    outcome = check.run(snapshot);
  } catch (err) {
    outcome = {
      status: 'error' as const,
      title: `Internal error in check ${check.id}`,
      detail: `The check raised ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}. This is a bug in esm-doctor, not in your ESM.`,
    };
  }
  return outcome;
}

function toFinding(check: Check, outcome: Outcome): Finding {
  const finding: Finding = {
    check: check.id,
    step: check.step,
    status: outcome.status,
    title: outcome.title ?? check.title,
    detail: outcome.detail,
  };
  // A fail or warn whose fix is prose alone still carries a remedy, so renderers read one shape.
  const remedy = outcome.remedy ?? (outcome.fix && (outcome.status === 'fail' || outcome.status === 'warn') ? { summary: outcome.fix } : undefined);
  if (remedy) finding.remedy = remedy;
  const fix = outcome.fix ?? (outcome.remedy ? remedyText(outcome.remedy) : undefined);
  if (fix) finding.fix = fix;
  if (outcome.resources?.length) finding.resources = outcome.resources;
  if (check.docs) finding.docs = check.docs;
  return finding;
}

/** Fails first (they are what breaks the ESM), then everything else, each group by step. */
export function orderFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => {
    const af = a.status === 'fail' ? 0 : 1;
    const bf = b.status === 'fail' ? 0 : 1;
    return af - bf || a.step - b.step || STATUS_ORDER[a.status] - STATUS_ORDER[b.status];
  });
}

/**
 * Lambda's own message is a symptom; say which static checks back it up, or that none does (then
 * the cause is outside what configuration shows: a broker down, a wrong password, an ACL).
 */
function withConfirmation(finding: Finding, related: string[] | undefined, all: Finding[]): Finding {
  if (!related?.length) return finding;
  const hits = all.filter((f) => related.includes(f.check) && (f.status === 'fail' || f.status === 'warn'));
  const sentence = hits.length
    ? ` Confirmed by: ${hits.map((f) => `${f.check} (${f.status})`).join(', ')}.`
    : ` None of the checks that would confirm it (${related.join(', ')}) finds a problem in the configuration: the cause is likely live (broker health, credentials, ACLs); a live probe from the ESM's network position can tell.`;
  return { ...finding, detail: finding.detail + sentence };
}

/**
 * Static checks prove what the configuration allows; the live probe sees what actually happens.
 * When a probe step speaks to a static verdict (PROBE_RECONCILIATION), the static finding's detail
 * says whether the probe confirms or contradicts it, and the probe is trusted: a static failure
 * the probe disproves becomes a warning (the probe's own finding decides the cause), a static pass
 * the probe contradicts is marked so. A probe run from this machine cannot speak to the ESM's
 * network position (DNS, security groups, NACLs), so it only annotates those.
 */
export function reconcileWithProbe(findings: Finding[], snapshot: Snapshot): Finding[] {
  const probe = snapshot.probe;
  if (!probe?.ok) return findings;
  const remote = probe.value.where.mode === 'remote';
  const byId = new Map(findings.map((f) => [f.check, f]));
  return findings.map((finding) => {
    let out = finding;
    for (const rule of PROBE_RECONCILIATION.filter((r) => r.check === finding.check)) {
      const p = byId.get(rule.probe);
      if (!p || p.status === 'skip' || p.status === 'error') continue;
      const saw = `${rule.probe} (${p.status}): ${p.title.replace(/^Live probe: /, '')}`;
      const probeFailed = p.status === 'fail' || p.status === 'warn';
      let note: string | undefined;
      let status = out.status;
      if ((out.status === 'fail' || out.status === 'warn') && !probeFailed) {
        if (rule.networkPosition && !remote) {
          note = `The live probe passed ${rule.probe} from this machine, which is not the ESM's network position: --probe=remote can confirm or refute this.`;
        } else if (rule.probeCanClear) {
          note = `Contradicted by the live probe: ${saw}. Trusting the probe: this is not what stops the ESM (the configuration may allow it in a way this check does not model); review it all the same.`;
          if (out.status === 'fail') status = 'warn';
        } else {
          note = `The live probe passed ${rule.probe}, which does not cover everything this check looks at: the finding stands.`;
        }
      } else if (out.status === 'pass' && probeFailed) {
        note = rule.networkPosition && !remote
          ? `The live probe failed ${saw} from this machine, which is not the ESM's network position: --probe=remote tells whether the ESM is affected.`
          : `Contradicted by the live probe: ${saw}. Trusting the probe: the configuration looks right, but the live connection fails; the probe's finding names the cause.`;
      } else if (out.status === 'skip') {
        note = `The live probe answers: ${saw}.`;
      } else if ((out.status === 'fail' || out.status === 'warn') && probeFailed) {
        note = `Confirmed by the live probe: ${saw}.`;
      }
      if (note && !out.detail.includes(note)) out = { ...out, status, detail: `${out.detail} ${note}` };
    }
    return out;
  });
}

export function verdictOf(findings: Finding[]): Verdict {
  if (findings.some((f) => f.status === 'fail')) return 'failing';
  if (findings.some((f) => f.status === 'warn')) return 'at-risk';
  if (findings.some((f) => f.status === 'error')) return 'unknown';
  return 'healthy';
}

/**
 * The most likely cause: the earliest failing setup step. Step 0 (what Lambda itself says) only
 * when no setup step fails, because the message is a symptom and the setup step is the cause.
 */
export function mostLikelyCause(findings: Finding[]): Finding | undefined {
  const fails = findings.filter((f) => f.status === 'fail');
  return fails.filter((f) => f.step > 0).sort((a, b) => a.step - b.step)[0] ?? fails[0];
}

export function headlineOf(findings: Finding[], verdict: Verdict): string {
  const cause = mostLikelyCause(findings);
  if (cause) {
    const where = cause.step > 0 ? `step ${cause.step} of 9 (${STEP_NAMES[cause.step]})` : 'ESM status';
    return `Failing at ${where}: ${cause.title}`;
  }
  const count = (s: Status) => findings.filter((f) => f.status === s).length;
  if (verdict === 'at-risk') return `Working, but at risk: ${findings.find((f) => f.status === 'warn')!.title}${count('warn') > 1 ? ` (+${count('warn') - 1} more warnings)` : ''}`;
  if (verdict === 'unknown') return `No failure found, but ${count('error')} check(s) could not run: ${findings.find((f) => f.status === 'error')!.title}`;
  return `Healthy: all ${count('pass')} applicable checks pass`;
}

export interface EvaluateOptions {
  startedAt?: Date;
  now?: () => number;
}

/** Snapshot + checks → Report. Pure: the clock is the only input besides the snapshot. */
export function evaluate(snapshot: Snapshot, checks: readonly Check[], options: EvaluateOptions = {}): Report {
  const now = options.now ?? Date.now;
  const started = options.startedAt ?? new Date(now());
  const outcomes = checks.map((c) => ({ check: c, outcome: outcomeOf(c, snapshot) }));
  const raw = outcomes.map(({ check, outcome }) => toFinding(check, outcome));
  // Plans last: the esm.state plan needs every other finding, as the reader sees them.
  const findings = attachPlans(orderFindings(reconcileWithProbe(raw.map((f, i) => withConfirmation(f, outcomes[i]!.outcome.related, raw)), snapshot)), snapshot);
  const verdict = verdictOf(findings);
  const cause = mostLikelyCause(findings);
  const esm = snapshot.esm;
  const source = esmSource(esm) ?? 'self-managed';
  const cluster = snapshot.cluster?.ok ? snapshot.cluster.value : undefined;
  const auth = chooseAuth(esm, cluster).mode;
  const account = snapshot.target.account ?? (snapshot.caller?.ok ? snapshot.caller.value.Account : undefined);
  const report: Report = {
    target: {
      uuid: snapshot.target.uuid,
      region: snapshot.target.region,
      ...(account ? { account } : {}),
      ...(esm.EventSourceMappingArn ?? snapshot.target.arn ? { arn: esm.EventSourceMappingArn ?? snapshot.target.arn } : {}),
    },
    esm: {
      state: esm.State,
      ...(esm.StateTransitionReason ? { stateTransitionReason: esm.StateTransitionReason } : {}),
      ...(esm.LastProcessingResult ? { lastProcessingResult: esm.LastProcessingResult } : {}),
      source,
      functionArn: esm.FunctionArn,
      topics: esm.Topics ?? [],
      ...(source === 'msk' && esm.EventSourceArn ? { clusterArn: esm.EventSourceArn } : {}),
      ...(source === 'self-managed' ? { bootstrapServers: bootstrapServers(esm) } : {}),
      auth: auth ? AUTH_LABELS[auth] : 'undetermined',
    },
    verdict,
    headline: headlineOf(findings, verdict),
    ...(cause ? { cause: cause.check } : {}),
    findings,
    startedAt: started.toISOString(),
    durationMs: Math.max(0, now() - started.getTime()),
  };
  return report;
}
