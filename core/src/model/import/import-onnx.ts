// Bring your own ONNX: a model trained elsewhere + a labelled reference table → a pmm artifact (model.json).
import { sha256Hex } from '../../data/sha256';
import { buildReferenceProfile } from '../../drift/profile';
import { binaryTarget, isBlank, isNumberCell, type TextTable } from '../../schema/infer';
import { type ModelSchema, parseModelSchema, type SchemaFeature } from '../../schema/model-schema';
import { tableToRows } from '../../schema/rows';
import { versionId } from '../artifact';
import { MODEL_CARD_FORMAT, type ModelCard, type Serving } from '../artifact-types';
import { classificationMetrics } from '../metrics';
import { fitMultivariateField } from '../multivariate-fit';
import { OnnxModelError, UnsupportedOperatorError } from '../onnx/errors';
import { compileLitePlan, createLitePredictor } from '../onnx/lite-engine';
import { createOrtPredictor, type OrtModule } from '../onnx/ort-engine';
import { type OnnxModel, type OnnxValueInfo, readOnnx } from '../onnx/read-onnx';

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface ImportInput {
  /** The ONNX file's bytes, kept as they are (the artifact's model.onnx). */
  readonly onnx: Uint8Array;
  /** What to call the file in model.json and messages. */
  readonly fileName: string;
  /** The reference table (the model's training or validation data) with the target column. */
  readonly reference: TextTable;
  readonly referenceSha256: string;
  readonly target: string;
  readonly positive?: string;
  /** Column order of a single `[N, F]` tensor input (default: the reference's columns but the target). */
  readonly features?: readonly string[];
  readonly ort: OrtModule;
  readonly now?: () => Date;
}

export interface ImportedArtifact {
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
  /** What pmm decided on the way (input layout, output column, engines), one line each. */
  readonly notes: readonly string[];
}

/** How close the lite engine must come to ONNX Runtime to be offered for an imported model. */
const LITE_TOLERANCE = 1e-5;

const quote = (s: string) => JSON.stringify(s);

/** Refuses ZipMap (a sequence of maps) and any non-tensor output, with the fix. */
function refuseZipMap(model: OnnxModel): void {
  const zipMap = model.graph.nodes.find((n) => n.opType === 'ZipMap');
  const nonTensor = model.graph.outputs.find((o) => o.elemType === 'non-tensor');
  if (zipMap || nonTensor)
    throw new ImportError(
      `the model's output ${quote(nonTensor?.name ?? zipMap!.outputs[0] ?? 'ZipMap')} is a ZipMap (a sequence of maps), which pmm cannot read; export it with ZipMap disabled (skl2onnx: options={'zipmap': False})`,
    );
}

/** The class labels of the graph's classifier node, when it has one (the order of a probabilities tensor). */
function classLabels(model: OnnxModel): string[] | null {
  for (const node of model.graph.nodes) {
    if (node.domain !== 'ai.onnx.ml') continue;
    for (const name of ['classlabels_strings', 'classlabels_ints', 'classlabels_int64s']) {
      const a = node.attributes.get(name);
      if (a && (a.kind === 'strings' || a.kind === 'ints') && a.value.length > 0) return a.value.map(String);
    }
  }
  return null;
}

/**
 * Picks the output holding probabilities: `probability` / `probabilities` by name, else the first float
 * output. `[N]` or `[N, 1]` is read as is; `[N, 2]` (or wider) takes the positive class's column: where the
 * classifier's class labels name the positive value, that one; else the position of the positive value
 * among the target's sorted values (scikit-learn orders classes so).
 */
function chooseOutput(
  model: OnnxModel,
  target: { positive: string; values: readonly string[] },
  notes: string[],
): Serving['output'] {
  const floats = model.graph.outputs.filter((o) => o.elemType === 'float32' || o.elemType === 'float64');
  const named = ['probability', 'probabilities', 'probability_tensor'];
  const output: OnnxValueInfo | undefined =
    floats.find((o) => named.includes(o.name.toLowerCase())) ?? floats[0];
  if (!output)
    throw new ImportError(
      `the model has no float output (outputs: ${model.graph.outputs.map((o) => `${o.name} ${o.elemType}`).join(', ')}); pmm needs a probability tensor [N], [N,1] or [N,2]`,
    );
  const width = output.shape?.[1];
  if (output.shape !== null && (output.shape.length === 1 || width === 1)) {
    notes.push(`output ${quote(output.name)}: one probability per row`);
    return { name: output.name, column: null };
  }
  const labels = classLabels(model);
  let column = labels?.indexOf(target.positive) ?? -1;
  if (column < 0) column = target.values.indexOf(target.positive);
  notes.push(
    `output ${quote(output.name)}: probabilities per class; column ${column} is ${quote(target.positive)}${labels ? ` (class labels ${labels.join(', ')})` : ' (classes in sorted order)'}`,
  );
  return { name: output.name, column };
}

