// The server side of the benchmarks, run in its own process so the load generator does not share its event loop:
// the real Bagel app (buildApp) on the database given, a SQLite file or a postgres:// URL (as `--db` takes it).
// Prints `listening <port>` when ready; exits on SIGTERM. Lines on stdin ask for its event-loop delay and memory.
//
//   node --import tsx scripts/bench/bench-server.ts FILE|postgres://…
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { buildApp } from '../../apps/server/src/app';
import { connectDatabase } from '../../apps/server/src/db/database';
import { parseDatabaseLocation } from '../../apps/server/src/db/database-location';

const [where] = process.argv.slice(2);
if (!where) {
  console.error('usage: bench-server.ts FILE|postgres://…');
  process.exit(2);
}

const database = await connectDatabase(parseDatabaseLocation(where));
const app = await buildApp({
  database,
  cacheDir: join(tmpdir(), 'bagel-bench-cache'),
  logger: false,
  // The load generator plays every expert from one address: no cap on its connections, and its 30 experts signing
  // in at once are not taken for a burst of guesses (sign-ins under way count against an address's free failures).
  limits: { maxConnectionsPerAddress: 0 },
  loginThrottle: { accountFreeFailures: 1000, addressFreeFailures: 1000 },
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);

// The server's own event-loop delay, for the benchmarks that ask (a line on stdin): `reset` starts a phase, `report`
// prints `stats {json}` with the delay's percentiles (ms) and the process's memory (MB, peak included).
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'reset') {
    delay.reset();
    console.log('reset');
  } else if (command === 'report') {
    const status = readFileSync('/proc/self/status', 'utf8');
    const megabytes = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
    const ms = (ns: number) => ns / 1e6;
    console.log(
      `stats ${JSON.stringify({ p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), rssMb: megabytes('VmRSS'), peakRssMb: megabytes('VmHWM') })}`,
    );
  }
});
process.on('SIGTERM', () => {
  void app.close().then(() => {
    void database.close().then(() => process.exit(0));
  });
});
