/** Helpers shared by the destination-kafka checks; index.ts says what the area checks and why. */
import { couldNotRead, type Outcome } from '../check';

export function notSimulated(): Outcome {
  return couldNotRead('the execution role\'s permissions (iam:SimulatePrincipalPolicy)', {
    source: 'iam:SimulatePrincipalPolicy',
    error: { code: 'NotCollected', message: 'the snapshot has no simulation results', action: 'iam:SimulatePrincipalPolicy' },
  });
}
