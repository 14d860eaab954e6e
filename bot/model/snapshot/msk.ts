/** MSK: the cluster, its brokers, SCRAM secrets, the topic, a cross-account VPC connection. */
import { z } from 'zod';
import { fields, optionalStrings } from '../fields';

const Enabled = z.looseObject({ Enabled: z.boolean().optional() }).optional();

export const ClientAuthentication = z.looseObject({
  Sasl: z.looseObject({ Scram: Enabled, Iam: Enabled }).optional(),
  Tls: z
    .looseObject({ Enabled: z.boolean().optional(), CertificateAuthorityArnList: z.array(z.string()).optional() })
    .optional(),
  Unauthenticated: Enabled,
});
export type ClientAuthentication = z.infer<typeof ClientAuthentication>;

/** DescribeClusterV2 output's ClusterInfo. */
export const ClusterInfo = z.looseObject({
  ClusterArn: z.string(),
  ClusterName: z.string().optional(),
  ClusterType: z.string().optional(),
  State: z.string().optional(),
  StateInfo: z.looseObject(optionalStrings('Code', 'Message')).optional(),
  Provisioned: z
    .looseObject({
      BrokerNodeGroupInfo: z
        .looseObject({
          ...fields(z.array(z.string()).optional(), 'ClientSubnets', 'SecurityGroups'),
          ConnectivityInfo: z.looseObject({}).optional(),
        })
        .optional(),
      ClientAuthentication: ClientAuthentication.optional(),
      EncryptionInfo: z
        .looseObject({
          EncryptionInTransit: z
            .looseObject({ ClientBroker: z.string().optional(), InCluster: z.boolean().optional() })
            .optional(),
        })
        .optional(),
      CurrentBrokerSoftwareInfo: z.looseObject({ KafkaVersion: z.string().optional() }).optional(),
      NumberOfBrokerNodes: z.number().optional(),
    })
    .optional(),
  Serverless: z
    .looseObject({
      VpcConfigs: z
        .array(z.looseObject(fields(z.array(z.string()).optional(), 'SubnetIds', 'SecurityGroupIds')))
        .optional(),
      ClientAuthentication: ClientAuthentication.optional(),
    })
    .optional(),
});
export type ClusterInfo = z.infer<typeof ClusterInfo>;

/** GetBootstrapBrokers output: an absent or empty field means that listener is off. */
export const BootstrapBrokers = z.looseObject({
  ...optionalStrings('BootstrapBrokerString', 'BootstrapBrokerStringTls', 'BootstrapBrokerStringSaslScram', 'BootstrapBrokerStringSaslIam'),
  ...optionalStrings('BootstrapBrokerStringPublicTls', 'BootstrapBrokerStringPublicSaslScram', 'BootstrapBrokerStringPublicSaslIam'),
});
export type BootstrapBrokers = z.infer<typeof BootstrapBrokers>;

export const ScramSecrets = z.looseObject({ SecretArnList: z.array(z.string()) });
export type ScramSecrets = z.infer<typeof ScramSecrets>;

/**
 * DescribeTopic output, or `{ Found: false }` when MSK answered NotFoundException for the topic.
 * `Configs` is what MSK returns: Base64 text (decoded by the checks, which know both JSON and properties).
 */
export const TopicInfo = z.union([
  z.looseObject({
    Found: z.literal(true),
    TopicName: z.string(),
    TopicArn: z.string().optional(),
    ...fields(z.number().optional(), 'PartitionCount', 'ReplicationFactor'),
    ...optionalStrings('Configs', 'Status'),
  }),
  z.object({ Found: z.literal(false), TopicName: z.string() }),
]);
export type TopicInfo = z.infer<typeof TopicInfo>;

/** DescribeVpcConnection output: the managed VPC connection a cross-account ESM names. */
export const VpcConnectionInfo = z.looseObject({
  ...optionalStrings('VpcConnectionArn', 'TargetClusterArn', 'State', 'Authentication', 'VpcId'),
  ...fields(z.array(z.string()).optional(), 'Subnets', 'SecurityGroups'),
  CreationTime: z.string().optional(),
});
export type VpcConnectionInfo = z.infer<typeof VpcConnectionInfo>;
