// The twister and its Python/numpy draws against CPython and numpy outputs (fixtures/generate.py).

import { describe, expect, it } from 'vitest';
import fixtures from './fixtures/random.json';
import { Mt19937, NumpyRandomState, PythonRandom } from './index';

describe('Mt19937', () => {
  it('gives the reference first output for the default seed 5489', () => {
    expect(new Mt19937().initGenrand(5489).nextUint32()).toBe(3499211612);
  });

  it('continues exactly after save and restore', () => {
    const a = new Mt19937().initGenrand(7);
    for (let i = 0; i < 700; i++) a.nextUint32();
    const b = Mt19937.restore(JSON.parse(JSON.stringify(a.save())));
    for (let i = 0; i < 1000; i++) expect(b.nextUint32()).toBe(a.nextUint32());
  });
});

describe('PythonRandom matches CPython random.Random', () => {
  for (const c of fixtures.python) {
    it(`seed ${c.seed}`, () => {
      const r = new PythonRandom(c.seed);
      expect(Array.from({ length: 5 }, () => r.random())).toEqual(c.random);
      expect([1, 7, 31, 32, 33, 53].map((k) => r.getrandbits(k))).toEqual(c.getrandbits);
      expect([1, 2, 3, 70, 1000, 2 ** 31 + 5].map((n) => r.randbelow(n))).toEqual(c.randbelow);
      const choices = [...r.choices([0, 1], 20), ...r.choices([4, 5, 6, 7], 20)];
      expect(choices).toEqual(c.choices);
      const range = (n: number) => Array.from({ length: n }, (_, i) => i);
      expect(r.sample(range(70), 30)).toEqual(c.sample_small);
      expect(r.sample(range(1000), 10)).toEqual(c.sample_large);
    });
  }

  it('rejects a sample larger than its population', () => {
    expect(() => new PythonRandom(1).sample([1, 2], 3)).toThrow(/larger than population/);
  });
});

describe('NumpyRandomState matches numpy legacy RandomState', () => {
  for (const c of fixtures.numpy) {
    it(`seed ${c.seed}`, () => {
      const rs = new NumpyRandomState(c.seed);
      expect(rs.permutation(10)).toEqual(c.perm10);
      expect(rs.permutation(1000)).toEqual(c.perm1000);
      expect(rs.permutation([5, 9, 11, 2, 7])).toEqual(c.perm_list);
      expect(rs.choiceWithoutReplacement([3, 8, 13], 2)).toEqual(c.choice);
    });
  }

  it('refuses seeds numpy refuses', () => {
    expect(() => new NumpyRandomState(-1)).toThrow(/Seed must be/);
    expect(() => new NumpyRandomState(2 ** 32)).toThrow(/Seed must be/);
  });
});
