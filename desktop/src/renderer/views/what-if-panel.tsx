// What-if: start from a logged prediction (or the schema's defaults), edit feature values in inputs built from
// the model's schema, and watch production's and another version's probabilities update as you type.
import type { ModelSchema, SchemaFeature } from '@pmm/core/schema';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useLiveQuery } from '../hooks';
import { inferenceClient } from '../inference/client';
import type { PredictResult } from '../inference/protocol';
import { useServices } from '../services';
import type { FeatureValues, PredictionRow } from '../store/db';
import { backendLabel, type ModelPanelProps, useArtifactSource, useOtherVersion } from './shadow-panel';

const DEBOUNCE_MS = 150;
const NO_ROWS: readonly PredictionRow[] = [];

/** A starting value for a feature: the imputation value or the middle of the range; the first category. */
function defaultOf(f: SchemaFeature): string | number | null {
  if (f.kind === 'categorical') return f.categories[0] ?? (f.missing.allowed ? null : '');
  if (f.missing.value !== null) return f.missing.value;
  if (f.range)
    return f.integer ? Math.round((f.range.min + f.range.max) / 2) : (f.range.min + f.range.max) / 2;
  return f.missing.allowed ? null : 0;
}

/** The features of both schemas, production's first (a challenger may read more or fewer). */
function unionFeatures(schemas: readonly ModelSchema[]): SchemaFeature[] {
  const out: SchemaFeature[] = [];
  const seen = new Set<string>();
  for (const s of schemas)
    for (const f of s.features)
      if (!seen.has(f.name)) {
        seen.add(f.name);
        out.push(f);
      }
  return out;
}

function FeatureInput({
  id,
  feature,
  value,
  onChange,
}: {
  id: string;
  feature: SchemaFeature;
  value: string | number | null | undefined;
  onChange: (v: string | number | null) => void;
}) {
  const [text, setText] = useState(value === null || value === undefined ? '' : String(value));
  // Follow the value when it changes from outside (another starting row), not while typing "0." etc.
  useEffect(() => {
    setText((t) => {
      const typed = t.trim() === '' ? null : Number(t);
      const v = value === undefined ? null : value;
      return typed === v ? t : v === null ? '' : String(v);
    });
  }, [value]);
  if (feature.kind === 'categorical') {
    const current =
      typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
    const options =
      feature.categories.includes(current) || current === ''
        ? feature.categories
        : [current, ...feature.categories];
    return (
      <select
        id={id}
        aria-label={feature.name}
        data-feature={feature.name}
        value={current}
        onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
      >
        {(feature.missing.allowed || current === '') && <option value="">(missing)</option>}
        {options.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      id={id}
      type="number"
      aria-label={feature.name}
      data-feature={feature.name}
      step={feature.integer ? 1 : 'any'}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const t = e.target.value.trim();
        if (t === '') onChange(null);
        else if (Number.isFinite(Number(t))) onChange(Number(t));
      }}
    />
  );
}

/** Collapsed until asked for, so opening the models view runs no model. */
export function WhatIfPanel(props: ModelPanelProps) {
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <fieldset className="what-if-panel" data-testid="what-if-panel">
        <legend>What if</legend>
        <button type="button" onClick={() => setOpen(true)} data-testid="what-if-open">
          Try what-if on a logged prediction…
        </button>
      </fieldset>
    );
  return <WhatIfEditor {...props} />;
}

