// Bundles Electron main and preload into CommonJS files in dist/ (a sandboxed preload must be one CJS file).
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const external = ['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

for (const entry of ['main', 'preload'] as const) {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      ssr: `src/${entry}/index.ts`,
      outDir: `dist/${entry}`,
      emptyOutDir: true,
      target: 'node22',
      minify: false,
      sourcemap: true,
      rollupOptions: {
        external,
        output: { format: 'cjs', entryFileNames: 'index.cjs' },
      },
    },
    ssr: { noExternal: true, external },
  });
  console.log(`built dist/${entry}/index.cjs`);
}
