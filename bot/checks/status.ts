/**
 * Step 0: what the ESM itself says. `State` / `StateTransitionReason` (is it running, and if Lambda
 * stopped it, why) and `LastProcessingResult` (Lambda's free-text message about its last attempt).
 * Both are symptoms: each finding names the setup checks that would confirm the cause.
 */
import { AUTH_LABELS, MSK_LISTENERS, chooseAuth, consumerGroupId, esmPlacement, esmSource } from '../model/esm';
import type { Snapshot } from '../model/snapshot';
import { type Check, type Fix, type Outcome, fail, pass, skip, valueOf, warn } from './check';
import { AWS_DOCS } from './lib/aws-docs';
import { duration } from './lib/problems';
import { roleArnOf } from './lib/policy';
import { esmArnOf, functionNameOf, regionOf } from './lib/resources';
import { OPENSSL, authorizeSgIngress, createInterfaceEndpoint, deleteEsm, enableVpcDns, getEsm, listScramSecrets, tailFunctionLogs, updateEsm } from './lib/commands';
import { asRemedy, mergeRemedies, remedy } from './lib/remedy';
import { shellQuote } from './lib/shell';

// ---------------------------------------------------------------------------------------------
// esm.state

/** The codes Lambda writes into StateTransitionReason when it disables a Kafka ESM itself (with-kafka-troubleshoot). */
const DISABLE_CODES: Record<string, { meaning: string; related: string[] }> = {
  ESM_CONFIG_NOT_VALID: {
    meaning:
      'the mapping\'s own configuration cannot be used: the cluster, topic, secret or network settings it points to are wrong or gone',
    related: ['msk.cluster', 'msk.bootstrap', 'auth.mode', 'topic.exists', 'secret.readable', 'network.self-managed-vpc', 'network.subnets'],
  },
  EVENT_SOURCE_AUTHN_ERROR: {
    meaning: 'Lambda could not authenticate to the Kafka cluster (SASL credentials, client certificate, or IAM authentication)',
    related: ['auth.mode', 'secret.readable', 'secret.format', 'secret.msk-scram', 'iam.execution-role'],
  },
  EVENT_SOURCE_AUTHZ_ERROR: {
    meaning:
      'Lambda authenticated but was not allowed to use the source: the execution role or the Kafka ACLs do not grant the topic, the consumer group or the secret',
    related: ['iam.execution-role', 'secret.readable', 'role.trust', 'topic.exists'],
  },
  FUNCTION_CONFIG_NOT_VALID: {
    meaning: 'the function cannot be invoked as configured: it was deleted, is in a failed state, or cannot run',
    related: ['function.state', 'function.concurrency', 'role.trust'],
  },
};

/** A transition longer than this is stuck: Lambda finishes creating, enabling or updating a Kafka ESM within minutes. */
const STUCK_AFTER_MS = 15 * 60_000;
const TRANSITIONAL = ['Creating', 'Enabling', 'Updating', 'Disabling', 'Deleting'];

/** The setup checks whose failure keeps an ESM from finishing Creating / Enabling / Updating. */
const SETUP_CHECKS = [
  'role.trust', 'iam.execution-role', 'egress.sts', 'secret.readable', 'msk.cluster', 'msk.bootstrap',
  'network.sg-broker-ingress', 'network.subnets', 'auth.mode', 'topic.exists', 'msk.vpc-connection',
];

/**
 * What keeps a mapping in a transitional state, by state. Lambda creates, enables or updates a Kafka
 * ESM within minutes once it can assume the role, describe the cluster, create the poller ENIs and
 * reach the brokers (with-kafka-troubleshoot; with-msk-permissions); while it is Creating or Updating,
 * UpdateEventSourceMapping and DeleteEventSourceMapping answer ResourceInUseException (Lambda API
 * reference), so a stuck mapping also blocks the usual fix-by-update.
 */
