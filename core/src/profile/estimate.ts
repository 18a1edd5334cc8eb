// CBPE from a profile's score bins: every row of a bin stands at the bin's mean score (the profile keeps the
// sum), so the estimate differs from the row-level one only by how scores spread within a bin of width
// 1/bins. Realized values use the bin's labelled rows (positives first), as far as labels have arrived.
import type { CbpeFit, ChunkResult } from '../estimate/cbpe';
import { estimateCbpe } from '../estimate/cbpe';
import { ProfileError, type ScoreProfile } from './profile';

export interface ProfileEstimate extends ChunkResult {
  /** Always false: scores are taken at their bin's mean. */
  readonly exact: false;
  /** Width of a score bin: how far any row's score can be from the one used for it. */
  readonly score_resolution: number;
}

/** Pseudo-rows of a score profile: score, predicted label at `threshold`, target (NaN: not labelled). */
export function scoreProfileRows(
  score: ScoreProfile,
  threshold = 0.5,
): { scores: Float64Array; predictions: Float64Array; targets: Float64Array } {
  const n = score.counts.reduce((a, b) => a + b, 0);
  const scores = new Float64Array(n);
  const predictions = new Float64Array(n);
  const targets = new Float64Array(n).fill(Number.NaN);
  let at = 0;
  score.counts.forEach((count, b) => {
    if (count === 0) return;
    const mean = score.score_sum[b]! / count;
    scores.fill(mean, at, at + count);
    predictions.fill(mean >= threshold ? 1 : 0, at, at + count);
    targets.fill(1, at, at + score.positives[b]!);
    targets.fill(0, at + score.positives[b]!, at + score.labelled[b]!);
    at += count;
  });
  return { scores, predictions, targets };
}

/** The CBPE estimate (and realized values where labelled) of a profile's traffic as one chunk. */
export function estimateFromProfile(
  fit: CbpeFit,
  score: ScoreProfile | null,
  threshold = 0.5,
): ProfileEstimate {
  if (!score) throw new ProfileError('the profile has no scores: estimation needs the model’s scores');
  const rows = scoreProfileRows(score, threshold);
  if (rows.scores.length === 0) throw new ProfileError('the profile has no scored rows');
  const [chunk] = estimateCbpe(fit, rows, (n) => [{ key: 'profile', start_index: 0, end_index: n - 1 }]);
  return { ...chunk!, exact: false, score_resolution: 1 / score.bins };
}
