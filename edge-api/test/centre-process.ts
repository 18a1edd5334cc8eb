// Run by test/global-setup.ts as a plain Node process (vite resolves the setup's imports for workerd, so the sync
// server's PostgreSQL client cannot load there): starts the REAL sync server, registers the test node, puts the
// fault proxy in front, prints one JSON line for the setup, and takes everything down when stdin closes.
import { startRealSyncServer } from '@pmm/sync-server/test-server';
import { startFaultProxy } from './fault-proxy';

export interface CentreInfo {
  /** The fault proxy in front of the real sync server: the worker's SYNC_URL. */
  readonly syncUrl: string;
  /** The ingest token the centre issued for `nodeId`. */
  readonly ingestToken: string;
  readonly adminToken: string;
  readonly readToken: string;
}

const [nodeId = 'edge-test'] = process.argv.slice(2);
const adminToken = 'edge-test-centre-admin-token-0123456789';
const readToken = 'edge-test-centre-read-token-0123456789';

const centre = await startRealSyncServer({
  name: 'pmm_edge_test',
  adminToken,
  readToken,
  // No drift runs or retraining behind the tests' back.
  env: { PMM_DRIFT_INTERVAL_MS: '0', PMM_RETRAIN_POLICY: 'manual' },
});
let proxy: Awaited<ReturnType<typeof startFaultProxy>> | null = null;
const shutdown = async () => {
  await proxy?.close();
  await centre.close();
  process.exit(0);
};
process.stdin.on('end', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);

try {
  const { ingest_token } = await centre.call<{ ingest_token: string }>('POST', '/v1/nodes', {
    // The centre pushes models to this URL on alias changes: nothing listens there, the tests pull instead.
    json: { node_id: nodeId, url: 'http://127.0.0.1:9/', admin_token: 'edge-test-node-admin-token-0123' },
  });
  proxy = await startFaultProxy(centre.url);
  const info: CentreInfo = { syncUrl: proxy.url, ingestToken: ingest_token, adminToken, readToken };
  process.stdout.write(`${JSON.stringify(info)}\n`);
} catch (err) {
  console.error(err);
  await centre.close();
  process.exit(1);
}
