/**
 * Building and combining remedies. A check that finds several problems gives one remedy: the
 * summaries in order, every command and document once.
 */
import type { Remedy } from '../../model/report';

export type RemedyDocument = NonNullable<Remedy['documents']>[number];

/** A remedy from its parts, leaving out empty lists (so renderers print no empty blocks). */
export function remedy(summary: string, commands: string[] = [], documents: RemedyDocument[] = []): Remedy {
  return {
    summary,
    ...(commands.length ? { commands: [...new Set(commands)] } : {}),
    ...(documents.length ? { documents } : {}),
  };
}

export function mergeRemedies(remedies: Array<Remedy | undefined>): Remedy | undefined {
  const list = remedies.filter((r): r is Remedy => r !== undefined);
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  const summaries = [...new Set(list.map((r) => r.summary).filter((s) => s.length > 0))];
  const documents: RemedyDocument[] = [];
  for (const d of list.flatMap((r) => r.documents ?? [])) {
    if (!documents.some((k) => k.title === d.title && JSON.stringify(k.json) === JSON.stringify(d.json))) documents.push(d);
  }
  return remedy(summaries.join('\n'), list.flatMap((r) => r.commands ?? []), documents);
}

/** The remedy a `fix` argument stands for: prose alone, or the remedy itself. */
export function asRemedy(fix: string | Remedy): Remedy {
  return typeof fix === 'string' ? { summary: fix } : fix;
}
