/**
 * What the writer refuses before any call: a plan whose hash does not verify, and a plan that
 * verifies (anyone can compute a sha256) but asks for more than esm-doctor's four fixes ever do.
 * The clients here throw on any use, so a refusal that came after a call would fail the test.
 * Applying for real is in test/integration/fix.test.ts (moto).
 */
import { diagnoseSnapshot } from '../../../bot/diagnose';
import { sealPlan, type ApiCall, type FixPlan } from '../../../bot/model/fix-plan';
import { applyPlan, PlanRefused, undoPlan, type RemediationClients } from '../../../bot/remediate/apply';
import { plansOf } from '../../../bot/remediate/plans';
import { SCENARIOS } from '../../../scenarios/index';

const untouchable = new Proxy({}, { get: () => { throw new Error('no AWS call may be made'); } }) as RemediationClients;

function planOf(id: string): FixPlan {
  return plansOf(diagnoseSnapshot(SCENARIOS.find((s) => s.id === id)!.snapshot()).findings)[0]!;
}

function forged(base: FixPlan, call: ApiCall): FixPlan {
  return sealPlan({ kind: base.kind, check: base.check, esm: base.esm, steps: [{ ...base.steps[0]!, call }] });
}

describe('applyPlan refuses before any call', () => {
  const sg = planOf('msk-sg-missing-self-rule');
  const role = planOf('msk-role-missing-kafka-cluster');
  const enable = planOf('self-managed-disabled-authn');
  const groupId = sg.steps[0]!.call.params.GroupId as string;
  const admin = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
  const passRole = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }] });

  it.each<[string, FixPlan, RegExp]>([
    ['a tampered plan', { ...sg, steps: [{ ...sg.steps[0]!, command: 'rm -rf /' }] }, /does not match its hash/],
    ['an operation outside the four fixes', forged(sg, { service: 'iam', operation: 'CreateUser', params: { UserName: 'x' } }), /does not perform iam:CreateUser/],
    ['a rule open to the internet', forged(sg, { service: 'ec2', operation: 'AuthorizeSecurityGroupIngress', params: { GroupId: groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] } }), /CIDR ranges/],
    ['a rule on every port', forged(sg, { service: 'ec2', operation: 'AuthorizeSecurityGroupIngress', params: { GroupId: groupId, IpPermissions: [{ IpProtocol: '-1', FromPort: 0, ToPort: 65535, UserIdGroupPairs: [{ GroupId: groupId }] }] } }), /more than one TCP port/],
    ['a rule from another group', forged(sg, { service: 'ec2', operation: 'AuthorizeSecurityGroupIngress', params: { GroupId: groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: 'sg-0ffffffffffffffff' }] }] } }), /another group/],
    ['an admin policy', forged(role, { service: 'iam', operation: 'PutRolePolicy', params: { RoleName: 'orders-consumer-role', PolicyName: 'esm-doctor-kafka-event-source-x', PolicyDocument: admin } }), /wildcard or identity action/],
    ['iam:PassRole', forged(role, { service: 'iam', operation: 'PutRolePolicy', params: { RoleName: 'orders-consumer-role', PolicyName: 'esm-doctor-kafka-event-source-x', PolicyDocument: passRole } }), /wildcard or identity action/],
    ['a policy of another name (it could replace the role\'s own)', forged(role, { service: 'iam', operation: 'PutRolePolicy', params: { ...role.steps[0]!.call.params, PolicyName: 'msk-iam-access' } }), /not named esm-doctor-kafka-event-source-\*/],
    ['a mapping change beyond Enabled', forged(enable, { service: 'lambda', operation: 'UpdateEventSourceMapping', params: { UUID: enable.esm.uuid, Enabled: true, FunctionName: 'other' } }), /other than Enabled/],
    ['a secret MSK would not take', forged(enable, { service: 'kafka', operation: 'BatchAssociateScramSecret', params: { ClusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/u', SecretArnList: ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-password-AbCdEf'] } }), /AmazonMSK_/],
  ])('%s', async (_name, plan, message) => {
    const lines: string[] = [];
    await expect(applyPlan(plan, untouchable, (l) => lines.push(l))).rejects.toThrow(message);
    await expect(applyPlan(plan, untouchable, (l) => lines.push(l))).rejects.toBeInstanceOf(PlanRefused);
    await expect(undoPlan(plan, untouchable, (l) => lines.push(l))).rejects.toBeInstanceOf(PlanRefused);
    expect(lines).toEqual([]);
  });

  it('lets every plan esm-doctor makes through the same guards', async () => {
    for (const plan of SCENARIOS.flatMap((s) => plansOf(diagnoseSnapshot(s.snapshot()).findings))) {
      // The guards pass, so the first thing it does is the (forbidden here) AWS call.
      await expect(applyPlan(plan, untouchable, () => undefined)).resolves.toEqual([expect.objectContaining({ status: 'failed', error: 'no AWS call may be made' })]);
    }
  });
});
