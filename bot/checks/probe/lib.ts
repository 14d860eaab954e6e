/** Helpers shared by the probe checks; index.ts says what the area checks and why. */
import type { Snapshot } from '../../model/snapshot';
import { PROBE_STEP_NUMBERS, probeStep, type ProbeResult, type ProbeStep, type ProbeStepName } from '../../probe/schema';
import { couldNotRead, fixFields, skip, type Check, type Fix, type Outcome } from '../check';

export const NO_PROBE = 'No live probe ran: run with --probe (from this machine) or --probe=remote (from the ESM\'s own subnets and security groups) to replay this step.';

export function whereText(r: ProbeResult): string {
  if (r.where.mode === 'remote') {
    return `from the ESM's network position (probe function ${r.where.functionName ?? '?'}${r.where.placement ? `; ${r.where.placement}` : ''})`;
  }
  return 'from this machine, not from the ESM\'s network position (--probe=remote replays it from there)';
}

export function evidenceText(step: ProbeStep): string {
  switch (step.step) {
    case 'dns':
      return step.evidence ? `Resolver: ${step.evidence.resolver}. ${step.evidence.answers.map((a) => `${a.entry} → ${a.addresses.join(', ') || a.error} (${Math.round(a.ms)} ms)`).join('; ')}.` : '';
    case 'tcp':
      return step.evidence ? step.evidence.attempts.map((a) => `${a.host}:${a.port} via ${a.address}: ${a.outcome}${a.code && a.outcome !== 'connected' ? ` (${a.code})` : ''} in ${Math.round(a.ms)} ms`).join('; ') + '.' : '';
    case 'tls': {
      const e = step.evidence;
      if (!e) return '';
      const client = e.clientCertificate ? ` Client certificate presented: ${e.clientCertificate.subject} (issuer ${e.clientCertificate.issuer}, valid until ${e.clientCertificate.validTo}).` : '';
      const lines = e.attempts.map((a) => {
        const c = a.certificate;
        const cert = c ? `; certificate ${c.subject}, issuer ${c.issuer}, SANs ${c.subjectAltNames.join(' ') || 'none'}, valid ${c.validFrom} – ${c.validTo}` : '';
        return `${a.host}:${a.port}: ${a.outcome}${a.code ? ` (${a.code})` : ''}${a.protocol ? `, ${a.protocol}` : ''}${cert}${a.message && a.outcome !== 'ok' ? ` — ${a.message}` : ''}`;
      });
      return `Trust: ${e.trust === 'default' ? 'the default roots' : 'the default roots plus the ESM\'s SERVER_ROOT_CA_CERTIFICATE'}.${client} ${lines.join('; ')}.`;
    }
    case 'sasl':
      return step.evidence ? `${step.evidence.mechanism} with ${step.evidence.broker}: ${step.evidence.outcome}${step.evidence.errorType ? ` (${step.evidence.errorType})` : ''}${step.evidence.signedBy ? `; token signed by ${step.evidence.signedBy}` : ''}.` : '';
    case 'metadata': {
      const e = step.evidence;
      if (!e) return '';
      const partitions = e.partitions.length ? ` Partitions → leaders: ${e.partitions.map((p) => `${p.partition}→${p.leader}`).join(', ')}.` : '';
      const brokers = e.brokers.length ? ` Advertised brokers: ${e.brokers.map((b) => `${b.nodeId} ${b.host}:${b.port} ${b.outcome}${b.code ? ` (${b.code})` : ''}`).join('; ')}.` : '';
      return `Bootstrapped from ${e.broker}.${partitions}${brokers}`;
    }
    case 'group':
      return step.evidence ? `Group ${step.evidence.groupId}: ${step.evidence.outcome}${step.evidence.state ? `, state ${step.evidence.state}` : ''}${step.evidence.errorType ? ` (${step.evidence.errorType})` : ''}.` : '';
  }
}

export function portOf(entry: string | undefined): string {
  return entry?.split(':').pop() ?? 'the port';
}

// ---------------------------------------------------------------------------------------------

export interface ProbeCheckSpec<S extends ProbeStepName = ProbeStepName> {
  step: S;
  title: string;
  docs: string;
  explains?: Check['explains'];
  fix(snapshot: Snapshot, step: ProbeStep, result: ProbeResult): Fix;
}

/** A check of one probe step: the id is `probe.<step>`, kept as a literal type for the registry. */
export function probeCheck<const S extends ProbeStepName>(spec: ProbeCheckSpec<S>): Check<`probe.${S}`, never> {
  return {
    id: `probe.${spec.step}` as const,
    step: PROBE_STEP_NUMBERS[spec.step],
    title: spec.title,
    docs: spec.docs,
    ...(spec.explains ? { explains: spec.explains } : {}),
    run(snapshot): Outcome {
      const f = snapshot.probe;
      if (!f) return skip(NO_PROBE);
      if (!f.ok) return couldNotRead('the live probe', f);
      const result = f.value;
      const step = probeStep(result, spec.step);
      if (!step) return skip(`The probe did not report this step.`);
      if (step.status === 'skip') return skip(`The probe skipped this step: ${step.summary}`);
      const detail = `${step.summary} ${evidenceText(step)} Probed ${whereText(result)} in ${Math.round(step.durationMs)} ms.`.replace(/\s+/g, ' ').trim();
      if (step.status === 'pass') return { status: 'pass', detail };
      const title = `Live probe: ${step.summary.split(/(?<=\.)\s/)[0]!.replace(/\.$/, '')}`;
      if (step.status === 'error') {
        return { status: 'error', title, detail, fix: 'Let the identity running the probe read the ESM\'s secrets (secretsmanager:GetSecretValue, kms:Decrypt), then re-run.' };
      }
      const fix = spec.fix(snapshot, step, result);
      return { status: step.status, title, detail, ...fixFields(fix) };
    },
  };
}

