// A seeded labelled table of another shape than Telco (names with spaces, hundreds of airports, 30+ numbers).
import { mulberry32 } from '../model/rng';

export interface SyntheticTableOptions {
  readonly rows: number;
  readonly seed?: number;
  /** Distinct airport codes (a high-cardinality categorical). Default 300. */
  readonly airports?: number;
  /** `Signal NN` numerical columns beside `Amount USD` and `Account Age Days`. Default 30. */
  readonly signals?: number;
}

export interface SyntheticTable {
  readonly header: string[];
  readonly rows: string[][];
  /** The target column and its positive value. */
  readonly target: 'Is Fraud';
  readonly positive: 'fraud';
}

/**
 * A fraud-like table: `Transaction ID` (an id), `Airport Code` (hundreds of values, Zipf-like frequencies),
 * `Card Type`, `Sales Channel`, `Amount USD`, `Account Age Days` (5% blank), `Signal 01..NN` (standard
 * normal), `Region` (constant), `Notes` (all blank) and `Is Fraud` (fraud/ok). The outcome is Bernoulli of
 * a logit with per-airport and per-card effects, linear terms, an interaction (`Signal 03 × Signal 04`)
 * and a threshold effect (`Signal 05 > 1`), so a model that learns non-linear terms can beat a linear one.
 * Deterministic for a seed. Example: `syntheticTable({ rows: 1000 }).header[1]` → 'Airport Code'.
 */
export function syntheticTable(options: SyntheticTableOptions): SyntheticTable {
  const random = mulberry32(options.seed ?? 7);
  const normal = () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const airports = options.airports ?? 300;
  const signals = options.signals ?? 30;
  const codes = Array.from({ length: airports }, (_, i) => {
    const a = String.fromCharCode(
      65 + (i % 26),
      65 + (Math.floor(i / 26) % 26),
      65 + (Math.floor(i / 676) % 26),
    );
    return `${a}${i}`;
  });
  const airportEffect = codes.map(() => normal() * 0.9);
  // Zipf-like weights: airport i is drawn with probability proportional to 1 / (i + 5).
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < airports; i++) {
    total += 1 / (i + 5);
    cumulative.push(total);
  }
  const pickAirport = () => {
    const u = random() * total;
    let lo = 0;
    let hi = airports - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const cards = ['Visa', 'Mastercard', 'Amex', 'Discover', 'Prepaid'];
  const cardEffect = [0, 0.1, -0.3, 0.2, 1.1];
  const channels = ['web', 'app', 'phone'];
  const channelEffect = [0.3, -0.2, 0];
  const signalNames = Array.from({ length: signals }, (_, i) => `Signal ${String(i + 1).padStart(2, '0')}`);
  const header = [
    'Transaction ID',
    'Airport Code',
    'Card Type',
    'Sales Channel',
    'Amount USD',
    'Account Age Days',
    ...signalNames,
    'Region',
    'Notes',
    'Is Fraud',
  ];
  const rows: string[][] = [];
  for (let r = 0; r < options.rows; r++) {
    const airport = pickAirport();
    const card = Math.min(cards.length - 1, Math.floor(random() * random() * 6));
    const channel = Math.floor(random() * channels.length);
    const amount = Math.exp(3.5 + normal() * 1.1);
    const age = Math.floor(random() * 3000);
    const s = signalNames.map(() => normal());
    let logit = -2.2 + airportEffect[airport]! + cardEffect[card]! + channelEffect[channel]!;
    logit += 0.35 * (Math.log(amount) - 3.5) - 0.0004 * (age - 1500);
    logit +=
      0.8 * s[0]! - 0.6 * (s[1] ?? 0) + 0.9 * (s[2] ?? 0) * (s[3] ?? 0) + 1.2 * ((s[4] ?? 0) > 1 ? 1 : 0);
    for (let k = 5; k < Math.min(s.length, 15); k++) logit += 0.1 * s[k]!;
    const fraud = random() < 1 / (1 + Math.exp(-logit));
    rows.push([
      `T${(1_000_000 + r).toString(36)}`,
      codes[airport]!,
      cards[card]!,
      channels[channel]!,
      amount.toFixed(2),
      random() < 0.05 ? '' : String(age),
      ...s.map((v) => v.toFixed(4)),
      'EU',
      '',
      fraud ? 'fraud' : 'ok',
    ]);
  }
  return { header, rows, target: 'Is Fraud', positive: 'fraud' };
}