function WhatIfEditor(props: ModelPanelProps) {
  const { production, challenger } = props;
  const { db } = useServices();
  const server = useArtifactSource();
  const { others, version: other, pick: setOther } = useOtherVersion(props);
  const compared = useMemo(() => (other ? [production, other] : [production]), [production, other]);
  const [schemas, setSchemas] = useState<ModelSchema[] | null>(null);
  const [record, setRecord] = useState<FeatureValues | null>(null);
  const [from, setFrom] = useState<string>('');
  const [result, setResult] = useState<PredictResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  // null until the first read: an empty log and a log not read yet are different starts
  const loaded = useLiveQuery<PredictionRow[] | null>(
    () =>
      db.predictions
        .where('[model_version+ts]')
        .between([production, -Infinity], [production, Infinity])
        .reverse()
        .limit(25)
        .toArray(),
    [db, production],
    null,
  );
  const recent = loaded ?? NO_ROWS;

  useEffect(() => {
    let live = true;
    setSchemas(null);
    setError(null);
    Promise.all(compared.map((version) => inferenceClient().modelInfo({ version, source: server })))
      .then((infos) => live && setSchemas(infos.map((i) => i.schema)))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [compared, server]);

  const features = useMemo(() => (schemas ? unionFeatures(schemas) : []), [schemas]);

  // Start from the newest logged row once both the schema and a row are known; else from the defaults.
  useEffect(() => {
    if (record || features.length === 0 || loaded === null) return;
    const first = recent[0];
    if (first) {
      setFrom(first.prediction_id);
      setRecord({ ...first.features });
    } else setRecord(Object.fromEntries(features.map((f) => [f.name, defaultOf(f)])));
  }, [features, recent, loaded, record]);

  useEffect(() => {
    if (!record) return;
    const ticket = ++latest.current;
    const timer = setTimeout(() => {
      inferenceClient()
        .predict({ versions: compared, records: [record], backend: 'auto', source: server })
        .then((r) => {
          if (ticket !== latest.current) return;
          setResult(r);
          setError(null);
        })
        .catch((e: Error) => ticket === latest.current && setError(e.message));
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [record, compared, server]);

  const logged = recent.find((r) => r.prediction_id === from);
  const answers = result?.answers[0] ?? [];
  return (
    <fieldset className="what-if-panel" data-testid="what-if-panel">
      <legend>What if</legend>
      <div className="window-editor">
        <label>
          Start from
          <select
            value={from}
            data-testid="what-if-from"
            onChange={(e) => {
              const id = e.target.value;
              setFrom(id);
              const row = recent.find((r) => r.prediction_id === id);
              setRecord(
                row ? { ...row.features } : Object.fromEntries(features.map((f) => [f.name, defaultOf(f)])),
              );
            }}
          >
            <option value="">the schema's defaults</option>
            {recent.map((r) => (
              <option key={r.prediction_id} value={r.prediction_id}>
                {r.created_at?.slice(0, 19).replace('T', ' ')} · {r.node_id} · p={r.probability.toFixed(3)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Compare with
          <select value={other} onChange={(e) => setOther(e.target.value)} data-testid="what-if-version">
            {others.map((v) => (
              <option key={v} value={v}>
                {v === challenger ? `challenger · ${v}` : v}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="what-if-answers" data-testid="what-if-answers">
        {compared.map((version, k) => {
          const a = answers.find((x) => x.version === version);
          return (
            <div key={version} className="what-if-answer" data-version={version}>
              <span className="meta">{k === 0 ? `production · ${version}` : version}</span>{' '}
              <b data-testid={k === 0 ? 'what-if-production' : 'what-if-other'}>
                {a && 'probability' in a ? a.probability.toFixed(4) : '—'}
              </b>
              {a && 'error' in a && <span className="error-text"> {a.error}</span>}
            </div>
          );
        })}
        {logged && (
          <span className="hint" data-testid="what-if-logged">
            logged answer {logged.probability.toFixed(4)}
          </span>
        )}
        {result && (
          <span className="hint" data-testid="what-if-backend">
            {backendLabel(result.backend)} · {result.ms} ms
          </span>
        )}
      </div>
      {error && (
        <p className="error" data-testid="what-if-error">
          {error}
        </p>
      )}
      {record && (
        <div className="what-if-grid">
          {features.map((f, k) => (
            <label key={f.name} htmlFor={`what-if-${k}`}>
              {f.name}
              <FeatureInput
                id={`what-if-${k}`}
                feature={f}
                value={record[f.name]}
                onChange={(v) => setRecord((r) => ({ ...(r ?? {}), [f.name]: v }))}
              />
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}
