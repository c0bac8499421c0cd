// `bagel serve` flags and environment for the server's limits and trusted proxies; and, end to end, a flood of slow
// connections far beyond the process's file descriptors, which the caps keep from starving the server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTrustProxy, serveSettings } from '../src/cli/commands/serve';
import { createCommandDatabase } from './command-database';
import { createUser, seedSyntheticProject } from './synthetic-project';
import { readRows } from './test-app';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'bagel.mjs');
const dir = mkdtempSync(join(tmpdir(), 'bagel-serve-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve settings', () => {
  it('are the defaults without flags or environment', () => {
    expect(serveSettings({}, {})).toEqual({ limits: {} });
  });

  it('come from the flags, else the environment, in seconds and counts', () => {
    const env = { BAGEL_REQUEST_TIMEOUT: '45', BAGEL_KEEP_ALIVE_TIMEOUT: '20', BAGEL_MAX_CONNECTIONS: '900', BAGEL_MAX_CONNECTIONS_PER_ADDRESS: '0' };
    expect(serveSettings({}, env)).toEqual({ limits: { requestTimeoutMs: 45_000, keepAliveTimeoutMs: 20_000, maxConnections: 900, maxConnectionsPerAddress: 0 } });
    expect(serveSettings({ requestTimeout: 5, maxConnections: 64 }, env).limits).toMatchObject({ requestTimeoutMs: 5_000, maxConnections: 64 });
  });

  it('trust the loopback for the bare flag or a true environment value, and lift the per-address cap behind the proxy', () => {
    const proxied = { limits: { keepAliveTimeoutMs: 75_000, maxConnectionsPerAddress: 0 }, trustProxy: 'loopback' };
    expect(serveSettings({ trustProxy: true }, {})).toEqual(proxied);
    expect(serveSettings({}, { BAGEL_TRUST_PROXY: '1' })).toEqual(proxied);
    expect(serveSettings({}, { BAGEL_TRUST_PROXY: 'false' })).toEqual({ limits: {} });
    expect(serveSettings({ trustProxy: '10.0.0.5, 172.16.0.0/12,::1' }, {}).trustProxy).toBe('10.0.0.5,172.16.0.0/12,::1');
    expect(serveSettings({ trustProxy: true, maxConnectionsPerAddress: 500, keepAliveTimeout: 90 }, {}).limits).toEqual({ keepAliveTimeoutMs: 90_000, maxConnectionsPerAddress: 500 });
  });

  it('refuse a wrong value, naming the variable', () => {
    expect(() => serveSettings({}, { BAGEL_MAX_CONNECTIONS: 'many' })).toThrow('BAGEL_MAX_CONNECTIONS: "many" is not a whole number (1 or more)');
    expect(() => serveSettings({}, { BAGEL_REQUEST_TIMEOUT: '0' })).toThrow(/BAGEL_REQUEST_TIMEOUT: .*seconds/);
    expect(() => serveSettings({}, { BAGEL_TRUST_PROXY: 'proxy.example' })).toThrow(/BAGEL_TRUST_PROXY: "proxy.example" is not an IP address/);
    for (const wrong of ['10.0.0.0/33', '1.2.3', 'fe80::/129', '10.0.0.1/8/2']) expect(() => parseTrustProxy(wrong), wrong).toThrow(/is not an IP address/);
  });
});

function startServe(args: string[], fileLimit: number): Promise<{ child: ChildProcess; port: number }> {
  // `ulimit -n` in the shell, so the server itself runs with that few file descriptors (as in a small container).
  const child = spawn('sh', ['-c', `ulimit -n ${fileLimit} && exec "$@"`, 'sh', process.execPath, BIN, 'serve', ...args], {
    env: { ...process.env, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // It prints the address it is bound to (HOST defaults to 127.0.0.1).
      const match = /on http:\/\/(?:localhost|127\.0\.0\.1):(\d+)/.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`bagel serve exited with ${code}: ${output}`)));
  });
}

