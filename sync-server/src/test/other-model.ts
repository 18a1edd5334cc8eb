// A model that is not Telco for the registry tests: trained here on a generated fraud table (other column names,
// names with spaces, a categorical of many values), with its schema inferred from the table.
import { sha256Hex, toCsv } from '@pmm/core/data';
import type { ModelCard } from '@pmm/core/model';
import { type FeatureRecord, inferSchema, type ModelSchema, tableToRows } from '@pmm/core/schema';
import { syntheticTable } from '@pmm/core/simulate';
import { trainArtifact } from '@pmm/core/train';

export interface OtherModel {
  readonly card: ModelCard;
  readonly onnx: Uint8Array;
  readonly schema: ModelSchema;
  /** Valid feature rows of the table (what an edge would log for this model). */
  readonly records: FeatureRecord[];
  readonly labels: Uint8Array;
  /** The table as CSV (its training data). */
  readonly csv: string;
}

let trained: Promise<OtherModel> | undefined;

/** Trains once per test file (a few seconds): 1,200 rows, 25 airports, 3 signals, 8 epochs. */
export function fraudModel(): Promise<OtherModel> {
  trained ??= (async () => {
    const table = syntheticTable({ rows: 1200, seed: 5, airports: 25, signals: 3 });
    const { schema } = inferSchema(table, { target: table.target, positive: table.positive });
    const rows = tableToRows(table, schema);
    const csv = toCsv(table.header, table.rows);
    const artifact = await trainArtifact({
      records: rows.records,
      labels: rows.labels!,
      schema,
      versionPrefix: 'fraud',
      trainingDataSha256: await sha256Hex(csv),
      options: { seed: 1, epochs: 8 },
    });
    return {
      card: artifact.card,
      onnx: artifact.onnx,
      schema: artifact.card.schema ?? schema,
      records: rows.records,
      labels: rows.labels!,
      csv,
    };
  })();
  return trained;
}

/** The same artifact as if `pmm import` had made it (origin: imported), under another version. */
export function asImported(model: OtherModel, version: string): { card: ModelCard; onnx: Uint8Array } {
  return {
    card: { ...model.card, version, origin: { kind: 'imported', file: 'fraud.onnx', producer: 'skl2onnx' } },
    onnx: model.onnx,
  };
}
