// The detectors against River 0.26's documented detections and its ADWIN regression tests (fixtures/generate.py).

import { describe, expect, it } from 'vitest';
import fixtures from './fixtures/streams.json';
import { Adwin, createDetector, detectAll, Kswin, PageHinkley, restoreDetector } from './index';

const doctest = fixtures.doctest;

describe("River's doctest stream", () => {
  it('ADWIN detects at 1023', () => {
    expect(detectAll(new Adwin(), doctest.stream)).toEqual(doctest.expected.adwin);
  });
  it('Page-Hinkley detects at 1006', () => {
    expect(detectAll(new PageHinkley(), doctest.stream)).toEqual(doctest.expected['page-hinkley']);
  });
  it('KSWIN(alpha=0.0001, seed=42) detects at 1016', () => {
    expect(detectAll(new Kswin({ alpha: 0.0001, seed: 42 }), doctest.stream)).toEqual(doctest.expected.kswin);
  });
});

describe("River's ADWIN regression tests", () => {
  it('basic drift at 1023 (numpy stream)', () => {
    expect(detectAll(new Adwin(), fixtures.regression_basic.stream)).toEqual(
      fixtures.regression_basic.expected_adwin,
    );
  });
  it('multiple drifts at [1023, 2015, 3007]', () => {
    expect(detectAll(new Adwin(), fixtures.regression_multiple.stream)).toEqual(
      fixtures.regression_multiple.expected_adwin,
    );
  });
  it('no drift on a constant stream', () => {
    const a = new Adwin();
    for (let i = 0; i < 5000; i++) expect(a.update(1)).toBe(false);
  });
  it('at most two detections on a stable Gaussian stream', () => {
    const a = new Adwin();
    for (const v of fixtures.regression_stable_gauss) a.update(v);
    expect(a.nDetections).toBeLessThanOrEqual(2);
  });
  it('a large shift is detected', () => {
    const a = new Adwin({ delta: 0.01 });
    for (let i = 0; i < 200; i++) a.update(0);
    let hit = false;
    for (let i = 0; i < 200 && !hit; i++) hit = a.update(100);
    expect(hit).toBe(true);
  });
  it('width, total and estimation', () => {
    const a = new Adwin();
    for (let i = 1; i <= 100; i++) {
      a.update(1);
      expect(a.width).toBe(i);
    }
    const b = new Adwin();
    for (const v of [1, 2, 3, 4, 5]) b.update(v);
    expect(b.total).toBeCloseTo(15, 12);
    expect(b.estimation).toBeCloseTo(3, 12);
    expect(new Adwin().estimation).toBe(0);
  });
  it('variance is the sum of squared deviations', () => {
    const a = new Adwin();
    for (const v of fixtures.regression_variance.stream) a.update(v);
    expect(Math.abs(a.variance / fixtures.regression_variance.variance - 1)).toBeLessThan(1e-6);
  });
  it('estimation follows the new level after a drift', () => {
    const a = new Adwin();
    for (let i = 0; i < 1000; i++) a.update(0);
    for (let i = 0; i < 1000; i++) a.update(10);
    expect(a.estimation).toBeGreaterThan(5);
  });
  it('smaller delta detects no more than a larger one', () => {
    const count = (delta: number) => detectAll(new Adwin({ delta }), fixtures.regression_deltas).length;
    expect(count(0.2)).toBeGreaterThanOrEqual(count(0.001));
  });
  it('max_buckets variations keep a window', () => {
    for (const mb of [2, 5, 10, 20]) {
      const a = new Adwin({ max_buckets: mb });
      for (const v of fixtures.regression_uniform) a.update(v);
      expect(a.width).toBeGreaterThan(0);
    }
  });
  it('min_window_length=1, clock=1 detects the change', () => {
    expect(
      detectAll(new Adwin({ min_window_length: 1, clock: 1 }), fixtures.regression_min_window).length,
    ).toBeGreaterThan(0);
  });
  it('no detection within the grace period', () => {
    const a = new Adwin({ grace_period: 100, clock: 1 });
    for (let i = 0; i < 50; i++) a.update(0);
    for (let i = 0; i < 50; i++) a.update(1000);
    expect(a.nDetections).toBe(0);
  });
  it('exact statistics for a deterministic sequence (clock never reached)', () => {
    const a = new Adwin({ clock: 1000000 });
    const values = Array.from({ length: 200 }, (_, i) => i % 7);
    for (const v of values) a.update(v);
    const sum = values.reduce((x, y) => x + y, 0);
    const ss = values.reduce((x, v) => x + (v - sum / 200) ** 2, 0);
    expect(a.width).toBe(200);
    expect(a.total).toBe(sum);
    expect(Math.abs(a.variance / ss - 1)).toBeLessThan(1e-12);
  });

  it('alternating values do not cause drift', () => {
    const a = new Adwin();
    for (let i = 0; i < 2000; i++) a.update(i % 2);
    expect(a.nDetections).toBeLessThanOrEqual(1);
  });
  it('resets on the update after a detection', () => {
    const a = new Adwin({ clock: 1 });
    for (let i = 0; i < 500; i++) a.update(0);
    let hit = false;
    for (let i = 0; i < 500 && !hit; i++) hit = a.update(100);
    expect(hit).toBe(true);
    a.update(50);
    expect(a.width).toBe(1);
  });
});

