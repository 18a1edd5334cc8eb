// A progress bar: determinate with a value in [0, 1], an animated stripe when the total is unknown.
export function ProgressBar({ value, label }: { readonly value?: number; readonly label?: string }) {
  const known = value !== undefined && Number.isFinite(value);
  const pct = known ? Math.round(Math.min(1, Math.max(0, value)) * 1000) / 10 : undefined;
  return (
    <div
      className={`pmm-progress${known ? '' : ' indeterminate'}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-label={label}
    >
      <div className="bar" style={known ? { width: `${pct}%` } : undefined} />
      {label && <span className="text">{label}</span>}
    </div>
  );
}
