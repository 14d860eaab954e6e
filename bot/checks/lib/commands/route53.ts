/** Route 53: private hosted zones. */
import { aws } from './aws';

export function associateVpcWithZone(o: { hostedZoneId: string; vpcId: string; vpcRegion: string; region: string }): string {
  return aws('route53', 'associate-vpc-with-hosted-zone', [['hosted-zone-id', o.hostedZoneId], ['vpc', `VPCRegion=${o.vpcRegion},VPCId=${o.vpcId}`]], o.region);
}
