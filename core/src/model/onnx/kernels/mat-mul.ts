// Lite kernel MatMul [..., K] x [K, N], accumulated in float32 as MLAS's wasm SGEMM.
import { OnnxModelError, UnsupportedOperatorError } from '../errors';
import { floats, fround, type KernelBuilder, refuseAttributes } from './kernel';

/**
 * MatMul `[..., K] · [K, N]`. Each output is `sum_k a[k]·b[k][j]` accumulated in order k = 0..K-1 in
 * float32, product rounded then sum rounded (MLAS's wasm SGEMM). Zero entries of `a` are skipped when `b`
 * is a finite constant: `0·b` is then exactly zero and adding it changes nothing, so results are identical.
 */
export const matMul: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, []);
  const x = ctx.input(0);
  const w = ctx.input(1);
  const constant = ctx.constant(1);
  const skipZeros = constant?.data instanceof Float32Array && constant.data.every(Number.isFinite);
  const y = ctx.output(0);
  return (slots) => {
    const av = slots[x]!;
    const bv = slots[w]!;
    const a = floats(av, node, 'A');
    const b = floats(bv, node, 'B');
    if (bv.dims.length !== 2 || av.dims.length < 1)
      throw new UnsupportedOperatorError(
        'MatMul',
        `lite engine: MatMul "${node.name}" supports [..., K] x [K, N] only, got [${av.dims}] x [${bv.dims}]`,
      );
    const k = bv.dims[0]!;
    const n = bv.dims[1]!;
    if (av.dims[av.dims.length - 1] !== k)
      throw new OnnxModelError(`MatMul "${node.name}": shapes [${av.dims}] and [${bv.dims}] do not match`);
    const m = k === 0 ? 0 : a.length / k;
    const out = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      const row = i * n;
      const ai = i * k;
      for (let kk = 0; kk < k; kk++) {
        const s = a[ai + kk]!;
        if (skipZeros && s === 0) continue;
        const bk = kk * n;
        for (let j = 0; j < n; j++) out[row + j] = out[row + j]! + fround(s * b[bk + j]!);
      }
    }
    slots[y] = { data: out, dims: [...av.dims.slice(0, -1), n] };
  };
};
