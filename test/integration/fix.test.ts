/**
 * Fix plans applied against the extended moto with the real SDK and the real CLI
 * (`node bin/esm-doctor.cjs fix`): the broken environment turns healthy on re-diagnosis, the undo
 * brings the break back, a retry of an applied plan changes nothing, a tampered plan is refused
 * before any call, and a step that fails rolls back the steps before it.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { ListScramSecretsCommand } from '@aws-sdk/client-kafka';
import type { Io } from '../../bot/cli';
import { runFix } from '../../bot/commands/fix';
import { diagnose } from '../../bot/diagnose';
import { sealPlan, type FixPlan } from '../../bot/model/fix-plan';
import type { Report } from '../../bot/model/report';
import { applyPlan, createRemediationClients, PlanRefused, undoPlan, type RemediationClients } from '../../bot/remediate/apply';
import { plansOf, POLICY_PREFIX } from '../../bot/remediate/plans';
import { seedMskIamWithNat, seedMskScram, setEsmStatus, type MskScenario } from '../support/aws-seed';
import { withMoto, cliEnv, useMotoEnv } from './harness';

const REGION = 'eu-west-1';
const CLI = path.resolve(__dirname, '../../bin/esm-doctor.cjs');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const failing = (report: Report) => report.findings.filter((f) => f.status === 'fail').map((f) => f.check).sort();

withMoto('esm-doctor fix against the extended moto', (ctx) => {
  useMotoEnv(ctx);
  let clients: RemediationClients;
  const lines: string[] = [];
  const log = (line: string) => void lines.push(line);

  /** stdin is /dev/null-like (a pipe closed at once): not a terminal, as in a script or CI. */
  function cli(args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = execFile(process.execPath, [CLI, ...args], { env: cliEnv(ctx), timeout: 90_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
      child.stdin?.end();
    });
  }

  beforeAll(() => {
    clients = createRemediationClients(REGION, { env: { ...process.env } });
  });

  afterAll(() => {
    for (const c of Object.values(clients ?? {})) (c as { destroy(): void }).destroy();
  });

  beforeEach(() => {
    lines.length = 0;
  });

  async function report(s: MskScenario): Promise<Report> {
    return (await diagnose({ uuid: s.uuid, region: REGION })).report;
  }

  async function onlyPlan(s: MskScenario, kind: FixPlan['kind']): Promise<FixPlan> {
    const plans = plansOf((await report(s)).findings);
    expect(plans.map((p) => p.kind)).toEqual([kind]);
    return plans[0]!;
  }

  async function selfRules(s: MskScenario, port: number) {
    const out = await ctx.aws().ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [s.clusterSecurityGroupId] }));
    return (out.SecurityGroups?.[0]?.IpPermissions ?? []).filter(
      (p) => p.FromPort === port && p.ToPort === port && (p.UserIdGroupPairs ?? []).some((g) => g.GroupId === s.clusterSecurityGroupId),
    );
  }

  async function esmDoctorPolicies(s: MskScenario): Promise<string[]> {
    const out = await ctx.aws().iam.send(new ListRolePoliciesCommand({ RoleName: s.roleName }));
    return (out.PolicyNames ?? []).filter((n) => n.startsWith(POLICY_PREFIX));
  }

  // ----------------------------------------------------------------------------------------------
  describe('the cluster security group lacks its self-referencing rule', () => {
    it('`esm-doctor fix <uuid> --yes` adds the rule, re-diagnoses healthy, exits 0 and prints the undo', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { selfReferencingRule: false });
      expect(failing(await report(s))).toEqual(['network.sg-broker-ingress']);

      const out = await cli(['fix', s.uuid, '--yes', '--region', REGION]);
      expect(out.stderr).toMatch(/calling ec2:AuthorizeSecurityGroupIngress: aws ec2 authorize-security-group-ingress --group-id sg-/);
      expect(out.stderr).toMatch(/undo with: aws ec2 revoke-security-group-ingress/);
      expect(out.stdout).toMatch(/Before: failing/);
      expect(out.stdout).toMatch(/After: healthy/);
      expect(out.stdout).toMatch(/network\.sg-broker-ingress: fail → pass/);
      expect(out.stdout).toMatch(new RegExp(`To undo[\\s\\S]*aws ec2 revoke-security-group-ingress --group-id ${s.clusterSecurityGroupId}`));
      expect(out.code).toBe(0);

      const rules = await selfRules(s, 9098);
      expect(rules).toHaveLength(1);
      expect(rules[0]!.IpProtocol).toBe('tcp');
      expect(rules[0]!.UserIdGroupPairs![0]!.Description).toBe(`esm-doctor: Lambda ESM ${s.uuid} to the brokers on 9098`);
      expect((await report(s)).verdict).toBe('healthy');
    });

    it('the undo restores the broken state, and a retry of the plan applies it once', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { selfReferencingRule: false });
      const plan = await onlyPlan(s, 'sg-self-ingress');

      expect((await applyPlan(plan, clients, log)).map((r) => r.status)).toEqual(['applied']);
      // The retry (a Slack retry, a second click, a re-run) finds the rule and changes nothing.
      expect((await applyPlan(plan, clients, log)).map((r) => r.status)).toEqual(['unchanged']);
      expect(await selfRules(s, 9098)).toHaveLength(1);
      expect((await report(s)).verdict).toBe('healthy');

      expect((await undoPlan(plan, clients, log)).map((r) => r.status)).toEqual(['undone']);
      expect(await selfRules(s, 9098)).toHaveLength(0);
      expect(failing(await report(s))).toEqual(['network.sg-broker-ingress']);
      // Undoing again is harmless too.
      expect((await undoPlan(plan, clients, log)).map((r) => r.status)).toEqual(['undone']);
      expect(lines.filter((l) => /calling|undoing/.test(l))).toHaveLength(4);
    });
  });

  // ----------------------------------------------------------------------------------------------
  describe('the execution role has no kafka-cluster:* permission', () => {
    it('`esm-doctor fix <uuid> --yes` adds the inline policy, re-diagnoses healthy, exits 0 and prints the undo', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { kafkaClusterPermissions: false });
      expect(failing(await report(s))).toEqual(['iam.execution-role']);

      const out = await cli(['fix', s.esmArn, '--yes']);
      expect(out.stderr).toMatch(/calling iam:PutRolePolicy: aws iam put-role-policy --role-name orders-consumer-role --policy-name esm-doctor-kafka-event-source-[0-9a-f]{12}/);
      expect(out.stdout).toMatch(/After: healthy/);
      expect(out.stdout).toMatch(/aws iam delete-role-policy --role-name orders-consumer-role --policy-name esm-doctor-kafka-event-source-/);
      expect(out.code).toBe(0);
      expect(await esmDoctorPolicies(s)).toHaveLength(1);
    });

    it('the undo restores the broken state; a retry of the same plan finds the identical policy and changes nothing', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { kafkaClusterPermissions: false });
      const plan = await onlyPlan(s, 'role-policy');
      expect((await applyPlan(plan, clients, log)).map((r) => r.status)).toEqual(['applied']);
      expect((await applyPlan(plan, clients, log)).map((r) => r.status)).toEqual(['unchanged']);
      expect((await report(s)).verdict).toBe('healthy');
      // Healthy now: a fresh diagnosis has no plan at all.
      expect(plansOf((await report(s)).findings)).toEqual([]);

      await undoPlan(plan, clients, log);
      expect(await esmDoctorPolicies(s)).toEqual([]);
      expect(failing(await report(s))).toEqual(['iam.execution-role']);
    });
  });

  // ----------------------------------------------------------------------------------------------
  it('associates a valid SCRAM secret that is not associated; the undo disassociates it', async () => {
    const s = await seedMskScram(ctx.aws(), ctx.moto(), { secret: 'not-associated' });
    expect(failing(await report(s))).toEqual(['secret.msk-scram']);
    const plan = await onlyPlan(s, 'scram-associate');
    expect(plan.steps[0]!.call.params).toEqual({ ClusterArn: s.clusterArn, SecretArnList: [s.secretArn] });

    expect((await applyPlan(plan, clients, log)).map((r) => r.status)).toEqual(['applied']);
    expect((await applyPlan(plan, clients, log)).map((r) => r.status)).toEqual(['unchanged']);
    expect((await report(s)).verdict).toBe('healthy');

    await undoPlan(plan, clients, log);
    const listed = await ctx.aws().kafka.send(new ListScramSecretsCommand({ ClusterArn: s.clusterArn }));
    expect(listed.SecretArnList ?? []).toEqual([]);
    expect(failing(await report(s))).toEqual(['secret.msk-scram']);
  });

  it('re-enables a mapping Lambda disabled once nothing else fails, through the CLI; the undo disables it again', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), {
      status: { State: 'Disabled', StateTransitionReason: 'EVENT_SOURCE_AUTHZ_ERROR', LastProcessingResult: 'No records processed' },
    });
    const plan = await onlyPlan(s, 'esm-enable');
    const out = await cli(['fix', s.uuid, '--yes', '--region', REGION]);
    expect(out.stderr).toMatch(/calling lambda:UpdateEventSourceMapping: aws lambda update-event-source-mapping --uuid \S+ --enabled --region eu-west-1/);
    expect(out.stdout).toMatch(/To undo[\s\S]*--no-enabled/);
    expect(out.code).toBe(0);

    await undoPlan(plan, clients, log);
    expect((await report(s)).esm?.state).toBe('Disabled');
  });

  it('does not plan to re-enable a mapping while another check fails', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), {
      selfReferencingRule: false,
      status: { State: 'Disabled', StateTransitionReason: 'EVENT_SOURCE_AUTHN_ERROR', LastProcessingResult: 'No records processed' },
    });
    expect(plansOf((await report(s)).findings).map((p) => p.kind)).toEqual(['sg-self-ingress']);
  });

  // ----------------------------------------------------------------------------------------------
  it('refuses a tampered plan before making any call', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { selfReferencingRule: false });
    const plan = await onlyPlan(s, 'sg-self-ingress');
    const tampered = structuredClone(plan);
    (tampered.steps[0]!.call.params as { IpPermissions: Array<{ FromPort: number; ToPort: number }> }).IpPermissions[0]!.FromPort = 0;
    (tampered.steps[0]!.call.params as { IpPermissions: Array<{ FromPort: number; ToPort: number }> }).IpPermissions[0]!.ToPort = 65535;
    await expect(applyPlan(tampered, clients, log)).rejects.toBeInstanceOf(PlanRefused);
    // A re-sealed plan with an operation outside the writers' table is refused too.
    const foreign = sealPlan({ ...plan, steps: [{ ...plan.steps[0]!, call: { service: 'iam', operation: 'CreateUser', params: { UserName: 'x' } } }] });
    await expect(applyPlan(foreign, clients, log)).rejects.toThrow(/does not perform iam:CreateUser/);
    expect(lines).toEqual([]);
    expect(await selfRules(s, 9098)).toHaveLength(0);
  });

  it('rolls back the steps it applied when a later step fails', async () => {
    const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { selfReferencingRule: false });
    const sg = await onlyPlan(s, 'sg-self-ingress');
    const broken = sealPlan({
      kind: sg.kind,
      check: sg.check,
      esm: sg.esm,
      steps: [
        sg.steps[0]!,
        {
          call: { service: 'iam', operation: 'PutRolePolicy', params: { RoleName: 'no-such-role', PolicyName: `${POLICY_PREFIX}-x`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kafka-cluster:Connect', Resource: s.clusterArn }] }) } },
          effect: 'a step that fails',
          undo: { service: 'iam', operation: 'DeleteRolePolicy', params: { RoleName: 'no-such-role', PolicyName: `${POLICY_PREFIX}-x` } },
          command: 'aws iam put-role-policy (test)',
          undoCommand: 'aws iam delete-role-policy (test)',
        },
      ],
    });
    const results = await applyPlan(broken, clients, log);
    expect(results.map((r) => `${r.index}:${r.status}`)).toEqual(['0:applied', '1:failed', '0:rolled-back']);
    expect(results[1]!.error).toMatch(/NoSuchEntity/);
    expect(lines.some((l) => /rolling back step 1: ec2:RevokeSecurityGroupIngress/.test(l))).toBe(true);
    expect(await selfRules(s, 9098)).toHaveLength(0);
  });

  // ----------------------------------------------------------------------------------------------
  describe('the CLI', () => {
    it('exits 2 with one line when stdin is not a terminal and --yes is not given, and changes nothing', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { selfReferencingRule: false });
      const out = await cli(['fix', s.uuid, '--region', REGION]);
      expect(out.code).toBe(2);
      expect(out.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^esm-doctor: not a terminal.*--yes/)]);
      expect(out.stdout).toMatch(/aws ec2 authorize-security-group-ingress/);
      expect(await selfRules(s, 9098)).toHaveLength(0);
    });

    it('asks before applying: "no" changes nothing (exit 1), "yes" applies (exit 0)', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { selfReferencingRule: false });
      const out: string[] = [];
      const err: string[] = [];
      const io: Io = { stdout: { write: (x: string) => out.push(x) }, stderr: { write: (x: string) => err.push(x) }, env: { ...process.env } };
      const questions: string[] = [];
      const target = { uuid: s.uuid, region: REGION };
      expect(await runFix({ target }, { dryRun: false, yes: false }, io, { clients, confirm: async (q) => (questions.push(q), false) })).toBe(1);
      expect(out.join('')).toMatch(/Not applied: nothing was changed/);
      expect(await selfRules(s, 9098)).toHaveLength(0);
      expect(await runFix({ target }, { dryRun: false, yes: false }, io, { clients, confirm: async (q) => (questions.push(q), true) })).toBe(0);
      expect(questions).toEqual([`Apply this plan to ${s.uuid}? [y/N] `, `Apply this plan to ${s.uuid}? [y/N] `]);
      expect(err.join('')).toMatch(/calling ec2:AuthorizeSecurityGroupIngress/);
      expect(await selfRules(s, 9098)).toHaveLength(1);
    });

    it('--dry-run prints the plan and its undo, changes nothing, exits 0', async () => {
      const s = await seedMskIamWithNat(ctx.aws(), ctx.moto(), { selfReferencingRule: false });
      const out = await cli(['fix', s.uuid, '--dry-run', '--region', REGION]);
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/undo: aws ec2 revoke-security-group-ingress/);
      expect(out.stdout).toMatch(/Dry run: nothing was changed/);
      expect(out.stderr).not.toMatch(/calling/);
      expect(await selfRules(s, 9098)).toHaveLength(0);
    });

    it('exits 2 when nothing is fixable: a healthy ESM, and a cause esm-doctor does not automate', async () => {
      const healthy = await seedMskIamWithNat(ctx.aws(), ctx.moto());
      const a = await cli(['fix', healthy.uuid, '--yes', '--region', REGION]);
      expect(a.code).toBe(2);
      expect(a.stdout).toMatch(/Nothing to fix: the ESM is healthy/);
      await setEsmStatus(ctx.moto().endpoint, healthy.uuid, { State: 'Disabled', StateTransitionReason: 'USER_INITIATED', LastProcessingResult: 'OK' });
      const b = await cli(['fix', healthy.uuid, '--yes', '--region', REGION]);
      expect(b.code).toBe(2);
      expect(b.stdout).toMatch(/Nothing here esm-doctor can fix by itself/);
    });
  });
});
