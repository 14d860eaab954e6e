/**
 * `esm-doctor fix` offline: the plans of a bundled scenario with --dry-run, and the exit codes and
 * one-line errors that need no AWS call. Applying against AWS (moto) is in test/integration/fix.test.ts.
 */
import { main, type Io } from '../../../bot/cli';

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: {} };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

describe('esm-doctor fix, offline', () => {
  it('--dry-run on a scenario prints each call, what it changes and its undo, changes nothing, exits 0', async () => {
    const t = fakeIo();
    expect(await main(['fix', '--scenario', 'msk-sg-missing-self-rule', '--dry-run'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/^Before: failing — Failing at step 4/);
    expect(t.stdout()).toMatch(/Plan 1: sg-self-ingress for network\.sg-broker-ingress \(plan [0-9a-f]{12}\)/);
    expect(t.stdout()).toMatch(/call: ec2:AuthorizeSecurityGroupIngress\n\s+aws ec2 authorize-security-group-ingress --group-id sg-0a1b2c3d4e5f60718 --ip-permissions '/);
    expect(t.stdout()).toMatch(/undo: aws ec2 revoke-security-group-ingress --group-id sg-0a1b2c3d4e5f60718/);
    expect(t.stdout()).toMatch(/Dry run: nothing was changed\.\n$/);
    expect(t.stderr()).toBe('');
  });

  it('lists the failures it does not automate next to the plans', async () => {
    const t = fakeIo();
    expect(await main(['fix', '--scenario', 'msk-role-missing-kafka-cluster', '--dry-run'], t.io)).toBe(0);
    expect(t.stdout()).toMatch(/Plan 1: role-policy for iam\.execution-role/);
    expect(t.stdout()).toMatch(/Not automated \(a person runs their commands: see esm-doctor diagnose\):\n {2}esm\.last-result — /);
  });

  it('exits 2 when nothing is fixable, saying what only a person can fix', async () => {
    const none = fakeIo();
    expect(await main(['fix', '--scenario', 'msk-on-demand-no-nat', '--dry-run'], none.io)).toBe(2);
    expect(none.stdout()).toMatch(/Nothing here esm-doctor can fix by itself\. Only four fixes are applied automatically/);
    expect(none.stdout()).toMatch(/not automated: egress\.sts — /);
    const healthy = fakeIo();
    expect(await main(['fix', '--scenario', 'msk-iam-healthy', '--dry-run'], healthy.io)).toBe(2);
    expect(healthy.stdout()).toMatch(/Nothing to fix: the ESM is healthy/);
    const other = fakeIo();
    expect(await main(['fix', '--scenario', 'msk-sg-missing-self-rule', '--dry-run', '--check', 'iam.execution-role'], other.io)).toBe(2);
    expect(other.stdout()).toMatch(/iam\.execution-role has no fix esm-doctor can apply for this ESM/);
  });

  it.each([
    [['fix', '--scenario', 'msk-sg-missing-self-rule'], /^esm-doctor: a saved snapshot or scenario is not an AWS account: only --dry-run can show its plans\n$/],
    [['fix', '--scenario', 'msk-sg-missing-self-rule', '--dry-run', '--check', 'egress.sts'], /^esm-doctor: --check egress\.sts: esm-doctor fixes only network\.sg-broker-ingress, iam\.execution-role, secret\.msk-scram, esm\.state\n$/],
    [['fix'], /^esm-doctor: no event source mapping given/],
    [['fix', 'not-a-uuid', '--region', 'eu-west-1', '--yes'], /is not an event source mapping UUID/],
  ])('%j exits 2 with one line', async (argv, message) => {
    const t = fakeIo();
    expect(await main(argv, t.io)).toBe(2);
    expect(t.stderr()).toMatch(message);
    expect(t.stderr().trim().split('\n')).toHaveLength(1);
  });
});
