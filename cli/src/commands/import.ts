// `pmm import`: turn an ONNX binary classifier trained elsewhere into a pmm artifact folder (model.onnx + model.json).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ImportError, importOnnx } from '@pmm/core/onnx';
import { SchemaError } from '@pmm/core/schema';
import type { Command } from 'commander';
import * as ort from 'onnxruntime-web';
import { CliError } from '../util/cli-error';
import { readCsvTable } from '../util/dataset';
import { readInputFile } from '../util/files';
import { parseFormat, printJson } from '../util/output';

export interface ImportCommandOptions {
  readonly onnx: string;
  readonly reference: string;
  readonly target: string;
  readonly positive?: string;
  readonly features?: string[];
  readonly out: string;
}

/** Imports and writes the artifact folder; returns the card and the decisions made. */
export async function importToFolder(options: ImportCommandOptions) {
  const onnx = new Uint8Array(await readInputFile(options.onnx, 'ONNX file'));
  if (onnx.length === 0) throw new CliError(`ONNX file is empty: ${options.onnx}`);
  const reference = await readCsvTable(options.reference);
  ort.env.wasm.numThreads = 1;
  try {
    const imported = await importOnnx({
      onnx,
      fileName: path.basename(options.onnx),
      reference: reference.table,
      referenceSha256: reference.sha256,
      target: options.target,
      ...(options.positive !== undefined && { positive: options.positive }),
      ...(options.features !== undefined && { features: options.features }),
      ort,
    });
    await mkdir(options.out, { recursive: true });
    await writeFile(path.join(options.out, 'model.onnx'), imported.onnx);
    await writeFile(path.join(options.out, 'model.json'), `${JSON.stringify(imported.card, null, 2)}\n`);
    return imported;
  } catch (error) {
    if (error instanceof ImportError) throw new CliError(`${options.onnx}: ${error.message}`);
    if (error instanceof SchemaError) throw new CliError(`${options.reference}: ${error.message}`);
    throw error;
  }
}

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description('import an ONNX binary classifier trained elsewhere, with a labelled reference CSV')
    .requiredOption(
      '--onnx <file>',
      'the model (skl2onnx, onnxmltools, torch.onnx, tf2onnx), ZipMap disabled',
    )
    .requiredOption(
      '--reference <csv>',
      "reference rows (training or validation data) with the model's columns and the target",
    )
    .requiredOption('--target <column>', 'the outcome column of the reference CSV')
    .option('--positive <value>', 'the target value that is the positive class (inferred for 1/yes/true)')
    .option('--features <columns>', 'comma-separated column order of a single [N, F] tensor input')
    .requiredOption('--out <dir>', 'artifact folder to write')
    .option('--format <format>', 'text or json', 'text')
    .action(
      async (opts: {
        onnx: string;
        reference: string;
        target: string;
        positive?: string;
        features?: string;
        out: string;
        format: string;
      }) => {
        const format = parseFormat(opts.format, ['text', 'json'] as const);
        const features = opts.features
          ?.split(',')
          .map((c) => c.trim())
          .filter((c) => c !== '');
        const { card, notes } = await importToFolder({ ...opts, features });
        if (format === 'json') {
          printJson({
            version: card.version,
            out: opts.out,
            notes,
            serving: card.serving,
            metrics: card.metrics,
          });
          return;
        }
        const m = card.metrics;
        process.stdout.write(
          [
            `model ${card.version} imported to ${opts.out}`,
            ...notes.map((n) => `  ${n}`),
            `  on ${m.rows} reference rows: ROC AUC ${m.roc_auc.toFixed(4)}  log loss ${m.log_loss.toFixed(4)}  accuracy ${m.accuracy.toFixed(4)}`,
            '',
          ].join('\n'),
        );
      },
    );
}
