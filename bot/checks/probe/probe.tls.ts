import { MSK_LISTENERS, esmSource } from '../../model/esm';
import type { Snapshot } from '../../model/snapshot';
import { type ProbeStep } from '../../probe/schema';
import { AWS_DOCS } from '../lib/aws-docs';
import { probeCheck } from './lib';

function tlsFix(snapshot: Snapshot, step: Extract<ProbeStep, { step: 'tls' }>): string {
  const msk = esmSource(snapshot.esm) === 'msk';
  const bad = step.evidence?.attempts.filter((a) => a.outcome !== 'ok') ?? [];
  const fixes = new Set<string>();
  for (const a of bad) {
    const c = a.certificate;
    switch (a.outcome) {
      case 'untrusted':
        fixes.add(
          msk
            ? 'MSK brokers present Amazon Trust Services certificates: something between the ESM and the brokers presents another certificate (a proxy, or not an MSK broker).'
            : `The chain ends at ${c?.issuer ?? 'a CA'} that is not trusted: store that root CA as {"certificate":"-----BEGIN CERTIFICATE-----…"} in Secrets Manager and add it to the ESM as SERVER_ROOT_CA_CERTIFICATE (update-event-source-mapping; esm.last-result gives the list), or have the brokers send the full chain.`,
        );
        break;
      case 'hostname-mismatch':
        fixes.add(`The certificate of ${a.host} covers ${c?.subjectAltNames.join(', ') || c?.subject || 'other names'}: reissue it with a SAN for ${a.host}, or use a bootstrap name it covers.`);
        break;
      case 'expired':
      case 'not-yet-valid':
        fixes.add(`Renew the broker certificate of ${a.host} (valid ${c?.validFrom ?? '?'} – ${c?.validTo ?? '?'}).`);
        break;
      case 'client-certificate-rejected':
        fixes.add(
          msk
            ? 'The brokers did not accept the client certificate: issue it from the ACM Private CA listed in the cluster\'s Tls.CertificateAuthorityArnList, with the chain in order (client certificate first) and a PKCS#8 key.'
            : 'The brokers did not accept the client certificate: issue it from a CA in the brokers\' truststore (ssl.truststore), with the chain in order (client certificate first) and a PKCS#8 key; or the broker requires a client certificate and the ESM has no CLIENT_CERTIFICATE_TLS_AUTH secret.',
        );
        break;
      case 'no-tls':
        fixes.add(`Port ${a.port} does not speak TLS, but Lambda connects with TLS in this auth mode: use the TLS listener's port${msk ? ` (${Object.values(MSK_LISTENERS).filter((l) => l!.port !== 9092).map((l) => l!.port).join('/')})` : ''}.`);
        break;
      case 'timeout':
        fixes.add(`No TLS handshake from ${a.host}:${a.port}: a plaintext listener waits silently for a Kafka request — check that the port is a TLS listener.`);
        break;
      default:
        fixes.add(`TLS with ${a.host}:${a.port} failed (${a.code ?? a.outcome}): check the brokers' TLS listener.`);
    }
  }
  return [...fixes].join('\n');
}


export const probeTls = probeCheck({
  step: 'tls',
  title: 'Live probe: the TLS handshake verifies',
  docs: AWS_DOCS.selfManagedAuth,
  explains: ['tls-both-directions', 'lambda-rejected-server'],
  fix: (snapshot, step) => tlsFix(snapshot, step as Extract<ProbeStep, { step: 'tls' }>),
});
