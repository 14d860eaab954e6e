/**
 * Steps 3–6 as the live probe saw them (probe.dns, probe.tcp, probe.tls, probe.sasl,
 * probe.metadata, probe.group). The probe records what happened; these checks turn each step into
 * a finding with the evidence, where the probe ran from, the time it took, and the fix for what
 * broke. Without a probe they `skip` ("run with --probe").
 *
 * Each static check names the probe steps that can confirm or contradict it (its `probe` rules);
 * the engine's reconciliation pass reads them, and trusts the probe when they disagree.
 */
import { probeDns } from './probe.dns';
import { probeTcp } from './probe.tcp';
import { probeTls } from './probe.tls';
import { probeSasl } from './probe.sasl';
import { probeMetadata } from './probe.metadata';
import { probeGroup } from './probe.group';

export * from './lib';
export * from './probe.dns';
export * from './probe.tcp';
export * from './probe.tls';
export * from './probe.sasl';
export * from './probe.metadata';
export * from './probe.group';

export const checks = [probeDns, probeTcp, probeTls, probeSasl, probeMetadata, probeGroup] as const;
