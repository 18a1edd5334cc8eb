// An edge with SHIP_FEATURES = "false": its prediction rows arrive without feature values and are stored without
// them (checked with SQL), its profiles carry the distributions, and fleet drift works from those alone.
import { modelSchemaOf } from '@pmm/core/model';
import { ProfileBuilder, profileSpecFromReference } from '@pmm/core/profile';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows as select } from '../db/client';
import {
  addNode,
  artifactVersion,
  predictionRow,
  READ_TOKEN,
  registerBody,
  startTestServer,
  type TestServer,
} from '../test/harness';

const VERSION = 'churn-private-1';
const NODE = 'private-edge';
let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  const artifact = await artifactVersion(VERSION);
  expect((await server.call('POST', '/v1/models', { json: registerBody(artifact) })).status).toBe(201);
  token = await addNode(server, NODE);
});
afterAll(() => server?.close());

describe('an edge that ships no feature values', () => {
  it('stores its predictions without features, drifts from its profiles, and says why a row window cannot', async () => {
    const card = (await artifactVersion(VERSION)).card;
    const spec = profileSpecFromReference(VERSION, card.reference_profile, modelSchemaOf(card).features);
    // What the edge logged: rows drawn from the reference profile; only their ids and scores leave the edge.
    const builder = new ProfileBuilder(spec);
    const sent = [];
    const start = '2026-05-01T10:00:00.000Z';
    for (let i = 0; i < 300; i++) {
      const features: Record<string, string | number | null> = {};
      for (const f of spec.features) {
        const ref = card.reference_profile.columns[f.name]!;
        features[f.name] =
          ref.type === 'numerical'
            ? ref.values[(i * 37) % ref.values.length]!
            : Object.keys(ref.counts)[i % Object.keys(ref.counts).length]!;
      }
      const probability = ((i * 13) % 100) / 100;
      const createdAt = new Date(Date.parse(start) + i * 500).toISOString();
      builder.add(features, probability, null, createdAt);
      sent.push(
        predictionRow(NODE, { model_version: VERSION, features: null, probability, created_at: createdAt }),
      );
    }
    const ingested = await server.call('POST', '/v1/ingest/predictions', {
      json: { node_id: NODE, rows: sent },
      token,
    });
    expect(ingested.status, await ingested.clone().text()).toBe(200);
    expect(await ingested.json()).toMatchObject({ accepted: 300, rejected: [] });
    const chunk = {
      chunk_id: `${VERSION}@${start}`,
      model_version: VERSION,
      start,
      end: '2026-05-01T10:05:00.000Z',
      profile: builder.build(),
    };
    const shipped = await server.call('POST', '/v1/ingest/profiles', {
      json: { node_id: NODE, chunks: [chunk] },
      token,
    });
    expect(await shipped.json()).toMatchObject({ accepted: 1, refused: [] });

    // No feature value reached PostgreSQL: every stored row of the node holds JSON null.
    const stored = await select<{ n: string | number; with_values: string | number }>(
      server.database.db,
      sql`select count(*) as n, count(*) filter (where jsonb_typeof(features) <> 'null') as with_values
          from predictions where node_id = ${NODE}`,
    );
    expect(Number(stored[0]!.n)).toBe(300);
    expect(Number(stored[0]!.with_values)).toBe(0);

    // Fleet drift from the profile: the traffic was drawn from the reference, so nothing drifts.
    const fleet = await server.call(
      'GET',
      `/v1/drift/fleet?model=${VERSION}&from=2026-05-01T00:00:00Z&to=2026-05-02T00:00:00Z`,
      { token: READ_TOKEN },
    );
    expect(fleet.status).toBe(200);
    const body = (await fleet.json()) as { rows: number; drift: { columns: { exact: boolean }[] } };
    expect(body.rows).toBe(300);
    expect(body.drift.columns.length).toBe(spec.features.length);

    // A drift run over rows has no feature values to compare for this node: refused as too small a window.
    const run = await server.call('POST', '/v1/drift/run', {
      json: { model_version: VERSION, node_id: NODE },
    });
    expect(run.status).toBe(422);
    expect(await run.text()).toContain('window_too_small');
  });
});
