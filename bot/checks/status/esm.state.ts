import type { Snapshot } from '../../model/snapshot';
import { type Outcome, fail, pass, warn, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { duration } from '../lib/problems';
import { esmArnOf, regionOf } from '../lib/resources';
import { deleteEsm, getEsm, updateEsm } from '../lib/commands';
import { remedy } from '../lib/remedy';
import { confirmersOf, relatedFor } from './lib';
import { DISABLE_CODE_IDS, type DisableCode } from './symptoms';

/** The codes Lambda writes into StateTransitionReason when it disables a Kafka ESM itself (with-kafka-troubleshoot). */
const DISABLE_CODES: Record<DisableCode, { meaning: string }> = {
  ESM_CONFIG_NOT_VALID: {
    meaning:
      'the mapping\'s own configuration cannot be used: the cluster, topic, secret or network settings it points to are wrong or gone',
  },
  EVENT_SOURCE_AUTHN_ERROR: {
    meaning: 'Lambda could not authenticate to the Kafka cluster (SASL credentials, client certificate, or IAM authentication)',
  },
  EVENT_SOURCE_AUTHZ_ERROR: {
    meaning:
      'Lambda authenticated but was not allowed to use the source: the execution role or the Kafka ACLs do not grant the topic, the consumer group or the secret',
  },
  FUNCTION_CONFIG_NOT_VALID: {
    meaning: 'the function cannot be invoked as configured: it was deleted, is in a failed state, or cannot run',
  },
};

/** A transition longer than this is stuck: Lambda finishes creating, enabling or updating a Kafka ESM within minutes. */
const STUCK_AFTER_MS = 15 * 60_000;
const TRANSITIONAL = ['Creating', 'Enabling', 'Updating', 'Disabling', 'Deleting'];

/**
 * What keeps a mapping in a transitional state, by state. Lambda creates, enables or updates a Kafka
 * ESM within minutes once it can assume the role, describe the cluster, create the poller ENIs and
 * reach the brokers (with-kafka-troubleshoot; with-msk-permissions); while it is Creating or Updating,
 * UpdateEventSourceMapping and DeleteEventSourceMapping answer ResourceInUseException (Lambda API
 * reference), so a stuck mapping also blocks the usual fix-by-update.
 */
const STUCK_CAUSES: Record<string, string> = {
  Creating:
    'Lambda has not finished the setup it does before the first poll: assuming the execution role (its trust policy), describing the cluster and its bootstrap brokers (kafka:DescribeClusterV2, kafka:GetBootstrapBrokers), creating the poller ENIs in the subnets (ec2:CreateNetworkInterface and the Describe* actions; free IP addresses), reading the auth secret, and reaching and authenticating to the brokers.',
  Enabling:
    'Lambda is re-doing the setup of a mapping that was disabled: the execution role, the cluster, the poller ENIs in the subnets, the secret and the brokers must all be usable again; a cause that made Lambda disable the mapping and was not fixed keeps it here.',
  Updating:
    'Lambda is applying a change (batch size, auth secret, provisioned pollers, destination, ...) and rebuilding the pollers with it: a new secret it cannot read, a provisioned-mode change whose pollers cannot reach the brokers, or a role that lost a permission keeps the update from finishing.',
  Disabling:
    'Lambda is stopping the pollers and removing their ENIs: the execution role needs ec2:DeleteNetworkInterface and ec2:DescribeNetworkInterfaces for that, and pollers that cannot reach the brokers to leave the consumer group can hold it too.',
};

function stuckOutcome(snapshot: Snapshot, state: string, since: string, age: string, reasonText: string): Outcome {
  const esm = snapshot.esm;
  const region = regionOf(snapshot);
  const inUse = state === 'Creating' || state === 'Updating'
    ? ` While it is ${state}, Lambda refuses updates and deletes (ResourceInUseException), so wait for it to leave the state before changing it.`
    : '';
  return {
    status: 'fail',
    title: `The event source mapping is stuck ${state} for ${since}`,
    detail:
      `ESM ${esmArnOf(snapshot)} has been ${state}${age}, longer than the 15 minutes this takes at most; it reads no records meanwhile.${reasonText} ` +
      `What usually causes it: ${STUCK_CAUSES[state]}${inUse}`,
    remedy: {
      summary:
        'Fix the failing setup findings of this report (role, permissions, subnets, secret, network path); the state usually settles within minutes after. ' +
        'If nothing fails and it stays stuck, look at the mapping, then delete and recreate it once Lambda accepts the call.',
      commands: [
        getEsm({ uuid: esm.UUID, region }),
        deleteEsm({ uuid: esm.UUID, region }),
      ],
    },
    resources: [esmArnOf(snapshot)],
    // Every setup check whose failure keeps the mapping from finishing the transition, whatever its position.
    related: confirmersOf('stuck'),
  };
}

/**
 * Is this mapping stuck in a transition at `nowMs`? The one rule the check and the watcher share
 * (the watcher alerts on it without running a full diagnosis): Creating, Enabling, Updating or
 * Disabling for longer than 15 minutes since LastModified.
 */
export function stuckTransition(esm: Pick<Snapshot['esm'], 'State' | 'LastModified'>, nowMs: number): { state: string; sinceMs: number } | undefined {
  if (!STUCK_CAUSES[esm.State] || !esm.LastModified) return undefined;
  const sinceMs = nowMs - Date.parse(esm.LastModified);
  return Number.isFinite(sinceMs) && sinceMs > STUCK_AFTER_MS ? { state: esm.State, sinceMs } : undefined;
}

function stateTitle(state: string): string {
  return `The event source mapping is ${state}`;
}

export const esmState = defineCheck({
  id: 'esm.state',
  step: 0,
  title: 'The event source mapping is enabled',
  docs: AWS_DOCS.troubleshoot,
  run(snapshot: Snapshot): Outcome {
    const esm = snapshot.esm;
    const arn = esmArnOf(snapshot);
    const reason = esm.StateTransitionReason ?? '';
    const reasonText = reason ? ` StateTransitionReason: "${reason}".` : ' Lambda gave no StateTransitionReason.';
    const enable = updateEsm({ uuid: esm.UUID, enabled: true, region: regionOf(snapshot) });
    const resources = [arn];

    if (esm.State === 'Enabled') return pass(`ESM ${esm.UUID} is Enabled.${reasonText}`, { resources });

    if (esm.State === 'Disabled') {
      const code = DISABLE_CODE_IDS.find((c) => reason.toUpperCase().includes(c));
      if (code) {
        const { meaning } = DISABLE_CODES[code];
        return fail(
          `Lambda disabled the event source mapping (${code})`,
          `ESM ${arn} is Disabled and Lambda disabled it itself.${reasonText} ${code} means ${meaning}. ` +
            'Lambda does not re-enable a mapping it stopped: it stays Disabled after the cause is fixed.',
          remedy('Fix the cause first (the failing findings of this report point at it), then re-enable the mapping.', [enable]),
          { resources, related: relatedFor(snapshot, code) },
        );
      }
      if (/user/i.test(reason)) {
        return warn(
          'The event source mapping was disabled by a user',
          `ESM ${arn} is Disabled by a person or a deployment, not by Lambda.${reasonText} Records are not read while it is disabled; the lag grows.`,
          remedy('If it should be running, enable it again.', [enable]),
          { resources },
        );
      }
      return warn(
        'The event source mapping is Disabled',
        `ESM ${arn} is Disabled and the reason is not one of Lambda's error codes.${reasonText} Records are not read while it is disabled.`,
        remedy('If it should be running, enable it again.', [enable]),
        { resources },
      );
    }

    if (TRANSITIONAL.includes(esm.State)) {
      const since = esm.LastModified ? Date.parse(snapshot.collectedAt) - Date.parse(esm.LastModified) : NaN;
      const known = Number.isFinite(since);
      const age = known ? ` for ${duration(since)} (LastModified ${esm.LastModified}, observed ${snapshot.collectedAt})` : '';
      if (esm.State === 'Deleting') {
        return warn(stateTitle('being deleted'), `ESM ${arn} is Deleting${age}: it will not read records again.${reasonText}`, undefined, { resources });
      }
      if (known && since > STUCK_AFTER_MS && STUCK_CAUSES[esm.State]) {
        return stuckOutcome(snapshot, esm.State, duration(since), age, reasonText);
      }
      return pass(
        `ESM ${esm.UUID} is ${esm.State}${known ? ` since ${duration(since)} ago` : ''}: a normal transition.${reasonText} ` +
          'Re-run in a few minutes; more than 15 minutes in this state means it is stuck.',
        { title: stateTitle(esm.State), resources },
      );
    }

    return warn(
      `The event source mapping is in an unexpected state (${esm.State})`,
      `ESM ${arn} reports State "${esm.State}", which is not one of Lambda's documented states.${reasonText}`,
      remedy('Look at it, and re-run when it settles.', [getEsm({ uuid: esm.UUID, region: regionOf(snapshot) })]),
      { resources },
    );
  },
});
