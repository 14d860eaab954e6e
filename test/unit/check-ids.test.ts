/**
 * Check ids are a union derived from the registry (CheckId): an id that names no check fails to
 * compile wherever one is expected. The `@ts-expect-error` lines are the proof: `npm run lint`
 * (tsc over test/) fails if any of them stops being an error.
 */
import { defineCheck, pass, type Outcome } from '../../bot/checks/check';
import { CHECK_IDS, checkById, checks, registryOf, type CheckId } from '../../bot/checks/registry';

const madeUp = (probe: CheckId) =>
  defineCheck({ id: 'made.up', step: 4, title: 'A made-up check', probe: [{ probe, probeCanClear: true, networkPosition: true }], run: (): Outcome => pass('ok') });

describe('check ids', () => {
  it('are the ids of the registry, each once', () => {
    expect([...CHECK_IDS].sort()).toEqual(checks.map((c) => c.id).sort());
    expect(new Set(CHECK_IDS).size).toBe(checks.length);
    const known: CheckId[] = ['network.nacl', 'esm.last-result', 'probe.tcp'];
    expect(known.map((id) => checkById(id)?.id)).toEqual(known);
  });

  it('reject a misspelt id at compile time (in a test, in `related`, in a probe rule)', () => {
    // @ts-expect-error 'network.nacls' names no check
    const misspelt: CheckId = 'network.nacls';
    // @ts-expect-error checkById takes a CheckId
    expect(checkById('network.nacls')).toBeUndefined();
    // @ts-expect-error an outcome's `related` names checks of the registry
    const related: Outcome = { status: 'warn', detail: 'x', related: ['destination.reachble'] };
    expect([misspelt, related.related]).toEqual(['network.nacls', ['destination.reachble']]);

    // @ts-expect-error a check explains only the symptoms the status area knows ('sasl', not 'sasl-failed')
    const explains = defineCheck({ id: 'made.up', step: 4, title: 'A made-up check', explains: ['sasl-failed'], run: (): Outcome => pass('ok') });
    expect(explains.explains).toEqual(['sasl-failed']);

    const tcp = checkById('probe.tcp')!;
    const rule = (probe: string) =>
      defineCheck({ id: 'made.up', step: 4, title: 'A made-up check', probe: [{ probe: probe as 'probe.tpc', probeCanClear: true, networkPosition: true }], run: (): Outcome => pass('ok') });
    // @ts-expect-error a probe rule naming 'probe.tpc' names no check of the list
    registryOf([tcp, rule('probe.tpc')]);
    expect(registryOf([tcp, madeUp('probe.tcp')]).map((c) => c.id)).toEqual(['probe.tcp', 'made.up']);
  });
});
