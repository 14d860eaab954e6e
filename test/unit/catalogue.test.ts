import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { catalogueMarkdown } from '../../bot/checks/catalogue';
import { checks } from '../../bot/checks/registry';

/** The ids of checks.md (the contract) that the engine implements statically; probe.* come from the live probe. */
const CONTRACT_IDS = [
  'esm.state', 'esm.last-result', 'role.trust', 'egress.sts', 'secret.readable', 'secret.format', 'secret.msk-scram',
  'egress.secretsmanager', 'msk.cluster', 'msk.bootstrap', 'kafka.bootstrap-dns', 'network.sg-broker-ingress',
  'network.sg-egress', 'network.nacl', 'network.subnets', 'network.self-managed-vpc', 'auth.mode', 'auth.port',
  'iam.execution-role', 'topic.exists', 'consumer-group.unique', 'batch.payload', 'function.state',
  'function.concurrency', 'egress.lambda', 'destination.reachable',
  // Progress (design.md "Health beyond setup: progress"; docs/metrics.md)
  'progress.lag', 'function.errors', 'function.throttles',
];

describe('the check registry', () => {
  it('implements every check id of the catalogue, once each', () => {
    const ids = checks.map((c) => c.id).filter((id) => !id.startsWith('probe.'));
    expect([...ids].sort()).toEqual([...CONTRACT_IDS].sort());
  });

  it('is in setup-step order', () => {
    const steps = checks.map((c) => c.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  it('matches docs/checks.md (run `npm run docs` after changing a check)', () => {
    const committed = readFileSync(path.join(__dirname, '../../docs/checks.md'), 'utf8');
    expect(committed).toBe(catalogueMarkdown(checks));
  });
});
