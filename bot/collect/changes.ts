/**
 * Adds Report.changes to a failing report: one LookupEvents per culprit resource (bot/impact/changes
 * picks them), over the window (24 h by default). A denied or throttled lookup never fails the
 * diagnosis: the section is left out and `changesNote` says why.
 */
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { Report } from '../model/report';
import { culprits, DEFAULT_WINDOW_MS, toChanges } from '../impact/changes';
import { lookupEventsFor } from './cloudtrail';

export interface ChangesOptions {
  windowMs?: number;
  /** The end of the window; defaults to now. */
  now?: Date;
}

export async function withChanges(report: Report, client: CloudTrailClient, options: ChangesOptions = {}): Promise<Report> {
  const names = culprits(report);
  if (names.length === 0) return report;
  const until = options.now ?? new Date();
  const since = new Date(until.getTime() - (options.windowMs ?? DEFAULT_WINDOW_MS));
  const { changes, note } = toChanges(await lookupEventsFor(client, names, since, until));
  return { ...report, ...(changes ? { changes } : {}), ...(note ? { changesNote: note } : {}) };
}