describe('save and restore', () => {
  const makers = {
    adwin: () => new Adwin(),
    'page-hinkley': () => new PageHinkley(),
    kswin: () => new Kswin({ alpha: 0.0001, seed: 42 }),
  };
  for (const [name, make] of Object.entries(makers)) {
    it(`${name} continues exactly from a JSON round trip at every cut`, () => {
      const stream = fixtures.regression_multiple.stream;
      const whole = detectAll(make(), stream);
      for (const cut of [5, 1000, 1010, 2017]) {
        const d = make();
        const first = detectAll(d, stream.slice(0, cut));
        const resumed = restoreDetector(JSON.parse(JSON.stringify(d.save())));
        const rest = detectAll(resumed, stream.slice(cut)).map((i) => i + cut);
        expect([...first, ...rest]).toEqual(whole);
      }
      expect(whole.length).toBeGreaterThan(0);
    });
  }

  it('rejects states of another version', () => {
    const s = new Adwin().save();
    expect(() => restoreDetector({ ...s, version: 2 } as never)).toThrow(/version 1/);
  });
});

describe('parameters and input', () => {
  it('Page-Hinkley modes watch one direction', () => {
    const down = [...Array(100).fill(10), ...Array(200).fill(0)];
    expect(detectAll(new PageHinkley({ mode: 'up' }), down)).toEqual([]);
    expect(detectAll(new PageHinkley({ mode: 'down' }), down).length).toBeGreaterThan(0);
    expect(() => new PageHinkley({ mode: 'sideways' as never })).toThrow(/mode/);
  });
  it('KSWIN rejects stat_size above window_size', () => {
    expect(() => new Kswin({ window_size: 10, stat_size: 30 })).toThrow(/stat_size/);
  });
  it('detectors refuse NaN', () => {
    expect(() => new Adwin().update(Number.NaN)).toThrow(/finite/);
  });
});

interface ReferenceRun {
  method: 'adwin' | 'page-hinkley' | 'kswin';
  stream: 'doctest' | 'multiple' | 'deltas' | 'min_window';
  params: Record<string, number | string>;
  detections: number[];
  final?: { width: number; total: number; variance: number };
  p_values?: number[];
}

describe('reference runs (River code transliterated; KSWIN on CPython random and scipy ks_2samp)', () => {
  const streams: Record<ReferenceRun['stream'], number[]> = {
    doctest: doctest.stream,
    multiple: fixtures.regression_multiple.stream,
    deltas: fixtures.regression_deltas,
    min_window: fixtures.regression_min_window,
  };
  for (const run of (fixtures as unknown as { reference_runs: ReferenceRun[] }).reference_runs) {
    it(`${run.method} ${JSON.stringify(run.params)} on ${run.stream}`, () => {
      const d = createDetector(run.method, run.params);
      const stream = streams[run.stream];
      const pValues: number[] = [];
      const hits: number[] = [];
      for (let i = 0; i < stream.length; i++) {
        if (d.update(stream[i]!)) hits.push(i);
        // a KS test ran on this update iff it detected or the window is (still) full
        if (d instanceof Kswin && pValues.length < (run.p_values?.length ?? 0))
          if (d.driftDetected || d.save().window.length >= d.params.window_size) pValues.push(d.pValue);
      }
      expect(hits).toEqual(run.detections);
      if (run.final && d instanceof Adwin) {
        expect(d.width).toBe(run.final.width);
        expect(Math.abs(d.total - run.final.total)).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(run.final.total)),
        );
        expect(Math.abs(d.variance - run.final.variance)).toBeLessThanOrEqual(
          1e-9 * Math.max(1, run.final.variance),
        );
      }
      if (run.p_values) {
        expect(pValues.length).toBe(run.p_values.length);
        for (const [k, p] of run.p_values.entries())
          expect(Math.abs(pValues[k]! - p), `p-value ${k}`).toBeLessThanOrEqual(1e-9);
      }
    });
  }
});
