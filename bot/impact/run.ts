/**
 * `dependents` and `impact`: which ESMs depend on a resource, and whether a change to it broke them.
 *
 * impact = parse the event (./events) → the resources it changed → the dependent ESMs (live reads,
 * shared) → re-diagnose each (bounded concurrency) → broken when a check that now fails names a
 * resource the call touched. The cause of a broken ESM is the report's own cause when the change
 * explains it, else the first failing check that names a touched resource.
 */
import type { AwsClients } from '../collect/clients';
import { dependencyReader, listKafkaMappings, type DependencyClients } from '../collect/dependencies';
import { diagnose as realDiagnose, diagnoseSnapshot, type Diagnosis, type DiagnoseOptions } from '../diagnose';
import type { Snapshot } from '../model/snapshot';
import type { Report, Verdict } from '../model/report';
import type { Target } from '../model/target';
import { dependenciesOf, dependentsOf, indexDependencies, type Dependencies } from './dependencies';
import type { ParsedCall } from './events';
import { keysOf, keysOfAll } from './resources';

export interface DependentsResult {
  resource: string;
  esms: Array<{ uuid: string; arn?: string; functionArn: string }>;
  /** Reads that failed while looking: the list may be incomplete. */
  incomplete?: string[];
}

export interface ImpactEsm {
  uuid: string;
  arn?: string;
  functionArn: string;
  verdict: Verdict;
  broken: boolean;
  cause?: string;
  /** The failing checks that name a resource the call touched. */
  findings: string[];
  report: Report;
}

export interface ImpactResult {
  event: { name: string; time: string; principal: string; resources: string[]; region: string; account?: string; failed?: string };
  esms: ImpactEsm[];
  incomplete?: string[];
}

export interface ImpactOptions {
  clients: AwsClients;
  region: string;
  /** How many ESMs are re-diagnosed at once (each diagnosis makes ~20 calls). */
  concurrency?: number;
  /** Injected in tests and the bench. */
  diagnose?: (target: Target, options: DiagnoseOptions) => Promise<Diagnosis>;
  onProgress?: (message: string) => void;
  /**
   * The deployed index's answer (./dependency-index `indexedDependents`); undefined from it, or no
   * such option (the CLI), means the live read.
   */
  dependents?: (keys: string[]) => Promise<Array<Pick<Dependencies, 'uuid' | 'arn' | 'functionArn'>> | undefined>;
}

/** Every Kafka ESM's dependencies, read live with every read shared between ESMs. */
export async function dependencyIndex(clients: DependencyClients): Promise<{ all: Dependencies[]; incomplete: string[] }> {
  const mappings = await listKafkaMappings(clients);
  const read = dependencyReader(clients);
  const reads = await Promise.all(mappings.map((m) => read(m)));
  const incomplete = [...new Set(reads.flatMap((r) => r.errors))];
  return { all: reads.map((r) => dependenciesOf(r.facts)), incomplete };
}

export async function findDependents(clients: DependencyClients, resource: string): Promise<DependentsResult> {
  const { all, incomplete } = await dependencyIndex(clients);
  const esms = dependentsOf(indexDependencies(all), keysOf(resource)).map(({ uuid, arn, functionArn }) => ({ uuid, ...(arn ? { arn } : {}), functionArn }));
  return { resource, esms, ...(incomplete.length ? { incomplete } : {}) };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Whether the report fails because of the touched resources, and which checks say so. */
export function judge(report: Report, touched: ReadonlySet<string>): Pick<ImpactEsm, 'broken' | 'cause' | 'findings'> {
  const findings = report.findings
    .filter((f) => f.status === 'fail' && [...keysOfAll(f.resources)].some((k) => touched.has(k)))
    .map((f) => f.check);
  if (findings.length === 0) return { broken: false, findings };
  const cause = report.cause && findings.includes(report.cause) ? report.cause : findings[0]!;
  return { broken: true, cause, findings };
}

/** The call as the result names it, whichever way the impact was assessed. */
function eventOf(call: ParsedCall): ImpactResult['event'] {
  return {
    name: call.name,
    time: call.time,
    principal: call.principal,
    resources: call.resources.map((r) => r.id),
    region: call.region,
    ...(call.account ? { account: call.account } : {}),
    ...(call.failed ? { failed: call.failed } : {}),
  };
}

export async function assessImpact(call: ParsedCall, options: ImpactOptions): Promise<ImpactResult> {
  const event = eventOf(call);
  if (call.failed || call.resources.length === 0) return { event, esms: [] };
  options.onProgress?.('Finding the ESMs that depend on what the call changed…');
  const keys = call.resources.map((r) => r.key);
  const indexed = await options.dependents?.(keys);
  const live = indexed ? undefined : await dependencyIndex(options.clients);
  const dependents = indexed ?? dependentsOf(indexDependencies(live!.all), keys);
  const incomplete = live?.incomplete ?? [];
  const touched = new Set(call.resources.map((r) => r.key));
  const run = options.diagnose ?? realDiagnose;
  options.onProgress?.(`Re-diagnosing ${dependents.length} ESM${dependents.length === 1 ? '' : 's'}…`);
  const esms = await mapLimit(dependents, options.concurrency ?? 8, async (d): Promise<ImpactEsm> => {
    const target: Target = { uuid: d.uuid, region: options.region, ...(d.arn ? { arn: d.arn } : {}), ...(call.account ? { account: call.account } : {}) };
    const { report } = await run(target, { clients: options.clients });
    return { uuid: d.uuid, ...(d.arn ? { arn: d.arn } : {}), functionArn: d.functionArn, verdict: report.verdict, ...judge(report, touched), report };
  });
  return { event, esms, ...(incomplete.length ? { incomplete } : {}) };
}

/** Exit code per the contract: 1 when a dependent ESM fails now, else 0. */
export function impactExitCode(result: ImpactResult): number {
  return result.esms.some((e) => e.verdict === 'failing') ? 1 : 0;
}

/**
 * Impact over snapshots already in hand (the sandbox's scenarios, a test's fixtures): the same
 * dependents and the same judgement as `assessImpact`, with `diagnoseSnapshot` instead of AWS.
 */
export function assessImpactOffline(call: ParsedCall, snapshots: readonly Snapshot[]): ImpactResult {
  const event = eventOf(call);
  if (call.failed) return { event, esms: [] };
  const touched = new Set(call.resources.map((r) => r.key));
  const esms = snapshots
    .filter((s) => dependenciesOf(s).keys.some((k) => touched.has(k)))
    .map((s): ImpactEsm => {
      const report = diagnoseSnapshot(s);
      const arn = s.esm.EventSourceMappingArn;
      return { uuid: s.esm.UUID, ...(arn ? { arn } : {}), functionArn: s.esm.FunctionArn, verdict: report.verdict, ...judge(report, touched), report };
    });
  return { event, esms };
}
