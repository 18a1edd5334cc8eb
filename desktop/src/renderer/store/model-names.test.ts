// Model names in the local store: rows without a name are the default model; one name's versions and aliases.
import { describe, expect, it } from 'vitest';
import type { AliasHistoryRow, ModelRow } from './db';
import { historyOfName, modelNameOf, modelNames, pickModelName, versionsOfName } from './model-names';

const model = (version: string, name?: string): ModelRow => ({
  version,
  created_at: '2026-01-01T00:00:00Z',
  parent_version: null,
  metrics: null,
  card: null,
  ts: 0,
  ...(name ? { name } : {}),
});
const move = (id: number, alias: string, to: string | null, from: string | null = null): AliasHistoryRow => ({
  id,
  alias,
  from_version: from,
  to_version: to,
  actor: null,
  reason: null,
  at: '',
  ts: id,
});

describe('model names', () => {
  const models = [
    model('churn-1'),
    model('churn-2', 'churn'),
    model('fraud-1', 'fraud'),
    model('credit-1', 'credit'),
  ];

  it("reads a row's name, 'churn' without one, and lists names with 'churn' first", () => {
    expect(modelNameOf(models[0]!)).toBe('churn');
    expect(modelNameOf(models[2]!)).toBe('fraud');
    expect(modelNames(models)).toEqual(['churn', 'credit', 'fraud']);
    expect(modelNames([model('a-1', 'zeta'), model('b-1', 'alpha')])).toEqual(['alpha', 'zeta']);
  });

  it("keeps the stored choice while the store has it, else 'churn', else the first name", () => {
    expect(pickModelName(['churn', 'fraud'], 'fraud')).toBe('fraud');
    expect(pickModelName(['churn', 'fraud'], 'gone')).toBe('churn');
    expect(pickModelName(['credit', 'fraud'], null)).toBe('credit');
    expect(pickModelName([], null)).toBe('churn');
  });

  it("gives one name's versions and alias history (by the row's name, or the version it moved to)", () => {
    expect([...versionsOfName(models, 'churn')]).toEqual(['churn-1', 'churn-2']);
    const history = [
      move(1, 'production', 'churn-1'),
      move(2, 'production', 'fraud-1', 'churn-1'),
      move(3, 'challenger', null, 'churn-2'),
      { ...move(4, 'production', 'credit-1'), name: 'credit' } as AliasHistoryRow,
      move(5, 'challenger', null),
    ];
    expect(historyOfName(history, models, 'churn').map((h) => h.id)).toEqual([1, 3, 5]);
    expect(historyOfName(history, models, 'fraud').map((h) => h.id)).toEqual([2]);
    expect(historyOfName(history, models, 'credit').map((h) => h.id)).toEqual([4]);
  });
});