const STUCK_CAUSES: Record<string, string> = {
  Creating:
    'Lambda has not finished the setup it does before the first poll: assuming the execution role (its trust policy), describing the cluster and its bootstrap brokers (kafka:DescribeClusterV2, kafka:GetBootstrapBrokers), creating the poller ENIs in the subnets (ec2:CreateNetworkInterface and the Describe* actions; free IP addresses), reading the auth secret, and reaching and authenticating to the brokers.',
  Enabling:
    'Lambda is re-doing the setup of a mapping that was disabled: the execution role, the cluster, the poller ENIs in the subnets, the secret and the brokers must all be usable again; a cause that made Lambda disable the mapping and was not fixed keeps it here.',
  Updating:
    'Lambda is applying a change (batch size, auth secret, provisioned pollers, destination, ...) and rebuilding the pollers with it: a new secret it cannot read, a provisioned-mode change whose pollers cannot reach the brokers, or a role that lost a permission keeps the update from finishing.',
  Disabling:
    'Lambda is stopping the pollers and removing their ENIs: the execution role needs ec2:DeleteNetworkInterface and ec2:DescribeNetworkInterfaces for that, and pollers that cannot reach the brokers to leave the consumer group can hold it too.',
};

function stuckOutcome(snapshot: Snapshot, state: string, since: string, age: string, reasonText: string): Outcome {
  const esm = snapshot.esm;
  const region = regionOf(snapshot);
  const inUse = state === 'Creating' || state === 'Updating'
    ? ` While it is ${state}, Lambda refuses updates and deletes (ResourceInUseException), so wait for it to leave the state before changing it.`
    : '';
  return {
    status: 'fail',
    title: `The event source mapping is stuck ${state} for ${since}`,
    detail:
      `ESM ${esmArnOf(snapshot)} has been ${state}${age}, longer than the 15 minutes this takes at most; it reads no records meanwhile.${reasonText} ` +
      `What usually causes it: ${STUCK_CAUSES[state]}${inUse}`,
    remedy: {
      summary:
        'Fix the failing setup findings of this report (role, permissions, subnets, secret, network path); the state usually settles within minutes after. ' +
        'If nothing fails and it stays stuck, look at the mapping, then delete and recreate it once Lambda accepts the call.',
      commands: [
        getEsm({ uuid: esm.UUID, region }),
        deleteEsm({ uuid: esm.UUID, region }),
      ],
    },
    resources: [esmArnOf(snapshot)],
    related: SETUP_CHECKS,
  };
}

/**
 * Is this mapping stuck in a transition at `nowMs`? The one rule the check and the watcher share
 * (the watcher alerts on it without running a full diagnosis): Creating, Enabling, Updating or
 * Disabling for longer than 15 minutes since LastModified.
 */
export function stuckTransition(esm: Pick<Snapshot['esm'], 'State' | 'LastModified'>, nowMs: number): { state: string; sinceMs: number } | undefined {
  if (!STUCK_CAUSES[esm.State] || !esm.LastModified) return undefined;
  const sinceMs = nowMs - Date.parse(esm.LastModified);
  return Number.isFinite(sinceMs) && sinceMs > STUCK_AFTER_MS ? { state: esm.State, sinceMs } : undefined;
}

function stateTitle(state: string): string {
  return `The event source mapping is ${state}`;
}

