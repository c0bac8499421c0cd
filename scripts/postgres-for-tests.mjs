#!/usr/bin/env node
// A throwaway PostgreSQL cluster for the tests (and for a developer at the command line): a temporary data directory,
// trust authentication on 127.0.0.1 only, settings that trade durability for speed (fsync off: nothing in it is meant
// to survive), removed by stop() or, failing that, when the process that started it exits or dies.
//
//   import { startPostgres } from './postgres-for-tests.mjs';
//   const { url, stop } = await startPostgres();   // postgres://postgres@127.0.0.1:PORT/postgres
//   ...; await stop();
//
//   node scripts/postgres-for-tests.mjs            # starts one, prints its URL, stops it on Ctrl-C
//
// The binaries are found in $PG_BIN, else in the highest /usr/lib/postgresql/<version>/bin (Debian), else on PATH;
// `node scripts/setup.mjs --postgres` installs Debian's postgresql when none is found. PostgreSQL refuses to run as
// root: as root the cluster belongs to the `postgres` user (which the Debian package creates) and every server binary
// runs through `runuser -u postgres`; as anyone else the binaries run as the current user.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The oldest PostgreSQL Bagel supports. */
export const MIN_POSTGRES_MAJOR = 15;

// Settings of a cluster whose contents may be lost at any time: no flushes to disk, room for several server
// instances and many test files connecting at once, little shared memory (several clusters may run side by side).
const SERVER_SETTINGS = {
  listen_addresses: '127.0.0.1',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '300',
  shared_buffers: '64MB',
};

const hasServerBinaries = (dir) => ['initdb', 'pg_ctl', 'postgres'].every((name) => existsSync(join(dir, name)));

/** The directory of PostgreSQL's server binaries (initdb, pg_ctl, postgres), or null when none is installed. */
export function findPostgresBin() {
  if (process.env.PG_BIN) return hasServerBinaries(process.env.PG_BIN) ? process.env.PG_BIN : null;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (hasServerBinaries(join(debian, v, 'bin'))) return join(debian, v, 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || !existsSync(join(dir, 'pg_ctl'))) continue;
    // /usr/local/bin/pg_ctl may be a link into the real bin folder, where initdb and postgres sit beside it.
    const real = join(realpathSync(join(dir, 'pg_ctl')), '..');
    if (hasServerBinaries(real)) return real;
    if (hasServerBinaries(dir)) return dir;
  }
  return null;
}

/** The major version of the postgres binary in `bin` (e.g. 15). */
function majorVersion(bin) {
  const out = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(out);
  if (!m) throw new Error(`cannot read the version of ${join(bin, 'postgres')}: ${out.trim()}`);
  return Number(m[1]);
}

const asRoot = () => process.getuid?.() === 0;

/** Command and arguments that run a server binary: through `runuser -u postgres` as root, directly otherwise. */
function asServerUser(file, args) {
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

/** uid and gid of the `postgres` user, for a data directory it must own. */
function postgresUser() {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) {
    throw new Error('PostgreSQL refuses to run as root and there is no `postgres` user to run it as ' +
      "(Debian's postgresql package creates one): run the tests as another user, or install postgresql");
  }
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A TCP port free on 127.0.0.1 right now (another process may still take it before the server does: start retries). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** pg_ctl's -o string: passed through a shell by pg_ctl, so every value is single-quoted. */
function serverOptions(port, socketDir, overrides = {}) {
  const quote = (v) => `'${String(v).replaceAll("'", "'\\''")}'`;
  const settings = Object.entries({ ...SERVER_SETTINGS, ...overrides }).map(([k, v]) => `-c ${k}=${quote(v)}`);
  return [`-p ${port}`, `-k ${quote(socketDir)}`, ...settings].join(' ');
}

const tail = (file, lines = 30) => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
};

