/**
 * Every check, in setup-step order. A new check is one function in its area file, one line here
 * (through the area's `checks` array) and its tests. Ids are the contract of checks.md.
 */
import type { Check } from './check';
import { checks as status } from './status';
import { checks as iam } from './iam';
import { checks as egress } from './egress';
import { checks as secrets } from './secrets';
import { checks as msk } from './msk';
import { checks as dns } from './dns';
import { checks as network } from './network';
import { checks as auth } from './auth';
import { checks as topic } from './topic';
import { checks as fn } from './function';
import { checks as destination } from './destination';
import { checks as probe } from './probe';
import { checks as destinationKafka } from './destination-kafka';
import { checks as schemaRegistry } from './schema-registry';
import { checks as provisioned } from './provisioned';
import { checks as retries } from './retries';
import { checks as crossAccount } from './cross-account';
import { checks as progress } from './progress';

export const checks: readonly Check[] = [
  // The live probe's steps first: within a setup step, a failure the probe saw is named as the cause before a static one.
  ...probe,
  ...status,
  ...iam,
  ...egress,
  ...secrets,
  ...msk,
  ...dns,
  ...network,
  ...auth,
  ...topic,
  ...fn,
  ...destination,
  ...destinationKafka,
  ...schemaRegistry,
  ...provisioned,
  ...retries,
  ...crossAccount,
  ...progress,
].sort((a, b) => a.step - b.step);

export function checkById(id: string): Check | undefined {
  return checks.find((c) => c.id === id);
}
