/**
 * Objects of a VPC that apply to a subnet by association: a route table or a network ACL applies
 * to the subnets associated with it, and the VPC's main table or default ACL to every other subnet.
 */

/** Is an object of `objectVpc` part of `vpcId`? An unknown VPC on either side does not exclude it. */
export function inVpc(objectVpc: string | undefined, vpcId: string | undefined): boolean {
  return !vpcId || !objectVpc || objectVpc === vpcId;
}

interface Associated {
  VpcId?: string;
  Associations?: Array<{ SubnetId?: string }>;
}

/** The object associated with the subnet (`explicit`), else the VPC's fallback one, within `vpcId`. */
export function appliesToSubnet<T extends Associated>(items: T[], subnetId: string, vpcId: string | undefined, isFallback: (item: T) => boolean): { item: T; explicit: boolean } | undefined {
  const ofVpc = items.filter((i) => inVpc(i.VpcId, vpcId));
  const explicit = ofVpc.find((i) => (i.Associations ?? []).some((a) => a.SubnetId === subnetId));
  if (explicit) return { item: explicit, explicit: true };
  const fallback = ofVpc.find(isFallback);
  return fallback ? { item: fallback, explicit: false } : undefined;
}
