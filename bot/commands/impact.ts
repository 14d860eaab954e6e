/**
 * `esm-doctor impact --event FILE [--format text|json]` and `esm-doctor dependents <resource>`:
 * loaded by bot/cli.ts only when asked for. Exit codes per the contract: impact 0 when no dependent
 * ESM fails, 1 when one does, 2 for an unreadable or unsupported event; dependents 0, or 2 for bad
 * input.
 */
import { createClients, type AwsClients } from '../collect/clients';
import { InvalidTarget } from '../model/errors';
import { REGION_PATTERN } from '../model/target';
import { parseCall, UnusableEvent, type ParsedCall } from '../impact/events';
import { assessImpact, findDependents, impactExitCode, type DependentsResult, type ImpactResult } from '../impact/run';
import { readJsonFile } from './json-file';

export interface CommandIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
}

export interface CommandOptions {
  region?: string;
  format: string;
  /** Injected by tests and the bench. */
  clients?: AwsClients;
}

/** An event that cannot be assessed: exit 2 with one line (InvalidTarget is the CLI's exit-2 error). */
export class InvalidEvent extends InvalidTarget {}

export async function readEventFile(file: string): Promise<ParsedCall> {
  const json = await readJsonFile(file, 'event', 'expected a CloudTrail event as EventBridge delivers it', (message) => new InvalidEvent(message));
  try {
    return parseCall(json);
  } catch (err) {
    if (err instanceof UnusableEvent) throw new InvalidEvent(`${file}: ${err.message}`);
    throw err;
  }
}

function textFormat(format: string): 'text' | 'json' {
  if (format === 'text' || format === 'json') return format;
  throw new InvalidTarget(`--format must be text or json for this command, not ${format}`);
}

export async function runImpact(file: string | undefined, options: CommandOptions, io: CommandIo): Promise<number> {
  if (!file) throw new InvalidEvent('impact needs --event FILE: a CloudTrail API call event as EventBridge delivers it');
  const format = textFormat(options.format);
  const call = await readEventFile(file);
  if (options.region && options.region !== call.region) {
    throw new InvalidEvent(`the event is from ${call.region} but --region ${options.region} was given; drop --region`);
  }
  const clients = options.clients ?? createClients(call.region, { env: io.env });
  const progress = io.stderr.isTTY ? (m: string) => io.stderr.write(`\u001b[90m… ${m}\u001b[0m\n`) : undefined;
  const result = await assessImpact(call, { clients, region: call.region, ...(progress ? { onProgress: progress } : {}) });
  io.stdout.write(format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : renderImpactText(result));
  return impactExitCode(result);
}

export function renderImpactText(result: ImpactResult): string {
  const e = result.event;
  const lines = [`${e.name} on ${e.resources.join(', ') || '(nothing)'} by ${e.principal} at ${e.time} (${e.region})`];
  if (e.failed) {
    lines.push(`The call failed (${e.failed}): it changed nothing.`);
    return `${lines.join('\n')}\n`;
  }
  const broken = result.esms.filter((x) => x.broken);
  if (result.esms.length === 0) lines.push('No Kafka ESM depends on what it changed.');
  else lines.push(`${result.esms.length} ESM${result.esms.length === 1 ? ' depends' : 's depend'} on it; ${broken.length} broken by this change.`);
  for (const x of result.esms) {
    const fn = x.functionArn.split(':')[6] ?? x.functionArn;
    if (x.broken) {
      const finding = x.report.findings.find((f) => f.check === x.cause);
      lines.push(`  ✖ ${x.uuid} (${fn}) BROKEN: ${x.cause}${finding ? ` — ${finding.title}` : ''}`);
      if (finding?.fix) lines.push(`      Fix: ${finding.fix.split('\n').join('\n           ')}`);
    } else {
      lines.push(`  ${x.verdict === 'healthy' ? '✓' : '▲'} ${x.uuid} (${fn}) ${x.verdict}${x.verdict === 'healthy' ? '' : ', not because of this change'}`);
    }
  }
  if (result.incomplete?.length) lines.push(`Some dependencies could not be read (${result.incomplete.join(', ')}): the list may be incomplete.`);
  return `${lines.join('\n')}\n`;
}

export async function runDependents(positionals: string[], options: CommandOptions, io: CommandIo): Promise<number> {
  const format = textFormat(options.format);
  if (positionals.length !== 1) throw new InvalidTarget('dependents takes one resource id or ARN (sg-…, subnet-…, a role, secret, key, cluster or function ARN)');
  const resource = positionals[0]!.trim();
  const arnRegion = /^arn:[^:]+:[^:]+:([a-z0-9-]+):/.exec(resource)?.[1];
  const region = options.region ?? arnRegion ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (!region) throw new InvalidTarget('no region: pass --region or set AWS_REGION');
  if (!REGION_PATTERN.test(region)) throw new InvalidTarget(`"${region}" is not an AWS region name (like eu-west-1)`);
  const clients = options.clients ?? createClients(region, { env: io.env });
  const result = await findDependents(clients, resource);
  io.stdout.write(format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : renderDependentsText(result, region));
  return 0;
}

export function renderDependentsText(result: DependentsResult, region: string): string {
  const lines = result.esms.length
    ? [`${result.esms.length} Kafka ESM${result.esms.length === 1 ? ' depends' : 's depend'} on ${result.resource} in ${region}:`, ...result.esms.map((e) => `  ${e.uuid}  ${e.functionArn}`)]
    : [`No Kafka ESM in ${region} depends on ${result.resource}.`];
  if (result.incomplete?.length) lines.push(`Some dependencies could not be read (${result.incomplete.join(', ')}): the list may be incomplete.`);
  return `${lines.join('\n')}\n`;
}
