/**
 * Amazon MSK reads: the cluster (DescribeClusterV2, which also answers for Serverless), its broker
 * strings, its associated SCRAM secrets, the ESM's topic (and its kafka:// on-failure topic), and
 * for a cross-account ESM the managed VPC connection it names (DescribeVpcConnection).
 */
import {
  DescribeClusterV2Command,
  DescribeTopicCommand,
  DescribeVpcConnectionCommand,
  GetBootstrapBrokersCommand,
  ListScramSecretsCommand,
  type KafkaClient,
} from '@aws-sdk/client-kafka';
import { BootstrapBrokers, ClusterInfo, ScramSecrets, TopicInfo, VpcConnectionInfo, type Fact } from '../model/snapshot';
import { dependencyFact, errorCode, paginate, readFact } from './fact';

export function readCluster(client: KafkaClient, clusterArn: string): Promise<Fact<ClusterInfo>> {
  return readFact('kafka:DescribeClusterV2', ClusterInfo, async () => {
    const out = await client.send(new DescribeClusterV2Command({ ClusterArn: clusterArn }));
    return out?.ClusterInfo;
  });
}

export function readBootstrapBrokers(client: KafkaClient, clusterArn: string): Promise<Fact<BootstrapBrokers>> {
  return readFact('kafka:GetBootstrapBrokers', BootstrapBrokers, async () =>
    (await client.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }))) ?? {},
  );
}

export function readScramSecrets(client: KafkaClient, clusterArn: string): Promise<Fact<ScramSecrets>> {
  return readFact('kafka:ListScramSecrets', ScramSecrets, async () => ({
    SecretArnList: await paginate(async (NextToken) => {
      const out = await client.send(new ListScramSecretsCommand({ ClusterArn: clusterArn, ...(NextToken ? { NextToken } : {}) }));
      return { items: out?.SecretArnList, next: out?.NextToken };
    }),
  }));
}

/**
 * DescribeTopic (provisioned clusters with Kafka >= 3.6 only). NotFoundException is an answer — the
 * topic does not exist — and becomes `{ Found: false }`, unless the cluster itself was not found,
 * in which case MSK's NotFoundException says nothing about the topic. `cluster` is the concurrent
 * DescribeClusterV2 reading; waiting for it adds no call to the critical path.
 */
export async function readTopic(
  client: KafkaClient,
  clusterArn: string,
  topicName: string,
  cluster: Promise<Fact<ClusterInfo>>,
): Promise<Fact<TopicInfo>> {
  let topicMissing = false;
  const fact = await readFact('kafka:DescribeTopic', TopicInfo, async () => {
    try {
      const out = await client.send(new DescribeTopicCommand({ ClusterArn: clusterArn, TopicName: topicName }));
      return { TopicName: topicName, ...out, Found: true };
    } catch (err) {
      if (errorCode(err) !== 'NotFoundException') throw err;
      topicMissing = true;
      return { Found: false, TopicName: topicName };
    }
  });
  if (!topicMissing) return fact;
  const clusterFact = await cluster;
  if (!clusterFact.ok && clusterFact.error.code === 'NotFoundException') {
    return dependencyFact('kafka:DescribeTopic', `topic ${topicName}`, clusterFact);
  }
  return fact;
}

/**
 * DescribeVpcConnection of the VPC connection ARN a cross-account ESM names (msk-cross-account: the
 * execution role needs kafka:DescribeVpcConnection on it). Its State, Authentication and
 * TargetClusterArn are what this account can see of the other account's cluster.
 */
export function readVpcConnection(client: KafkaClient, vpcConnectionArn: string): Promise<Fact<VpcConnectionInfo>> {
  return readFact('kafka:DescribeVpcConnection', VpcConnectionInfo, async () => {
    const out = await client.send(new DescribeVpcConnectionCommand({ Arn: vpcConnectionArn }));
    return out ?? {};
  });
}
