// Lite kernel ai.onnx.ml LinearClassifier: scores X·Wᵀ + b, a post transform, and the argmax label.
import { OnnxModelError, UnsupportedOperatorError } from '../errors';
import { attr, floats, fround, type KernelBuilder, refuseAttributes } from './kernel';

const logistic = (v: number) => fround(1 / (1 + Math.exp(-v)));

/**
 * LinearClassifier as ONNX Runtime computes it (onnxruntime/core/providers/cpu/ml/linearclassifier.cc):
 * `s = X·coefficientsᵀ + intercepts` per class in float32; post_transform NONE or LOGISTIC (1/(1+e^-s)),
 * SOFTMAX (per row); with one coefficient row and two class labels, the binary form adds the other class
 * first: NONE → [-s, s], LOGISTIC → [1 - σ(s), σ(s)]. Outputs: Y the labels `[N]` (the class whose score is
 * largest; binary: the second when s > 0), Z the scores `[N, C]`. Example: coefficients [1, 1], intercepts
 * [0], classlabels_ints [0, 1], LOGISTIC, x = [0, 0] → Z = [[0.5, 0.5]], Y = [0].
 */
export const linearClassifier: KernelBuilder = (ctx) => {
  const { node } = ctx;
  refuseAttributes(node, [
    'coefficients',
    'intercepts',
    'classlabels_ints',
    'classlabels_strings',
    'multi_class',
    'post_transform',
  ]);
  const coefficients = Float32Array.from(attr(node, 'coefficients', 'floats') ?? []);
  const intercepts = Float32Array.from(attr(node, 'intercepts', 'floats') ?? []);
  const labelsInt = attr(node, 'classlabels_ints', 'ints');
  const labelsStr = attr(node, 'classlabels_strings', 'strings');
  const labels: readonly (number | string)[] = labelsStr?.length ? labelsStr : (labelsInt ?? []);
  const post = attr(node, 'post_transform', 'string') ?? 'NONE';
  if (!['NONE', 'LOGISTIC', 'SOFTMAX'].includes(post))
    throw new UnsupportedOperatorError(
      'ai.onnx.ml::LinearClassifier',
      `lite engine: LinearClassifier "${node.name}" post_transform ${post} is not implemented`,
    );
  const targets = intercepts.length;
  if (targets === 0 || coefficients.length % targets !== 0)
    throw new OnnxModelError(
      `LinearClassifier "${node.name}": ${coefficients.length} coefficients for ${targets} intercepts`,
    );
  const features = coefficients.length / targets;
  const binary = targets === 1 && labels.length === 2;
  const classes = binary ? 2 : targets;
  if (labels.length !== classes)
    throw new OnnxModelError(
      `LinearClassifier "${node.name}": ${labels.length} class labels for ${classes} classes`,
    );
  const x = ctx.input(0);
  const yLabel = node.outputs[0] ? ctx.output(0) : -1;
  const yScores = node.outputs[1] ? ctx.output(1) : -1;
  return (slots) => {
    const v = slots[x]!;
    const a = floats(v, node);
    const n = v.dims.length <= 1 ? 1 : v.dims[0]!;
    if (a.length !== n * features)
      throw new OnnxModelError(
        `LinearClassifier "${node.name}": input [${v.dims}] has not ${features} features per row`,
      );
    const z = new Float32Array(n * classes);
    const chosen: (number | string)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const row = z.subarray(i * classes, (i + 1) * classes);
      for (let c = 0; c < targets; c++) {
        let s = 0;
        for (let f = 0; f < features; f++)
          s = fround(s + fround(a[i * features + f]! * coefficients[c * features + f]!));
        const score = fround(s + intercepts[c]!);
        if (binary) {
          row[0] = post === 'LOGISTIC' ? fround(1 - logistic(score)) : -score;
          row[1] = post === 'LOGISTIC' ? logistic(score) : score;
          chosen[i] = labels[score > 0 ? 1 : 0]!;
        } else row[c] = score;
      }
      if (binary) continue;
      if (post === 'LOGISTIC') for (let c = 0; c < classes; c++) row[c] = logistic(row[c]!);
      else if (post === 'SOFTMAX') {
        let max = Number.NEGATIVE_INFINITY;
        for (const s of row) max = Math.max(max, s);
        let sum = 0;
        for (let c = 0; c < classes; c++) {
          row[c] = fround(Math.exp(row[c]! - max));
          sum += row[c]!;
        }
        for (let c = 0; c < classes; c++) row[c] = fround(row[c]! / sum);
      }
      let best = 0;
      for (let c = 1; c < classes; c++) if (row[c]! > row[best]!) best = c;
      chosen[i] = labels[best]!;
    }
    if (yScores >= 0) slots[yScores] = { data: z, dims: [n, classes] };
    if (yLabel >= 0)
      slots[yLabel] = {
        data: typeof labels[0] === 'string' ? (chosen as string[]) : Float32Array.from(chosen as number[]),
        dims: [n],
      };
  };
};
