/**
 * Every check, in setup-step order. A check is one file, bot/checks/<area>/<check-id>.ts, declaring
 * its id, step, title, docs link, probe rules and the symptoms it explains beside its code (defineCheck);
 * its area's index.ts lists it (and steps.ts the area), and this registry, docs/checks.md (`npm run docs`) and the catalogue test follow.
 * Ids are the contract of checks.md; CheckId, their union, is derived from this list, so an id
 * that names no check (in `related`, in a probe rule, in a test) fails to compile.
 */
import type { Check } from './check';
import { checks as status } from './status';
import { stepChecks } from './steps';

/** The ids a check refers to (its probe rules' probe checks). */
type RefsOf<C> = C extends Check<string, infer Ref> ? Ref : never;
/** The referred ids that name no check of the list: `never` when every reference resolves. */
export type UnknownRefs<Cs extends readonly Check<string, string>[]> = Exclude<RefsOf<Cs[number]>, Cs[number]['id']>;

/**
 * The list, unchanged, when every id its checks refer to names one of them; a compile error naming
 * the unknown ids otherwise (a misspelt probe rule does not silently reconcile with nothing).
 */
export function registryOf<const Cs extends readonly Check<string, string>[]>(
  list: Cs & ([UnknownRefs<Cs>] extends [never] ? unknown : { 'refers to ids that name no check': UnknownRefs<Cs> }),
): Cs {
  return list;
}

const all = registryOf([
  ...status,
  ...stepChecks,
]);

/** The id of every check of the registry: a misspelt id is a compile error wherever one is expected. */
export type CheckId = (typeof all)[number]['id'];

export const checks: readonly Check<CheckId, CheckId>[] = [...all].sort((a, b) => a.step - b.step);

export const CHECK_IDS: readonly CheckId[] = checks.map((c) => c.id);

export function checkById(id: CheckId): Check<CheckId, CheckId> | undefined {
  return checks.find((c) => c.id === id);
}
