/**
 * Fix plans from the bundled scenarios (realistic snapshots, field names as the APIs return them):
 * exactly the four mechanical fixes get a plan, each call with its undo and the CLI commands that do
 * the same; the hash binds the plan's content; a plan that is not safe (another failure, a Deny an
 * Allow cannot beat, a secret MSK would refuse) is not made.
 */
import { diagnoseSnapshot } from '../../../bot/diagnose';
import { canonicalJson, FixPlan, planHash, sealPlan, verifyPlanHash } from '../../../bot/model/fix-plan';
import { Report } from '../../../bot/model/report';
import type { Snapshot } from '../../../bot/model/snapshot';
import { WRITE_ACTIONS } from '../../../bot/remediate/apply';
import { grantsFor } from '../../../bot/collect/iam-actions';
import { planByHash, planFor, plansOf, POLICY_PREFIX, rolePolicyName, ruleDescription } from '../../../bot/remediate/plans';
import { SCENARIOS } from '../../../scenarios/index';

function scenario(id: string): Snapshot {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`no scenario ${id}`);
  return s.snapshot();
}

function plans(snapshot: Snapshot): FixPlan[] {
  return plansOf(diagnoseSnapshot(snapshot).findings);
}

describe('fix plans from the bundled scenarios', () => {
  it('plans only the four mechanical fixes, and none for a healthy ESM', () => {
    const byScenario = Object.fromEntries(SCENARIOS.map((s) => [s.id, plans(s.snapshot()).map((p) => p.kind)]));
    expect(byScenario['msk-sg-missing-self-rule']).toEqual(['sg-self-ingress']);
    expect(byScenario['msk-role-missing-kafka-cluster']).toEqual(['role-policy']);
    expect(byScenario['self-managed-disabled-authn']).toEqual(['esm-enable']);
    for (const s of SCENARIOS.filter((x) => x.expect.verdict === 'healthy')) expect([s.id, byScenario[s.id]]).toEqual([s.id, []]);
    // Causes that need a person: a NAT gateway or endpoint, a missing secret, a function fix, a stuck mapping.
    for (const id of ['msk-on-demand-no-nat', 'msk-scram-secret-missing', 'reserved-concurrency-zero', 'msk-stuck-creating', 'self-managed-dns-failure']) {
      expect([id, byScenario[id]]).toEqual([id, []]);
    }
  });

  it('every plan parses, verifies, and survives a JSON round trip (a Report with plans is still a Report)', () => {
    for (const s of SCENARIOS) {
      const report = diagnoseSnapshot(s.snapshot());
      const roundTrip = Report.parse(JSON.parse(JSON.stringify(report)));
      for (const plan of plansOf(roundTrip.findings)) {
        expect(FixPlan.safeParse(plan).success).toBe(true);
        expect(verifyPlanHash(plan)).toBe(true);
        expect(plan.esm.uuid).toBe(report.target.uuid);
      }
    }
  });

  it('the security group plan: a self-referencing rule on the broker port, described, with its exact revoke', () => {
    const snapshot = scenario('msk-sg-missing-self-rule');
    const [plan] = plans(snapshot);
    const step = plan!.steps[0]!;
    const sg = 'sg-0a1b2c3d4e5f60718';
    const permission = { IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: sg, Description: ruleDescription(snapshot.esm.UUID, 9098) }] };
    expect(step.call).toEqual({ service: 'ec2', operation: 'AuthorizeSecurityGroupIngress', params: { GroupId: sg, IpPermissions: [permission] } });
    expect(step.undo).toEqual({ service: 'ec2', operation: 'RevokeSecurityGroupIngress', params: { GroupId: sg, IpPermissions: [permission] } });
    expect(permission.UserIdGroupPairs[0]!.Description).toBe(`esm-doctor: Lambda ESM ${snapshot.esm.UUID} to the brokers on 9098`);
    // EC2 allows only these characters in a rule description.
    expect(permission.UserIdGroupPairs[0]!.Description).toMatch(/^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/);
    expect(step.command).toBe(
      `aws ec2 authorize-security-group-ingress --group-id ${sg} --ip-permissions '${JSON.stringify([permission])}' --region eu-west-1`,
    );
    expect(step.undoCommand).toMatch(/^aws ec2 revoke-security-group-ingress --group-id sg-0a1b2c3d4e5f60718 --ip-permissions '\[.*"FromPort":9098.*\]' --region eu-west-1$/);
    expect(plan!.check).toBe('network.sg-broker-ingress');
  });

  it('no security group plan while auth.mode fails: the broker port is not known to be the right one', () => {
    expect(plans(scenario('msk-scram-disabled'))).toEqual([]);
  });

  it('the role plan: a new inline policy named for esm-doctor and its content, holding exactly the document the finding shows', () => {
    const report = diagnoseSnapshot(scenario('msk-role-missing-kafka-cluster'));
    const finding = report.findings.find((f) => f.check === 'iam.execution-role')!;
    const plan = finding.remedy!.plan!;
    const step = plan.steps[0]!;
    const shown = finding.remedy!.documents![0]!.json as { Statement: unknown[] };
    const put = step.call.params as { RoleName: string; PolicyName: string; PolicyDocument: string };
    expect(step.call.operation).toBe('PutRolePolicy');
    expect(put.RoleName).toBe('orders-consumer-role');
    expect(canonicalJson(JSON.parse(put.PolicyDocument))).toBe(canonicalJson(shown));
    expect(put.PolicyName).toBe(rolePolicyName(shown as never));
    expect(put.PolicyName).toMatch(new RegExp(`^${POLICY_PREFIX}-[0-9a-f]{12}$`));
    expect(step.undo).toEqual({ service: 'iam', operation: 'DeleteRolePolicy', params: { RoleName: 'orders-consumer-role', PolicyName: put.PolicyName } });
    expect(step.undoCommand).toBe(`aws iam delete-role-policy --role-name orders-consumer-role --policy-name ${put.PolicyName} --region eu-west-1`);
    expect(step.effect).toMatch(/kafka-cluster:Connect/);
  });

  it('no role plan when an explicit Deny (or a boundary or an SCP) blocks the permission: an Allow would fix nothing', () => {
    const snapshot = scenario('msk-role-missing-kafka-cluster');
    if (!snapshot.permissions?.ok) throw new Error('fixture');
    snapshot.permissions.value = snapshot.permissions.value.map((r) =>
      r.EvalActionName === 'kafka-cluster:Connect' ? { ...r, EvalDecision: 'explicitDeny', MatchedStatements: [{ SourcePolicyId: 'deny-kafka', SourcePolicyType: 'IAM Policy' }] } : r,
    );
    const report = diagnoseSnapshot(snapshot);
    expect(report.findings.find((f) => f.check === 'iam.execution-role')!.status).toBe('fail');
    expect(plansOf(report.findings)).toEqual([]);
  });

  it('the SCRAM plan: associates a secret that meets MSK\'s rules; none for a secret MSK would refuse', () => {
    const base = scenario('msk-scram-documented-role-healthy');
    const secretArn = base.secrets[0]!.arn;
    const clusterArn = base.esm.EventSourceArn!;
    const unassociated: Snapshot = { ...base, scramSecrets: { ok: true, source: 'kafka:ListScramSecrets', value: { SecretArnList: [] } } };
    const [plan] = plans(unassociated);
    expect(plan!.kind).toBe('scram-associate');
    expect(plan!.steps[0]!.call).toEqual({ service: 'kafka', operation: 'BatchAssociateScramSecret', params: { ClusterArn: clusterArn, SecretArnList: [secretArn] } });
    expect(plan!.steps[0]!.undo).toEqual({ service: 'kafka', operation: 'BatchDisassociateScramSecret', params: { ClusterArn: clusterArn, SecretArnList: [secretArn] } });
    expect(plan!.steps[0]!.undoCommand).toBe(`aws kafka batch-disassociate-scram-secret --cluster-arn ${clusterArn} --secret-arn-list ${secretArn} --region eu-west-1`);

    // Under the default aws/secretsmanager key MSK refuses the association: no plan.
    const defaultKey = structuredClone(unassociated);
    const facts = defaultKey.secrets[0]!;
    if (facts.describe.ok) delete facts.describe.value.KmsKeyId;
    delete facts.kmsKey;
    expect(diagnoseSnapshot(defaultKey).findings.find((f) => f.check === 'secret.msk-scram')!.status).toBe('fail');
    expect(plans(defaultKey)).toEqual([]);
  });

  it('re-enables a mapping Lambda disabled only when nothing else fails', () => {
    const snapshot = scenario('self-managed-disabled-authn');
    const [plan] = plans(snapshot);
    expect(plan!.steps[0]!.call).toEqual({ service: 'lambda', operation: 'UpdateEventSourceMapping', params: { UUID: snapshot.esm.UUID, Enabled: true } });
    expect(plan!.steps[0]!.undo.params).toEqual({ UUID: snapshot.esm.UUID, Enabled: false });
    expect(plan!.steps[0]!.command).toBe(`aws lambda update-event-source-mapping --uuid ${snapshot.esm.UUID} --enabled --region eu-west-1`);
    expect(plan!.steps[0]!.undoCommand).toBe(`aws lambda update-event-source-mapping --uuid ${snapshot.esm.UUID} --no-enabled --region eu-west-1`);

    // The same disabled mapping with another failing check: no plan (Lambda would disable it again).
    const report = diagnoseSnapshot(snapshot);
    const state = report.findings.find((f) => f.check === 'esm.state')!;
    const other = { check: 'network.sg-broker-ingress', step: 4 as const, status: 'fail' as const, title: 'x', detail: 'x' };
    expect(planFor(state, snapshot, [...report.findings, other])).toBeUndefined();
    const unknown = { ...other, status: 'error' as const };
    expect(planFor(state, snapshot, [...report.findings, unknown])).toBeUndefined();
    // A mapping a person disabled is theirs to enable.
    const byUser = { ...snapshot, esm: { ...snapshot.esm, StateTransitionReason: 'USER_INITIATED' } };
    expect(plans(byUser)).toEqual([]);
  });

  it('the same diagnosis gives the same plan hash (an approval can be checked against a fresh plan)', () => {
    const a = plans(scenario('msk-sg-missing-self-rule'))[0]!;
    const b = plans(scenario('msk-sg-missing-self-rule'))[0]!;
    expect(a.hash).toBe(b.hash);
  });
});

