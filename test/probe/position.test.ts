/** Which probe function an ESM's probe goes to when the stack deployed one per network position. */
import { probeFunctionFor, probePositionKey } from '../../bot/probe/position';
import type { ProbeRequest } from '../../bot/probe/plan';

const selfManaged = (subnets: string[], sgs: string[]): ProbeRequest =>
  ({
    target: { uuid: '6d1e8c2a-3b4f-4c5d-8e9f-0a1b2c3d4e5f', region: 'eu-west-1' },
    esm: {
      UUID: '6d1e8c2a-3b4f-4c5d-8e9f-0a1b2c3d4e5f',
      SelfManagedEventSource: { Endpoints: { KAFKA_BOOTSTRAP_SERVERS: ['b-1.kafka.internal:9096'] } },
      SourceAccessConfigurations: [...subnets.map((s) => ({ Type: 'VPC_SUBNET', URI: `subnet:${s}` })), ...sgs.map((g) => ({ Type: 'VPC_SECURITY_GROUP', URI: `security_group:${g}` }))],
      Topics: ['orders'],
      State: 'Enabled',
    },
  }) as unknown as ProbeRequest;

const MAP = JSON.stringify({
  'subnet-0a11aa11aa11aa111,subnet-0b22bb22bb22bb222|sg-0a1b2c3d4e5f60718': 'esm-doctor-probe-orders',
  'subnet-0c33cc33cc33cc333|sg-0f0e0d0c0b0a09080': 'esm-doctor-probe-payments',
  internet: 'esm-doctor-probe-internet',
});

describe('probe function per network position', () => {
  it('keys a position by its sorted subnets and security groups, or internet', () => {
    expect(probePositionKey({ kind: 'self-managed-vpc', subnetIds: ['subnet-b', 'subnet-a'], securityGroupIds: ['sg-1'] })).toBe('subnet-a,subnet-b|sg-1');
    expect(probePositionKey({ kind: 'internet', subnetIds: [], securityGroupIds: [] })).toBe('internet');
  });

  it('picks the function deployed for the ESM\'s own position among several', () => {
    const env = { ESM_DOCTOR_PROBE_FUNCTIONS: MAP };
    expect(probeFunctionFor(selfManaged(['subnet-0b22bb22bb22bb222', 'subnet-0a11aa11aa11aa111'], ['sg-0a1b2c3d4e5f60718']), env, 'ESM_DOCTOR_PROBE_FUNCTION')).toEqual({ functionName: 'esm-doctor-probe-orders' });
    expect(probeFunctionFor(selfManaged(['subnet-0c33cc33cc33cc333'], ['sg-0f0e0d0c0b0a09080']), env, 'ESM_DOCTOR_PROBE_FUNCTION')).toEqual({ functionName: 'esm-doctor-probe-payments' });
    expect(probeFunctionFor(selfManaged([], []), env, 'ESM_DOCTOR_PROBE_FUNCTION')).toEqual({ functionName: 'esm-doctor-probe-internet' });
  });

  it('says so, instead of silently not probing, when no function sits in the ESM\'s position', () => {
    const choice = probeFunctionFor(selfManaged(['subnet-0d44'], ['sg-0d44']), { ESM_DOCTOR_PROBE_FUNCTIONS: MAP }, 'ESM_DOCTOR_PROBE_FUNCTION');
    expect(choice).toEqual({ problem: expect.stringContaining('no probe function is deployed for this ESM\'s network position (subnet-0d44|sg-0d44)') });
    expect(probeFunctionFor(selfManaged([], []), { ESM_DOCTOR_PROBE_FUNCTIONS: '{' }, 'ESM_DOCTOR_PROBE_FUNCTION')).toEqual({ problem: expect.stringContaining('not JSON') });
  });

  it('keeps the single-function variable working', () => {
    expect(probeFunctionFor(selfManaged([], []), { ESM_DOCTOR_PROBE_FUNCTION: 'esm-doctor-probe' }, 'ESM_DOCTOR_PROBE_FUNCTION')).toEqual({ functionName: 'esm-doctor-probe' });
  });
});
