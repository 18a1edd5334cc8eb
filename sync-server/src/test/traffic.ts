// Test traffic for drift and retraining: Telco customers through core's simulator, ingested over the API.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCsv, toFeatureRows } from '@pmm/core/data';
import type { FeatureRecord } from '@pmm/core/schema';
import { createTraffic, type DriftMode } from '@pmm/core/simulate';
import type { IngestFeedbackRow, IngestPredictionRow } from '@pmm/core/sync';
import { requireParts, telcoCsvPath } from '@pmm/test-support';
import type { TestServer } from './harness';

export const TELCO_CSV = telcoCsvPath();
export const HAVE_TELCO = requireParts('the sync server tests on Telco traffic', { 'Telco data': TELCO_CSV });

let source: { records: FeatureRecord[]; labels: Uint8Array } | undefined;

export function telcoSource() {
  if (!source) {
    const rows = toFeatureRows(parseCsv(readFileSync(TELCO_CSV, 'utf8'), TELCO_CSV), TELCO_CSV);
    source = { records: rows.records, labels: rows.labels! };
  }
  return source;
}

export interface TrafficOptions {
  readonly nodeId: string;
  readonly modelVersion: string;
  readonly drift: DriftMode;
  readonly total: number;
  readonly seed: number;
  /** created_at of the first row; each next row one second later. */
  readonly start: Date;
  /** Also send each row's true outcome as feedback. */
  readonly feedback?: boolean;
}

/** Ingests `total` simulated predictions (and their feedback) through the ingest routes, in batches. */
export async function ingestTraffic(server: TestServer, options: TrafficOptions): Promise<string[]> {
  const next = createTraffic(telcoSource(), {
    drift: options.drift,
    total: options.total,
    seed: options.seed,
  });
  const predictions: IngestPredictionRow[] = [];
  const feedback: IngestFeedbackRow[] = [];
  for (let i = 0; i < options.total; i++) {
    const row = next(i);
    const createdAt = new Date(options.start.getTime() + i * 1000).toISOString();
    const id = randomUUID();
    predictions.push({
      prediction_id: id,
      created_at: createdAt,
      node_id: options.nodeId,
      model_version: options.modelVersion,
      features: row.features,
      probability: 0.5,
      label: 1,
    });
    feedback.push({ prediction_id: id, outcome: row.outcome, created_at: createdAt });
  }
  const send = async (kind: 'predictions' | 'feedback', batch: unknown[]) => {
    for (let i = 0; i < batch.length; i += 1000) {
      const response = await server.call('POST', `/v1/ingest/${kind}`, {
        json: { node_id: options.nodeId, rows: batch.slice(i, i + 1000) },
      });
      const body = (await response.json()) as { accepted: number; rejected: unknown[] };
      if (response.status !== 200 || body.rejected.length > 0) {
        throw new Error(`ingest ${kind}: ${response.status} ${JSON.stringify(body).slice(0, 500)}`);
      }
    }
  };
  await send('predictions', predictions);
  if (options.feedback) await send('feedback', feedback);
  return predictions.map((p) => p.prediction_id);
}
