// Online/offline, how fresh the local copy is, and the first sync's progress.
import { ProgressBar } from '@pmm/ui';
import { ago, useLiveQuery, useNow } from '../hooks';
import { useServices } from '../services';
import { SYNCED_TABLES } from '../store/db';

export function SyncIndicator({ configured }: { readonly configured: boolean }) {
  const { db, sync } = useServices();
  const now = useNow();
  const states = useLiveQuery(() => db.sync_state.toArray(), [db], []);
  const pending = useLiveQuery(
    () => db.outbox.where('status').anyOf('pending', 'sending', 'conflict').count(),
    [db],
    0,
  );
  // The local copy is as fresh as its stalest table; "never" until every table has caught up once.
  const caughtUp = SYNCED_TABLES.map((t) => states.find((s) => s.table === t)?.up_to_date_at ?? null);
  const freshest = caughtUp.every((t) => t !== null) ? Math.min(...(caughtUp as number[])) : null;
  const predictions = states.find((s) => s.table === 'predictions');
  const tables = sync ? Object.values(sync.tables) : [];
  const catchingUp = tables.filter((t) => !t.upToDate);
  const rows = catchingUp.reduce((n, t) => n + t.rows, 0);
  const total = catchingUp.every((t) => t.total !== null)
    ? catchingUp.reduce((n, t) => n + (t.total ?? 0), 0)
    : null;
  const online = sync?.online ?? false;
  const label = !configured ? 'local only' : online ? 'online' : 'offline';
  return (
    <div className="sync" data-testid="sync-indicator" data-online={online}>
      <span className={`dot ${!configured ? 'none' : online ? 'on' : 'off'}`} />
      <span className="state">{label}</span>
      <span className="fresh" title="When the local copy last caught up with the server">
        {(predictions?.rows ?? 0).toLocaleString('en-US')} predictions · synced {ago(freshest, now)}
      </span>
      {configured && sync?.running && catchingUp.length > 0 && (
        <div className="sync-progress">
          <ProgressBar
            value={total ? rows / total : undefined}
            label={`${freshest === null ? 'first sync' : 'catching up'}: ${rows.toLocaleString('en-US')}${total ? ` / ${total.toLocaleString('en-US')}` : ''} rows`}
          />
        </div>
      )}
      {pending > 0 && <span className="outbox-badge">{pending} queued</span>}
      {sync?.error && <span className="error-text">{sync.error}</span>}
    </div>
  );
}
