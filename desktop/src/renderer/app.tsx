// The app shell: services, the sync indicator, tabs for analysis, timeline, models, reports and settings.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DesktopSettings, MenuCommand } from '../shared/ipc';
import { AnalysisClient } from './analysis/client';
import { useLiveQuery } from './hooks';
import { platform } from './platform';
import { type Destination, type Services, ServicesContext } from './services';
import { PmmDb } from './store/db';
import { modelNames, pickModelName } from './store/model-names';
import type { SyncStatus } from './sync/engine';
import { Outbox } from './sync/outbox';
import { SyncClient } from './sync/sync-client';
import { AnalysisView } from './views/analysis-view';
import { FleetView } from './views/fleet-view';
import { ModelsView } from './views/models-view';
import { ReportsView } from './views/reports-view';
import { SettingsView } from './views/settings-view';
import { SyncIndicator } from './views/sync-indicator';
import { TimelineView } from './views/timeline-view';

/** localStorage key of the model picker's choice. */
const MODEL_NAME_KEY = 'pmm.modelName';

type Tab = 'analysis' | 'timeline' | 'fleet' | 'models' | 'reports' | 'settings';
const TABS: { id: Tab; label: string }[] = [
  { id: 'analysis', label: 'Drift analysis' },
  { id: 'timeline', label: 'Over time' },
  { id: 'fleet', label: 'Fleet' },
  { id: 'models', label: 'Models' },
  { id: 'reports', label: 'Reports & retraining' },
  { id: 'settings', label: 'Settings' },
];

export function App() {
  const db = useMemo(() => new PmmDb(), []);
  const analysis = useMemo(() => new AnalysisClient(), []);
  const [settings, setSettings] = useState<DesktopSettings | null>(null);
  const [sync, setSync] = useState<SyncStatus | null>(null);
  const [csvFiles, setCsvFiles] = useState<{ name: string; text: string }[]>([]);
  const [tab, setTab] = useState<Tab>('analysis');
  const [focus, setFocus] = useState<Destination>({ kind: 'reports' });
  const menuRef = useRef<(command: MenuCommand) => void>(() => {});
  // The model picker: every registered name in the store; the choice is kept across sessions.
  const names = useLiveQuery(async () => modelNames(await db.models.toArray()), [db], [] as string[]);
  const [chosenName, setChosenName] = useState<string | null>(() => localStorage.getItem(MODEL_NAME_KEY));
  const modelName = pickModelName(names, chosenName);
  const chooseModel = (name: string) => {
    localStorage.setItem(MODEL_NAME_KEY, name);
    setChosenName(name);
  };

  useEffect(() => {
    void platform.getSettings().then(setSettings);
  }, []);

  const outbox = useMemo(
    () =>
      settings?.serverUrl
        ? new Outbox({ db, baseUrl: settings.serverUrl, adminToken: () => platform.getAdminToken() })
        : null,
    [db, settings?.serverUrl],
  );

  // The sync engine runs in its own worker; it resumes from the stored position on every start.
  const syncClient = useMemo(() => new SyncClient(), []);
  useEffect(() => syncClient.onStatus(setSync), [syncClient]);
  useEffect(() => {
    if (!settings?.serverUrl) return;
    syncClient.start(settings.serverUrl, settings.readToken || undefined);
    return () => syncClient.stop();
  }, [syncClient, settings?.serverUrl, settings?.readToken]);

  // Queued writes go out whenever the server is reachable.
  useEffect(() => {
    if (!outbox || !sync?.online) return;
    void outbox.recover().then(() => outbox.flush());
  }, [outbox, sync?.online]);

  const flushOutbox = useCallback(async () => {
    await outbox?.flush();
  }, [outbox]);

  useEffect(() => platform.onMenu((command) => menuRef.current(command)), []);
  menuRef.current = (command) => {
    if (command === 'open-settings') setTab('settings');
    else setTab('analysis');
    window.dispatchEvent(new CustomEvent('pmm-menu', { detail: command }));
  };

  const services: Services = {
    db,
    analysis,
    outbox,
    sync,
    csvFiles,
    addCsv: (file) => setCsvFiles((files) => [...files.filter((f) => f.name !== file.name), file]),
    flushOutbox,
    server: settings?.serverUrl ? { url: settings.serverUrl, readToken: settings.readToken } : null,
    navigate: (to) => {
      setFocus(to);
      setTab('reports');
    },
    modelName,
  };

  return (
    <ServicesContext.Provider value={services}>
      <header className="topbar">
        <div className="brand">
          pmm <span>model monitoring</span>
        </div>
        <label className="model-picker">
          Model
          <select data-testid="model-picker" value={modelName} onChange={(e) => chooseModel(e.target.value)}>
            {(names.includes(modelName) ? names : [modelName, ...names]).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <nav>
          {TABS.map((t) => (
            <button
              type="button"
              key={t.id}
              className={tab === t.id ? 'active' : ''}
              onClick={() => setTab(t.id)}
              data-tab={t.id}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <SyncIndicator configured={Boolean(settings?.serverUrl)} />
      </header>
      <main>
        <div hidden={tab !== 'analysis'}>
          <AnalysisView />
        </div>
        {tab === 'timeline' && <TimelineView />}
        {tab === 'fleet' && <FleetView />}
        {tab === 'models' && <ModelsView />}
        {tab === 'reports' && <ReportsView focus={focus} />}
        {tab === 'settings' && settings && (
          <SettingsView
            settings={settings}
            onSave={async (next) => {
              await platform.setSettings(next);
              setSettings(next);
            }}
          />
        )}
      </main>
    </ServicesContext.Provider>
  );
}
