import { esmSource, isProvisionedMode } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { pass, skip, valueOf, type Outcome, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { esmArnOf, regionOf } from '../lib/resources';
import { updateEsm } from '../lib/commands';

export const POLLER_LIMITS = { minimum: { from: 1, to: 200 }, maximum: { from: 1, to: 2000 }, groupEsms: 100, groupMaxPollers: 2000, groupName: /^[a-zA-Z0-9_-]{0,128}$/ } as const;

function partitionsOf(snapshot: Snapshot): number | undefined {
  const t = valueOf(snapshot.topic);
  return t && t.Found ? t.PartitionCount : undefined;
}

export const provisionedPollers = defineCheck({
  id: 'esm.provisioned-pollers',
  step: 7,
  title: 'Provisioned mode\'s poller settings are within Lambda\'s limits and the topic\'s partitions',
  docs: AWS_DOCS.scaling,
  run(snapshot): Outcome {
    if (!esmSource(snapshot.esm)) return skip('This is not a Kafka event source mapping.');
    const cfg = snapshot.esm.ProvisionedPollerConfig;
    if (!cfg || !isProvisionedMode(snapshot.esm)) return skip('The ESM runs in on-demand mode (no ProvisionedPollerConfig): Lambda scales its pollers itself.');
    const min = cfg.MinimumPollers ?? 1;
    const max = cfg.MaximumPollers ?? 200;
    const resources = [esmArnOf(snapshot)];
    const problems: string[] = [];
    if (min < POLLER_LIMITS.minimum.from || min > POLLER_LIMITS.minimum.to) problems.push(`MinimumPollers ${min} is outside 1–200`);
    if (max < POLLER_LIMITS.maximum.from || max > POLLER_LIMITS.maximum.to) problems.push(`MaximumPollers ${max} is outside 1–2,000`);
    if (min > max) problems.push(`MinimumPollers ${min} is above MaximumPollers ${max}`);
    const group = cfg.PollerGroupName;
    if (group !== undefined && !POLLER_LIMITS.groupName.test(group)) problems.push(`PollerGroupName "${group}" is not 0–128 characters of letters, digits, - and _`);

    const partitions = partitionsOf(snapshot);
    const fixedMin = Math.min(Math.max(min, 1), 200, partitions ?? 200);
    const fixedMax = Math.max(fixedMin, Math.min(Math.max(max, 1), 2000));
    const setPollers = updateEsm({ uuid: snapshot.esm.UUID, region: regionOf(snapshot), provisionedPollerConfig: { MinimumPollers: fixedMin, MaximumPollers: fixedMax, ...(group && POLLER_LIMITS.groupName.test(group) ? { PollerGroupName: group } : {}) } });
    if (problems.length) {
      return {
        status: 'fail',
        title: 'The provisioned poller settings are outside Lambda\'s limits',
        detail: `ProvisionedPollerConfig of ${esmArnOf(snapshot)}: ${problems.join('; ')}.`,
        remedy: { summary: 'Set the pollers within the limits (MinimumPollers 1–200, MaximumPollers 1–2,000, minimum ≤ maximum).', commands: [setPollers] },
        resources,
      };
    }

    // The group's limits, over the mappings esm-doctor sees (the siblings of the same source).
    if (group) {
      const siblings = valueOf(snapshot.siblings) ?? [];
      const members = siblings.filter((s) => s.UUID !== snapshot.esm.UUID && (s as { ProvisionedPollerConfig?: { PollerGroupName?: string } }).ProvisionedPollerConfig?.PollerGroupName === group);
      const total = max + members.reduce((n, s) => n + ((s as { ProvisionedPollerConfig?: { MaximumPollers?: number } }).ProvisionedPollerConfig?.MaximumPollers ?? 200), 0);
      if (members.length + 1 > POLLER_LIMITS.groupEsms || total > POLLER_LIMITS.groupMaxPollers) {
        return {
          status: 'fail',
          title: `Poller group ${group} exceeds its limits`,
          detail: `Poller group ${group} holds ${members.length + 1} ESMs whose MaximumPollers add up to ${total}; a group takes at most 100 ESMs and 2,000 pollers in all.`,
          remedy: { summary: 'Lower MaximumPollers of the group\'s mappings or move some to another PollerGroupName.', commands: [updateEsm({ uuid: snapshot.esm.UUID, region: regionOf(snapshot), provisionedPollerConfig: { MinimumPollers: min, MaximumPollers: max, PollerGroupName: `${group}-2` } })] },
          resources,
        };
      }
    }

    if (partitions !== undefined && min > partitions) {
      return {
        status: 'warn',
        title: `MinimumPollers ${min} is above the topic's ${partitions} partitions`,
        detail: `A partition is read by one poller at most, so ${min - partitions} of the ${min} pollers provisioned at all times have nothing to read, and each is billed as an event poller unit.`,
        remedy: { summary: `Lower MinimumPollers to at most ${partitions}.`, commands: [setPollers] },
        resources,
      };
    }
    // MaximumPollers above the partitions changes nothing: Lambda never scales beyond them.
    const note = partitions !== undefined && max > partitions ? ` Lambda never scales past the ${partitions} partitions, so MaximumPollers ${max} acts as ${partitions}.` : partitions === undefined ? ' The partition count is unknown here.' : '';
    return pass(`Provisioned mode: MinimumPollers ${min}, MaximumPollers ${max}${group ? `, poller group ${group}` : ''}.${note}`, { resources });
  },
});
