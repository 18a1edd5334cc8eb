// Builds core/wasm/build/drift-kernels.wasm from assembly/kernels.ts with the AssemblyScript compiler (asc).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'wasm');
const asc = path.join(
  path.dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')),
  'bin',
  'asc.js',
);
mkdirSync(path.join(here, 'build'), { recursive: true });
execFileSync(
  process.execPath,
  [
    asc,
    path.join(here, 'assembly', 'kernels.ts'),
    '--outFile',
    path.join(here, 'build', 'drift-kernels.wasm'),
    '--optimizeLevel',
    '3',
    '--shrinkLevel',
    '0',
    '--runtime',
    'stub',
    '--noAssert',
    '--initialMemory',
    '1',
  ],
  { stdio: 'inherit' },
);
console.log('built core/wasm/build/drift-kernels.wasm');
