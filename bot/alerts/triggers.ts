/**
 * What starts a watcher run, as the Lambda receives it:
 *  - the schedule (EventBridge `Scheduled Event`, every minute): every configured account and region;
 *  - a CloudTrail `AWS API Call via CloudTrail` event for Create/Update/DeleteEventSourceMapping
 *    (event names carry the API version, e.g. `CreateEventSourceMapping20150331`, so the rule
 *    matches by prefix): that one ESM, at once.
 */
import { z } from 'zod';
import { UUID_PATTERN } from '../model/target';

export const CLOUDTRAIL_EVENT_PREFIXES = ['CreateEventSourceMapping', 'UpdateEventSourceMapping', 'DeleteEventSourceMapping'] as const;

export const ScheduledEvent = z.looseObject({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
  id: z.string().optional(),
  time: z.string().optional(),
});

/** CloudTrail spells the UUID field `uUID` (its lower-camel-casing of `UUID`); accept the other spellings too. */
const WithUuid = z.looseObject({ uUID: z.string().optional(), UUID: z.string().optional(), uuid: z.string().optional() }).nullish();

export const CloudTrailEsmCall = z.looseObject({
  source: z.literal('aws.lambda'),
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  id: z.string().optional(),
  detail: z.looseObject({
    eventSource: z.literal('lambda.amazonaws.com'),
    eventName: z.string().refine((n) => CLOUDTRAIL_EVENT_PREFIXES.some((p) => n.startsWith(p)), 'not an event source mapping API call'),
    awsRegion: z.string(),
    recipientAccountId: z.string().optional(),
    errorCode: z.string().optional(),
    requestParameters: WithUuid,
    responseElements: WithUuid,
  }),
});
export type CloudTrailEsmCall = z.infer<typeof CloudTrailEsmCall>;

export const WatcherTrigger = z.union([ScheduledEvent, CloudTrailEsmCall]);
export type WatcherTrigger = z.infer<typeof WatcherTrigger>;

export interface EsmCallTarget {
  uuid: string;
  region: string;
  account?: string;
  eventName: string;
}

/** The ESM a CloudTrail event is about; undefined for a call that failed or names no UUID. */
export function esmOfCall(event: CloudTrailEsmCall): EsmCallTarget | undefined {
  const d = event.detail;
  if (d.errorCode) return undefined;
  const candidates = [d.responseElements, d.requestParameters].flatMap((p) => (p ? [p.uUID, p.UUID, p.uuid] : []));
  const uuid = candidates.find((u): u is string => typeof u === 'string' && UUID_PATTERN.test(u));
  if (!uuid) return undefined;
  return { uuid: uuid.toLowerCase(), region: d.awsRegion, ...(d.recipientAccountId ? { account: d.recipientAccountId } : {}), eventName: d.eventName };
}
