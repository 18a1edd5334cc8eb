// NannyML 0.13's PeriodBasedChunker (nannyml/chunk.py): rows grouped by the calendar period of a timestamp,
// as pandas `to_datetime(ts).dt.to_period(offset)`; naive timestamps are read as UTC.

import { type Chunk, ChunkError } from './size-chunks';

/** pandas period aliases supported here (with an optional leading 1: '1d' = 'D'). */
export type PeriodUnit = 'H' | 'D' | 'W' | 'M' | 'Q' | 'Y';

/** '1d', 'D', 'w', 'M', 'q', 'y', 'h' → the unit; anything else throws naming the value. */
export function parsePeriod(text: string): PeriodUnit {
  const m = /^1?([a-zA-Z]+)$/.exec(text.trim());
  const u = m?.[1]?.toUpperCase();
  const unit = u === 'A' ? 'Y' : u === 'MS' || u === 'ME' ? 'M' : u;
  if (!unit || !['H', 'D', 'W', 'M', 'Q', 'Y'].includes(unit))
    throw new ChunkError(`unknown chunk period '${text}' (use h, d, w, m, q or y)`);
  return unit as PeriodUnit;
}

const TS = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** Milliseconds since the epoch of an ISO-like timestamp; a naive one is UTC. NaN when it does not parse. */
export function parseTimestamp(text: string): number {
  const m = TS.exec(text.trim());
  if (!m) return Number.NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  let t = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, frac ? Math.round(Number(frac) * 1000) : 0);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60000;
  }
  const check = new Date(t);
  return Number.isNaN(check.getTime()) ? Number.NaN : t;
}

const DAY = 86400000;

/** [start, next start) of the period holding t (UTC); weeks run Monday to Sunday as pandas 'W' (W-SUN). */
function periodOf(t: number, unit: PeriodUnit): [number, number, string] {
  const d = new Date(t);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  switch (unit) {
    case 'H': {
      const s = Math.floor(t / 3600000) * 3600000;
      return [s, s + 3600000, `${day(s)} ${pad(new Date(s).getUTCHours())}:00`];
    }
    case 'D': {
      const s = Math.floor(t / DAY) * DAY;
      return [s, s + DAY, day(s)];
    }
    case 'W': {
      const s0 = Math.floor(t / DAY) * DAY;
      const s = s0 - ((new Date(s0).getUTCDay() + 6) % 7) * DAY;
      return [s, s + 7 * DAY, `${day(s)}/${day(s + 6 * DAY)}`];
    }
    case 'M':
      return [Date.UTC(y, mo, 1), Date.UTC(y, mo + 1, 1), `${y}-${pad(mo + 1)}`];
    case 'Q': {
      const q = Math.floor(mo / 3);
      return [Date.UTC(y, q * 3, 1), Date.UTC(y, q * 3 + 3, 1), `${y}Q${q + 1}`];
    }
    case 'Y':
      return [Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1), `${y}`];
  }
}

export interface PeriodChunking {
  /** Row order sorted by timestamp (stable); chunk indices refer to positions in this order. */
  readonly order: Uint32Array;
  readonly chunks: Chunk[];
}

/**
 * Sorts rows by timestamp and groups them by period, periods in time order (empty periods have no chunk,
 * as pandas groupby). Each chunk's start_date/end_date are the period's first and last millisecond.
 */
export function periodChunks(timestamps: ArrayLike<number>, unit: PeriodUnit): PeriodChunking {
  const n = timestamps.length;
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(timestamps[i]!)) throw new ChunkError(`timestamp in row ${i + 1} is not a date`);
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => timestamps[a]! - timestamps[b]! || a - b,
  );
  const chunks: Chunk[] = [];
  let i = 0;
  while (i < n) {
    const [start, end, key] = periodOf(timestamps[order[i]!]!, unit);
    let j = i;
    while (j + 1 < n && timestamps[order[j + 1]!]! < end) j++;
    chunks.push({
      key,
      start_index: i,
      end_index: j,
      start_date: new Date(start).toISOString(),
      end_date: new Date(end - 1).toISOString(),
    });
    i = j + 1;
  }
  return { order, chunks };
}