/** Stops a cluster at once (no checkpoint: its data is thrown away) and removes its directory. Synchronous, for 'exit'. */
function stopNow(bin, dataDir, dir) {
  if (existsSync(join(dataDir, 'postmaster.pid'))) {
    const [cmd, args] = asServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    try {
      execFileSync(cmd, args, { cwd: dir, stdio: 'ignore' });
    } catch {
      // Already stopped (or never started): nothing left to stop.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

// A detached process that stops the cluster if the process that started it dies without running its 'exit'
// handlers (SIGKILL, a second Ctrl-C, an out-of-memory kill): it checks every second that the parent is alive.
const WATCHDOG = `
const [parent, cmd, argsJson, dir] = process.argv.slice(1);
const { execFileSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const alive = () => { try { process.kill(Number(parent), 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const timer = setInterval(() => {
  if (alive()) return;
  clearInterval(timer);
  try { execFileSync(cmd, JSON.parse(argsJson), { cwd: '/', stdio: 'ignore' }); } catch {}
  rmSync(dir, { recursive: true, force: true });
}, 1000);
process.on('SIGTERM', () => process.exit(0));
`;

/**
 * Starts a throwaway PostgreSQL cluster and returns its URL (user postgres, database postgres, trust authentication)
 * and `stop()`, which stops it and removes its directory. `quiet` leaves out the line saying it started. `durable`
 * keeps synchronous_commit on: a commit is answered only once its WAL is written, so that a crash of the server
 * (crash(): the process, not the machine, so fsync may stay off) loses no acknowledged commit, as on a real server.
 * `settings` overrides the server settings above (a benchmark gives the cluster the memory a deployed server has).
 */
export async function startPostgres({ quiet = false, durable = false, settings = {} } = {}) {
  const overrides = { ...(durable ? { synchronous_commit: 'on' } : {}), ...settings };
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error("PostgreSQL's server binaries (initdb, pg_ctl, postgres) were not found in $PG_BIN, " +
      '/usr/lib/postgresql/<version>/bin or PATH: run `node scripts/setup.mjs --postgres` (installs Debian\'s postgresql)');
  }
  const major = majorVersion(bin);
  if (major < MIN_POSTGRES_MAJOR) {
    throw new Error(`PostgreSQL ${major} in ${bin} is older than ${MIN_POSTGRES_MAJOR}: set PG_BIN to a newer one`);
  }
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'bagel-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const owner = asRoot() ? postgresUser() : null;
  if (owner) chownSync(dir, owner.uid, owner.gid);

  // Registered before anything runs, so a failure from here on leaves nothing behind.
  let stopped = false;
  const onExit = () => {
    if (!stopped) stopNow(bin, dataDir, dir);
  };
  process.on('exit', onExit);
  let watchdog = null;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    watchdog?.kill('SIGTERM');
    if (existsSync(join(dataDir, 'postmaster.pid'))) {
      const [cmd, args] = asServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      await execFileAsync(cmd, args, { cwd: dir }).catch(() => {});
    }
    rmSync(dir, { recursive: true, force: true });
    if (!quiet) console.log(`[postgres] stopped the cluster at ${dir}`);
  };

  const run = async (file, args) => {
    const [cmd, cmdArgs] = asServerUser(join(bin, file), args);
    try {
      // cwd: a directory the postgres user may enter (as root, the caller's may be /root).
      await execFileAsync(cmd, cmdArgs, { cwd: dir });
    } catch (err) {
      const output = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim();
      throw new Error(`${file} failed (${err.message.split('\n')[0]})${output ? `:\n${output}` : ''}`);
    }
  };

  try {
    if (owner) mkdirSync(dataDir, { mode: 0o700 }), chownSync(dataDir, owner.uid, owner.gid);
    await run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    // The port is free when picked but may be taken before the server binds it (other runs start clusters too).
    let port;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await run('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions(port, dir, overrides), '-w', '-t', '60', 'start']);
        break;
      } catch (err) {
        if (attempt >= 3) throw new Error(`${err.message}\nserver log:\n${tail(logFile)}`);
      }
    }
    const [stopCmd, stopArgs] = asServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), stopCmd, JSON.stringify(stopArgs), dir], {
      detached: true,
      stdio: 'ignore',
    });
    watchdog.unref();
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    if (!quiet) console.log(`[postgres] PostgreSQL ${major} at ${url} (started in ${Date.now() - started} ms, data in ${dir})`);
    // A crash and the restart after it, for the tests of what PostgreSQL failing does to Bagel: an immediate stop ends
    // every connection at once, without a checkpoint (the next start recovers from the write-ahead log).
    const serverPort = port;
    const crash = () => run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    const restart = () => run('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions(serverPort, dir, overrides), '-w', '-t', '60', 'start']);
    return { url, port, dir, stop, crash, restart };
  } catch (err) {
    await stop();
    throw err;
  }
}

// As a command: start a cluster, print its URL, stop it on Ctrl-C (or SIGTERM).
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url, stop } = await startPostgres({ quiet: true });
  console.log(url);
  console.error('PostgreSQL is running (trust authentication, 127.0.0.1 only, data thrown away): Ctrl-C stops it.');
  const shutdown = async () => {
    await stop();
    console.error('PostgreSQL stopped, its data directory removed.');
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  setInterval(() => {}, 1 << 30); // keeps the process alive until a signal
}
