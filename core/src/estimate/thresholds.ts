// NannyML 0.13's default alert thresholds (nannyml/thresholds.py StandardDeviationThreshold(3, 3) with
// calculate_threshold_values): mean ± 3·std (ddof 0) of the realized metric over the reference chunks, each
// replaced by the metric's limit when it falls outside it. NaNs propagate as in numpy. Code and docs disagree:
// the StandardDeviationThreshold docstring example builds a ConstantThreshold yet prints this class's values for
// range(10) — the printed values are the ones reproduced here.

/**
 * `standardDeviationThresholds([0..9])` → [-4.116843969807043, 13.116843969807043] (NannyML's docstring example).
 */
export function standardDeviationThresholds(
  values: ArrayLike<number>,
  multiplier = 3,
  limits: [number | null, number | null] = [null, null],
): [number, number] {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i]!;
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const std = Math.sqrt(ss / n);
  let lower = mean - std * multiplier;
  let upper = mean + std * multiplier;
  if (limits[0] !== null && lower < limits[0]) lower = limits[0];
  if (limits[1] !== null && upper > limits[1]) upper = limits[1];
  return [lower, upper];
}
