// A slice of the prediction log, as views, the analysis worker and the store's readers describe it (no imports, so
// every side can use it without an import circle).

/** A slice of the prediction log: model version, edge node, time range (epoch ms) and/or the last N. */
export interface WindowSpec {
  readonly modelVersion?: string;
  readonly nodeId?: string;
  readonly from?: number;
  readonly to?: number;
  readonly lastN?: number;
}
