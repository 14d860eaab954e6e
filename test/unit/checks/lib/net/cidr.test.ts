import { cidrCovers, cidrsOverlap, isPrivateAddress, parseCidr } from '../../../../../bot/checks/lib/net/cidr';

describe('CIDR arithmetic', () => {
  it('knows that a /16 covers a /20 inside it and a /24 elsewhere does not', () => {
    expect(cidrCovers('10.20.0.0/16', '10.20.16.0/20')).toBe(true);
    expect(cidrCovers('10.1.0.0/24', '10.20.0.0/20')).toBe(false);
  });

  it('treats 0.0.0.0/0 as covering everything and a bare address as a /32', () => {
    expect(cidrCovers('0.0.0.0/0', '203.0.113.7')).toBe(true);
    expect(cidrCovers('10.20.1.15', '10.20.1.15/32')).toBe(true);
    expect(cidrCovers('10.20.1.15/32', '10.20.1.0/24')).toBe(false);
  });

  it('does not let a narrower block cover a wider one, even at the same base', () => {
    expect(cidrCovers('10.20.0.0/20', '10.20.0.0/16')).toBe(false);
  });

  it('normalises host bits the way EC2 does', () => {
    expect(parseCidr('10.20.5.9/20')).toEqual({ cidr: '10.20.5.9/20', first: parseCidr('10.20.0.0')!.first, last: parseCidr('10.20.15.255')!.first });
  });

  it('rejects malformed blocks and IPv6 instead of guessing', () => {
    expect(parseCidr('10.20.0.0/33')).toBeUndefined();
    expect(parseCidr('10.256.0.0/16')).toBeUndefined();
    expect(parseCidr('::/0')).toBeUndefined();
    expect(cidrCovers('not-a-cidr', '10.0.0.0/8')).toBe(false);
  });

  it('detects overlap without containment', () => {
    expect(cidrsOverlap('10.20.0.0/19', '10.20.16.0/20')).toBe(true);
    expect(cidrsOverlap('10.20.0.0/20', '10.20.16.0/20')).toBe(false);
  });
});

describe('isPrivateAddress', () => {
  it.each(['10.20.1.15', '172.16.0.1', '172.31.255.255', '192.168.4.4', '100.64.0.1', '100.127.255.254', 'fd12:3456::1', 'fc00::1'])('counts %s as private', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '52.94.133.131', '2001:db8::1', 'fe80::1'])('counts %s as not private', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});
