/**
 * Typed errors that carry what the user needs to act. Every entry point (CLI, Slack, handlers)
 * turns an EsmDoctorError into one clear line; anything else is "unexpected" (exit 3) and is
 * never shown to a Slack user as a stack trace.
 */
export class EsmDoctorError extends Error {
  /** CLI exit code: 2 = bad input or the target could not be read. */
  readonly exitCode: number = 2;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The text given as a target is neither an ESM UUID nor an ESM ARN. */
export class InvalidTarget extends EsmDoctorError {}

/** No region could be determined for a bare UUID. */
export class MissingRegion extends EsmDoctorError {}

/** GetEventSourceMapping answered ResourceNotFoundException. */
export class TargetNotFound extends EsmDoctorError {
  constructor(readonly uuid: string, readonly region: string) {
    super(`event source mapping ${uuid} was not found in ${region} (check the region and the account of your credentials)`);
  }
}

/** The ESM exists but reads from something other than Kafka (SQS, Kinesis, DynamoDB, MQ, ...). */
export class NotKafkaEsm extends EsmDoctorError {
  constructor(readonly uuid: string, readonly sourceKind: string) {
    super(`event source mapping ${uuid} is not a Kafka mapping: its source is ${sourceKind}; esm-doctor diagnoses Amazon MSK and self-managed Kafka only`);
  }
}

/** The ESM itself could not be read: credentials, permissions or throttling. */
export class TargetUnreadable extends EsmDoctorError {}

/** A snapshot file is missing, not JSON, or not a valid snapshot. */
export class InvalidSnapshot extends EsmDoctorError {}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
