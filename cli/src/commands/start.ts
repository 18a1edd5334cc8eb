// `pmm start` (npm start): the whole system locally on embedded defaults, until SIGINT, SIGTERM or SIGHUP.
import { constants } from 'node:os';
import type { Command } from 'commander';
import { type Stack, startStack } from '../stack/stack';
import { CliError, QuietExit } from '../util/cli-error';
import { onClosedPipe, parseChoice, parseNumberOption } from '../util/output';

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  return parseNumberOption(name, value, (n) => Number.isInteger(n) && n > 0 && n < 65536, 'a port number');
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** The shell's convention for "ended by signal N". */
const exitCodeFor = (signal: StopSignal) => 128 + constants.signals[signal];

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'run pmm locally: sync server (PGlite, or DATABASE_URL), the edge API in workerd, and the analyst app; Ctrl-C (or SIGTERM/SIGHUP) stops all',
    )
    .option('--home <dir>', 'where pmm keeps its local state (PMM_HOME)', process.env.PMM_HOME ?? '.pmm')
    .option('--engine <engine>', 'edge inference engine: ort or lite', 'ort')
    .option('--no-ui', 'do not serve the analyst app')
    .action(async (opts: { home: string; engine: string; ui: boolean }) => {
      const engine = parseChoice('--engine', opts.engine, ['ort', 'lite'] as const);
      const syncPort = port('PMM_SYNC_PORT', process.env.PMM_SYNC_PORT, 8788);
      const edgePort = port('PMM_EDGE_PORT', process.env.PMM_EDGE_PORT, 8787);
      const uiPort = port('PMM_UI_PORT', process.env.PMM_UI_PORT, 5173);
      const log = (line: string) => {
        if (!process.stdout.destroyed) process.stdout.write(`${line}\n`);
      };
      const started = performance.now();

      // Signals are handled from the first moment: a stop while starting stops what has started so far.
      const controller = new AbortController();
      let received: StopSignal | null = null;
      const stopRequested = new Promise<StopSignal>((resolve) => {
        const onStop = (signal: StopSignal) => {
          if (received) {
            // A second signal: do not wait any longer (the exit handler kills what is left).
            process.exit(exitCodeFor(received));
          }
          received = signal;
          log(`${signal}: stopping…`);
          controller.abort();
          resolve(signal);
        };
        for (const signal of STOP_SIGNALS) process.on(signal, onStop);
        // The terminal or pipe reading our output went away: stop as for a hang-up (once; while stopping,
        // the lines that no one can read any more are simply dropped).
        onClosedPipe(() => {
          if (!received) onStop('SIGHUP');
        });
      });

      let stack: Stack;
      try {
        stack = await startStack({
          home: opts.home,
          syncPort,
          edgePort,
          uiPort,
          databaseUrl: process.env.DATABASE_URL || undefined,
          ui: opts.ui,
          engine,
          signal: controller.signal,
          log,
        });
      } catch (error) {
        if (received) {
          log('stopped');
          throw new QuietExit(exitCodeFor(received));
        }
        throw error;
      }
      if (!received) {
        log(
          [
            '',
            `pmm is up in ${((performance.now() - started) / 1000).toFixed(1)} s — production model ${stack.productionVersion}`,
            `  edge API       ${stack.urls.edge}   (docs: ${stack.urls.edge}/docs)`,
            `  sync server    ${stack.urls.sync}   (metrics: ${stack.urls.sync}/metrics)`,
            ...(stack.urls.ui ? [`  analyst app    ${stack.urls.ui}`] : []),
            `  tokens         ${stack.tokensFile}`,
            `  try            npx pmm simulate --edge ${stack.urls.edge} --rows 1000 --drift none --label-rate 0.3`,
            '                 (then the rest of "The loop, step by step" in README.md)',
            'Ctrl-C stops everything.',
            '',
          ].join('\n'),
        );
      }
      const ended = await Promise.race([
        stopRequested.then((signal) => ({ signal })),
        stack.failed.then((why) => ({ why })),
      ]);
      if ('why' in ended) log(`a part of the stack stopped on its own (${ended.why}): stopping the rest…`);
      await stack.stop();
      log('stopped');
      if ('why' in ended) throw new CliError(`the stack stopped: ${ended.why}`);
      throw new QuietExit(exitCodeFor(ended.signal));
    });
}
