// Validates electron-builder.yml offline: electron-builder's own schema check, then the fields and targets pmm needs.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const desktop = fileURLToPath(new URL('..', import.meta.url));
const configPath = join(desktop, '..', 'electron-builder.yml');
const require = createRequire(join(desktop, 'package.json'));
const builderLib = require.resolve('app-builder-lib/package.json', {
  paths: [require.resolve('electron-builder')],
});
const { load } = require(require.resolve('js-yaml', { paths: [builderLib] })) as {
  load(text: string): unknown;
};
const { validateConfiguration } = require(join(builderLib, '..', 'out/util/config/config.js')) as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require(require.resolve('builder-util', { paths: [builderLib] })) as {
  DebugLogger: new (enabled?: boolean) => unknown;
};

type Config = Record<string, unknown> & {
  linux?: { target?: unknown; maintainer?: string };
  mac?: { target?: unknown };
  win?: { target?: unknown };
  directories?: { output?: string };
  files?: string[];
};

const problems: string[] = [];
const config = load(readFileSync(configPath, 'utf8')) as Config;

try {
  await validateConfiguration(structuredClone(config), new DebugLogger(false));
} catch (error) {
  problems.push(`electron-builder rejects the config: ${(error as Error).message}`);
}

const targets = (t: unknown): string[] =>
  (Array.isArray(t) ? t : t === undefined ? [] : [t]).map((x) =>
    typeof x === 'string' ? x : String((x as { target: string }).target),
  );

for (const field of ['appId', 'productName'] as const) {
  if (typeof config[field] !== 'string' || config[field] === '') problems.push(`${field} is missing`);
}
if (!config.directories?.output) problems.push('directories.output is missing');
const need: [string, unknown, string[]][] = [
  ['linux', config.linux?.target, ['AppImage', 'deb']],
  ['mac', config.mac?.target, ['dmg']],
  ['win', config.win?.target, ['nsis']],
];
for (const [os, t, wanted] of need) {
  const have = targets(t);
  for (const w of wanted)
    if (!have.includes(w)) problems.push(`${os}.target lacks ${w} (has ${have.join(', ') || 'none'})`);
}
if (!config.linux?.maintainer) problems.push('linux.maintainer is missing (deb needs a maintainer)');

const pkg = JSON.parse(readFileSync(join(desktop, 'package.json'), 'utf8')) as {
  main?: string;
  version?: string;
};
if (!pkg.main) problems.push('desktop/package.json has no "main"');
const files = config.files ?? [];
if (pkg.main && !files.some((f) => !f.startsWith('!') && pkg.main!.startsWith(f.replace(/\*\*.*$/, '')))) {
  problems.push(`files does not include the main entry ${pkg.main}`);
}
// After `npm run build` the entries the window loads must exist.
if (process.argv.includes('--built')) {
  for (const f of [pkg.main ?? '', 'dist/preload/index.cjs', 'dist/renderer/index.html']) {
    if (!existsSync(join(desktop, f))) problems.push(`${f} is missing: run npm run build first`);
  }
}

if (problems.length > 0) {
  for (const p of problems) console.error(`electron-builder.yml: ${p}`);
  process.exit(1);
}
console.log(
  `electron-builder.yml OK: ${config['appId']} (linux: AppImage, deb; mac: dmg; win: nsis) → ${config.directories?.output}`,
);
