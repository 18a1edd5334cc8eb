// NannyML 0.13's default alert thresholds (nannyml/thresholds.py StandardDeviationThreshold(3, 3) with
// calculate_threshold_values): np.nanmean ± 3·np.nanstd (ddof 0) of the realized metric over the reference chunks
// — chunks where the metric is undefined are left out (since NannyML 0.10, #333) — each replaced by the metric's
// limit when it reaches it. With no defined value at all both thresholds are NaN. Code and docs disagree:
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
  let n = 0;
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) continue;
    s += values[i]!;
    n++;
  }
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) ss += (values[i]! - mean) ** 2;
  const std = Math.sqrt(ss / n);
  let lower = mean - std * multiplier;
  let upper = mean + std * multiplier;
  if (limits[0] !== null && lower <= limits[0]) lower = limits[0];
  if (limits[1] !== null && upper >= limits[1]) upper = limits[1];
  return [lower, upper];
}
