/**
 * What the watcher sees: the Kafka ESMs of one account and region (read by bot/collect/inventory),
 * each as an observation — which ESM, and its state, reason and Lambda's last result.
 */
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { listEventSourceMappings, readEventSourceMapping, type LambdaReader } from '../collect/inventory';
import { isFailing, type EsmIdentity, type ObservedState } from '../model/events';

export { PAGE_SIZE, type LambdaReader } from '../collect/inventory';

/** One ESM at one moment, with what an ESM State Change event says about it. */
export interface Observation extends EsmIdentity {
  observed: ObservedState;
  /**
   * What the progress metrics say (the watcher's stall round): `stalled` when the offset lag keeps
   * growing, `delivering` when it does not; absent when they were not read or say nothing.
   */
  progress?: 'stalled' | 'delivering';
  /** ListEventSourceMappings' LastModified (ISO): how long a Creating / Updating state has lasted. */
  lastModified?: string;
}

const ESM_ARN = /^arn:[a-z-]+:lambda:([a-z0-9-]+):(\d{12}):event-source-mapping:/;

function kafkaSource(esm: EventSourceMappingConfiguration): string | undefined {
  if (esm.EventSourceArn?.startsWith('arn:') && esm.EventSourceArn.split(':')[2] === 'kafka') return esm.EventSourceArn;
  const servers = esm.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS;
  if (servers?.length) return servers.join(',');
  return undefined;
}

function clean(value: string | undefined | null): string | undefined {
  const text = value?.trim();
  return text ? text : undefined;
}

/** A Kafka ESM as the watcher sees it; undefined for SQS, Kinesis, DynamoDB, ... mappings. */
export function observationOf(esm: EventSourceMappingConfiguration, scope: { region: string; account?: string }): Observation | undefined {
  const eventSource = kafkaSource(esm);
  if (!eventSource || !esm.UUID) return undefined;
  const arn = esm.EventSourceMappingArn ?? '';
  const fromArn = ESM_ARN.exec(arn);
  const region = fromArn?.[1] ?? scope.region;
  const account = fromArn?.[2] ?? scope.account ?? '';
  const lastProcessingResult = clean(esm.LastProcessingResult);
  const stateTransitionReason = clean(esm.StateTransitionReason);
  const modified = esm.LastModified ? new Date(esm.LastModified) : undefined;
  return {
    ...(modified && !Number.isNaN(modified.getTime()) ? { lastModified: modified.toISOString() } : {}),
    uuid: esm.UUID.toLowerCase(),
    esmArn: arn || `arn:aws:lambda:${region}:${account}:event-source-mapping:${esm.UUID.toLowerCase()}`,
    functionArn: esm.FunctionArn ?? '',
    eventSource,
    region,
    account,
    observed: {
      state: esm.State ?? 'Unknown',
      ...(lastProcessingResult ? { lastProcessingResult } : {}),
      ...(stateTransitionReason ? { stateTransitionReason } : {}),
    },
  };
}

/**
 * What must change for the watcher to publish: for a healthy ESM its health and state only
 * ("OK" ↔ "No records processed" is traffic, not news); for a failing one also the reason and
 * Lambda's message, since a new message is usually a new cause.
 */
export function signatureOf(observed: ObservedState): string {
  if (!isFailing(observed)) return `healthy|${observed.state}`;
  return ['failing', observed.state, observed.stateTransitionReason ?? '', observed.lastProcessingResult ?? ''].join('|');
}

export interface Listing {
  esms: Observation[];
  pages: number;
  /** The listed Kafka mappings as Lambda returned them (what the dependency index reads from). */
  mappings: EventSourceMappingConfiguration[];
}

/** Every Kafka ESM in the client's account and region. */
export async function listKafkaEsms(lambda: LambdaReader, scope: { region: string; account?: string }, maxPages = 1000): Promise<Listing> {
  const { mappings, pages } = await listEventSourceMappings(lambda, maxPages);
  const esms: Observation[] = [];
  const kafka: EventSourceMappingConfiguration[] = [];
  for (const esm of mappings) {
    // A mapping being deleted is gone as far as the team is concerned: report the deletion now.
    if (esm.State === 'Deleting') continue;
    const o = observationOf(esm, scope);
    if (o) {
      esms.push(o);
      kafka.push(esm);
    }
  }
  return { esms, pages, mappings: kafka };
}

/** One ESM: its observation, `'deleted'` when Lambda no longer knows it, or undefined when it is not Kafka. */
export async function readKafkaEsm(
  lambda: LambdaReader,
  uuid: string,
  scope: { region: string; account?: string },
): Promise<Observation | 'deleted' | undefined> {
  const esm = await readEventSourceMapping(lambda, uuid);
  if (esm === 'not-found' || esm.State === 'Deleting') return 'deleted';
  return observationOf(esm, scope);
}
