/**
 * Building the CLI commands a fix names: values are quoted for a POSIX shell so the command can be
 * pasted as is (ARNs and ids need no quoting; JSON documents do).
 */

/** Single-quotes a value for sh/bash when it holds anything beyond the characters of ARNs and ids. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A JSON value as one quoted CLI argument. */
export function jsonArg(value: unknown): string {
  return shellQuote(JSON.stringify(value));
}
