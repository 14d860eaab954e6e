/**
 * The collectors' IAM actions have one source (bot/collect/iam-actions.ts). Here: every SDK command a
 * collector sends is declared there, and the README's permission list is the one generated from it.
 * test/infra/stack.test.ts checks that the deployed roles grant every declared action.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { COLLECTOR_ACTIONS, grantsFor, permissionsMarkdown } from '../../../bot/collect/iam-actions';

const ROOT = path.join(__dirname, '..', '..', '..');
const COLLECT = path.join(ROOT, 'bot', 'collect');
/** The one module that writes (fix plans) declares its calls in the same table. */
const REMEDIATE = path.join(ROOT, 'bot', 'remediate');

/** The IAM service prefix of an SDK v3 client package, where it differs from the package's suffix. */
const SERVICE_PREFIX: Record<string, string> = { 'secrets-manager': 'secretsmanager', 'cloudwatch-logs': 'logs' };
/** IAM actions whose name differs from the command's (e.g. S3 ListObjectsV2 → s3:ListBucket). */
const ACTION_OF_COMMAND: Record<string, string> = { 's3:GetBucketEncryption': 's3:GetEncryptionConfiguration' };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** `service:Action` for every `new XCommand(` a file sends, from the client package it imports X from. */
function commandActions(source: string): string[] {
  const actions: string[] = [];
  for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
    const service = SERVICE_PREFIX[m[2]!] ?? m[2]!;
    for (const raw of m[1]!.split(',')) {
      const name = raw.trim();
      if (!/^[A-Z]\w*Command$/.test(name) || !source.includes(`new ${name}(`)) continue;
      const action = `${service}:${name.slice(0, -'Command'.length)}`;
      actions.push(ACTION_OF_COMMAND[action] ?? action);
    }
  }
  return actions;
}

describe('IAM actions of the collectors', () => {
  const sent = [...sourceFiles(COLLECT), ...sourceFiles(REMEDIATE)].flatMap((file) => commandActions(readFileSync(file, 'utf8')).map((action) => ({ file: path.relative(ROOT, file), action })));

  it('finds the SDK commands a collector sends (the scan itself works)', () => {
    expect(sent.map((s) => s.action)).toEqual(expect.arrayContaining(['lambda:GetFunction', 'ec2:DescribeSubnets', 'secretsmanager:GetSecretValue', 'sts:GetCallerIdentity']));
    expect(commandActions("import { FooBarCommand, type X } from '@aws-sdk/client-secrets-manager';\nsend(new FooBarCommand({}));")).toEqual(['secretsmanager:FooBar']);
    // A command imported but never sent needs no grant.
    expect(commandActions("import { FooBarCommand } from '@aws-sdk/client-kms';")).toEqual([]);
  });

  it('declares every command a collector sends in bot/collect/iam-actions.ts (so the roles and the README grant it)', () => {
    const undeclared = sent.filter((s) => !(s.action in COLLECTOR_ACTIONS)).map((s) => `${s.file}: ${s.action}`);
    expect(undeclared).toEqual([]);
  });

  it('declares no action that no collector sends', () => {
    const sentActions = new Set(sent.map((s) => s.action));
    expect(Object.keys(COLLECTOR_ACTIONS).filter((a) => !sentActions.has(a))).toEqual([]);
  });

  it('gives every action a caller, and the diagnosis the calls it cannot run without', () => {
    const diagnose = grantsFor('diagnose').map((g) => g.action);
    expect(diagnose).toEqual(expect.arrayContaining(['lambda:GetEventSourceMapping', 'iam:SimulatePrincipalPolicy', 'kafka-cluster:Connect']));
    expect(diagnose).not.toContain('secretsmanager:GetSecretValue');
    expect(grantsFor('inspect').map((g) => g.action)).toEqual(['secretsmanager:GetSecretValue']);
  });

  it('lists exactly the declared actions in the README (run `npm run docs` when this fails)', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- iam-actions:start[^>]*-->\n([\s\S]*?)\n<!-- iam-actions:end -->/.exec(readme);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(permissionsMarkdown());
  });
});
