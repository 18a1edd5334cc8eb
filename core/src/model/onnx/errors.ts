// Typed errors of the ONNX artifact path: a bad artifact, an operator the lite engine lacks, a bad ModelSpec.

/** The bytes are not a usable ONNX model (truncated, garbage, or structurally invalid). */
export class OnnxModelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OnnxModelError';
  }
}

/** The graph uses an operator (or an operator variant) the lite engine does not implement. */
export class UnsupportedOperatorError extends OnnxModelError {
  /** `domain::OpType`, or just `OpType` for the default ONNX domain. */
  readonly op: string;
  constructor(op: string, detail: string) {
    super(detail);
    this.name = 'UnsupportedOperatorError';
    this.op = op;
  }
}

/** A ModelSpec that cannot be exported (inconsistent layer sizes, missing categories, ...). */
export class ModelSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelSpecError';
  }
}