/** The numerical schema entry of a reference column: its range, missing allowed when it has blanks. */
function numericalFeature(table: TextTable, column: string, tensorInput: boolean): SchemaFeature {
  const j = table.header.indexOf(column);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let blanks = 0;
  for (const row of table.rows) {
    const raw = row[j];
    if (isBlank(raw)) {
      blanks++;
      continue;
    }
    const cell = raw!.trim();
    if (!isNumberCell(cell))
      throw new ImportError(
        tensorInput
          ? `reference column ${quote(column)} is categorical (it holds ${quote(cell)}), but the model takes one float tensor: it expects numbers`
          : `reference column ${quote(column)} holds ${quote(cell)}, but the model's input ${quote(column)} expects numbers`,
      );
    const x = Number(cell);
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return {
    name: column,
    kind: 'numerical',
    range: min <= max ? { min, max } : null,
    integer: false,
    missing: { allowed: blanks > 0, treatment: 'model', value: null },
  };
}

function categoricalFeature(table: TextTable, column: string): SchemaFeature {
  const j = table.header.indexOf(column);
  const seen = new Set<string>();
  let blanks = 0;
  for (const row of table.rows) {
    if (isBlank(row[j])) blanks++;
    else seen.add(row[j]!.trim());
  }
  return {
    name: column,
    kind: 'categorical',
    categories: [...seen].sort(),
    closed: false,
    missing: { allowed: blanks > 0, treatment: 'unknown_category' },
  };
}

/** The schema and input layout from the graph's inputs and the reference table's columns. */
function describeInputs(
  model: OnnxModel,
  input: ImportInput,
  notes: string[],
): { features: SchemaFeature[]; layout: Serving['input'] } {
  const { header } = input.reference;
  const inputs = model.graph.inputs;
  if (inputs.length === 0) throw new ImportError('the model has no inputs');
  const missing = (columns: readonly string[]) => columns.filter((c) => !header.includes(c));
  const single = inputs.length === 1 ? inputs[0]! : null;
  if (single && !header.includes(single.name)) {
    if (single.elemType !== 'float32')
      throw new ImportError(
        `the model's one input ${quote(single.name)} is ${single.elemType}; pmm feeds a float tensor [N, F]`,
      );
    const columns = input.features ?? header.filter((c) => c !== input.target);
    const absent = missing(columns);
    if (absent.length > 0)
      throw new ImportError(`--features names column(s) the reference lacks: ${absent.join(', ')}`);
    const width = single.shape?.[1];
    if (typeof width === 'number' && width !== columns.length)
      throw new ImportError(
        `the model's input ${quote(single.name)} takes ${width} columns, but ${columns.length} feature columns were given (${columns.join(', ')}); name them in order with --features`,
      );
    notes.push(
      `input ${quote(single.name)}: one float tensor [N, ${columns.length}] in the order ${columns.join(', ')}`,
    );
    return {
      features: columns.map((c) => numericalFeature(input.reference, c, true)),
      layout: { layout: 'tensor', name: single.name, features: [...columns] },
    };
  }
  const absent = missing(inputs.map((i) => i.name));
  if (absent.length > 0)
    throw new ImportError(
      `the model's input(s) ${absent.map(quote).join(', ')} are not columns of the reference table`,
    );
  notes.push(`inputs: one per feature (${inputs.length})`);
  const features = inputs.map((i) => {
    if (i.elemType === 'string') return categoricalFeature(input.reference, i.name);
    if (i.elemType === 'float32') return numericalFeature(input.reference, i.name, false);
    throw new ImportError(
      `the model's input ${quote(i.name)} is ${i.elemType}; pmm feeds string and float32 inputs`,
    );
  });
  return { features, layout: { layout: 'per_feature' } };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/**
 * Imports an ONNX binary classifier: reads its inputs and outputs (refusing ZipMap), builds its schema from
 * the reference table, runs it with ONNX Runtime on every reference row and checks each output is a
 * probability, runs the lite engine too when it implements every operator (else records why not), and
 * returns model.json with the reference profile and the metrics on the reference rows. The ONNX bytes
 * are kept unchanged. Errors are ImportError with one line naming the problem.
 */
export async function importOnnx(input: ImportInput): Promise<ImportedArtifact> {
  let model: OnnxModel;
  try {
    model = readOnnx(input.onnx);
  } catch (error) {
    throw new ImportError(`${input.fileName} is not a readable ONNX model: ${(error as Error).message}`);
  }
  refuseZipMap(model);
  const notes: string[] = [];
  const target = binaryTarget(input.reference, input.target, input.positive);
  const { features, layout } = describeInputs(model, input, notes);
  const output = chooseOutput(model, target, notes);
  const schema: ModelSchema = parseModelSchema({
    task: 'binary_classification',
    target: { column: input.target, positive: target.positive, negative: target.negative },
    features,
  });
  const rows = tableToRows(input.reference, schema, input.fileName);
  if (rows.issues.length > 0) {
    const first = rows.issues[0]!;
    throw new ImportError(
      `reference row ${first.row}, field ${first.field}: ${first.message}${rows.issues.length > 1 ? ` (and ${rows.issues.length - 1} more)` : ''}`,
    );
  }
  if (rows.records.length === 0) throw new ImportError('the reference table has no usable rows');

  const serving: Serving = { input: layout, output, engines: ['ort'] };
  let probabilities: Float32Array;
  try {
    probabilities = await (await createOrtPredictor(input.ort, input.onnx, undefined, serving)).predict(
      rows.records,
    );
  } catch (error) {
    throw new ImportError(
      `ONNX Runtime cannot run the model on the reference rows: ${(error as Error).message}`,
    );
  }
  const bad = probabilities.findIndex((p) => !(p >= 0 && p <= 1));
  if (bad >= 0)
    throw new ImportError(
      `output ${quote(output.name)} is not a probability: reference row ${rows.rowNumbers[bad]} gives ${probabilities[bad]} (export the probability output, not scores or logits)`,
    );

  let liteRefusal: string | undefined;
  try {
    compileLitePlan(model, { output: output.name });
    const lite = await (await createLitePredictor(input.onnx, serving)).predict(rows.records);
    const diff = maxAbsDiff(lite, probabilities);
    if (diff > LITE_TOLERANCE)
      liteRefusal = `the lite engine differs from ONNX Runtime by ${diff.toExponential(2)}`;
  } catch (error) {
    if (!(error instanceof UnsupportedOperatorError || error instanceof OnnxModelError)) throw error;
    liteRefusal = error.message;
  }
  const engines: Serving['engines'] = liteRefusal === undefined ? ['ort', 'lite'] : ['ort'];
  notes.push(
    liteRefusal === undefined
      ? 'engines: ONNX Runtime and lite'
      : `engines: ONNX Runtime only (${liteRefusal})`,
  );

  const multivariate = fitMultivariateField(rows.records, schema.features);
  notes.push(
    multivariate.field
      ? `multivariate drift: PCA with ${multivariate.field.pca.components.length} of ${schema.features.length} components fitted on the reference rows`
      : `multivariate drift: not fitted (${multivariate.reason})`,
  );
  const createdAt = (input.now ?? (() => new Date()))();
  const onnxSha256 = await sha256Hex(input.onnx);
  const card: ModelCard = {
    format: MODEL_CARD_FORMAT,
    version: versionId(createdAt, onnxSha256, 'imported'),
    created_at: createdAt.toISOString(),
    parent_version: null,
    training_data_sha256: input.referenceSha256,
    onnx_sha256: onnxSha256,
    feature_schema: schema.features.map((f) =>
      f.kind === 'categorical'
        ? { name: f.name, kind: f.kind, categories: [...f.categories] }
        : { name: f.name, kind: f.kind },
    ),
    schema,
    origin: {
      kind: 'imported',
      file: input.fileName,
      producer: `${model.producerName || 'unknown'}`.trim(),
    },
    serving: { ...serving, engines, ...(liteRefusal !== undefined && { lite_refusal: liteRefusal }) },
    metrics: classificationMetrics(rows.labels!, probabilities),
    // pmm did not train it: the reference rows are its evaluation rows.
    training: {
      seed: 0,
      train_rows: 0,
      holdout_rows: rows.records.length,
      epochs: 0,
      hidden_units: [],
      l2: 0,
      learning_rate: 0,
      seconds: 0,
    },
    reference_profile: buildReferenceProfile(rows.records, schema.features),
    ...(multivariate.field && { multivariate: multivariate.field }),
  };
  return { card, onnx: input.onnx, notes };
}
