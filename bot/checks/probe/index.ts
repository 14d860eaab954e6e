/**
 * Steps 3–6 as the live probe saw them: one check per probe step (probe.<step>.ts), built by
 * probeCheck (lib.ts). Without a probe they `skip` ("run with --probe").
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
