#!/usr/bin/env node
// Set-up that `npm start`, `npm test` and `npm run setup` run first, so a fresh clone needs nothing else:
//  - installs the npm packages from the lockfile (`npm ci`) when node_modules is missing or older than the lockfile;
//  - with --browser, installs Debian's chromium (and fonts) for the browser tests when /usr/bin/chromium is missing;
//  - with --postgres, installs Debian's postgresql for the tests on PostgreSQL when its server binaries are missing
//    (the tests start a throwaway cluster of their own: scripts/postgres-for-tests.mjs);
//  - with --proxy, installs Debian's nginx when it is missing: the tests of several instances start deploy/nginx.conf
//    in front of them.
// With no argument (`npm run setup`) it does all four; `npm start` (--quiet alone) needs only the npm packages.
// Usage: node scripts/setup.mjs [--browser] [--postgres] [--proxy] [--quiet]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPostgresBin } from './postgres-for-tests.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const wantAll = args.size === 0;
const log = (msg) => console.log(`[setup] ${msg}`);
const run = (cmd, cmdArgs) => execFileSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });

// Debian packages, installed with apt-get (through `sudo -n` when not root); on failure, says what to run by hand.
function aptInstall(what, packages) {
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? [] : ['sudo', '-n'];
  const apt = (aptArgs) => {
    const [cmd, ...rest] = [...prefix, 'apt-get', ...aptArgs];
    execFileSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  try {
    apt(['update']);
    apt(['install', '-y', ...packages]);
  } catch {
    console.error(`[setup] could not install ${what}: run \`apt-get install -y ${packages.join(' ')}\` as root, then retry.`);
    process.exit(1);
  }
}

function installBrowser() {
  if (existsSync('/usr/bin/chromium')) {
    if (!quiet) log('chromium: /usr/bin/chromium is present');
    return;
  }
  log("chromium missing: installing Debian's chromium and fonts-liberation with apt-get");
  aptInstall('chromium', ['chromium', 'fonts-liberation']);
}

// The tests start their own throwaway cluster from the server binaries (initdb, pg_ctl, postgres); nothing else of
// the package is used.
function installPostgres() {
  const bin = findPostgresBin();
  if (bin) {
    if (!quiet) log(`postgresql: server binaries in ${bin}`);
    return;
  }
  log("postgresql missing: installing Debian's postgresql with apt-get");
  aptInstall('postgresql', ['postgresql']);
  if (!findPostgresBin()) {
    console.error("[setup] postgresql is installed but its server binaries are not in /usr/lib/postgresql/<version>/bin: set PG_BIN to their folder.");
    process.exit(1);
  }
}

// Only the binary is used: the tests run it with a configuration and a prefix folder of their own.
const NGINX = '/usr/sbin/nginx';
function installProxy() {
  if (existsSync(NGINX)) {
    if (!quiet) log(`nginx: ${NGINX} is present`);
    return;
  }
  log("nginx missing: installing Debian's nginx with apt-get");
  aptInstall('nginx', ['nginx-light']);
}

// node_modules is current when it was installed from this exact lockfile (hash recorded after a successful install).
function installPackages() {
  const lock = readFileSync(join(root, 'package-lock.json'));
  const hash = createHash('sha256').update(lock).digest('hex');
  const stamp = join(root, 'node_modules', '.bagel-lock-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
    if (!quiet) log('npm packages: up to date with package-lock.json');
    return;
  }
  log('npm packages: installing from package-lock.json (npm ci; compiles better-sqlite3, about a minute)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, hash);
}

installPackages();
if (args.has('--browser') || wantAll) installBrowser();
if (args.has('--postgres') || wantAll) installPostgres();
if (args.has('--proxy') || wantAll) installProxy();