describe('plan hash', () => {
  const plan = () => plans(scenario('msk-sg-missing-self-rule'))[0]!;

  it('is the sha256 of the canonical JSON of everything but the hash: key order does not matter', () => {
    const p = plan();
    expect(p.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(planHash(p)).toBe(p.hash);
    const reordered = JSON.parse(JSON.stringify({ hash: p.hash, steps: p.steps, esm: p.esm, check: p.check, kind: p.kind }));
    expect(verifyPlanHash(reordered)).toBe(true);
    expect(sealPlan({ kind: p.kind, check: p.check, esm: p.esm, steps: p.steps }).hash).toBe(p.hash);
  });

  it('refuses a tampered plan: a changed parameter, undo, target or hash', () => {
    const changedPort = plan();
    (changedPort.steps[0]!.call.params.IpPermissions as Array<{ FromPort: number }>)[0]!.FromPort = 0;
    expect(verifyPlanHash(changedPort)).toBe(false);
    const changedUndo = plan();
    changedUndo.steps[0]!.undoCommand = 'true';
    expect(verifyPlanHash(changedUndo)).toBe(false);
    const otherEsm = plan();
    otherEsm.esm.uuid = '00000000-0000-4000-8000-000000000000';
    expect(verifyPlanHash(otherEsm)).toBe(false);
    expect(verifyPlanHash({ ...plan(), hash: '0'.repeat(64) })).toBe(false);
    expect(verifyPlanHash({ ...plan(), steps: [] })).toBe(false);
    expect(verifyPlanHash('not a plan')).toBe(false);
  });
});

describe('the write actions', () => {
  it('are declared for the remediate caller in the one IAM source, with the reads that make them idempotent', () => {
    const remediate = grantsFor('remediate').map((g) => g.action);
    expect(remediate).toEqual(expect.arrayContaining(WRITE_ACTIONS));
    expect(WRITE_ACTIONS.sort()).toEqual([
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupIngress',
      'iam:DeleteRolePolicy',
      'iam:PutRolePolicy',
      'kafka:BatchAssociateScramSecret',
      'kafka:BatchDisassociateScramSecret',
      'lambda:UpdateEventSourceMapping',
    ]);
    expect(remediate).toEqual(expect.arrayContaining(['iam:GetRolePolicy', 'kafka:ListScramSecrets', 'lambda:GetEventSourceMapping']));
    // The diagnosis stays read-only.
    for (const action of WRITE_ACTIONS) expect(grantsFor('diagnose').map((g) => g.action)).not.toContain(action);
  });
});

describe('planByHash', () => {
  it('finds the approved plan in a fresh diagnosis, and nothing once the ESM changed', () => {
    const snapshot = scenario('msk-sg-missing-self-rule');
    const approved = plans(snapshot)[0]!;
    expect(planByHash(diagnoseSnapshot(scenario('msk-sg-missing-self-rule')).findings, approved.hash)).toEqual(approved);
    expect(planByHash(diagnoseSnapshot(scenario('msk-iam-healthy')).findings, approved.hash)).toBeUndefined();
  });
});
