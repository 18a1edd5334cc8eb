// Worker-thread entry: loads the TypeScript drift scorer through tsx (as bin/pmm.js does).
import { register } from 'tsx/esm/api';

register();
await import('./drift-worker-main.ts');
