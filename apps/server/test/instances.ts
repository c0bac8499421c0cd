// Several `bagel serve` processes on one database, behind the nginx of deploy/nginx.conf: how Bagel runs on more than
// one machine (docs/DEPLOY.md), started for real by the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'bagel.mjs');
const NGINX_CONF = join(here, '..', '..', '..', 'deploy', 'nginx.conf');
const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';

export interface Running {
  url: string;
  stop(): Promise<void>;
}

/** Ends a child process and waits for it (SIGTERM: a server finishes its requests and closes its database). */
function stopper(child: ChildProcess, after: () => void = () => {}): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        after();
        resolve();
        return;
      }
      child.once('exit', () => {
        after();
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** The last part of what an instance printed that is kept, for a failing test to show. */
const OUTPUT_KEPT = 20_000;

/**
 * Starts `bagel serve --db DB` on a free port and resolves once it listens, with its URL and `output()`, the end of
 * what it has printed (its log). Its output is read for as long as it runs: a pipe nobody reads fills up, and a
 * process writing to a full pipe stops (on Linux, writes to a pipe block).
 */
export function startInstance(
  db: string,
  options: { args?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<Running & { child: ChildProcess; output(): string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--db', db, '--port', '0', '--host', '127.0.0.1', '--trust-proxy', 'loopback', ...(options.args ?? [])], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let listening = false;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return new Promise((resolve, reject) => {
    const onData = () => {
      const url = / on (http:\/\/\S+?)(?: |\n|$)/.exec(output)?.[1];
      if (url && !listening) {
        listening = true;
        child.stdout!.off('data', onData);
        resolve({ url, child, stop: stopper(child), output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => listening || reject(new Error(`bagel serve exited with ${code} before listening:\n${output}`)));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts nginx with deploy/nginx.conf in front of `upstreams` (URLs of instances): the file as shipped, with only its
 * `listen` port (`options.port`, or a free one) and its upstream servers replaced, in a prefix folder of its own.
 * Resolves once it answers.
 */
export async function startProxy(upstreams: readonly string[], options: { port?: number } = {}): Promise<Running> {
  const prefix = mkdtempSync(join(tmpdir(), 'bagel-nginx-'));
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  const port = options.port ?? (await freePort());
  const servers = upstreams.map((u) => `    server ${new URL(u).host} max_fails=1 fail_timeout=10s;`).join('\n');
  const shipped = readFileSync(NGINX_CONF, 'utf8');
  const conf = shipped
    .replace(/^ {4}server 10\.0\.0\.11:8080[^\n]*\n {4}server 10\.0\.0\.12:8080[^\n]*$/m, servers)
    .replace(/^ {4}listen 8080;$/m, `    listen 127.0.0.1:${port};`);
  if (conf === shipped || !conf.includes(servers) || !conf.includes(`listen 127.0.0.1:${port};`)) {
    throw new Error('deploy/nginx.conf no longer has the upstream servers and listen line the test replaces');
  }
  writeFileSync(join(prefix, 'nginx.conf'), conf);
  const child = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 50) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}:\n${errors}`);
    try {
      await fetch(`${url}/api/health`);
      break;
    } catch {
      if (waited > 10_000) throw new Error(`nginx did not answer on ${url} within 10 s:\n${errors}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { url, stop: stopper(child, () => rmSync(prefix, { recursive: true, force: true })) };
}
