// No client can hold the server: slow requests are cut at their deadlines, and the connections one address (and all
// together) may hold are capped, over a real listening server and raw sockets. Short limits, through the same options.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerLimits } from '../src/plugins/connection-limits';
import { createTestApp, type TestApp } from './test-app';

interface Client {
  socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Milliseconds from the connection's start to its close. */
  closed: Promise<number>;
  isClosed(): boolean;
}

const clients: Client[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.socket.destroy();
});

function open(port: number, localAddress = '127.0.0.1', send = ''): Promise<Client> {
  const started = performance.now();
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  let data = '';
  let isClosed = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (data += chunk));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => {
      isClosed = true;
      resolve(performance.now() - started);
    }),
  );
  const client = { socket, received: () => data, closed, isClosed: () => isClosed };
  clients.push(client);
  return new Promise((resolve) => {
    socket.on('connect', () => {
      if (send) socket.write(send);
      resolve(client);
    });
    socket.on('close', () => resolve(client));
  });
}

/** Resolves with the close time, or rejects when the socket is still open after `ms`. */
function closedWithin(client: Client, ms: number): Promise<number> {
  return Promise.race([
    client.closed,
    new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms; received ${JSON.stringify(client.received())}`)), ms)),
  ]);
}

/** GET /api/health on a fresh connection from `localAddress`: the status line, or the error. */
async function health(port: number, localAddress = '127.0.0.1'): Promise<string> {
  const client = await open(port, localAddress, 'GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  await closedWithin(client, 5_000);
  return client.received().split('\r\n')[0] || 'closed without an answer';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function listening(limits: Partial<ServerLimits>): Promise<{ t: TestApp; port: number }> {
  const t = await createTestApp({ limits });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  return { t, port: typeof address === 'object' && address ? address.port : 0 };
}

describe('deadlines', () => {
  const limits = { requestTimeoutMs: 2_000, headersTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000, idleTimeoutMs: 10_000, checkIntervalMs: 100, bodyLimitBytes: 4_096 };
  let server: { t: TestApp; port: number };
  beforeAll(async () => {
    server = await listening(limits);
  });
  afterAll(() => server.t.close());

  it('answers 408 and closes a connection whose body trickles in a byte at a time, at the request deadline', async () => {
    const client = await open(server.port, '127.0.0.1', 'POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n');
    const trickle = setInterval(() => client.socket.writable && client.socket.write('x'), 50);
    try {
      const ms = await closedWithin(client, limits.requestTimeoutMs + 3_000);
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(ms).toBeGreaterThanOrEqual(limits.requestTimeoutMs - 100);
    } finally {
      clearInterval(trickle);
    }
  });

  it('answers 408 and closes a connection whose headers trickle in, at the header deadline', async () => {
    const client = await open(server.port, '127.0.0.1', 'GET /api/health HTTP/1.1\r\n');
    const trickle = setInterval(() => client.socket.writable && client.socket.write('X-Slow: 1\r\n'), 100);
    try {
      const ms = await closedWithin(client, limits.headersTimeoutMs + 3_000);
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(ms).toBeGreaterThanOrEqual(limits.headersTimeoutMs - 100);
    } finally {
      clearInterval(trickle);
    }
  });

  it('closes a connection that sends nothing, and an idle keep-alive connection', async () => {
    const silent = await open(server.port);
    expect(await closedWithin(silent, limits.headersTimeoutMs + 3_000)).toBeGreaterThanOrEqual(limits.headersTimeoutMs - 100);

    const keptAlive = await open(server.port, '127.0.0.1', 'GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    while (!keptAlive.received().includes('"status":"ok"')) await sleep(10);
    const answeredAt = performance.now();
    await closedWithin(keptAlive, limits.keepAliveTimeoutMs + 3_000);
    expect(performance.now() - answeredAt).toBeGreaterThanOrEqual(limits.keepAliveTimeoutMs - 100);
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await server.t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'a', password: 'x'.repeat(limits.bodyLimitBytes) } });
    expect(res.statusCode).toBe(413);
  });
});

describe('connection caps', () => {
  // Deadlines far off: the slow connections stay for the whole test.
  const limits = { requestTimeoutMs: 60_000, headersTimeoutMs: 60_000, maxConnections: 30, maxConnectionsPerAddress: 10 };
  let server: { t: TestApp; port: number };
  beforeAll(async () => {
    server = await listening(limits);
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await server.t.close();
  });

  const slow = () => 'GET /api/health HTTP/1.1\r\nHost: localhost\r\n';

  it('keeps one address to its share: its excess connections are closed at once, and others are answered', async () => {
    const attacker = await Promise.all(Array.from({ length: 15 }, () => open(server.port, '127.0.0.2', slow())));
    await sleep(300);
    expect(attacker.filter((c) => c.isClosed())).toHaveLength(5);
    for (const refused of attacker.filter((c) => c.isClosed())) expect(await refused.closed).toBeLessThan(1_000);
    expect(await health(server.port, '127.0.0.1')).toBe('HTTP/1.1 200 OK');
    // Its share stays open and is served once it finishes its request.
    const held = attacker.find((c) => !c.isClosed())!;
    held.socket.write('Connection: close\r\n\r\n');
    await closedWithin(held, 5_000);
    expect(held.received()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('closes connections over the total at once, and serves again when some go', async () => {
    const held = await Promise.all(['127.0.0.2', '127.0.0.3', '127.0.0.4'].flatMap((address) => Array.from({ length: 10 }, () => open(server.port, address, slow()))));
    await sleep(300);
    expect(held.filter((c) => c.isClosed())).toHaveLength(0);
    const excess = await open(server.port, '127.0.0.5', slow());
    expect(await closedWithin(excess, 1_000)).toBeLessThan(1_000);
    expect(excess.received()).toBe('');
    for (const client of held.slice(0, 5)) client.socket.destroy();
    await sleep(100);
    expect(await health(server.port, '127.0.0.5')).toBe('HTTP/1.1 200 OK');
  });
});
