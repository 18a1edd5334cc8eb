// `pmm start` (npm start): the whole system locally on embedded defaults, until Ctrl-C.
import type { Command } from 'commander';
import { startStack } from '../stack/stack';
import { parseChoice, parseNumberOption } from '../util/output';

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  return parseNumberOption(name, value, (n) => Number.isInteger(n) && n > 0 && n < 65536, 'a port number');
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'run pmm locally: sync server (PGlite, or DATABASE_URL), the edge API in workerd, and the analyst app; Ctrl-C stops all',
    )
    .option('--home <dir>', 'where pmm keeps its local state (PMM_HOME)', process.env.PMM_HOME ?? '.pmm')
    .option('--engine <engine>', 'edge inference engine: ort or lite', 'ort')
    .option('--no-ui', 'do not serve the analyst app')
    .action(async (opts: { home: string; engine: string; ui: boolean }) => {
      const engine = parseChoice('--engine', opts.engine, ['ort', 'lite'] as const);
      const started = performance.now();
      const stack = await startStack({
        home: opts.home,
        syncPort: port('PMM_SYNC_PORT', process.env.PMM_SYNC_PORT, 8788),
        edgePort: port('PMM_EDGE_PORT', process.env.PMM_EDGE_PORT, 8787),
        uiPort: port('PMM_UI_PORT', process.env.PMM_UI_PORT, 5173),
        databaseUrl: process.env.DATABASE_URL || undefined,
        ui: opts.ui,
        engine,
        log: (line) => process.stdout.write(`${line}\n`),
      });
      process.stdout.write(
        [
          '',
          `pmm is up in ${((performance.now() - started) / 1000).toFixed(1)} s — production model ${stack.productionVersion}`,
          `  edge API       ${stack.urls.edge}   (docs: ${stack.urls.edge}/docs)`,
          `  sync server    ${stack.urls.sync}   (metrics: ${stack.urls.sync}/metrics)`,
          ...(stack.urls.ui ? [`  analyst app    ${stack.urls.ui}`] : []),
          `  tokens         ${stack.tokensFile}`,
          `  try            npx pmm simulate --edge ${stack.urls.edge} --rows 500 --drift sudden --label-rate 0.5`,
          'Ctrl-C stops everything.',
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const onSignal = () => resolve();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      });
      process.stdout.write('stopping…\n');
      await stack.stop();
      process.stdout.write('stopped\n');
    });
}
