// Reading input files with errors that name the file.
import { readFile } from 'node:fs/promises';
import { CliError } from './cli-error';

export async function readInputFile(file: string, what = 'file'): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${what} not found: ${file}`);
    if (code === 'EISDIR') throw new CliError(`${what} is a directory, expected a file: ${file}`);
    throw new CliError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
}

export async function readInputText(file: string, what = 'file'): Promise<string> {
  const bytes = await readInputFile(file, what);
  if (bytes.length === 0) throw new CliError(`${what} is empty: ${file}`);
  return bytes.toString('utf8');
}
