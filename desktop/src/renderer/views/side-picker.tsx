// Chooses one side of a comparison: a model's reference profile, a window of the local log, or an imported CSV.
import { useEffect, useRef, useState } from 'react';
import type { SideSpec } from '../analysis/protocol';
import { useLiveQuery } from '../hooks';
import { platform, readPicked } from '../platform';
import { useServices } from '../services';
import type { PmmDb } from '../store/db';
import { DEFAULT_MODEL_NAME, historyOfName, versionsOfName } from '../store/model-names';
import { currentAliases, logFacets } from '../store/queries';
import type { WindowSpec } from '../store/window-spec';

type Mode = SideSpec['kind'];

const toLocal = (t?: number) =>
  t === undefined ? '' : new Date(t - new Date(t).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const fromLocal = (s: string) => (s === '' ? undefined : new Date(s).getTime());

/** Aliases shown first, in this order; other aliases after them, then versions without one. */
const ALIAS_ORDER = ['production', 'challenger'];

export interface VersionChoice {
  readonly version: string;
  readonly aliases: readonly string[];
}

/**
 * The versions of model `name` for a picker: production first, then the challenger, other aliased versions, the rest
 * newest first.
 */
export async function versionChoices(db: PmmDb, name: string): Promise<VersionChoice[]> {
  const [models, history] = await Promise.all([
    db.models.orderBy('ts').reverse().toArray(),
    db.alias_history.toArray(),
  ]);
  const mine = versionsOfName(models, name);
  const versions = models.map((m) => m.version).filter((v) => mine.has(v));
  const byVersion = new Map<string, string[]>();
  for (const [alias, row] of currentAliases(historyOfName(history, models, name))) {
    if (row.to_version) byVersion.set(row.to_version, [...(byVersion.get(row.to_version) ?? []), alias]);
  }
  const rank = (aliases: readonly string[]) => {
    const ranks = aliases.map((a) => (ALIAS_ORDER.includes(a) ? ALIAS_ORDER.indexOf(a) : ALIAS_ORDER.length));
    return aliases.length ? Math.min(...ranks) : ALIAS_ORDER.length + 1;
  };
  const choices = versions.map((version, i) => ({
    version,
    aliases: (byVersion.get(version) ?? []).sort(),
    i,
  }));
  choices.sort((a, b) => rank(a.aliases) - rank(b.aliases) || a.i - b.i);
  return choices.map(({ version, aliases }) => ({ version, aliases }));
}

export function WindowEditor({
  value,
  onChange,
}: {
  readonly value: WindowSpec;
  readonly onChange: (w: WindowSpec) => void;
}) {
  const { db, modelName } = useServices();
  const facets = useLiveQuery(
    async () => {
      const [all, models] = await Promise.all([logFacets(db), db.models.toArray()]);
      // the log's versions of the chosen model (a version not synced yet counts as the default model's)
      const mine = versionsOfName(models, modelName);
      const known = new Set(models.map((m) => m.version));
      const versions = all.versions.filter((v) =>
        known.has(v) ? mine.has(v) : modelName === DEFAULT_MODEL_NAME,
      );
      return { ...all, versions };
    },
    [db, modelName],
    { nodes: [], versions: [], rows: 0 },
  );
  const set = (patch: Partial<WindowSpec>) => {
    const next: Record<string, unknown> = { ...value, ...patch };
    for (const k of Object.keys(next)) if (next[k] === undefined || next[k] === '') delete next[k];
    onChange(next as WindowSpec);
  };
  return (
    <div className="window-editor">
      <label>
        Model
        <select
          value={value.modelVersion ?? ''}
          onChange={(e) => set({ modelVersion: e.target.value || undefined })}
        >
          <option value="">any</option>
          {facets.versions.map((v) => (
            <option key={v}>{v}</option>
          ))}
        </select>
      </label>
      <label>
        Edge node
        <select value={value.nodeId ?? ''} onChange={(e) => set({ nodeId: e.target.value || undefined })}>
          <option value="">all</option>
          {facets.nodes.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </label>
      <label>
        From
        <input
          type="datetime-local"
          value={toLocal(value.from)}
          onChange={(e) => set({ from: fromLocal(e.target.value) })}
        />
      </label>
      <label>
        To
        <input
          type="datetime-local"
          value={toLocal(value.to)}
          onChange={(e) => set({ to: fromLocal(e.target.value) })}
        />
      </label>
      <label>
        Last N
        <input
          type="number"
          min={0}
          placeholder="all"
          value={value.lastN ?? ''}
          onChange={(e) => set({ lastN: e.target.value ? Number(e.target.value) : undefined })}
        />
      </label>
      <span className="hint">{facets.rows.toLocaleString('en-US')} predictions stored locally</span>
    </div>
  );
}

export function CsvPicker({
  value,
  onChange,
  testId,
}: {
  readonly value: string | null;
  readonly onChange: (file: { name: string; text: string }) => void;
  readonly testId: string;
}) {
  const { csvFiles, addCsv } = useServices();
  const input = useRef<HTMLInputElement>(null);
  const pick = async () => {
    if (platform.openCsv) {
      const file = await platform.openCsv();
      if (file) {
        addCsv(file);
        onChange(file);
      }
    } else input.current?.click();
  };
  return (
    <div className="csv-picker">
      <button type="button" onClick={() => void pick()}>
        Import CSV…
      </button>
      <input
        ref={input}
        type="file"
        accept=".csv,text/csv"
        hidden
        data-testid={testId}
        onChange={async (e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          const picked = await readPicked(file);
          addCsv(picked);
          onChange(picked);
          e.target.value = '';
        }}
      />
      {csvFiles.length > 0 && (
        <select
          value={value ?? ''}
          onChange={(e) => {
            const f = csvFiles.find((c) => c.name === e.target.value);
            if (f) onChange(f);
          }}
        >
          <option value="" disabled>
            choose an imported file
          </option>
          {csvFiles.map((f) => (
            <option key={f.name}>{f.name}</option>
          ))}
        </select>
      )}
      {value && <span className="hint">{value}</span>}
    </div>
  );
}

export function SidePicker({
  side: role,
  value,
  onChange,
  modes,
}: {
  readonly side: 'reference' | 'current';
  readonly value: SideSpec | null;
  readonly onChange: (side: SideSpec | null) => void;
  readonly modes: readonly Mode[];
}) {
  const { db, modelName } = useServices();
  const choices = useLiveQuery(() => versionChoices(db, modelName), [db, modelName], [] as VersionChoice[]);
  const versions = choices.map((c) => c.version);
  const [chosen, setChosen] = useState<Mode>(value?.kind ?? modes[0]!);
  const mode: Mode = value?.kind ?? chosen;
  // A model's profile with nothing chosen yet: production (first in the list), so Run works at once.
  // (or a version of another model, after the model picker changed)
  const unchosen =
    mode === 'profile' &&
    (value === null ||
      (value.kind === 'profile' &&
        (value.version === '' || (versions.length > 0 && !versions.includes(value.version)))));
  useEffect(() => {
    if (unchosen && versions[0]) onChange({ kind: 'profile', version: versions[0] });
  }, [unchosen, versions[0], onChange]);
  const labels: Record<Mode, string> = {
    profile: "Model's reference profile",
    window: 'Window of the log',
    csv: 'CSV file',
  };
  const switchTo = (m: Mode) => {
    setChosen(m);
    if (m === 'window') onChange({ kind: 'window', window: { lastN: 1000 } });
    else if (m === 'profile')
      onChange(versions[0] ? { kind: 'profile', version: versions[0] } : { kind: 'profile', version: '' });
    else onChange(null);
  };
  return (
    <fieldset className="side-picker" data-role={role}>
      <legend>{role === 'reference' ? 'Reference' : 'Current'}</legend>
      <div className="modes">
        {modes.map((m) => (
          <label key={m}>
            <input type="radio" name={`${role}-mode`} checked={mode === m} onChange={() => switchTo(m)} />
            {labels[m]}
          </label>
        ))}
      </div>
      {mode === 'profile' && (
        <select
          value={value?.kind === 'profile' ? value.version : ''}
          onChange={(e) => onChange({ kind: 'profile', version: e.target.value })}
        >
          <option value="" disabled>
            {versions.length ? 'choose a model version' : 'no models synced yet'}
          </option>
          {choices.map((c) => (
            <option key={c.version} value={c.version}>
              {c.aliases.length ? `${c.aliases.join(', ')} · ${c.version}` : c.version}
            </option>
          ))}
        </select>
      )}
      {mode === 'window' && (
        <WindowEditor
          value={value?.kind === 'window' ? value.window : {}}
          onChange={(window) => onChange({ kind: 'window', window })}
        />
      )}
      {mode === 'csv' && (
        <CsvPicker
          testId={`${role}-csv`}
          value={value?.kind === 'csv' ? value.name : null}
          onChange={(f) => onChange({ kind: 'csv', name: f.name, text: f.text })}
        />
      )}
    </fieldset>
  );
}
