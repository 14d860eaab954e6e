/**
 * CloudTrail event history (LookupEvents) for Report.changes: the recent write calls on a handful of
 * resources. LookupEvents takes one lookup attribute per call and is limited to two requests per
 * second per account and Region (API_LookupEvents: "If this limit is exceeded, a throttling error
 * occurs"), so at most two run at once and each asks for one page of at most 50 events.
 */
import { LookupEventsCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { z } from 'zod';
import { readFact } from './fact';
import type { Fact } from '../model/snapshot';

export const TrailEvent = z.looseObject({
  EventId: z.string().optional(),
  EventName: z.string(),
  EventTime: z.string(),
  ReadOnly: z.string().optional(),
  Username: z.string().optional(),
  EventSource: z.string().optional(),
  Resources: z.array(z.looseObject({ ResourceType: z.string().optional(), ResourceName: z.string().optional() })).optional(),
  /** The full event as JSON text: where userIdentity.arn (the principal) is. */
  CloudTrailEvent: z.string().optional(),
});
export type TrailEvent = z.infer<typeof TrailEvent>;

/** Concurrent LookupEvents calls: the API's own rate (two per second). */
export const LOOKUP_CONCURRENCY = 2;

export function lookupResourceEvents(client: CloudTrailClient, resourceName: string, since: Date, until: Date): Promise<Fact<TrailEvent[]>> {
  return readFact('cloudtrail:LookupEvents', z.array(TrailEvent), async () => {
    const out = await client.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: resourceName }],
        StartTime: since,
        EndTime: until,
        MaxResults: 50,
      }),
    );
    return out.Events ?? [];
  });
}

/** Each resource's events, at most LOOKUP_CONCURRENCY calls at a time. */
export async function lookupEventsFor(
  client: CloudTrailClient,
  resourceNames: readonly string[],
  since: Date,
  until: Date,
): Promise<Array<{ resource: string; fact: Fact<TrailEvent[]> }>> {
  const out: Array<{ resource: string; fact: Fact<TrailEvent[]> }> = [];
  let next = 0;
  const worker = async () => {
    while (next < resourceNames.length) {
      const resource = resourceNames[next++]!;
      out.push({ resource, fact: await lookupResourceEvents(client, resource, since, until) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, resourceNames.length) }, worker));
  return out;
}
