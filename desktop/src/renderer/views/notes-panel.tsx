// Notes on a model version: the synced `notes` table plus notes still in the outbox (shown as pending at once,
// deduplicated by id once the server's copy syncs back), and a form that queues a new note in the outbox.
import { useEffect, useState } from 'react';
import { ago, useLiveQuery, useNow } from '../hooks';
import { platform } from '../platform';
import { useServices } from '../services';
import { notesOf, type ShownNote } from '../store/notes';
import { MAX_NOTE_CHARS } from '../sync/outbox';

export function NotesPanel({ versions, initial }: { versions: readonly string[]; initial: string | null }) {
  const { db, outbox, flushOutbox } = useServices();
  const now = useNow();
  const [chosen, setChosen] = useState<string | null>(null);
  const version = chosen && versions.includes(chosen) ? chosen : (initial ?? versions[0] ?? null);
  const notes = useLiveQuery(
    () => (version ? notesOf(db, version) : Promise.resolve([])),
    [db, version],
    [] as ShownNote[],
  );
  const [text, setText] = useState('');
  const [hasAdmin, setHasAdmin] = useState<boolean | null>(null);
  useEffect(() => {
    void platform.getAdminToken().then((t) => setHasAdmin(Boolean(t)));
  }, []);
  const length = [...text].length;
  const canWrite = Boolean(outbox) && hasAdmin === true;

  const add = async () => {
    if (!outbox || !version || !text.trim() || length > MAX_NOTE_CHARS) return;
    await outbox.enqueueNote({ subjectType: 'model', subjectId: version, text: text.trim() });
    setText('');
    await flushOutbox();
  };

  return (
    <div className="panel notes" data-testid="notes-panel">
      <h3>
        Notes on{' '}
        {versions.length > 0 ? (
          <select
            aria-label="Model version"
            data-testid="notes-version"
            value={version ?? ''}
            onChange={(e) => setChosen(e.target.value)}
          >
            {versions.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        ) : (
          'a model version'
        )}
      </h3>
      {version && (
        <form
          className="note-form"
          onSubmit={(e) => {
            e.preventDefault();
            void add();
          }}
        >
          <textarea
            data-testid="note-text"
            aria-label="New note"
            rows={2}
            value={text}
            disabled={!canWrite}
            placeholder={`A note on ${version}, e.g. why it should (not) be promoted`}
            onChange={(e) => setText(e.target.value)}
          />
          <div className="note-form-actions">
            <button
              type="submit"
              data-testid="add-note"
              disabled={!canWrite || !text.trim() || length > MAX_NOTE_CHARS}
            >
              Add note
            </button>
            <span className={length > MAX_NOTE_CHARS ? 'error-text' : 'hint'}>
              {length.toLocaleString('en-US')} / {MAX_NOTE_CHARS.toLocaleString('en-US')}
            </span>
          </div>
          {!outbox && (
            <p className="hint" data-testid="notes-disabled">
              Set the sync server in Settings to add notes.
            </p>
          )}
          {outbox && hasAdmin === false && (
            <p className="hint" data-testid="notes-disabled">
              Adding a note needs the admin token (Settings), like promotions. Notes written offline wait in
              the outbox and are sent once the server is reachable.
            </p>
          )}
        </form>
      )}
      {notes.length === 0 ? (
        <p className="empty">{version ? `No notes on ${version} yet.` : 'No model versions yet.'}</p>
      ) : (
        <ul className="notes-list" data-testid="notes-list">
          {notes.map((n) => (
            <li key={n.id} data-testid="note" data-note-id={n.id} data-state={n.state} data-source={n.source}>
              <div className="note-text" data-testid="note-text-shown">
                {n.text}
              </div>
              <div className="note-meta">
                <span data-testid="note-author">{n.author ?? 'you'}</span> ·{' '}
                <span title={new Date(n.at).toISOString()}>{ago(n.at, now)}</span> ·{' '}
                <span className={`note-state ${n.state}`} data-testid="note-state">
                  {n.state === 'sent' && n.source === 'outbox' ? 'sent, syncing back' : n.state}
                </span>
                {(n.state === 'failed' || n.state === 'conflict') && n.error && (
                  <span className="error-text"> — {n.error}</span>
                )}
                {n.state === 'conflict' && outbox && (
                  <button
                    type="button"
                    className="discard"
                    onClick={() => void outbox.resolveConflict(n.id, 'discard')}
                  >
                    Discard
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
