/**
 * Step 1 and the role's side of step 6: can Lambda assume the execution role (its trust policy), and
 * may that role do what this ESM needs (SimulatePrincipalPolicy against model/permissions).
 */
import { roleTrust } from './role.trust';
import { iamExecutionRole } from './iam.execution-role';

export * from './role.trust';
export * from './iam.execution-role';

export const checks = [roleTrust, iamExecutionRole] as const;
