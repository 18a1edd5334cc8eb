// Lite kernels Relu and Sigmoid (MLAS's logistic approximation, float32).
import { floats, fround, type KernelBuilder, refuseAttributes } from './kernel';

/** An elementwise float kernel. `loop` is a separate function per operator so V8 inlines each one. */
export function unary(loop: (a: Float32Array, out: Float32Array) => void): KernelBuilder {
  return (ctx) => {
    const { node } = ctx;
    refuseAttributes(node, []);
    const x = ctx.input(0);
    const y = ctx.output(0);
    return (slots) => {
      const v = slots[x]!;
      const a = floats(v, node);
      const out = new Float32Array(a.length);
      loop(a, out);
      slots[y] = { data: out, dims: v.dims };
    };
  };
}

/** max(x, 0); NaN stays NaN. */
export const relu = unary((a, out) => {
  for (let i = 0; i < a.length; i++) out[i] = Math.max(a[i]!, 0);
});

// MlasLogisticConstants (onnxruntime/core/mlas/lib/logistic.cpp; the coefficients come from Eigen).
const L_ALPHA_9 = fround(4.37031012579801e-11);
const L_ALPHA_7 = fround(1.15627324459942e-7);
const L_ALPHA_5 = fround(6.08574864600143e-5);
const L_ALPHA_3 = fround(8.51377133304701e-3);
const L_ALPHA_1 = fround(2.48287947061529e-1);
const L_BETA_10 = fround(6.10247389755681e-13);
const L_BETA_8 = fround(5.76102136993427e-9);
const L_BETA_6 = fround(6.2910678501704e-6);
const L_BETA_4 = fround(1.70198817374094e-3);
const L_BETA_2 = fround(1.16817656904453e-1);
const L_BETA_0 = fround(9.9315192102318e-1);

/**
 * The logistic function as MLAS computes it: x clamped to [-18, 18], then `p(x²)·x / q(x²) + 1/2` with
 * odd/even rational coefficients, every step rounded to float32, the result clamped to [0, 1].
 * Within ~1 ulp of 1/(1+e^-x). Example: `mlasLogistic(0)` → 0.5.
 */
export function mlasLogistic(input: number): number {
  const x = Math.min(18, Math.max(-18, input));
  const x2 = fround(x * x);
  let p = fround(fround(x2 * L_ALPHA_9) + L_ALPHA_7);
  p = fround(fround(p * x2) + L_ALPHA_5);
  p = fround(fround(p * x2) + L_ALPHA_3);
  p = fround(fround(p * x2) + L_ALPHA_1);
  p = fround(p * x);
  let q = fround(fround(x2 * L_BETA_10) + L_BETA_8);
  q = fround(fround(q * x2) + L_BETA_6);
  q = fround(fround(q * x2) + L_BETA_4);
  q = fround(fround(q * x2) + L_BETA_2);
  q = fround(fround(q * x2) + L_BETA_0);
  const r = fround(fround(p / q) + 0.5);
  return Math.min(1, Math.max(0, r));
}

export const sigmoid = unary((a, out) => {
  for (let i = 0; i < a.length; i++) out[i] = mlasLogistic(a[i]!);
});
