// A thin React wrapper around uPlot: creates the chart once per options object, feeds data, follows the width.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface UPlotChartProps {
  /** uPlot options without width/height (the wrapper sizes the chart to its container). */
  readonly options: Omit<uPlot.Options, 'width' | 'height'>;
  readonly data: uPlot.AlignedData;
  readonly height?: number;
  readonly className?: string;
  /** Accessible name of the chart. */
  readonly title?: string;
}

export function UPlotChart({ options, data, height = 240, className, title }: UPlotChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const width = Math.max(200, el.clientWidth || 600);
    const plot = new uPlot({ ...options, width, height }, latest.current, el);
    chart.current = plot;
    const observer = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== plot.width) plot.setSize({ width: w, height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return <div ref={host} className={className ?? 'pmm-chart'} role="img" aria-label={title} />;
}
