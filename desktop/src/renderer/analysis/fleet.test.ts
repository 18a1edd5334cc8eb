// computeFleet on a real trained model's card: the window takes chunks starting in [from, to), the node filter one
// edge, and a chunk it cannot read is left out and counted with its reason, never dropped silently.
import { type ModelCard, modelSchemaOf } from '@pmm/core/model';
import {
  mergeProfiles,
  type Profile,
  ProfileBuilder,
  type ProfileSpec,
  profileDriftReport,
  profileSpecFromReference,
  toSparse,
} from '@pmm/core/profile';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadModel } from '../../../test/real-sync-server';
import { computeFleet, type FleetChunk } from './fleet';

let card: ModelCard;
let spec: ProfileSpec;
const T0 = Date.parse('2026-05-01T00:00:00Z');
const HOUR = 3_600_000;

beforeAll(async () => {
  card = (await loadModel(inject('pmmModels').production)).card;
  spec = profileSpecFromReference(card.version, card.reference_profile, modelSchemaOf(card).features);
});

/** Four chunks an hour apart, alternating between nodes n0 and n1, of 10, 11, 12 and 13 rows. */
function chunks(): { chunk: FleetChunk; profile: Profile }[] {
  return Array.from({ length: 4 }, (_, k) => {
    const b = new ProfileBuilder(spec);
    for (let i = 0; i < 10 + k; i++) {
      const row: Record<string, string | number | null> = {};
      for (const f of spec.features) {
        const ref = card.reference_profile.columns[f.name]!;
        row[f.name] =
          ref.type === 'numerical'
            ? ref.values[(i * 7 + k * 31) % ref.values.length]!
            : Object.keys(ref.counts).sort()[i % 2]!;
      }
      b.add(row, ((i * 13 + k) % 100) / 100);
    }
    const profile = b.build();
    return {
      profile,
      chunk: {
        chunk_id: `n${k % 2}/${k}`,
        node_id: `n${k % 2}`,
        ts: T0 + k * HOUR,
        profile: toSparse(profile, spec),
      },
    };
  });
}

describe('computeFleet', () => {
  it('merges the chunks starting in [from, to) of the chosen node, as core merges them', () => {
    const all = chunks();
    const rows = all.map((c) => c.chunk);
    const whole = computeFleet(card, rows, { version: card.version });
    expect(whole).toMatchObject({ chunks: 4, nodes: 2, rows: 46, allNodes: ['n0', 'n1'], leftOut: 0 });
    expect(whole.estimated?.roc_auc?.estimate).toBeGreaterThan(0);
    expect(
      computeFleet(card, rows, { version: card.version, from: T0 + HOUR, to: T0 + 3 * HOUR }),
    ).toMatchObject({ chunks: 2, rows: 11 + 12, first: T0 + HOUR, last: T0 + 2 * HOUR });
    const node = computeFleet(card, rows, { version: card.version, node: 'n1' });
    expect(node).toMatchObject({ chunks: 2, nodes: 1, rows: 11 + 13, allNodes: ['n0', 'n1'] });
    const want = profileDriftReport(
      card.reference_profile,
      spec,
      mergeProfiles(all.filter((c) => c.chunk.node_id === 'n1').map((c) => c.profile)),
    );
    expect(node.drift?.columns.map((c) => [c.column, c.verdict, c.score_bound])).toEqual(
      want.columns.map((c) => [c.column, c.verdict, c.score_bound]),
    );
  });

  it('leaves out and counts a chunk of another layout, and answers no rows for an empty window', () => {
    const rows = chunks().map((c) => c.chunk);
    const sparse = rows[0]!.profile as ReturnType<typeof toSparse>;
    rows[0] = { ...rows[0]!, profile: { ...sparse, layout_hash: '0123456789abcdef' } };
    const out = computeFleet(card, rows, { version: card.version });
    expect(out).toMatchObject({ chunks: 3, rows: 36, leftOut: 1 });
    expect(out.leftOutReason).toMatch(/^chunk n0\/0: the chunk's layout 0123456789abcdef/);
    expect(computeFleet(card, rows, { version: card.version, from: T0 + 10 * HOUR })).toMatchObject({
      chunks: 0,
      rows: 0,
      drift: null,
      estimated: null,
      estimateNote: 'no rows in the window',
    });
  });
});
