// The drift table: one row per column with method, score, threshold and verdict; rows are shown in the given order.
export interface DriftRow {
  readonly column: string;
  readonly type: string;
  readonly method: string;
  readonly score: number | null;
  readonly threshold: number;
  readonly drifted: boolean;
  readonly tested: boolean;
  readonly missingShare?: number;
}

function formatScore(score: number | null): string {
  if (score === null) return '—';
  if (score === 0) return '0';
  const a = Math.abs(score);
  return a < 1e-4 || a >= 1e6 ? score.toExponential(2) : score.toFixed(4);
}

export function DriftTable({
  rows,
  selected,
  onSelect,
}: {
  readonly rows: readonly DriftRow[];
  readonly selected?: string;
  readonly onSelect?: (column: string) => void;
}) {
  return (
    <table className="pmm-drift-table">
      <thead>
        <tr>
          <th>Column</th>
          <th>Type</th>
          <th>Method</th>
          <th className="num">Score</th>
          <th className="num">Threshold</th>
          <th>Verdict</th>
          {rows.some((r) => r.missingShare !== undefined) && <th className="num">Missing</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            key={r.column}
            className={[r.drifted ? 'drifted' : '', selected === r.column ? 'selected' : ''].join(' ').trim()}
            onClick={onSelect ? () => onSelect(r.column) : undefined}
            aria-selected={selected === r.column}
          >
            <td className="name">{r.column}</td>
            <td>{r.type}</td>
            <td>{r.method}</td>
            <td className="num">{formatScore(r.score)}</td>
            <td className="num">{String(Number(r.threshold.toPrecision(4)))}</td>
            <td>
              <span className={`pmm-badge ${!r.tested ? 'untested' : r.drifted ? 'drift' : 'ok'}`}>
                {!r.tested ? 'not tested' : r.drifted ? 'Drift' : 'No drift'}
              </span>
            </td>
            {r.missingShare !== undefined && <td className="num">{(r.missingShare * 100).toFixed(1)}%</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
