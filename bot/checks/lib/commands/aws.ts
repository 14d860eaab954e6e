/**
 * The one place that writes the AWS CLI commands a remedy carries. Each builder takes the values the
 * snapshot knows (ids, ARNs, the region) and returns one complete command, quoted for a POSIX shell
 * with shellQuote, `--region` always last, so what a reader copies runs as printed. A value that is
 * not known is not a command: the check says it in the remedy's summary instead of printing a
 * `<placeholder>` (the builders refuse one, so a regression shows as a failing test, not a broken paste).
 */
import { shellQuote } from '../shell';

/**
 * A value only the reader knows (the KMS key to use, say), passed as a shell variable the summary
 * tells them to set: the command still runs as printed, and never holds a `<placeholder>`.
 */
export interface ShellVariable {
  variable: string;
  /** The argument around it, `$NAME` standing for the variable (e.g. `Endpoints={KAFKA_BOOTSTRAP_SERVERS=[$NAME]}`). */
  template?: string;
}
type FlagValue = string | number | boolean | readonly string[] | ShellVariable | undefined;

export const variable = (name: string, template?: string): ShellVariable => {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`${name} is not a shell variable name`);
  // Inside double quotes only $ is special here: refuse what would end the quoting or expand further.
  if (template !== undefined && (/["`\\]/.test(template) || template.replace(`$${name}`, '').includes('$'))) throw new Error(`template ${template} cannot be double-quoted safely`);
  return { variable: name, ...(template !== undefined ? { template } : {}) };
};

/** A value that still holds a `<placeholder>`: the caller should have left the command out. */
const PLACEHOLDER = /<[^<>]*>/;

function flag(name: string, value: FlagValue): string[] {
  if (value === undefined || value === false) return [];
  if (value === true) return [`--${name}`];
  if (typeof value === 'object' && 'variable' in value) {
    return [`--${name}`, `"${value.template !== undefined ? value.template.replace(`$${value.variable}`, `$${value.variable}`) : `$${value.variable}`}"`];
  }
  const values = typeof value === 'string' || typeof value === 'number' ? [String(value)] : [...value];
  for (const v of values) if (PLACEHOLDER.test(v)) throw new Error(`--${name} ${v} holds a placeholder`);
  return [`--${name}`, ...values.map(shellQuote)];
}

/** `aws <service> <operation> --flag value ... --region R`: flags in the order given, JSON values quoted. */
export function aws(service: string, operation: string, flags: Array<[string, FlagValue]>, region: string, positionals: string[] = []): string {
  if (!region) throw new Error(`aws ${service} ${operation}: no region`);
  return ['aws', service, operation, ...positionals.map(shellQuote), ...flags.flatMap(([n, v]) => flag(n, v)), '--region', shellQuote(region)].join(' ');
}

/** A JSON document as the single CLI argument AWS expects (one quoted word, never wrapped). */
export function jsonFlag(name: string, value: unknown): [string, FlagValue] {
  return [name, JSON.stringify(value)];
}

/** `NAME=$(command)`: keeps what a command prints for the next one, which names it as variable(NAME). */
export function assign(name: string, command: string): string {
  return `${variable(name).variable}=$(${command})`;
}
