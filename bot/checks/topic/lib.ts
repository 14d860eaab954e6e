/** Helpers shared by the topic checks (steps 6 and 8). */
import { MSK_LISTENERS, chooseMskAuth } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { valueOf } from '../check';

/** The first broker of the listener the ESM uses (MSK), for commands that need a --bootstrap-server. */
export function firstBroker(snapshot: Snapshot): string | undefined {
  const mode = chooseMskAuth(snapshot.esm, valueOf(snapshot.cluster)).mode;
  const field = mode ? MSK_LISTENERS[mode]?.field : undefined;
  const brokers = valueOf(snapshot.bootstrapBrokers) as Record<string, unknown> | undefined;
  const value = field ? brokers?.[field] : undefined;
  return (typeof value === 'string' && value.split(',')[0]) || undefined;
}
