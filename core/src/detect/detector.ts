// The contract every streaming drift detector in core fills: update one value, say whether it changed, travel as JSON.

/** A detector whose state is a plain JSON object with a version field; `restore(save())` continues exactly. */
export interface DriftDetector<State extends { version: number; method: string }> {
  /** Feeds one value; true when a change is detected at this value. */
  update(x: number): boolean;
  /** Whether the last update detected a change. */
  readonly driftDetected: boolean;
  /** A deep copy of the complete state. */
  save(): State;
}
