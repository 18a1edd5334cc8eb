// `pmm start` (npm start): until the whole stack lands, get the data and train the default model into .pmm/.
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_TELCO_CSV } from '../util/paths';
import { fetchTelco } from './data';
import { trainToFolder } from './train';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'run pmm locally on its embedded defaults (today: fetch the data and train the default model)',
    )
    .option('--home <dir>', 'where pmm keeps its local state', '.pmm')
    .action(async (opts: { home: string }) => {
      const data = await fetchTelco({ out: DEFAULT_TELCO_CSV });
      process.stdout.write(`data: ${data.path} (sha256 verified, from ${data.source})\n`);
      const out = path.join(opts.home, 'models', 'latest');
      const card = await trainToFolder({ data: data.path, out, seed: 0 });
      process.stdout.write(
        `model: ${card.version} in ${out} — holdout ROC AUC ${card.metrics.roc_auc.toFixed(4)}, accuracy ${card.metrics.accuracy.toFixed(4)}\n` +
          `try:   npx pmm predict --model ${out} --json '{"features": {...}}'  (see README)\n`,
      );
    });
}
