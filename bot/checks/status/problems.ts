/** What esm.last-result decodes Lambda's LastProcessingResult into: one category per meaning, with its explanation and fix (the checks that confirm it say so in `explains`). */
import { consumerGroupId, esmSource } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type Fix } from '../check';
import { roleArnOf } from '../lib/policy';
import { esmArnOf, functionNameOf, regionOf } from '../lib/resources';
import { OPENSSL, enableVpcDns, listScramSecrets, tailFunctionLogs, updateEsm } from '../lib/commands';
import { asRemedy, mergeRemedies, remedy } from '../lib/remedy';
import { shellQuote } from '../lib/shell';
import { topicOf, onInternet, portOf, placementText, endpointCommands, isIam, brokerHint, TLS_SERVER_REJECTED, TLS_LAMBDA_REJECTED, serverRejectedExplanation, lambdaRejectedExplanation, serverRejectedFix, lambdaRejectedFix, brokerConnectionFix } from './lib';
import type { ProblemId } from './symptoms';

/**
 * One family of Lambda's LastProcessingResult messages. Lambda's texts are free and change over
 * time, so a category is recognised by its keywords, never by the exact sentence.
 */
export interface ProblemCategory {
  /** The symptom the checks that confirm this cause name in their `explains`; `unknown` has none. */
  id: ProblemId | 'unknown';
  /** Tested on the text after "PROBLEM:". */
  matches(text: string): boolean;
  title: string;
  /** A title that depends on the message (which services it names): overrides `title`. */
  titleFor?(text: string, snapshot: Snapshot): string;
  explain(snapshot: Snapshot): string;
  fix(snapshot: Snapshot): Fix;
}