/** Opens a connection from `localAddress` that sends half a request and waits. */
function slowConnection(port: number, localAddress: string): Promise<{ socket: Socket; closed: () => boolean; closedAfterMs: Promise<number> }> {
  const started = Date.now();
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  let closed = false;
  socket.on('error', () => {});
  const closedAfterMs = new Promise<number>((resolve) =>
    socket.on('close', () => {
      closed = true;
      resolve(Date.now() - started);
    }),
  );
  return new Promise((resolve) => {
    socket.on('connect', () => {
      socket.write('GET /api/health HTTP/1.1\r\nHost: localhost\r\n');
      resolve({ socket, closed: () => closed, closedAfterMs });
    });
    socket.on('close', () => resolve({ socket, closed: () => closed, closedAfterMs }));
  });
}

function get(port: number, path: string, options: { agent?: Agent; localAddress?: string; cookie?: string; body?: unknown } = {}) {
  return new Promise<{ status: number; type?: string; setCookie?: string[] } | { error: string }>((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.body ? 'POST' : 'GET',
        agent: options.agent,
        localAddress: options.localAddress,
        headers: { ...(options.cookie ? { cookie: options.cookie } : {}), ...(options.body ? { 'content-type': 'application/json' } : {}) },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], setCookie: res.headers['set-cookie'] }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(options.body ? JSON.stringify(options.body) : undefined);
  });
}

describe('bagel serve under a flood of slow connections', () => {
  it('keeps serving with 256 file descriptors and 600 slow connections: excess refused at once, files still open', async () => {
    // On PostgreSQL the server's pool takes descriptors of the same 256 for its connections.
    const target = await createCommandDatabase(dir, 'flood.sqlite');
    const imageDir = join(dir, 'images');
    mkdirSync(imageDir, { recursive: true });
    const db = await target.open();
    const { projectId, files } = await seedSyntheticProject(db, { name: 'p', images: 1, models: 1, seed: 5, imageDir });
    writeFileSync(join(imageDir, files[0]!), await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 90, g: 160, b: 40 } } }).jpeg().toBuffer());
    const imageId = (await readRows<{ id: number }>(db, 'SELECT id FROM images WHERE project_id = ?', projectId))[0]!.id;
    await createUser(db, 'viewer', 'expert', 'viewer-password');
    await db.close();

    const { child, port } = await startServe(
      ['--db', target.location, '--port', '0', '--max-connections', '150', '--max-connections-per-address', '100', '--keep-alive-timeout', '60'],
      256,
    );
    const flood: Awaited<ReturnType<typeof slowConnection>>[] = [];
    try {
      // A signed-in user with a keep-alive connection, opened before the flood.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const signedIn = await get(port, '/api/auth/login', { agent, body: { username: 'viewer', password: 'viewer-password' } });
      expect(signedIn).toMatchObject({ status: 200 });
      const cookie = ('setCookie' in signedIn ? signedIn.setCookie![0]! : '').split(';')[0]!;

      // 600 slow connections from two addresses: more than twice the process's file descriptors.
      for (const address of ['127.0.0.2', '127.0.0.3']) flood.push(...(await Promise.all(Array.from({ length: 300 }, () => slowConnection(port, address)))));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const held = (from: number, to: number) => flood.slice(from, to).filter((c) => !c.closed()).length;
      expect(held(0, 300), 'held from 127.0.0.2').toBe(100);
      expect(held(300, 600), 'held from 127.0.0.3').toBe(49); // 150 in all, with the user's connection
      for (const refused of flood.filter((c) => c.closed())) expect(await refused.closedAfterMs).toBeLessThan(2_000);

      // The user's connection still gets a preview: the server still has descriptors for the image and the cache.
      expect(await get(port, `/api/projects/${projectId}/images/${imageId}/preview?width=200`, { agent, cookie })).toEqual({ status: 200, type: 'image/webp', setCookie: undefined });
      // A new connection is refused at once while the server is full, and served once some slow ones are gone.
      expect(await get(port, '/api/health', { localAddress: '127.0.0.4' })).toMatchObject({ error: expect.stringMatching(/ECONNRESET|socket hang up/) });
      for (const c of flood.slice(300)) c.socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await get(port, '/api/health', { localAddress: '127.0.0.4' })).toMatchObject({ status: 200 });
      agent.destroy();
    } finally {
      for (const c of flood) c.socket.destroy();
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
      await target.drop();
    }
  }, 60_000);
});
