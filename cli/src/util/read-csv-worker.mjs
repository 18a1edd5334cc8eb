// Worker-thread entry: loads the TypeScript reader through tsx (as bin/pmm.js does), then serves one read.
import { register } from 'tsx/esm/api';

register();
await import('./read-csv-worker-main.ts');
