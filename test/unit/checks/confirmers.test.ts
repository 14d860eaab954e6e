/**
 * Which checks confirm each of Lambda's own reports (a LastProcessingResult category, a code Lambda
 * disabled the mapping with, a stuck transition). Written from the tables the status checks held
 * before each check declared what it explains, so moving that knowledge beside the checks is proven
 * to name the same checks for the same report. Compared as sets: the order follows the setup steps.
 */
import { esmLastResult, esmState, decodeLastProcessingResult, PROBLEM_CATEGORIES, PROBLEM_IDS, DISABLE_CODE_IDS, confirmersOf, type Symptom } from '../../../bot/checks/status';
import { checks } from '../../../bot/checks/registry';
import type { Snapshot } from '../../../bot/model/snapshot';
import { mskIamHealthy, selfManagedScramHealthy } from '../../../scenarios/base';

/** A message Lambda writes for each category, and the checks that confirm it. */
const BY_CATEGORY: [string, string, string[]][] = [
  ['assume-role', 'PROBLEM: Lambda failed to assume your function execution role.', ['egress.sts', 'role.trust']],
  [
    'destination',
    'PROBLEM: Lambda could not send the failed batch to the OnFailure destination arn:aws:sqs:eu-west-1:123456789012:orders-dlq.',
    ['destination.kafka-topic', 'destination.kms', 'destination.reachable'],
  ],
  [
    'vpc-service-access',
    'PROBLEM: Connection error. Your VPC must be able to connect to Lambda and STS.',
    ['destination.kafka-topic', 'destination.reachable', 'egress.lambda', 'egress.secretsmanager', 'egress.sts', 'network.sg-egress'],
  ],
  ['dns', 'PROBLEM: Cannot resolve the bootstrap broker endpoints. Please check the broker endpoints.', ['kafka.bootstrap-dns', 'msk.bootstrap', 'msk.cluster', 'probe.dns']],
  ['sasl', 'PROBLEM: SASL authentication failed.', ['auth.mode', 'iam.execution-role', 'secret.format', 'secret.msk-scram', 'secret.readable']],
  [
    'tls-both-directions',
    'PROBLEM: Server failed to authenticate Lambda, or Lambda failed to authenticate server.',
    ['auth.mode', 'probe.tls', 'secret.format', 'secret.readable'],
  ],
  ['server-rejected-lambda', 'PROBLEM: Server failed to authenticate Lambda.', ['auth.mode', 'secret.format', 'secret.readable']],
  ['lambda-rejected-server', 'PROBLEM: Lambda failed to authenticate server.', ['auth.mode', 'probe.tls', 'secret.format']],
  ['certificate', 'PROBLEM: Provided certificate or private key is invalid.', ['secret.format', 'secret.readable']],
  ['authentication', 'PROBLEM: Authentication failed.', ['auth.mode', 'iam.execution-role', 'secret.format', 'secret.msk-scram', 'secret.readable']],
  ['authorization', 'PROBLEM: Cluster failed to authorize Lambda.', ['consumer-group.unique', 'iam.execution-role', 'topic.exists']],
  ['topic-not-found', 'PROBLEM: Topic not found.', ['iam.execution-role', 'topic.exists']],
  ['function-call', 'PROBLEM: Function call failed', ['egress.lambda', 'function.concurrency', 'function.state']],
  [
    'internal-error',
    'PROBLEM: Lambda internal error. Please contact Lambda customer support.',
    ['egress.lambda', 'egress.sts', 'msk.cluster', 'network.sg-broker-ingress', 'network.sg-egress'],
  ],
  [
    'connection-error',
    'PROBLEM: Connection error. Please check your event source connection configuration.',
    [
      'auth.port', 'destination.reachable', 'egress.lambda', 'egress.secretsmanager', 'egress.sts', 'kafka.bootstrap-dns', 'msk.bootstrap', 'msk.cluster',
      'network.nacl', 'network.self-managed-vpc', 'network.sg-broker-ingress', 'network.sg-egress', 'network.subnets', 'probe.tcp',
    ],
  ],
  [
    'broker-connection',
    'PROBLEM: Timeout expired while fetching topic metadata',
    [
      'auth.port', 'kafka.bootstrap-dns', 'msk.bootstrap', 'msk.cluster', 'network.nacl', 'network.self-managed-vpc',
      'network.sg-broker-ingress', 'network.sg-egress', 'network.subnets', 'probe.tcp',
    ],
  ],
  ['unknown', 'PROBLEM: The flux capacitor is misaligned.', []],
];

