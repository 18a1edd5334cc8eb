// Settings: the sync server, the read token, and the admin token (OS keychain in Electron, localStorage on the web).
import { useEffect, useState } from 'react';
import type { DesktopSettings } from '../../shared/ipc';
import { platform } from '../platform';

export function SettingsView({
  settings,
  onSave,
}: {
  readonly settings: DesktopSettings;
  readonly onSave: (s: DesktopSettings) => Promise<void>;
}) {
  const [serverUrl, setServerUrl] = useState(settings.serverUrl);
  const [readToken, setReadToken] = useState(settings.readToken);
  const [admin, setAdmin] = useState('');
  const [hasAdmin, setHasAdmin] = useState(false);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    void platform.getAdminToken().then((t) => setHasAdmin(Boolean(t)));
  }, []);

  return (
    <section className="view settings">
      <h2>Settings</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          await onSave({ serverUrl: serverUrl.trim(), readToken: readToken.trim() });
          setNote('Saved. The sync restarts with the new server.');
        }}
      >
        <label>
          Sync server URL
          <input
            value={serverUrl}
            placeholder="http://localhost:8788"
            onChange={(e) => setServerUrl(e.target.value)}
          />
        </label>
        <label>
          Read token
          <input type="password" value={readToken} onChange={(e) => setReadToken(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Save
        </button>
      </form>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const { encrypted } = await platform.setAdminToken(admin || null);
          setHasAdmin(Boolean(admin));
          setAdmin('');
          setNote(
            admin
              ? encrypted
                ? 'Admin token stored, encrypted by the OS keychain.'
                : 'Admin token stored.'
              : 'Admin token removed.',
          );
        }}
      >
        <label>
          Admin token (needed to promote or roll back){' '}
          {hasAdmin && <span className="hint">— one is stored</span>}
          <input type="password" value={admin} onChange={(e) => setAdmin(e.target.value)} />
        </label>
        <button type="submit">{admin ? 'Store admin token' : 'Remove admin token'}</button>
        {platform.kind === 'web' && (
          <p className="note">
            In the browser the admin token is kept in this site's localStorage, readable by any script on this
            origin. Use the desktop app (OS keychain via Electron safeStorage) on shared machines.
          </p>
        )}
      </form>
      {note && <p className="note">{note}</p>}
    </section>
  );
}
