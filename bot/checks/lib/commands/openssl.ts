/** Local tools: certificates and keys (no AWS call, no region). */
export const OPENSSL = {
  derToPem: 'openssl x509 -inform der -in cert.der -out cert.pem',
  inspectCert: 'openssl x509 -in cert.pem -noout -subject -issuer -enddate',
  inspectKey: 'openssl asn1parse -in client.key',
  toPkcs8: 'openssl pkcs8 -topk8 -nocrypt -in client.key -out client-pkcs8.key',
  toPbes1: 'openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in client-encrypted.key -out client-pbes1.key',
} as const;
