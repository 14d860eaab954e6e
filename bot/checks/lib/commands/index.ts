/**
 * The one place that writes the AWS CLI commands a remedy carries, one module per service; the core
 * (`aws()`, flag quoting, shell variables) is in ./aws. Import from here.
 */
export { aws, assign, variable, type ShellVariable } from './aws';
export * from './ec2';
export * from './iam';
export * from './lambda';
export * from './kafka';
export * from './secrets';
export * from './glue';
export * from './route53';
export * from './openssl';
