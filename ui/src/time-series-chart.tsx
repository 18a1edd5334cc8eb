// Lines over time (unix seconds on x): drift scores, prediction quantiles, performance per window.
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { UPlotChart } from './uplot-chart';

export interface TimeSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color?: string;
  readonly dash?: readonly number[];
}

const PALETTE = ['#4c72b0', '#dd8452', '#55a868', '#c44e52', '#8172b3', '#937860', '#da8bc3', '#8c8c8c'];

/** A vertical line at one time (e.g. a detector alarm), drawn over the plot. */
export interface TimeMarker {
  /** Unix seconds. */
  readonly x: number;
  readonly color?: string;
}

export interface TimeSeriesChartProps {
  /** Unix seconds, ascending. */
  readonly x: readonly number[];
  readonly series: readonly TimeSeries[];
  readonly yLabel?: string;
  /** Fixed y range, e.g. [0, 1] for probabilities. */
  readonly yRange?: readonly [number, number];
  readonly height?: number;
  readonly title?: string;
  /** Draw points as well as lines (for few buckets). */
  readonly points?: boolean;
  /** Vertical lines at these times (the chart is rebuilt when they change). */
  readonly markers?: readonly TimeMarker[];
}

export function TimeSeriesChart({
  x,
  series,
  yLabel,
  yRange,
  height,
  title,
  points,
  markers,
}: TimeSeriesChartProps) {
  const markerKey = markers?.map((m) => `${m.x}:${m.color ?? ''}`).join(',') ?? '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: rebuilt when the chart's shape changes; values go through setData.
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      title,
      // Labels only: live values read "--" until the pointer is over the chart.
      legend: { live: false },
      scales: {
        x: { time: true },
        y: yRange ? { range: [yRange[0], yRange[1]] } : { auto: true },
      },
      axes: [{}, { label: yLabel, size: 60 }],
      ...(markers && markers.length > 0
        ? {
            hooks: {
              draw: [
                (u: uPlot) => {
                  const ctx = u.ctx;
                  ctx.save();
                  ctx.lineWidth = 1.5 * devicePixelRatio;
                  ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
                  for (const m of markers) {
                    const cx = u.valToPos(m.x, 'x', true);
                    if (!(cx >= u.bbox.left && cx <= u.bbox.left + u.bbox.width)) continue;
                    ctx.strokeStyle = m.color ?? '#c44e52';
                    ctx.beginPath();
                    ctx.moveTo(cx, u.bbox.top);
                    ctx.lineTo(cx, u.bbox.top + u.bbox.height);
                    ctx.stroke();
                  }
                  ctx.restore();
                },
              ],
            },
          }
        : {}),
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: s.color ?? PALETTE[i % PALETTE.length],
          width: 2,
          dash: s.dash ? [...s.dash] : undefined,
          spanGaps: false,
          points: { show: points ?? x.length <= 60 },
        })),
      ],
    }),
    // The chart is rebuilt when its shape changes, not when values do.
    [
      title,
      yLabel,
      yRange?.[0],
      yRange?.[1],
      series.map((s) => s.label).join('\u0000'),
      points,
      x.length <= 60,
      markerKey,
    ],
  );
  const data = useMemo(
    () => [Array.from(x), ...series.map((s) => Array.from(s.values))] as uPlot.AlignedData,
    [x, series],
  );
  return <UPlotChart options={options} data={data} height={height ?? 220} title={title} />;
}
