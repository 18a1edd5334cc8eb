// `pmm predict`: score rows from a CSV or JSON with a verified artifact, reporting bad rows by number and field.
import type { RowIssue } from '@pmm/core/data';
import { type EngineName, modelSchemaOf } from '@pmm/core/model';
import { type FeatureRecord, type RequestValidator, requestValidatorFor } from '@pmm/core/schema';
import type { Command } from 'commander';
import { CliError } from '../util/cli-error';
import { describeIssues, readCsvTable, rowsBySchema } from '../util/dataset';
import { createNodePredictor, loadModelFolder } from '../util/model-folder';
import { parseChoice, parseFormat, printJson } from '../util/output';

export interface PredictionEntry {
  readonly row: number;
  readonly probability: number | null;
  readonly label: 0 | 1 | null;
  readonly errors?: readonly { field: string; message: string }[];
}

interface Rows {
  readonly records: FeatureRecord[];
  readonly rowNumbers: number[];
  readonly issues: RowIssue[];
  readonly total: number;
}

/** `--json` accepts `{"features": {...}}`, a bare features object, or an array of either. */
function rowsFromJson(text: string, validator: RequestValidator): Rows {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError('--json is not valid JSON');
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw new CliError('--json holds an empty array');
  const objects = items.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new CliError(`--json row ${i + 1}: expected an object of features`);
    }
    const o = item as Record<string, unknown>;
    return (o.features && typeof o.features === 'object' ? o.features : o) as Record<string, unknown>;
  });
  const records: FeatureRecord[] = [];
  const rowNumbers: number[] = [];
  const issues: RowIssue[] = [];
  objects.forEach((o, i) => {
    const result = validator.validateFeatures(o);
    if (result.ok) {
      records.push(result.value);
      rowNumbers.push(i + 1);
    } else {
      for (const issue of result.issues)
        issues.push({ row: i + 1, field: issue.path, message: issue.message });
    }
  });
  return { records, rowNumbers, issues, total: objects.length };
}

export function registerPredictCommand(program: Command): void {
  program
    .command('predict')
    .description('score rows with a model artifact (ONNX Runtime Web, WASM, or the lite engine)')
    .requiredOption('--model <dir>', 'artifact folder holding model.onnx and model.json')
    .option('--input <csv>', "CSV with the model's feature columns (extra columns are ignored)")
    .option(
      '--json <features>',
      'one row as JSON ({"features": {...}} or the features object), or an array of rows',
    )
    .option('--engine <engine>', 'ort (ONNX Runtime Web) or lite (pmm evaluator)', 'ort')
    .option('--format <format>', 'text or json', 'text')
    .action(
      async (opts: { model: string; input?: string; json?: string; engine: string; format: string }) => {
        const format = parseFormat(opts.format, ['text', 'json'] as const);
        const engine: EngineName = parseChoice('--engine', opts.engine, ['ort', 'lite'] as const);
        if ((opts.input === undefined) === (opts.json === undefined)) {
          throw new CliError('give exactly one of --input <csv> or --json <features>');
        }
        const model = await loadModelFolder(opts.model);
        const schema = modelSchemaOf(model.card);
        let rows: Rows;
        if (opts.input !== undefined) {
          const dataset = rowsBySchema(await readCsvTable(opts.input), opts.input, schema, {
            ignoreTarget: true,
          });
          rows = { ...dataset, total: dataset.totalRows };
        } else {
          rows = rowsFromJson(opts.json!, requestValidatorFor(model.card.version, schema));
        }
        const predictor = await createNodePredictor(model, engine);
        const probabilities =
          rows.records.length > 0 ? await predictor.predict(rows.records) : new Float32Array(0);
        const byRow = new Map<number, number>();
        rows.rowNumbers.forEach((row, i) => {
          byRow.set(row, probabilities[i]!);
        });
        const predictions: PredictionEntry[] = [];
        for (let row = 1; row <= rows.total; row++) {
          const p = byRow.get(row);
          if (p !== undefined) predictions.push({ row, probability: p, label: p >= 0.5 ? 1 : 0 });
          else {
            const errors = rows.issues
              .filter((i) => i.row === row)
              .map(({ field, message }) => ({ field, message }));
            predictions.push({ row, probability: null, label: null, errors });
          }
        }
        if (format === 'json') printJson({ model_version: model.card.version, engine, predictions });
        else {
          process.stdout.write(`model ${model.card.version} (${engine})\n row  probability  label\n`);
          for (const p of predictions) {
            const detail =
              p.probability === null
                ? `  invalid: ${p.errors!.map((e) => `${e.field} ${e.message}`).join('; ')}`
                : `  ${p.probability.toFixed(6)}    ${p.label}`;
            process.stdout.write(`${String(p.row).padStart(4)}${detail}\n`);
          }
        }
        if (rows.issues.length > 0) {
          const bad = new Set(rows.issues.map((i) => i.row)).size;
          throw new CliError(
            `${bad} of ${rows.total} row(s) failed validation: ${describeIssues(rows.issues)}`,
          );
        }
      },
    );
}
