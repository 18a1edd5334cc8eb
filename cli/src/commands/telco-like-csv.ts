// Seeded Telco-shaped CSV files of any size for the end-to-end drift benchmark (the current side shifted).
import { closeSync, openSync, writeSync } from 'node:fs';

const YES_NO = ['No', 'Yes'];
const SERVICE = ['No', 'Yes', 'No internet service'];

/** xorshift32: a small seeded generator of uniforms in [0, 1). */
function uniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const pick = <T>(u: () => number, values: readonly T[], weights?: readonly number[]): T => {
  if (!weights) return values[Math.floor(u() * values.length)]!;
  let r = u();
  for (let i = 0; i < values.length; i++) {
    r -= weights[i]!;
    if (r < 0) return values[i]!;
  }
  return values[values.length - 1]!;
};

export const TELCO_HEADER =
  'customerID,gender,SeniorCitizen,Partner,Dependents,tenure,PhoneService,MultipleLines,InternetService,OnlineSecurity,OnlineBackup,DeviceProtection,TechSupport,StreamingTV,StreamingMovies,Contract,PaperlessBilling,PaymentMethod,MonthlyCharges,TotalCharges,Churn';

/**
 * Writes `rows` Telco-shaped rows (the 21 columns of the IBM Telco file, a distinct customerID per row, about
 * 0.16% blank TotalCharges at tenure 0) to `file`. `shift` > 0 moves contracts towards month-to-month and
 * monthly charges up, so the current file drifts.
 */
export function writeTelcoLikeCsv(file: string, rows: number, seed: number, shift: number): void {
  const u = uniform(seed);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, `${TELCO_HEADER}\n`);
    const batch: string[] = [];
    for (let i = 0; i < rows; i++) {
      const tenure = u() < 0.0016 ? 0 : 1 + Math.floor(u() * 72);
      const internet = pick(u, ['DSL', 'Fiber optic', 'No'], [0.34, 0.44, 0.22]);
      const service = () => (internet === 'No' ? SERVICE[2]! : pick(u, SERVICE, [0.55, 0.45]));
      const phone = u() < 0.9 ? 'Yes' : 'No';
      const monthly = 18.25 + u() * 100.5 + shift * 5;
      const total = tenure === 0 ? '' : (monthly * tenure * (0.9 + 0.2 * u())).toFixed(2);
      batch.push(
        [
          `${seed}-${i.toString(36).toUpperCase()}`,
          pick(u, ['Female', 'Male']),
          u() < 0.16 ? 1 : 0,
          pick(u, YES_NO),
          pick(u, YES_NO, [0.7, 0.3]),
          tenure,
          phone,
          phone === 'No' ? 'No phone service' : pick(u, YES_NO, [0.55, 0.45]),
          internet,
          service(),
          service(),
          service(),
          service(),
          service(),
          service(),
          pick(u, ['Month-to-month', 'One year', 'Two year'], [0.55 + shift * 0.1, 0.21, 0.24 - shift * 0.1]),
          pick(u, YES_NO, [0.41, 0.59]),
          pick(u, [
            'Electronic check',
            'Mailed check',
            'Bank transfer (automatic)',
            'Credit card (automatic)',
          ]),
          monthly.toFixed(2),
          total,
          pick(u, YES_NO, [0.73, 0.27]),
        ].join(','),
      );
      if (batch.length === 20_000) {
        writeSync(fd, `${batch.join('\n')}\n`);
        batch.length = 0;
      }
    }
    if (batch.length > 0) writeSync(fd, `${batch.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
}
