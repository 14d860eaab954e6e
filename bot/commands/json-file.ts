/**
 * A JSON document named on the command line (a snapshot, a CloudTrail event): read and parsed, or an
 * exit-2 error that says which of the two failed. `fs` is imported when it runs, so the CLI's cheap
 * paths that merely import this module read no more than before.
 */
export async function readJsonFile(file: string, what: string, notJsonHint: string, invalid: (message: string) => Error): Promise<unknown> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw invalid(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`${file} is not JSON (${notJsonHint})`);
  }
}