export const esmState: Check = {
  id: 'esm.state',
  step: 0,
  title: 'The event source mapping is enabled',
  docs: AWS_DOCS.troubleshoot,
  run(snapshot: Snapshot): Outcome {
    const esm = snapshot.esm;
    const arn = esmArnOf(snapshot);
    const reason = esm.StateTransitionReason ?? '';
    const reasonText = reason ? ` StateTransitionReason: "${reason}".` : ' Lambda gave no StateTransitionReason.';
    const enable = updateEsm({ uuid: esm.UUID, enabled: true, region: regionOf(snapshot) });
    const resources = [arn];

    if (esm.State === 'Enabled') return pass(`ESM ${esm.UUID} is Enabled.${reasonText}`, { resources });

    if (esm.State === 'Disabled') {
      const code = Object.keys(DISABLE_CODES).find((c) => reason.toUpperCase().includes(c));
      if (code) {
        const { meaning, related } = DISABLE_CODES[code]!;
        return fail(
          `Lambda disabled the event source mapping (${code})`,
          `ESM ${arn} is Disabled and Lambda disabled it itself.${reasonText} ${code} means ${meaning}. ` +
            'Lambda does not re-enable a mapping it stopped: it stays Disabled after the cause is fixed.',
          remedy('Fix the cause first (the failing findings of this report point at it), then re-enable the mapping.', [enable]),
          { resources, related: relatedFor(snapshot, related) },
        );
      }
      if (/user/i.test(reason)) {
        return warn(
          'The event source mapping was disabled by a user',
          `ESM ${arn} is Disabled by a person or a deployment, not by Lambda.${reasonText} Records are not read while it is disabled; the lag grows.`,
          remedy('If it should be running, enable it again.', [enable]),
          { resources },
        );
      }
      return warn(
        'The event source mapping is Disabled',
        `ESM ${arn} is Disabled and the reason is not one of Lambda's error codes.${reasonText} Records are not read while it is disabled.`,
        remedy('If it should be running, enable it again.', [enable]),
        { resources },
      );
    }

    if (TRANSITIONAL.includes(esm.State)) {
      const since = esm.LastModified ? Date.parse(snapshot.collectedAt) - Date.parse(esm.LastModified) : NaN;
      const known = Number.isFinite(since);
      const age = known ? ` for ${duration(since)} (LastModified ${esm.LastModified}, observed ${snapshot.collectedAt})` : '';
      if (esm.State === 'Deleting') {
        return warn(stateTitle('being deleted'), `ESM ${arn} is Deleting${age}: it will not read records again.${reasonText}`, undefined, { resources });
      }
      if (known && since > STUCK_AFTER_MS && STUCK_CAUSES[esm.State]) {
        return stuckOutcome(snapshot, esm.State, duration(since), age, reasonText);
      }
      return pass(
        `ESM ${esm.UUID} is ${esm.State}${known ? ` since ${duration(since)} ago` : ''}: a normal transition.${reasonText} ` +
          'Re-run in a few minutes; more than 15 minutes in this state means it is stuck.',
        { title: stateTitle(esm.State), resources },
      );
    }

    return warn(
      `The event source mapping is in an unexpected state (${esm.State})`,
      `ESM ${arn} reports State "${esm.State}", which is not one of Lambda's documented states.${reasonText}`,
      remedy('Look at it, and re-run when it settles.', [getEsm({ uuid: esm.UUID, region: regionOf(snapshot) })]),
      { resources },
    );
  },
};

// ---------------------------------------------------------------------------------------------
// esm.last-result

/**
 * One family of Lambda's LastProcessingResult messages. Lambda's texts are free and change over
 * time, so a category is recognised by its keywords, never by the exact sentence.
 */
export interface ProblemCategory {
  id: string;
  /** Tested on the text after "PROBLEM:". */
  matches(text: string): boolean;
  title: string;
  /** A title that depends on the message (which services it names): overrides `title`. */
  titleFor?(text: string, snapshot: Snapshot): string;
  explain(snapshot: Snapshot): string;
  fix(snapshot: Snapshot): Fix;
  /** The check ids that would confirm this cause. */
  related: string[];
}

function topicOf(s: Snapshot): string {
  return s.esm.Topics?.[0] ?? 'the topic';
}

/**
 * The checks that could confirm a cause, for this ESM's position: a self-managed ESM has no MSK
 * cluster to check, and one that is not in a VPC has no security groups, ACLs, subnets or VPC paths.
 */
export function relatedFor(s: Snapshot, ids: string[]): string[] {
  const selfManaged = esmSource(s.esm) === 'self-managed';
  const internet = onInternet(s);
  return ids.filter((id) => !(selfManaged && id.startsWith('msk.')) && !(internet && (id.startsWith('network.') || id.startsWith('egress.'))));
}

/** Not in a VPC: Lambda reaches the brokers from its own network, so there are no groups, ACLs or subnets of the user's to advise on. */
function onInternet(s: Snapshot): boolean {
  return esmPlacement(s.esm, valueOf(s.cluster))?.kind === 'internet';
}

function authOf(s: Snapshot) {
  return chooseAuth(s.esm, valueOf(s.cluster));
}