/** The codes Lambda disables a mapping with, and the checks that confirm each. */
const BY_DISABLE_CODE: [string, string[]][] = [
  ['ESM_CONFIG_NOT_VALID', ['auth.mode', 'msk.bootstrap', 'msk.cluster', 'network.self-managed-vpc', 'network.subnets', 'secret.readable', 'topic.exists']],
  ['EVENT_SOURCE_AUTHN_ERROR', ['auth.mode', 'iam.execution-role', 'secret.format', 'secret.msk-scram', 'secret.readable']],
  ['EVENT_SOURCE_AUTHZ_ERROR', ['iam.execution-role', 'role.trust', 'secret.readable', 'topic.exists']],
  ['FUNCTION_CONFIG_NOT_VALID', ['function.concurrency', 'function.state', 'role.trust']],
];

/** The setup checks whose failure keeps a mapping stuck Creating, Enabling, Updating or Disabling. */
const STUCK = [
  'auth.mode', 'egress.sts', 'iam.execution-role', 'msk.bootstrap', 'msk.cluster', 'msk.vpc-connection',
  'network.sg-broker-ingress', 'network.subnets', 'role.trust', 'secret.readable', 'topic.exists',
];

/** A self-managed ESM outside any VPC: Lambda reaches the brokers over the internet. */
function onInternet(): Snapshot {
  const s = selfManagedScramHealthy();
  const configs = (s.esm.SourceAccessConfigurations ?? []).filter((c) => !c.Type.startsWith('VPC_'));
  return { ...s, esm: { ...s.esm, SourceAccessConfigurations: configs } };
}

/** The checks that apply to an ESM's position: no MSK checks for self-managed Kafka, no VPC paths off a VPC. */
const POSITIONS: [string, () => Snapshot, (id: string) => boolean][] = [
  ['an MSK ESM', mskIamHealthy, () => true],
  ['a self-managed ESM in a VPC', selfManagedScramHealthy, (id) => !id.startsWith('msk.')],
  ['a self-managed ESM on the internet', onInternet, (id) => !/^(msk|network|egress)\./.test(id)],
];

const sorted = (ids: readonly string[] | undefined) => [...(ids ?? [])].sort();

describe.each(POSITIONS)('the checks that confirm what Lambda reports, for %s', (_position, base, applies) => {
  it.each(BY_CATEGORY)('LastProcessingResult %s', (category, message, confirmers) => {
    expect(decodeLastProcessingResult(message)?.id).toBe(category);
    const s = base();
    const out = esmLastResult.run({ ...s, esm: { ...s.esm, LastProcessingResult: message } });
    expect(out.status).toBe('fail');
    expect(sorted(out.related)).toEqual(confirmers.filter(applies));
  });

  it.each(BY_DISABLE_CODE)('Lambda disabled the mapping with %s', (code, confirmers) => {
    const s = base();
    const out = esmState.run({ ...s, esm: { ...s.esm, State: 'Disabled', StateTransitionReason: code } });
    expect(out.title).toContain(code);
    expect(sorted(out.related)).toEqual(confirmers.filter(applies));
  });

  it.each(['Creating', 'Enabling', 'Updating', 'Disabling'])('the mapping is stuck %s', (state) => {
    const s = base();
    const out = esmState.run({ ...s, esm: { ...s.esm, State: state, LastModified: new Date(Date.parse(s.collectedAt) - 60 * 60_000).toISOString() } });
    expect(out.title).toContain(`stuck ${state}`);
    // The stuck finding names every setup check, whatever the ESM's position: they are where to look.
    expect(sorted(out.related)).toEqual(STUCK);
  });
});

describe('the symptoms the checks explain', () => {
  it('are the decoded categories, the disable codes and stuck, each confirmed by a check of a setup step', () => {
    expect(PROBLEM_CATEGORIES.map((c) => c.id).sort()).toEqual([...PROBLEM_IDS].sort());
    const symptoms: Symptom[] = [...PROBLEM_IDS, ...DISABLE_CODE_IDS, 'stuck'];
    for (const symptom of symptoms) {
      const confirmers = confirmersOf(symptom);
      expect([symptom, confirmers.length > 0]).toEqual([symptom, true]);
      // Setup-step order, as the report lists them.
      const steps = confirmers.map((id) => checks.find((c) => c.id === id)!.step);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
    }
    expect(checks.filter((c) => c.step === 0 && c.explains?.length)).toEqual([]);
  });
});
