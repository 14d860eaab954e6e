/**
 * TCP refused vs timed out vs unreachable, for real: a network namespace of our own with only its
 * loopback, nftables dropping one port (SYNs unanswered: a security group or NACL) and rejecting
 * another with ICMP host-unreachable, nothing on a third. Needs root, `ip` and `nft`; skips with a
 * printed reason otherwise. The namespace and its rules are removed afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { probeStep, ProbeResult } from '../../bot/probe/schema';
import { describeIf, isRoot, missing } from './support/tools';

const NS = `esmdp-${process.pid}`;
const [OPEN, REFUSED, DROPPED, REJECTED] = [19092, 19093, 19094, 19095];
const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function unavailable(): string | undefined {
  if (!isRoot()) return 'network namespaces need root';
  const tools = missing(['ip', 'nft'], [TSX]);
  if (tools) return tools;
  const probe = spawnSync('ip', ['netns', 'add', `${NS}-check`], { encoding: 'utf8' });
  spawnSync('ip', ['netns', 'del', `${NS}-check`]);
  return probe.status === 0 ? undefined : `ip netns add failed: ${probe.stderr.trim()}`;
}

function inNs(cmd: string[], input?: string): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...cmd], { encoding: 'utf8', ...(input ? { input } : {}), stdio: ['pipe', 'pipe', 'pipe'] });
}

function probeInNs(args: string[]): ProbeResult {
  const out = execFileSync('ip', ['netns', 'exec', NS, TSX, path.join(__dirname, 'support', 'tcp-in-netns.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return ProbeResult.parse(JSON.parse(out));
}

describeIf(unavailable())('TCP outcomes in a network namespace with nftables', () => {
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    inNs(['ip', 'link', 'set', 'lo', 'up']);
    inNs(['nft', '-f', '-'], [
      'table inet esmdoctor {',
      '  chain input {',
      '    type filter hook input priority 0; policy accept;',
      `    tcp dport ${DROPPED} drop`,
      `    tcp dport ${REJECTED} reject with icmpx type host-unreachable`,
      '  }',
      '}',
    ].join('\n'));
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
  });

  it('keeps connected, refused, timed out and unreachable apart', () => {
    const result = probeInNs([[OPEN, REFUSED, DROPPED, REJECTED].join(',')]);
    const tcp = probeStep(result, 'tcp')!;
    expect(tcp.status).toBe('warn');
    expect(tcp.evidence?.attempts.map((a) => [a.port, a.outcome])).toEqual([
      [OPEN, 'connected'],
      [REFUSED, 'refused'],
      [DROPPED, 'timeout'],
      [REJECTED, 'unreachable'],
    ]);
    const byPort = Object.fromEntries(tcp.evidence!.attempts.map((a) => [a.port, a]));
    expect(byPort[REFUSED]!.code).toBe('ECONNREFUSED');
    expect(byPort[REJECTED]!.code).toBe('EHOSTUNREACH');
    // The drop costs the whole TCP limit (1.5 s); the others answer at once.
    expect(byPort[DROPPED]!.ms).toBeGreaterThanOrEqual(1_400);
    expect(byPort[REFUSED]!.ms).toBeLessThan(500);
    expect(tcp.summary).toMatch(/refused by 127.0.0.1:19093; timed out to 127.0.0.1:19094 \(no answer: packets dropped\); unreachable: 127.0.0.1:19095/);
  });

  it('ends within the budget when every packet is dropped', () => {
    const result = probeInNs([[OPEN, REFUSED, DROPPED, REJECTED].join(','), '1000', 'drop-only']);
    expect(probeStep(result, 'tcp')!.evidence?.attempts[0]!.outcome).toBe('timeout');
    expect(probeStep(result, 'tcp')!.status).toBe('fail');
    expect(result.durationMs).toBeLessThan(1_300);
    expect(probeStep(result, 'tls')!.summary).toBe('no TCP connection to any bootstrap broker (probe.tcp)');
  });
});