function portOf(s: Snapshot): number | undefined {
  const mode = authOf(s).mode;
  if (esmSource(s.esm) === 'msk') return mode ? MSK_LISTENERS[mode]?.port : undefined;
  const first = s.esm.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS?.[0];
  const port = first ? Number(first.split(':').pop()) : NaN;
  return Number.isFinite(port) ? port : undefined;
}

function placementText(s: Snapshot): string {
  const p = esmPlacement(s.esm, valueOf(s.cluster));
  if (!p) return 'the cluster\'s subnets and security groups';
  if (p.kind === 'internet') return 'the internet (the ESM has no VPC_SUBNET / VPC_SECURITY_GROUP)';
  return `subnets ${p.subnetIds.join(', ') || '(none)'} with security groups ${p.securityGroupIds.join(', ') || '(none)'}, from ${p.from}`;
}

function endpointCommands(s: Snapshot): string[] {
  const p = esmPlacement(s.esm, valueOf(s.cluster));
  const vpc = s.network?.vpcId;
  const region = regionOf(s);
  if (!p || p.kind === 'internet' || !vpc || !p.subnetIds.length || !p.securityGroupIds.length) return [];
  const services = ['sts', 'lambda', ...(s.esm.SourceAccessConfigurations?.some((c) => /AUTH|CERTIFICATE/.test(c.Type)) ? ['secretsmanager'] : [])];
  return services.map((svc) =>
    createInterfaceEndpoint({ vpcId: vpc, serviceName: `com.amazonaws.${region}.${svc}`, subnetIds: p.subnetIds, securityGroupIds: p.securityGroupIds, region }),
  );
}

function isIam(s: Snapshot): boolean {
  return authOf(s).mode === 'iam';
}

function brokerHint(s: Snapshot): string | undefined {
  const first = s.esm.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS?.[0];
  if (first) return first;
  const mode = authOf(s).mode;
  const field = mode ? MSK_LISTENERS[mode]?.field : undefined;
  const brokers = valueOf(s.bootstrapBrokers) as Record<string, string | undefined> | undefined;
  return (field && brokers?.[field]?.split(',')[0]) || undefined;
}

const TLS_SERVER_REJECTED = /(server|broker|cluster)s?\s+failed\s+to\s+authenticate\s+(lambda|the\s+client|client)/i;
const TLS_LAMBDA_REJECTED = /lambda\s+failed\s+to\s+authenticate\s+(the\s+)?(server|broker|cluster)/i;

const serverRejectedExplanation =
  'The brokers did not accept Lambda during the TLS handshake: mutual TLS is on but the ESM gives no client certificate, ' +
  'a certificate is given but the brokers do not use mutual TLS, or the brokers do not trust the CA that signed the client certificate.';
const lambdaRejectedExplanation =
  'Lambda could not verify the brokers\' certificate: the brokers use a self-signed or private-CA certificate and the ESM has no ' +
  'SERVER_ROOT_CA_CERTIFICATE secret, the CA in that secret did not sign the broker certificate, or the certificate\'s SAN does not ' +
  'hold the host name Lambda connected to.';

function serverRejectedFix(s: Snapshot): string {
  return esmSource(s.esm) === 'msk'
    ? `Give the ESM a CLIENT_CERTIFICATE_TLS_AUTH secret whose certificate was issued by a CA in the cluster's Tls.CertificateAuthorityArnList, or, if the ESM should not use mutual TLS, remove the certificate secret (see auth.mode for the mode Lambda picks).`
    : 'Give the ESM a CLIENT_CERTIFICATE_TLS_AUTH secret whose certificate is signed by a CA in the brokers\' truststore (ssl.truststore), or remove it if the brokers do not use mutual TLS (ssl.client.auth).';
}

function lambdaRejectedFix(s: Snapshot): Fix {
  const configs = [
    ...(s.esm.SourceAccessConfigurations ?? []).filter((c) => c.Type !== 'SERVER_ROOT_CA_CERTIFICATE').map((c) => ({ Type: c.Type, URI: c.URI })),
    { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: 'ARN of the root CA secret' },
  ];
  return remedy(
    'Store the root CA that signed the broker certificates in Secrets Manager as {"certificate":"-----BEGIN CERTIFICATE-----..."}, then set the ESM\'s ' +
      'source access configurations to the list below with that secret\'s ARN (update-event-source-mapping replaces the whole list, so it repeats the current entries). ' +
      'Every broker certificate must name, in its SAN, the host names in KAFKA_BOOTSTRAP_SERVERS and the advertised listeners.',
    [],
    [{ title: 'SourceAccessConfigurations with the root CA', json: configs }],
  );
}