export const PROBLEM_CATEGORIES: ProblemCategory[] = [
  {
    id: 'assume-role',
    matches: (t) => /\bassum(e|ing)\b/i.test(t) && /\brole\b/i.test(t),
    title: 'Lambda could not assume the execution role',
    explain: () =>
      'Lambda (the service principal lambda.amazonaws.com) could not assume the function\'s execution role through STS. ' +
      'The role\'s trust policy does not trust lambda.amazonaws.com or demands a source identity, an STS VPC endpoint policy does not let ' +
      'the Lambda principal call sts:AssumeRole, or (on-demand mode in a VPC) STS cannot be reached from the ESM\'s subnets.',
    fix: (s) =>
      `Let lambda.amazonaws.com call sts:AssumeRole on ${roleArnOf(s) ?? 'the execution role'} with no sts:SourceIdentity condition (role.trust gives the trust policy). ` +
      'In a VPC in on-demand mode, give the ESM\'s subnets a NAT route or an sts interface endpoint whose policy allows it (egress.sts).',
  },
  {
    // A message about the on-failure destination alone (not the combined "STS, Secrets Manager and
    // the OnFailure Destination" one below): the batch was processed, its delivery failed.
    id: 'destination',
    matches: (t) => /on-?\s*failure\s+destination|\bdestination\b/i.test(t) && !/\bSTS\b|Secrets\s*Manager/i.test(t),
    title: 'Lambda could not deliver failed records to the on-failure destination',
    explain: (s) => {
      const d = s.esm.DestinationConfig?.OnFailure?.Destination;
      return (
        `Lambda sends batches that exhausted their retries to the on-failure destination${d ? ` ${d}` : ''}, as the execution role and, in on-demand mode, from the ESM's subnets. ` +
        'It could not: the destination is gone, the role may not write to it (or use its KMS key), or it is unreachable from the ESM\'s network position (kafka-on-failure asks for an endpoint of its service in the cluster\'s VPC).'
      );
    },
    fix: () => 'See destination.reachable (the path and the role\'s permission on an SQS/SNS/S3 destination) and destination.kafka-topic (a kafka:// topic); failed records are dropped while this lasts.',
  },
  {
    id: 'vpc-service-access',
    matches: (t) =>
      /connect/i.test(t) && /(\bSTS\b|Secrets\s*Manager|PrivateLink|\bNAT\b|OnFailure|must be able to connect)/i.test(t),
    title: 'The ESM\'s VPC cannot reach STS, Lambda or Secrets Manager',
    titleFor: (t) =>
      /on-?\s*failure/i.test(t)
        ? 'The ESM\'s VPC cannot reach STS, Lambda, Secrets Manager or the on-failure destination'
        : 'The ESM\'s VPC cannot reach STS, Lambda or Secrets Manager',
    explain: (s) =>
      `In on-demand mode the pollers, placed in ${placementText(s)}, call STS (to assume the role), Secrets Manager (to read the auth secret) ` +
      'and Lambda (to invoke the function) from inside that VPC, and deliver failed batches to the on-failure destination from there too. ' +
      'Lambda says at least one of them is unreachable. A route to an internet gateway does not help: the poller ENIs have no public IP.',
    fix: (s) => {
      const commands = endpointCommands(s);
      return remedy(
        'Give every ESM subnet a 0.0.0.0/0 route to a NAT gateway, or create interface endpoints with private DNS, reachable on 443 from the ESM\'s security groups, ' +
          `whose policies allow lambda.amazonaws.com${commands.length ? ' (the commands create them)' : ''}; or switch the ESM to provisioned mode (ProvisionedPollerConfig), which invokes without them.`,
        commands,
      );
    },
  },
  {
    id: 'dns',
    matches: (t) => /resolv|\bDNS\b|unknown\s*host|nodename nor servname/i.test(t),
    title: 'Lambda could not resolve the broker addresses',
    explain: (s) =>
      esmSource(s.esm) === 'msk'
        ? 'The ESM could not turn the broker host names into IP addresses. MSK broker names are DNS records of the cluster, so this usually means the cluster was deleted or replaced, or the VPC has DNS resolution turned off.'
        : 'The ESM could not turn the host names of KAFKA_BOOTSTRAP_SERVERS (or the brokers\' advertised listeners, which Kafka connects to next) into IP addresses from its network position. Private names need a private hosted zone associated with the ESM\'s VPC, and the VPC needs DNS support on.',
    fix: (s) => {
      const vpc = s.network?.vpcId;
      if (onInternet(s)) {
        return 'The ESM is not in a VPC, so the broker names must resolve in public DNS: check each one (esm-doctor diagnose --probe). The bootstrap servers of an ESM cannot be edited: a wrong name needs a new ESM.';
      }
      return remedy(
        'Check each broker name resolves from inside the ESM\'s subnets (esm-doctor diagnose --probe, or nslookup from an instance there). ' +
          `Fix the name (the bootstrap servers of an ESM cannot be edited: a wrong name needs a new ESM), associate the private hosted zone with the VPC, or turn DNS support on${vpc && !onInternet(s) ? ' (the command)' : ''}.`,
        vpc ? [enableVpcDns({ vpcId: vpc, attribute: 'enableDnsSupport', region: regionOf(s) })] : [],
      );
    },
  },
  {
    id: 'sasl',
    matches: (t) => /\bSASL\b/i.test(t),
    title: 'SASL authentication failed',
    explain: (s) =>
      (isIam(s)
        ? 'With IAM access control, this means the execution role lacks kafka-cluster:Connect on the cluster (or the IAM token was rejected).'
        : 'The brokers rejected the username or password of the secret: a wrong password, a user that does not exist on the cluster with that mechanism, ' +
          'an MSK secret not associated with the cluster, or a password holding \\, / or ", which has broken the Kafka source before (aws-cdk#22813).') +
      ' It can also be intermittent: when brokers reach their connection limits (MSK with IAM: 3,000 TCP connections and 20 new connections per second per broker) ' +
      'Lambda backs off, retries and the result returns to OK.',
    fix: (s) => {
      const cluster = s.esm.EventSourceArn;
      if (isIam(s)) return `Allow kafka-cluster:Connect on ${cluster} to the execution role (iam.execution-role gives the statement to add).`;
      if (esmSource(s.esm) === 'msk') {
        return remedy('Check the secret is associated with the cluster and holds the right credentials (secret.msk-scram checks it; the command lists the associated secrets).', cluster ? [listScramSecrets({ clusterArn: cluster, region: regionOf(s) })] : []);
      }
      return 'Check the user exists on the brokers for this SASL mechanism (kafka-configs.sh --describe --entity-type users) and that the secret holds its current password; run with --inspect-secrets to check the secret\'s format without printing it.';
    },
  },
  {
    id: 'tls-both-directions',
    matches: (t) => TLS_SERVER_REJECTED.test(t) && TLS_LAMBDA_REJECTED.test(t),
    title: 'TLS authentication failed between Lambda and the brokers',
    explain: () => `Lambda does not say which side refused. Either: ${serverRejectedExplanation} Or: ${lambdaRejectedExplanation}`,
    fix: (s) => {
      const lambdaSide = lambdaRejectedFix(s) as Exclude<Fix, string>;
      return { ...lambdaSide, summary: `${serverRejectedFix(s)}\nOr, if Lambda is the side that refused: ${lambdaSide.summary}` };
    },
  },
  {
    id: 'server-rejected-lambda',
    matches: (t) => TLS_SERVER_REJECTED.test(t),
    title: 'The brokers rejected Lambda\'s TLS client authentication',
    explain: () => serverRejectedExplanation,
    fix: serverRejectedFix,
  },
  {
    id: 'lambda-rejected-server',
    matches: (t) => TLS_LAMBDA_REJECTED.test(t),
    title: 'Lambda did not trust the brokers\' TLS certificate',
    explain: (s) =>
      lambdaRejectedExplanation +
      (esmSource(s.esm) === 'msk' ? ' MSK certificates are issued by Amazon Trust Services, which Lambda trusts, so on MSK suspect the host name.' : ''),
    fix: lambdaRejectedFix,
  },
  {
    id: 'certificate',
    matches: (t) => /certificate|private\s*key|\bPEM\b|keystore/i.test(t),
    title: 'The client certificate or private key in the secret is not usable',
    explain: () =>
      'Lambda could not load the client certificate or key of the CLIENT_CERTIFICATE_TLS_AUTH secret. The certificate must be a PEM X.509 chain, client certificate first; ' +
      'the key must be PKCS#8 PEM ("BEGIN PRIVATE KEY"), or an encrypted PKCS#8 key ("BEGIN ENCRYPTED PRIVATE KEY") encrypted with PBES1 — not PBES2, OpenSSL 3\'s default — with privateKeyPassword set.',
    fix: (s) => {
      const secret = s.esm.SourceAccessConfigurations?.find((c) => c.Type === 'CLIENT_CERTIFICATE_TLS_AUTH')?.URI ?? 'the secret';
      return remedy(
        `Convert the key, then store it as privateKey in ${secret}: the first command gives an unencrypted PKCS#8 key, the second one encrypted with PBES1 (then set privateKeyPassword). ` +
          'Run esm-doctor with --inspect-secrets to see which part is wrong without printing it.',
        [OPENSSL.toPkcs8, OPENSSL.toPbes1],
      );
    },
  },
  {
    id: 'authentication',
    matches: (t) => /authenticat/i.test(t),
    title: 'Authentication between Lambda and the brokers failed',
    explain: () => 'Lambda reached the brokers but the authentication step (TLS or SASL) did not succeed.',
    fix: () => 'Compare the mode Lambda picks (auth.mode) with what the brokers expect, and check the secret (secret.readable, secret.format).',
  },
  {
    id: 'authorization',
    matches: (t) => /authori[sz]/i.test(t),
    title: 'The cluster refused to authorize Lambda',
    explain: (s) => {
      const group = consumerGroupId(s.esm);
      return isIam(s)
        ? `Lambda authenticated, but the execution role may not use the topic or the consumer group: with IAM access control it needs kafka-cluster:Connect, ` +
            `kafka-cluster:DescribeGroup and kafka-cluster:AlterGroup on group ${group}, kafka-cluster:DescribeTopic and kafka-cluster:ReadData on topic ${topicOf(s)}, ` +
            'and usually kafka-cluster:DescribeClusterDynamicConfiguration. The managed policy AWSLambdaMSKExecutionRole grants none of them.'
        : `Lambda authenticated, but the Kafka user of the secret lacks an ACL. Lambda needs DescribeConfigs on the cluster, Describe and Read on group ${group}, ` +
            `and Describe and Read on topic ${topicOf(s)}. (MSK lets everyone in only while a resource has no ACL at all; the first ACL locks everyone else out.)`;
    },
    fix: (s) => {
      if (isIam(s)) return 'Add the missing kafka-cluster actions to the execution role (iam.execution-role gives the statement); IAM changes can take a few minutes to apply.';
      const broker = brokerHint(s);
      const topic = s.esm.Topics?.[0];
      const summary = 'Grant the Kafka user of the secret the ACLs Lambda needs (set KAFKA_USER to that user name; client.properties holds an admin\'s connection settings).';
      if (!broker || !topic) return `${summary} It needs Describe and Read on the topic and on group ${consumerGroupId(s.esm)}, and DescribeConfigs on the cluster (kafka-acls.sh --add).`;
      const base = `kafka-acls.sh --bootstrap-server ${shellQuote(broker)} --command-config client.properties --add --allow-principal "User:$KAFKA_USER"`;
      return remedy(summary, [
        `${base} --operation Describe --operation Read --topic ${shellQuote(topic)} --group ${shellQuote(consumerGroupId(s.esm))}`,
        `${base} --operation DescribeConfigs --cluster`,
      ]);
    },
  },
  {
    id: 'topic-not-found',
    matches: (t) => /topic/i.test(t) && /not\s+found|does\s*n[o']t\s+exist|unknown|missing/i.test(t),
    title: 'Lambda did not find the topic',
    explain: (s) =>
      `Kafka told Lambda that topic "${topicOf(s)}" does not exist. Topic names are case-sensitive. ` +
      'Lambda looks for the topic when the mapping starts, so a topic created afterwards may only be picked up after the trigger is disabled and enabled again.' +
      (isIam(s) ? ' With IAM access control a missing kafka-cluster:DescribeTopic permission can look like a missing topic.' : ''),
    fix: (s) =>
      remedy(
        `Create topic "${topicOf(s)}" or check its spelling and case (the topic of a mapping cannot be changed: a wrong name needs a new ESM), then restart the trigger.`,
        [updateEsm({ uuid: s.esm.UUID, enabled: false, region: regionOf(s) }), updateEsm({ uuid: s.esm.UUID, enabled: true, region: regionOf(s) })],
      ),
  },
  {
    id: 'function-call',
    matches: (t) => /function\s+call\s+failed|invo(ke|cation)\b.*\bfail/i.test(t),
    title: 'Lambda could not invoke the function',
    explain: (s) =>
      `The mapping read records but the synchronous invoke of ${functionNameOf(s)} failed: the function returned an error or timed out, ` +
      'it was throttled (reserved concurrency 0, or the account limit), it is not Active, or — in on-demand mode in a VPC — the Lambda endpoint is unreachable from the ESM\'s subnets.',
    fix: (s) =>
      remedy('Read the function\'s errors (the command), then see function.state, function.concurrency and egress.lambda.', [
        tailFunctionLogs({ functionName: functionNameOf(s), since: '1h', region: regionOf(s) }),
      ]),
  },
  {
    id: 'internal-error',
    matches: (t) => /internal\s+(server\s+)?error|internal\s+failure/i.test(t),
    title: 'Lambda reports an internal error',
    explain: () =>
      'Lambda gives no detail. The message has been seen on new MSK triggers whose network path was not set up yet, so rule out the configuration findings of this report first; if none fails, the cause is on Lambda\'s side.',
    fix: (s) =>
      `Fix any failing finding of this report, then disable and enable the mapping; if the message stays, open an AWS Support case quoting ${esmArnOf(s)} and the time ${s.collectedAt}.`,
  },
  {
    // Lambda's generic wording ("Connection error. Please check your event source connection
    // configuration.", also written with a comma): it covers the brokers and, in on-demand mode, the
    // AWS services the pollers call from the VPC, so either family of checks confirms it.
    id: 'connection-error',
    matches: (t) => /connection\s+error/i.test(t),
    title: 'Lambda reports a connection error: the brokers or the AWS services it calls are out of reach',
    explain: (s) => {
      const port = portOf(s);
      if (onInternet(s)) {
        // Not in a VPC: nothing of the user's network sits between Lambda and the brokers.
        return (
          `Lambda's generic connection error. The ESM is not in a VPC: Lambda connects from its own network over the internet and could not open or keep a connection to the brokers${port ? ` on port ${port}` : ''} ` +
          '(a name that does not resolve publicly, a firewall in front of the brokers, or brokers that are down or overloaded).'
        );
      }
      return (
        `Lambda's generic connection error. The pollers, placed in ${placementText(s)}, could not open or keep a connection to the brokers${port ? ` on port ${port}` : ''} ` +
        '(a security group, network ACL or route blocks the way, or the brokers are down or overloaded), or — in on-demand mode in a VPC — could not reach STS, Secrets Manager, Lambda or the on-failure destination from there.'
      );
    },
    fix: (s) => {
      const endpoints = endpointCommands(s);
      return mergeRemedies([
        asRemedy(brokerConnectionFix(s)),
        endpoints.length ? remedy('In on-demand mode, also give the ESM\'s subnets a NAT route or interface endpoints for the AWS services (the commands create them).', endpoints) : undefined,
      ])!;
    },
  },
  {
    id: 'broker-connection',
    matches: (t) => /connect|timed?\s*out|timeout|unreachable|refused/i.test(t),
    title: 'Lambda could not connect to the brokers',
    explain: (s) => {
      const port = portOf(s);
      if (onInternet(s)) {
        return `The pollers, connecting over the internet (the ESM has no VPC_SUBNET / VPC_SECURITY_GROUP), could not open or keep a connection to the brokers${port ? ` on port ${port}` : ''}: ` +
          'the brokers are not publicly reachable (private names or addresses, a firewall), or they were down, overloaded, out of disk or at full CPU.';
      }
      return (
        `The pollers, placed in ${placementText(s)}, could not open or keep a connection to the brokers${port ? ` on port ${port}` : ''}: ` +
        'a security group, network ACL or route blocks the way, or the brokers were down, overloaded, out of disk or at full CPU.'
      );
    },
    fix: brokerConnectionFix,
  },
];

export const UNKNOWN_PROBLEM: ProblemCategory = {
  id: 'unknown',
  matches: () => true,
  title: 'Lambda reports a problem esm-doctor does not recognise',
  explain: () => 'The message does not match any known family of Lambda\'s messages; the other findings of this report are the best lead.',
  fix: () => 'Fix any failing finding of this report; esm-doctor diagnose --probe replays the connection from the ESM\'s network position and shows the step that breaks.',
};

/** The category of a LastProcessingResult, by meaning. Undefined when it is not a PROBLEM. */
export function decodeLastProcessingResult(result: string): ProblemCategory | undefined {
  const m = /^\s*PROBLEM\s*:?\s*(.*)$/is.exec(result);
  if (m) return PROBLEM_CATEGORIES.find((c) => c.matches(m[1]!)) ?? UNKNOWN_PROBLEM;
  // Users paste messages without the prefix (from a console, a log line, an ESM system log record):
  // recognised by meaning, a text that matches no family is not called a problem.
  if (/^\s*(OK|No records processed)\.?\s*$/i.test(result)) return undefined;
  return PROBLEM_CATEGORIES.find((c) => c.matches(result));
}

/** The finding title for a decoded message: the category's, adapted to what the message names. */
export function problemTitle(category: ProblemCategory, result: string, snapshot: Snapshot): string {
  return category.titleFor ? category.titleFor(result, snapshot) : category.title;
}
