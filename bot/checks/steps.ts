/**
 * Every check of the setup steps (1 to 9) and the live probe: all the checks but the status ones
 * (step 0). They are the ones that can confirm what Lambda says (their `explains`), so the status
 * checks read this list; the registry adds the status checks to it.
 */
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

export const stepChecks = [
  // The live probe's steps first: within a setup step, a failure the probe saw is named as the cause before a static one.
  ...probe,
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
] as const;
