import { esmPlacement, isProvisionedMode, parseGlueRegistryArn, schemaRegistryConfig } from '../../model/esm';
import { couldNotRead, pass, skip, valueOf, warn, type Outcome, defineCheck } from '../check';
import { deniedLines, grantRemedy, judgeGroup } from '../lib/grants';
import { isPrivateAddress } from '../lib/net/cidr';
import { esmArnOf, regionOf } from '../lib/resources';
import { createGlueRegistry, getGlueRegistry, updateEsm } from '../lib/commands';
import { AWS_DOCS } from '../lib/aws-docs';

export const schemaRegistryAccess = defineCheck({
  id: 'schema-registry.access',
  step: 8,
  title: 'The schema registry is usable by the ESM (provisioned mode, registry, permissions)',
  docs: AWS_DOCS.schemaRegistry,
  run(snapshot): Outcome {
    const config = schemaRegistryConfig(snapshot.esm);
    const uri = config?.SchemaRegistryURI;
    if (!uri) return skip('The ESM has no schema registry (KafkaSchemaRegistryConfig).');
    const resources = [esmArnOf(snapshot)];
    if (!isProvisionedMode(snapshot.esm)) {
      return {
        status: 'fail',
        title: 'A schema registry needs provisioned mode',
        detail: `The ESM names the schema registry ${uri}, but it runs in on-demand mode (no ProvisionedPollerConfig); Lambda validates records against a registry only in provisioned mode.`,
        remedy: {
          summary: 'Turn on provisioned mode (billed per event poller unit), or remove the schema registry configuration.',
          commands: [updateEsm({ uuid: snapshot.esm.UUID, region: regionOf(snapshot), provisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 10 } })],
        },
        resources,
      };
    }
    const glue = parseGlueRegistryArn(uri);
    const notes: string[] = [];
    if (glue) {
      resources.push(glue.arn);
      const f = snapshot.schemaRegistry;
      if (f && !f.ok) {
        if (f.error.code === 'EntityNotFoundException') {
          return {
            status: 'fail',
            title: `The Glue schema registry ${glue.name} does not exist`,
            detail: `glue:GetRegistry answered EntityNotFoundException for ${glue.arn}: Lambda cannot look up the schemas the records name, so it cannot validate or decode them.`,
            remedy: {
              summary: 'Create the registry (and its schemas) again, or point the ESM at the registry that holds them.',
              commands: [createGlueRegistry({ name: glue.name, region: glue.region })],
            },
            resources,
          };
        }
        return couldNotRead('the Glue schema registry', f);
      }
      const registry = valueOf(f);
      if (registry?.Status && registry.Status !== 'AVAILABLE') {
        return {
          status: 'fail',
          title: `The Glue schema registry ${glue.name} is ${registry.Status}`,
          detail: `glue:GetRegistry reports Status ${registry.Status} for ${glue.arn}: a registry being deleted serves no schemas.`,
          remedy: { summary: 'Point the ESM at an AVAILABLE registry holding the schemas of the topic.', commands: [getGlueRegistry({ arn: glue.arn, region: glue.region })] },
          resources,
        };
      }
      notes.push(registry ? `Glue registry ${glue.name} is ${registry.Status ?? 'present'}.` : 'The registry itself was not read (glue:GetRegistry not collected).');
      if (glue.region !== regionOf(snapshot)) notes.push(`It is in ${glue.region}, not the ESM's region ${regionOf(snapshot)}.`);
    } else {
      let host: string | undefined;
      try {
        host = new URL(uri).hostname;
      } catch {
        return {
          status: 'fail',
          title: 'The schema registry URI is neither a Glue registry ARN nor a URL',
          detail: `SchemaRegistryURI is "${uri}": Lambda expects a Glue registry ARN or the https URL of a Confluent registry.`,
          remedy: { summary: 'Set SchemaRegistryURI to the registry\'s ARN (Glue) or URL (Confluent) with update-event-source-mapping --amazon-managed-kafka-event-source-config or --self-managed-kafka-event-source-config.' },
          resources,
        };
      }
      const placement = esmPlacement(snapshot.esm, valueOf(snapshot.cluster), valueOf(snapshot.vpcConnection));
      if (placement?.kind === 'internet' && isPrivateAddress(host)) {
        return {
          status: 'fail',
          title: 'The schema registry has a private address the ESM cannot reach',
          detail: `The Confluent registry ${uri} is at the private address ${host}, but the ESM is not in a VPC (no VPC_SUBNET / VPC_SECURITY_GROUP): Lambda calls it from its own network.`,
          remedy: { summary: 'Expose the registry on a public name, or place the ESM in the registry\'s VPC (a self-managed ESM\'s VPC settings are set at creation: create a new ESM with VPC_SUBNET and VPC_SECURITY_GROUP).' },
          resources,
        };
      }
      notes.push(
        `Lambda calls the Confluent registry ${uri} from the ESM's network position (${placement?.kind === 'internet' ? 'the internet' : 'its subnets'}); schema-registry.reachable traces that path.`,
      );
    }

    const grants = judgeGroup(snapshot, 'schema-registry');
    if (grants.requirements.length === 0) {
      notes.push(glue ? '' : 'The registry uses no secret (no BASIC_AUTH / CLIENT_CERTIFICATE_TLS_AUTH access config).');
    } else if (!grants.simulated) {
      return couldNotRead('the execution role\'s permissions (iam:SimulatePrincipalPolicy)', snapshot.permissions && !snapshot.permissions.ok
        ? snapshot.permissions
        : { source: 'iam:SimulatePrincipalPolicy', error: { code: 'NotCollected', message: 'the snapshot has no simulation results', action: 'iam:SimulatePrincipalPolicy' } });
    } else if (grants.denied.length) {
      return {
        status: 'fail',
        title: 'The execution role may not use the schema registry',
        detail: `The IAM simulation denies: ${deniedLines(grants.denied)}. Records Lambda cannot validate against the registry fail their batch. ${notes.join(' ')}`.trim(),
        remedy: grantRemedy(snapshot, grants.denied, 'esm-schema-registry', 'Lambda reads the registry and its schema versions as the execution role (with-msk-permissions, optional permissions).'),
        resources,
      };
    } else if (grants.unsimulated.length) {
      return warn('The role\'s schema registry permissions were not simulated', `No simulation answer for: ${deniedLines(grants.unsimulated)}.`, undefined, {
        remedy: { summary: 'Collect the snapshot again (esm-doctor collect) so the simulation covers the schema registry.' },
        resources,
      });
    } else {
      notes.push(`The role may ${[...new Set(grants.requirements.map((r) => r.action))].join(', ')}.`);
    }
    return pass(`Schema registry ${uri} (provisioned mode): ${notes.filter(Boolean).join(' ')}`, { resources });
  },
});