function brokerConnectionFix(s: Snapshot): Fix {
  const port = portOf(s);
  if (onInternet(s)) {
    // No VPC on the ESM side: Lambda connects from its own public addresses, so nothing of the user's VPC is in the way.
    return (
      `The ESM is not in a VPC: Lambda connects from its own network over the internet, so the brokers must be publicly reachable${port ? ` on TCP ${port}` : ''} ` +
      '(public DNS names, a firewall open to Lambda\'s public addresses in this region, advertised listeners that are public too). Check the brokers\' health as well; ' +
      'esm-doctor diagnose --probe replays the connection.'
    );
  }
  const p = esmPlacement(s.esm, valueOf(s.cluster));
  const sg = p?.securityGroupIds[0];
  return remedy(
    `Let the ESM's security groups reach the brokers${port ? ` on TCP ${port}` : ''} (a self-referencing rule on the broker security group is the minimal one${sg && port ? ': the command adds it' : ''}), ` +
      'check the network ACLs of those subnets, and check the brokers\' health (CPU, disk); esm-doctor diagnose --probe replays the connection from the ESM\'s subnets.',
    sg && port ? [authorizeSgIngress({ groupId: sg, port, from: { groupId: sg }, region: regionOf(s) })] : [],
  );
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
    related: ['role.trust', 'egress.sts'],
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
    related: ['destination.reachable', 'destination.kafka-topic', 'destination.kms'],
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
    related: ['egress.sts', 'egress.secretsmanager', 'egress.lambda', 'destination.reachable', 'destination.kafka-topic', 'network.sg-egress'],
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
    related: ['kafka.bootstrap-dns', 'msk.cluster', 'msk.bootstrap', 'probe.dns'],
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
    related: ['iam.execution-role', 'secret.readable', 'secret.format', 'secret.msk-scram', 'auth.mode'],
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
    related: ['auth.mode', 'secret.format', 'secret.readable', 'probe.tls'],
  },
  {
    id: 'server-rejected-lambda',
    matches: (t) => TLS_SERVER_REJECTED.test(t),
    title: 'The brokers rejected Lambda\'s TLS client authentication',
    explain: () => serverRejectedExplanation,
    fix: serverRejectedFix,
    related: ['auth.mode', 'secret.format', 'secret.readable'],
  },
  {
    id: 'lambda-rejected-server',
    matches: (t) => TLS_LAMBDA_REJECTED.test(t),
    title: 'Lambda did not trust the brokers\' TLS certificate',
    explain: (s) =>
      lambdaRejectedExplanation +
      (esmSource(s.esm) === 'msk' ? ' MSK certificates are issued by Amazon Trust Services, which Lambda trusts, so on MSK suspect the host name.' : ''),
    fix: lambdaRejectedFix,
    related: ['auth.mode', 'secret.format', 'probe.tls'],
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
    related: ['secret.format', 'secret.readable'],
  },
  {
    id: 'authentication',
    matches: (t) => /authenticat/i.test(t),
    title: 'Authentication between Lambda and the brokers failed',
    explain: () => 'Lambda reached the brokers but the authentication step (TLS or SASL) did not succeed.',
    fix: () => 'Compare the mode Lambda picks (auth.mode) with what the brokers expect, and check the secret (secret.readable, secret.format).',
    related: ['auth.mode', 'secret.readable', 'secret.format', 'secret.msk-scram', 'iam.execution-role'],
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
    related: ['iam.execution-role', 'topic.exists', 'consumer-group.unique'],
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
    related: ['topic.exists', 'iam.execution-role'],
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
    related: ['function.state', 'function.concurrency', 'egress.lambda'],
  },
  {
    id: 'internal-error',
    matches: (t) => /internal\s+(server\s+)?error|internal\s+failure/i.test(t),
    title: 'Lambda reports an internal error',
    explain: () =>
      'Lambda gives no detail. The message has been seen on new MSK triggers whose network path was not set up yet, so rule out the configuration findings of this report first; if none fails, the cause is on Lambda\'s side.',
    fix: (s) =>
      `Fix any failing finding of this report, then disable and enable the mapping; if the message stays, open an AWS Support case quoting ${esmArnOf(s)} and the time ${s.collectedAt}.`,
    related: ['network.sg-broker-ingress', 'network.sg-egress', 'egress.sts', 'egress.lambda', 'msk.cluster'],
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
    related: [
      'network.sg-broker-ingress', 'network.sg-egress', 'network.nacl', 'network.subnets', 'network.self-managed-vpc',
      'kafka.bootstrap-dns', 'msk.cluster', 'msk.bootstrap', 'auth.port', 'probe.tcp',
      'egress.sts', 'egress.secretsmanager', 'egress.lambda', 'destination.reachable',
    ],
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
    related: [
      'network.sg-broker-ingress', 'network.sg-egress', 'network.nacl', 'network.subnets', 'network.self-managed-vpc',
      'kafka.bootstrap-dns', 'msk.cluster', 'msk.bootstrap', 'auth.port', 'probe.tcp',
    ],
  },
];

