// core's WebAssembly drift kernels inside workerd, the .wasm imported as a module (wrangler's CompiledWasm rule, as
// the ORT build imports its own): the same reports as the TypeScript kernels on a generated table, kernel for kernel.

import { type DriftReport, driftReport, driftTablesFromRecords } from '@pmm/core/drift';
import { useWasmDriftKernels, wasmDriftKernels } from '@pmm/core/drift-kernels';
import { driftKernelsReady } from '@pmm/core/drift-kernels/workers';
import { afterAll, describe, expect, it } from 'vitest';
import kernelsModule from '../../core/wasm/build/drift-kernels.wasm';

/** Seeded: a numerical column per method's regime (large and small samples), categorical columns, missing cells. */
function generatedTable(rows: number, shift: number, seed: number) {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return Array.from({ length: rows }, () => ({
    'Amount USD': u() < 0.02 ? null : Math.exp(3 + normal() + shift),
    'Account Age Days': Math.floor(u() * 3000 * (1 + shift)),
    Score: Math.round((normal() + shift) * 1000) / 1000,
    'Card Type':
      ['Visa', 'Mastercard', 'Amex', 'Prepaid'][Math.floor(u() * u() * (4 + 4 * shift))] ?? 'Other',
    Channel: u() < 0.5 + shift / 4 ? 'web' : 'app',
    Flag: u() < 0.3 ? 1 : 0,
  }));
}

function reports(): DriftReport[] {
  return [
    [3000, 0.3],
    [800, 0.05],
    [200, 0],
  ].map(([rows, shift]) => {
    const tables = driftTablesFromRecords(generatedTable(rows!, 0, 1), generatedTable(rows!, shift!, 2), {
      names: { reference: 'reference', current: 'current' },
    });
    return driftReport(tables.reference, tables.current, {});
  });
}

afterAll(() => useWasmDriftKernels(null));

describe('WebAssembly drift kernels in workerd', () => {
  it('arrive as a compiled module and are in use once ready', async () => {
    expect(kernelsModule).toBeInstanceOf(WebAssembly.Module);
    expect(WebAssembly.Module.exports(kernelsModule).map((e) => e.name)).toEqual(
      expect.arrayContaining(['memory', 'sortF64', 'ksStatisticSorted', 'histogramCounts', 'countCodes']),
    );
    await driftKernelsReady;
    expect(wasmDriftKernels()).not.toBeNull();
  });

  it('give the TypeScript kernels their reports on a generated table, number for number', async () => {
    await driftKernelsReady;
    const kernels = wasmDriftKernels()!;
    useWasmDriftKernels(null);
    const viaTypeScript = reports();
    useWasmDriftKernels(kernels);
    const viaWasm = reports();
    expect(viaWasm).toEqual(viaTypeScript);
    // the table is not trivial: KS, Wasserstein and categorical tests all ran, and some column drifted
    const methods = new Set(viaWasm.flatMap((r) => r.columns.map((c) => c.method)));
    expect(methods.size).toBeGreaterThanOrEqual(3);
    expect(viaWasm[0]!.number_of_drifted_columns).toBeGreaterThan(0);
  });

  it('sort and count as the TypeScript code does', async () => {
    await driftKernelsReady;
    const kernels = wasmDriftKernels()!;
    const values = Float64Array.from(generatedTable(5000, 0, 3), (r) => r['Amount USD'] ?? 0);
    const sorted = Float64Array.from(values).sort();
    expect(Array.from(kernels.sortFloat64(values))).toEqual(Array.from(sorted));
    // counts[0] holds the missing (-1) cells; codes outside the dictionary are flagged
    const { counts, outside } = kernels.countCodes(new Int32Array([-1, 0, 2, 2, 1, 7]), 3);
    expect(Array.from(counts)).toEqual([1, 1, 1, 2]);
    expect(outside).toBe(1);
  });
});
