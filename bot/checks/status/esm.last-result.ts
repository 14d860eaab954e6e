import { AUTH_LABELS } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type Outcome, fail, pass, skip, warn, defineCheck } from '../check';
import { AWS_DOCS } from '../lib/aws-docs';
import { esmArnOf } from '../lib/resources';
import { decodeLastProcessingResult, problemTitle } from './problems';
import { relatedFor, authOf } from './lib';

export const esmLastResult = defineCheck({
  id: 'esm.last-result',
  step: 0,
  title: 'Lambda\'s last processing result is OK',
  docs: AWS_DOCS.troubleshoot,
  run(snapshot: Snapshot): Outcome {
    const esm = snapshot.esm;
    const result = esm.LastProcessingResult?.trim();
    const arn = esmArnOf(snapshot);
    if (!result) return skip(`ESM ${esm.UUID} has no LastProcessingResult yet: Lambda has not reported on any attempt.`);
    if (/^OK\.?$/i.test(result)) return pass(`ESM ${esm.UUID}: Lambda's last processing result is "OK" (it read records and invoked the function).`);
    if (/^no records processed\.?$/i.test(result)) {
      const note =
        esm.State === 'Enabled'
          ? 'Lambda has not polled yet, or no new records arrived since it started' +
            (esm.StartingPosition === 'LATEST' ? ' (StartingPosition LATEST reads only records written after the mapping started)' : '') +
            '. That is normal for a new mapping or a quiet topic.'
          : `The mapping is ${esm.State}, so it is not polling.`;
      return pass(`ESM ${esm.UUID}: Lambda's last processing result is "No records processed". ${note}`, {
        title: 'Lambda has not processed records yet (no error)',
      });
    }
    const category = decodeLastProcessingResult(result);
    if (!category) {
      return warn(
        'Lambda\'s last processing result is not one esm-doctor knows',
        `ESM ${arn} reports LastProcessingResult "${result}", which is neither OK nor a PROBLEM message.`,
        undefined,
        { resources: [arn] },
      );
    }
    const stale = esm.State === 'Enabled' ? '' : ` (recorded before the mapping became ${esm.State})`;
    const related = category.id === 'unknown' ? [] : relatedFor(snapshot, category.id);
    const auth = authOf(snapshot);
    const mode = auth.mode ? ` Lambda authenticates with ${AUTH_LABELS[auth.mode]}.` : '';
    return fail(
      problemTitle(category, result, snapshot),
      `ESM ${arn} reports LastProcessingResult "${result}"${stale}. ${category.explain(snapshot)}${category.id === 'sasl' || category.id === 'authorization' ? mode : ''}`,
      category.fix(snapshot),
      { resources: [arn], ...(related.length ? { related } : {}) },
    );
  },
});
