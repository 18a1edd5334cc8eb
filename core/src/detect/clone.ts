// Deep copy of a detector's JSON state (core has no structuredClone in its ES2022 lib).

export function cloneState<T>(state: T): T {
  return JSON.parse(JSON.stringify(state)) as T;
}

/** Detectors take finite numbers only: a NaN would silently poison every later statistic. */
export function requireFinite(x: number): void {
  if (!Number.isFinite(x)) throw new RangeError(`a detector needs finite numbers, got ${x}`);
}
