// The servers of the browser tests on PostgreSQL (playwright.postgres.config.ts): a throwaway PostgreSQL cluster, the
// demo made in a database of it, two `bagel serve` instances on that database, and nginx with deploy/nginx.conf in
// front of them on the port given: Bagel as docs/DEPLOY.md runs it on several machines. Stops them all, and removes
// the cluster, on SIGTERM or SIGINT.
//
//   npx tsx apps/web/e2e-postgres/servers.ts PORT
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { prepareDemoOnPostgres } from '../../server/src/cli/commands/demo';
import { startInstance, startProxy } from '../../server/test/instances';
import { startPostgres } from '../../../scripts/postgres-for-tests.mjs';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: servers.ts PORT');

const cluster = await startPostgres({ quiet: true });
const stops: (() => Promise<void>)[] = [cluster.stop];
async function stopAll(): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => {});
}
process.once('SIGTERM', () => void stopAll().then(() => process.exit(0)));
process.once('SIGINT', () => void stopAll().then(() => process.exit(0)));

try {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('CREATE DATABASE bagel_demo');
  await admin.end();
  const url = new URL(cluster.url);
  url.pathname = '/bagel_demo';
  await prepareDemoOnPostgres(url.toString(), fileURLToPath(new URL('../../../data/demo/manifest.json', import.meta.url)), () => {});
  const instances = [];
  for (let i = 0; i < 2; i++) {
    const instance = await startInstance(url.toString());
    stops.push(instance.stop);
    instances.push(instance);
  }
  const proxy = await startProxy(
    instances.map((instance) => instance.url),
    { port },
  );
  stops.push(proxy.stop);
  console.log(`Bagel's demo on PostgreSQL: two instances (${instances.map((i) => i.url).join(', ')}) behind nginx at ${proxy.url}`);
} catch (error) {
  console.error(error);
  await stopAll();
  process.exit(1);
}
