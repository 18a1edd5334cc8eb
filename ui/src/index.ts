// @pmm/ui: React components for pmm's analyst app (uPlot charts, the drift table, a progress bar).
export { DistributionChart, type DistributionData } from './distribution-chart';
export { type DriftRow, DriftTable } from './drift-table';
export { ProgressBar } from './progress-bar';
export { type TimeMarker, type TimeSeries, TimeSeriesChart } from './time-series-chart';
export { UPlotChart, type UPlotChartProps } from './uplot-chart';