export const UNKNOWN_PROBLEM: ProblemCategory = {
  id: 'unknown',
  matches: () => true,
  title: 'Lambda reports a problem esm-doctor does not recognise',
  explain: () => 'The message does not match any known family of Lambda\'s messages; the other findings of this report are the best lead.',
  fix: () => 'Fix any failing finding of this report; esm-doctor diagnose --probe replays the connection from the ESM\'s network position and shows the step that breaks.',
  related: [],
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

export const esmLastResult: Check = {
  id: 'esm.last-result',
  step: 0,
  title: 'Lambda\'s last processing result is OK',
  docs: AWS_DOCS.troubleshoot,
  run(snapshot: Snapshot): Outcome {
    const esm = snapshot.esm;
    const result = esm.LastProcessingResult?.trim();
    const arn = esmArnOf(snapshot);
    if (!result) return skip(`ESM ${esm.UUID} has no LastProcessingResult yet: Lambda has not reported on any attempt.`);
    if (/^OK\.?$/i.test(result)) return pass(`ESM ${esm.UUID}: Lambda's last processing result is "OK" (it read records and invoked the function).`);
    if (/^no records processed\.?$/i.test(result)) {
      const note =
        esm.State === 'Enabled'
          ? 'Lambda has not polled yet, or no new records arrived since it started' +
            (esm.StartingPosition === 'LATEST' ? ' (StartingPosition LATEST reads only records written after the mapping started)' : '') +
            '. That is normal for a new mapping or a quiet topic.'
          : `The mapping is ${esm.State}, so it is not polling.`;
      return pass(`ESM ${esm.UUID}: Lambda's last processing result is "No records processed". ${note}`, {
        title: 'Lambda has not processed records yet (no error)',
      });
    }
    const category = decodeLastProcessingResult(result);
    if (!category) {
      return warn(
        'Lambda\'s last processing result is not one esm-doctor knows',
        `ESM ${arn} reports LastProcessingResult "${result}", which is neither OK nor a PROBLEM message.`,
        undefined,
        { resources: [arn] },
      );
    }
    const stale = esm.State === 'Enabled' ? '' : ` (recorded before the mapping became ${esm.State})`;
    const auth = authOf(snapshot);
    const mode = auth.mode ? ` Lambda authenticates with ${AUTH_LABELS[auth.mode]}.` : '';
    return fail(
      problemTitle(category, result, snapshot),
      `ESM ${arn} reports LastProcessingResult "${result}"${stale}. ${category.explain(snapshot)}${category.id === 'sasl' || category.id === 'authorization' ? mode : ''}`,
      category.fix(snapshot),
      { resources: [arn], ...(relatedFor(snapshot, category.related).length ? { related: relatedFor(snapshot, category.related) } : {}) },
    );
  },
};

export const checks: Check[] = [esmState, esmLastResult];
