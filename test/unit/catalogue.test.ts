import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { catalogueMarkdown } from '../../bot/checks/catalogue';
import { mostLikelyCause } from '../../bot/checks/engine';
import { checks } from '../../bot/checks/registry';

/** The ids of checks.md (the contract) that the engine implements statically; probe.* come from the live probe. */
const CONTRACT_IDS = [
  'esm.state', 'esm.last-result', 'role.trust', 'egress.sts', 'secret.readable', 'secret.format', 'secret.msk-scram',
  'egress.secretsmanager', 'msk.cluster', 'msk.bootstrap', 'kafka.bootstrap-dns', 'network.sg-broker-ingress',
  'network.sg-egress', 'network.nacl', 'network.subnets', 'network.self-managed-vpc', 'auth.mode', 'auth.port',
  'iam.execution-role', 'topic.exists', 'consumer-group.unique', 'batch.payload', 'function.state',
  'function.concurrency', 'egress.lambda', 'destination.reachable',
  // newer ESM features (issue 11)
  'destination.kafka-topic', 'destination.kms', 'schema-registry.access', 'esm.provisioned-pollers', 'esm.error-handling',
  'msk.vpc-connection',
  // Progress (design.md "Health beyond setup: progress"; docs/metrics.md)
  'progress.lag', 'function.errors', 'function.throttles',
];

/**
 * The setup step of each check, as checks.md (the contract) files it: the step is what the report
 * orders by and what names the cause ("Failing at step 4 of 9"), so a check filed under the wrong
 * step misleads. The probe's steps span 3-6 (dns 3, tcp 4, tls and sasl 5, metadata and group 6).
 */
const CONTRACT_STEPS: Record<string, number> = {
  'esm.state': 0, 'esm.last-result': 0, 'role.trust': 1, 'egress.sts': 1, 'secret.readable': 2, 'secret.format': 2,
  'secret.msk-scram': 2, 'egress.secretsmanager': 2, 'msk.cluster': 3, 'msk.bootstrap': 3, 'kafka.bootstrap-dns': 3,
  'network.sg-broker-ingress': 4, 'network.sg-egress': 4, 'network.nacl': 4, 'network.subnets': 4,
  'network.self-managed-vpc': 4, 'auth.mode': 5, 'auth.port': 5, 'iam.execution-role': 6, 'topic.exists': 6,
  'consumer-group.unique': 6, 'batch.payload': 8, 'function.state': 9, 'function.concurrency': 9, 'egress.lambda': 9,
  'destination.reachable': 9,
  'msk.vpc-connection': 3, 'esm.provisioned-pollers': 7, 'schema-registry.access': 8, 'destination.kafka-topic': 9,
  'destination.kms': 9, 'esm.error-handling': 9, 'progress.lag': 7, 'function.errors': 9, 'function.throttles': 9,
  'probe.dns': 3, 'probe.tcp': 4, 'probe.tls': 5, 'probe.sasl': 5, 'probe.metadata': 6, 'probe.group': 6,
};

describe('the check registry', () => {
  it('implements every check id of the catalogue, once each', () => {
    const ids = checks.map((c) => c.id).filter((id) => !id.startsWith('probe.'));
    expect([...ids].sort()).toEqual([...CONTRACT_IDS].sort());
  });

  it('files every check under the setup step checks.md gives it', () => {
    const wrong = checks.filter((c) => c.step !== CONTRACT_STEPS[c.id]).map((c) => `${c.id}: step ${c.step}, checks.md says ${CONTRACT_STEPS[c.id] ?? '(not listed)'}`);
    expect(wrong).toEqual([]);
  });

  it('puts the live probe\'s checks before the static ones of the same step (a failure the probe saw is named as the cause)', () => {
    const misplaced = checks.flatMap((c, i) =>
      c.id.startsWith('probe.') ? checks.slice(0, i).filter((earlier) => earlier.step === c.step && !earlier.id.startsWith('probe.')).map((earlier) => `${earlier.id} before ${c.id}`) : [],
    );
    expect(misplaced).toEqual([]);
    // The order the cause is taken in: among failures of one step, the first in registry order.
    const failAt4 = checks.filter((c) => c.step === 4).map((c) => ({ check: c.id, step: c.step, status: 'fail' as const, title: c.title, summary: '' }));
    expect(mostLikelyCause(failAt4 as never)?.check).toBe('probe.tcp');
  });

  it('matches docs/checks.md (run `npm run docs` after changing a check)', () => {
    const committed = readFileSync(path.join(__dirname, '../../docs/checks.md'), 'utf8');
    expect(committed).toBe(catalogueMarkdown(checks));
  });
});
