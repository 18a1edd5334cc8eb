// Reference and current distributions of one column overlaid as translucent bars (histogram or categories).
import { useMemo } from 'react';
import uPlot from 'uplot';
import { UPlotChart } from './uplot-chart';

/** A column's distribution as shares (the shape of a drift report's `distribution`). */
export type DistributionData =
  | {
      readonly kind: 'histogram';
      readonly edges: readonly number[];
      readonly reference: readonly number[];
      readonly current: readonly number[];
    }
  | {
      readonly kind: 'values';
      readonly labels: readonly string[];
      readonly reference: readonly number[];
      readonly current: readonly number[];
    };

const REFERENCE = '#4c72b0';
const CURRENT = '#dd8452';

function compact(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(1);
  return String(Number(x.toPrecision(4)));
}

export function DistributionChart({
  distribution,
  title,
  height = 240,
}: {
  readonly distribution: DistributionData;
  readonly title?: string;
  readonly height?: number;
}) {
  const labels = useMemo(() => {
    if (distribution.kind === 'values') return [...distribution.labels];
    const e = distribution.edges;
    return distribution.reference.map((_, i) => `${compact(e[i]!)}–${compact(e[i + 1]!)}`);
  }, [distribution]);

  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    // Histograms overlay translucent bars (bins are shared ranges); categories get paired bars side by side.
    const paired = distribution.kind === 'values';
    const bars = uPlot.paths.bars!(
      paired ? { size: [0.4, 48], align: -1 } : { size: [0.92, Infinity], align: 0 },
    );
    const barsCurrent = uPlot.paths.bars!(
      paired ? { size: [0.4, 48], align: 1 } : { size: [0.92, Infinity], align: 0 },
    );
    return {
      title,
      legend: { show: true, live: false },
      cursor: { points: { show: false } },
      scales: {
        x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
        y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, 0.01)] },
      },
      axes: [
        {
          values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? (labels[v] ?? '') : '')),
          rotate: labels.length > 6 ? -30 : 0,
          size: labels.length > 6 ? 80 : 40,
          gap: 4,
        },
        { values: (_u, splits) => splits.map((v) => `${Math.round(v * 1000) / 10}%`), size: 56 },
      ],
      series: [
        { label: 'bin', value: (_u, v) => (v === null ? '—' : (labels[v] ?? '')) },
        {
          label: 'reference',
          stroke: REFERENCE,
          fill: `${REFERENCE}88`,
          paths: bars,
          points: { show: false },
          value: (_u, v) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`),
        },
        {
          label: 'current',
          stroke: CURRENT,
          fill: `${CURRENT}88`,
          paths: barsCurrent,
          points: { show: false },
          value: (_u, v) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`),
        },
      ],
    };
  }, [labels, title, distribution.kind]);

  const data = useMemo(
    () =>
      [labels.map((_, i) => i), [...distribution.reference], [...distribution.current]] as uPlot.AlignedData,
    [labels, distribution],
  );
  return <UPlotChart options={options} data={data} height={height} title={title} />;
}
