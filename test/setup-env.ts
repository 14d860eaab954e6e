/**
 * Every test process: the AWS SDK must never look for credentials beyond the environment. Without
 * this, a test that forgets its fake credentials would make the SDK probe the EC2 instance metadata
 * address; tests reach loopback only. Real credentials a developer has exported are not used either.
 */
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
for (const key of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) {
  delete process.env[key];
}
process.env.AWS_CONFIG_FILE = '/dev/null';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
