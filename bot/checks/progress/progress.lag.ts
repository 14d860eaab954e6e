import type { Remedy } from '../../model/report';
import { pass, skip, valueOf, defineCheck, type Outcome } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { functionNameOf, regionOf } from '../lib/resources';
import { functionMetricStats, getEsm, updateEsm } from '../lib/commands';
import { fmt } from '../lib/trend';
import { RECENT_MINUTES, progressNeeded, pct, lagSentence, enabled } from './lib';

export const progressLag = defineCheck({
  id: 'progress.lag',
  step: 7,
  title: 'Records are delivered: the offset lag does not keep growing',
  docs: AWS_DOCS.metrics,
  needs: progressNeeded,
  run(snapshot, p): Outcome {
    const esmArn = snapshot.esm.EventSourceMappingArn ?? snapshot.esm.UUID;
    if (!enabled(snapshot)) return skip(`The mapping is ${snapshot.esm.State}, not Enabled: Lambda does not poll it, so there is no lag to judge.`);
    if (!p.lagFrom) {
      // OffsetLag needs no MetricsConfig opt-in (docs/metrics.md): its absence means no records were read in the window, not a missing setting.
      return skip(
        `Lambda published no OffsetLag for this mapping or its function in the last ${p.windowMinutes} min: no records arrived, or the mapping has not polled yet. ` +
          `Progress cannot be seen from metrics (the function was invoked ${fmt(p.invocations.window)} times in the window).`,
      );
    }
    const t = p.trend!;
    if (!t.growing) return pass(`${lagSentence(p)} Not a stall.`, { resources: [esmArn] });
    const name = functionNameOf(snapshot);
    const region = regionOf(snapshot);
    /** The lag grows because of what another progress check reports: a warning here, the cause there. */
    const causedBy = (cause: 'function.errors' | 'function.throttles', what: string, evidence: string, until: string): Outcome => ({
      status: 'warn',
      title: `Lag growing: ${what} (${fmt(t.first)} → ${fmt(t.last)} in ${p.windowMinutes} min)`,
      detail: `${lagSentence(p)} ${evidence}: see ${cause}, the cause.`,
      remedy: { summary: `Fix what ${cause} reports; the lag comes down once ${until}.` },
      resources: [esmArn],
      related: [cause],
    });
    switch (p.stall) {
      case 'failing-batch':
        return causedBy(
          'function.errors',
          'the partition is stalled on a failing batch',
          `The function fails ${pct(p.recentErrorRate!)} of its recent invocations, so Lambda keeps retrying the same batch`,
          'the batch gets through',
        );
      case 'throttled':
        return causedBy(
          'function.throttles',
          'invokes are throttled',
          `${fmt(p.throttles.recent)} invokes were throttled in the last ${Math.min(RECENT_MINUTES, p.windowMinutes)} min`,
          'the invokes run',
        );
      case 'not-invoked':
        return {
          status: 'fail',
          title: `Records are not being delivered: the lag grows (${fmt(t.first)} → ${fmt(t.last)}) and the function is not invoked`,
          detail: `${lagSentence(p)} The function had no invocations and no throttles in the last ${Math.min(RECENT_MINUTES, p.windowMinutes)} min although records keep arriving: the mapping polls nothing it delivers.`,
          remedy: {
            summary: 'Look at what Lambda says of the mapping and at its system logs, then disable and re-enable it to restart its pollers.',
            commands: [
              getEsm({ uuid: snapshot.esm.UUID, region }),
              updateEsm({ uuid: snapshot.esm.UUID, region, enabled: false }),
              updateEsm({ uuid: snapshot.esm.UUID, region, enabled: true }),
            ],
          },
          resources: [esmArn],
        };
      default: {
        const pollers = snapshot.esm.ProvisionedPollerConfig;
        const topic = valueOf(snapshot.topic);
        const partitions = topic && topic.Found ? topic.PartitionCount : undefined;
        const min = Math.max(2, (pollers?.MinimumPollers ?? 1) * 2, partitions ?? 0);
        const remedy: Remedy = {
          summary:
            'The function keeps up with fewer records than arrive. Make each invoke do more (a larger batch, a faster function) or run more of them: ' +
            'more partitions, or provisioned mode with more pollers (each poller handles up to 5 MB/s).',
          commands: [
            updateEsm({ uuid: snapshot.esm.UUID, region, provisionedPollerConfig: { MinimumPollers: min, MaximumPollers: Math.max(min * 2, pollers?.MaximumPollers ?? 0) } }),
            functionMetricStats({ functionName: name, metric: 'Duration', start: p.metrics.start, end: p.metrics.end, region }),
          ],
        };
        return {
          status: 'warn',
          title: `Consumer too slow: the lag keeps growing (${fmt(t.first)} → ${fmt(t.last)} in ${p.windowMinutes} min)`,
          detail: `${lagSentence(p)} The function succeeds (${fmt(p.invocations.recent)} invocations, ${fmt(p.errors.recent)} errors, ${fmt(p.throttles.recent)} throttles in the last ${Math.min(RECENT_MINUTES, p.windowMinutes)} min) but processes records more slowly than they arrive; they are delivered late and expire if it lasts longer than the topic's retention.`,
          remedy,
          resources: [esmArn],
        };
      }
    }
  },
});
