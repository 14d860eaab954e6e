/**
 * IPv4 addresses, CIDR blocks, ports and protocols: the arithmetic every other network module
 * shares. IPv4 only: the ESM's Hyperplane ENIs, the MSK client subnets and the AWS service endpoints
 * are reached over IPv4; IPv6 rules are ignored, never counted as allowing anything.
 */

export interface Ipv4Range {
  cidr: string;
  /** First and last address, as unsigned 32-bit integers. */
  first: number;
  last: number;
}

export function parseIpv4(ip: string): number | undefined {
  const parts = ip.trim().split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function isIpv4(ip: string): boolean {
  return parseIpv4(ip) !== undefined;
}

/** "10.20.0.0/20" → its range; a bare address counts as a /32. Undefined for anything else (IPv6 included). */
export function parseCidr(cidr: string): Ipv4Range | undefined {
  const [addr, bits, extra] = cidr.trim().split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const base = parseIpv4(addr);
  if (base === undefined) return undefined;
  const prefix = bits === undefined ? 32 : /^\d{1,2}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= 32)) return undefined;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(base / size) * size;
  return { cidr: cidr.trim(), first, last: first + size - 1 };
}

/** Does `outer` contain every address of `inner` (a CIDR or a single address)? */
export function cidrCovers(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return !!o && !!i && o.first <= i.first && i.last <= o.last;
}

/** Do the two blocks share at least one address? */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return !!x && !!y && x.first <= y.last && y.first <= x.last;
}

export const ANYWHERE = '0.0.0.0/0';

const PRIVATE_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

/**
 * Addresses that are only reachable inside a private network: RFC 1918, the RFC 6598 shared space
 * (100.64.0.0/10, used by carrier-grade NAT and many EKS pod networks) and IPv6 unique local fc00::/7.
 */
export function isPrivateAddress(ip: string): boolean {
  if (isIpv4(ip)) return PRIVATE_V4.some((block) => cidrCovers(block, ip));
  if (!ip.includes(':')) return false;
  const first = ip.split(':')[0] ?? '';
  if (!/^[0-9a-fA-F]{1,4}$/.test(first)) return false;
  return (parseInt(first, 16) & 0xfe00) === 0xfc00;
}

/**
 * The fewest blocks that cover `cidrs`: 0.0.0.0/0 when it is among them, else one of `enclosing`
 * (the VPC's CIDRs) when it covers them all, else the blocks themselves.
 */
export function collapseCidrs(cidrs: string[], enclosing: string[] = []): string[] {
  const unique = [...new Set(cidrs)];
  if (unique.includes(ANYWHERE)) return [ANYWHERE];
  if (unique.length > 1) {
    const outer = enclosing.find((e) => unique.every((c) => cidrCovers(e, c)));
    if (outer) return [outer];
  }
  return unique.filter((c) => !unique.some((o) => o !== c && cidrCovers(o, c)));
}

// ---------------------------------------------------------------------------------------------
// Ports and protocols

export interface PortRange {
  from: number;
  to: number;
}

/** What a stateful connection's return traffic uses: AWS's NAT gateways and Lambda pick from 1024–65535. */
export const EPHEMERAL_PORTS: PortRange = { from: 1024, to: 65535 };

export function portText(range: PortRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}

/** "-1" is every protocol; TCP appears as "tcp" in security groups and "6" in network ACLs. */
export function isTcpOrAll(protocol: string): boolean {
  const p = protocol.toLowerCase();
  return p === '-1' || p === 'tcp' || p === '6' || p === 'all';
}

export function isAllProtocols(protocol: string): boolean {
  const p = protocol.toLowerCase();
  return p === '-1' || p === 'all';
}
