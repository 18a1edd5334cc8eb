// The stored sparse form of a profile chunk round-trips to the dense profile, and a foreign chunk is refused.
import { describe, expect, it } from 'vitest';
import { buildReferenceProfile } from '../drift/profile';
import { mergeProfiles, ProfileBuilder, ProfileError } from './profile';
import { fromSparse, toSparse } from './sparse';
import { profileSpecFromReference } from './spec';

const FEATURES = [
  { name: 'plan', kind: 'categorical' as const },
  { name: 'amount', kind: 'numerical' as const },
];
const refRows = Array.from({ length: 200 }, (_, i) => ({ plan: ['a', 'b', 'c'][i % 3]!, amount: i * 1.5 }));
const spec = profileSpecFromReference('m-1', buildReferenceProfile(refRows, FEATURES), FEATURES, {
  maxEdges: 50,
  scoreBins: 100,
});

function chunk(offset: number, n: number) {
  const b = new ProfileBuilder(spec);
  for (let i = 0; i < n; i++)
    b.add(
      { plan: i % 7 === 0 ? 'new' : ['a', 'b'][i % 2]!, amount: i % 11 === 0 ? null : offset + i * 2.25 },
      ((i * 37) % 100) / 100,
      i % 3 === 0 ? ((i % 2) as 0 | 1) : null,
      new Date(Date.UTC(2026, 0, 1, 0, offset + i)).toISOString(),
    );
  return b.build();
}

describe('fromSparse', () => {
  it('gives back the dense profile toSparse was given, so sparse chunks merge as the dense ones', () => {
    const a = chunk(0, 40);
    const b = chunk(100, 25);
    expect(fromSparse(spec, toSparse(a, spec))).toEqual(a);
    expect(fromSparse(spec, toSparse(b, spec))).toEqual(b);
    expect(mergeProfiles([a, b].map((p) => fromSparse(spec, toSparse(p, spec))))).toEqual(
      mergeProfiles([a, b]),
    );
    // a chunk without scores
    const bare = new ProfileBuilder(spec);
    bare.add({ plan: 'a', amount: 3 });
    expect(fromSparse(spec, toSparse(bare.build(), spec))).toEqual(bare.build());
  });

  it('refuses a chunk of another layout, another format or with bins outside the layout', () => {
    const sparse = toSparse(chunk(0, 10), spec);
    expect(() => fromSparse(spec, { ...sparse, layout_hash: '0123456789abcdef' })).toThrow(ProfileError);
    expect(() => fromSparse(spec, { ...sparse, format: 'x' } as never)).toThrow(/pmm-profile-sparse\/1/);
    const amount = sparse.columns['amount']!;
    expect(() =>
      fromSparse(spec, {
        ...sparse,
        columns: { ...sparse.columns, amount: { ...amount, keys: [999] } as never },
      }),
    ).toThrow(/outside the layout/);
  });
});
