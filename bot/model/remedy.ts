/**
 * The plain-text rendering of a Remedy, kept as `Finding.fix` for readers of older reports: the
 * summary, then each command and each document on lines of their own.
 */
import type { Remedy } from './report';

export function remedyText(remedy: Remedy): string {
  const parts = [remedy.summary];
  for (const doc of remedy.documents ?? []) parts.push(`${doc.title}:\n${JSON.stringify(doc.json, null, 2)}`);
  for (const command of remedy.commands ?? []) parts.push(command);
  return parts.filter((p) => p.length > 0).join('\n');
}
