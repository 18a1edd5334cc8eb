// Reading input files with errors that name the file.
import { createReadStream } from 'node:fs';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
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

/** Checks that an input file exists, is a file and is not empty; returns its size in bytes. */
export async function checkInputFile(file: string, what = 'file'): Promise<number> {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new CliError(`${what} is a directory, expected a file: ${file}`);
    size = info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${what} not found: ${file}`);
    throw new CliError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  if (size === 0) throw new CliError(`${what} is empty: ${file}`);
  return size;
}

/** A function opening the file afresh as a stream of 1 MB chunks (a CSV reader may read a file twice). */
export function fileChunks(file: string): () => AsyncIterable<Uint8Array> {
  return () => createReadStream(file, { highWaterMark: 1 << 20 });
}

/** Writes a file whole or not at all: into a temporary file beside it, then renamed over it. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw new CliError(`cannot write ${file}: ${(error as Error).message}`);
  }
}

/** A report to `out` (whole or not at all, then "wrote …" on stderr), or to stdout when no file is named. */
export async function writeReport(out: string | undefined, output: string): Promise<void> {
  if (out) {
    await writeFileAtomic(out, output);
    process.stderr.write(`wrote ${out}\n`);
  } else process.stdout.write(output);
}
