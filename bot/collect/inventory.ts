/**
 * The watcher's reads: every event source mapping of an account and region as
 * ListEventSourceMappings returns them (100 a page, each with State, StateTransitionReason and
 * LastProcessingResult, so no per-ESM call is needed), one mapping by GetEventSourceMapping when a
 * CloudTrail event names it, and a function's tags for alert routing. Raw API shapes, no judging:
 * bot/alerts turns them into observations.
 */
import {
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  ListTagsCommand,
  type EventSourceMappingConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { errorCode } from './fact';

export type LambdaReader = Pick<LambdaClient, 'send'>;

/** ListEventSourceMappings answers at most 100 mappings a page whatever MaxItems asks for. */
export const PAGE_SIZE = 100;

export interface MappingPages {
  mappings: EventSourceMappingConfiguration[];
  pages: number;
}

/** Every mapping in the client's account and region, page by page (the Marker chain is sequential). */
export async function listEventSourceMappings(lambda: LambdaReader, maxPages = 1000): Promise<MappingPages> {
  const mappings: EventSourceMappingConfiguration[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  let pages = 0;
  do {
    const out = await lambda.send(new ListEventSourceMappingsCommand({ MaxItems: PAGE_SIZE, ...(marker ? { Marker: marker } : {}) }));
    pages += 1;
    mappings.push(...(out.EventSourceMappings ?? []));
    marker = out.NextMarker ?? undefined;
    // A marker seen twice would loop for ever; Lambda never does that, an emulator might.
    if (marker && seen.has(marker)) break;
    if (marker) seen.add(marker);
  } while (marker && pages < maxPages);
  return { mappings, pages };
}

/** One mapping, or `'not-found'` when Lambda no longer knows it. */
export async function readEventSourceMapping(lambda: LambdaReader, uuid: string): Promise<EventSourceMappingConfiguration | 'not-found'> {
  try {
    return await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
  } catch (err) {
    if (errorCode(err) === 'ResourceNotFoundException') return 'not-found';
    throw err;
  }
}

/** A function's tags (lambda:ListTags wants the unqualified function ARN). */
export async function readFunctionTags(lambda: LambdaReader, functionArn: string): Promise<Record<string, string> | undefined> {
  const unqualified = functionArn.split(':').slice(0, 7).join(':');
  const out = await lambda.send(new ListTagsCommand({ Resource: unqualified }));
  return out.Tags;
}
