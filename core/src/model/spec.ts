// The trained model as plain numbers: what training produces and what the ONNX export and the lite engine consume.

/**
 * Preprocessing fitted on the training split. The encoded vector is laid out as the one-hot blocks of
 * `categorical` (in order, each `categories.length` wide; an unseen or missing category sets no bit),
 * followed by one slot per `numerical` entry: `(isNaN(x) ? impute : x) - offset) * scale`
 * (the ai.onnx.ml Scaler convention).
 */
export interface PreprocessSpec {
  readonly categorical: readonly { readonly name: string; readonly categories: readonly string[] }[];
  readonly numerical: readonly {
    readonly name: string;
    readonly impute: number;
    readonly offset: number;
    readonly scale: number;
  }[];
}

export type Activation = 'relu' | 'sigmoid' | 'linear';

/** A dense layer `y = activation(x · W + b)`; `weights` is row-major `[inputSize][outputSize]`. */
export interface DenseLayer {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly weights: readonly number[];
  readonly bias: readonly number[];
  readonly activation: Activation;
}

/** Preprocessing plus a stack of dense layers whose last layer has one sigmoid output: P(churn). */
export interface ModelSpec {
  readonly preprocess: PreprocessSpec;
  readonly layers: readonly DenseLayer[];
}

/** Width of the encoded feature vector. */
export function encodedWidth(spec: PreprocessSpec): number {
  return spec.categorical.reduce((n, c) => n + c.categories.length, 0) + spec.numerical.length;
}
