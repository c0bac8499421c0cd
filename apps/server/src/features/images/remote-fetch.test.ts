import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteFetcher, DEFAULT_REMOTE_FETCH, type RemoteFetchSettings } from './remote-fetch';

// The bounded fetcher of remote images against a real HTTP server whose answers the test picks by path.

const KIB = 1024;
let server: Server;
let origin: string;
let inFlight = 0;
let maxInFlight = 0;
const held: ServerResponse[] = [];

const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => void> = {
  '/ok.jpg': (_, response) => response.writeHead(200, { 'Content-Length': 3 * KIB, ETag: '"v1"' }).end(Buffer.alloc(3 * KIB, 1)),
  '/slow.jpg': (_, response) => void setTimeout(() => response.writeHead(200, { 'Content-Length': 1 }).end('x'), 30),
  '/big-declared.jpg': (_, response) => response.writeHead(200, { 'Content-Length': 64 * KIB }).end(Buffer.alloc(64 * KIB)),
  // No Content-Length: chunked, so the size shows only as the bytes come.
  '/big-chunked.jpg': (_, response) => {
    response.writeHead(200);
    for (let i = 0; i < 64; i++) response.write(Buffer.alloc(KIB));
    response.end();
  },
  '/moved.jpg': (_, response) => response.writeHead(301, { Location: '/ok.jpg' }).end(),
  '/gone.jpg': (_, response) => response.writeHead(410).end(),
  '/unavailable.jpg': (_, response) => response.writeHead(503, 'Service Unavailable').end(),
  '/hang.jpg': (_, response) => void held.push(response),
  // Headers and some bytes, then nothing.
  '/stall.jpg': (_, response) => {
    response.writeHead(200, { 'Content-Length': 4 * KIB });
    response.write(Buffer.alloc(KIB));
    held.push(response);
  },
};

beforeAll(async () => {
  server = createServer((request, response) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.on('close', () => inFlight--);
    const route = routes[request.url!] ?? ((_, r: ServerResponse) => r.writeHead(404).end());
    route(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const fetcher = (settings: Partial<RemoteFetchSettings> = {}) => createRemoteFetcher({ ...DEFAULT_REMOTE_FETCH, timeoutMs: 500, maxBytes: 16 * KIB, ...settings });
const url = (path: string) => async () => `${origin}${path}`;

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work;
  return { value, ms: Date.now() - started };
}

describe('remote fetcher', () => {
  it('gives an object found, with its size and version, and its bytes', async () => {
    const f = fetcher();
    expect(await f.head(url('/ok.jpg'))).toEqual({ outcome: 'found', value: { size: 3 * KIB, version: 'etag "v1"' } });
    const got = await f.bytes(url('/ok.jpg'));
    expect(got.outcome === 'found' && got.value.bytes.equals(Buffer.alloc(3 * KIB, 1))).toBe(true);
  });

  it('tells a missing object (404, 410) from a failing one (5xx), and does not follow redirects', async () => {
    const f = fetcher();
    expect(await f.head(url('/nothing.jpg'))).toEqual({ outcome: 'missing', detail: 'answered 404' });
    expect(await f.bytes(url('/gone.jpg'))).toEqual({ outcome: 'missing', detail: 'answered 410' });
    expect(await f.bytes(url('/unavailable.jpg'))).toEqual({ outcome: 'failed', detail: 'answered 503 Service Unavailable' });
    expect(await f.bytes(url('/moved.jpg'))).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/^answered 301 \(a redirect, not followed/) });
  });

  it('refuses more than maxBytes, declared or streamed', async () => {
    const f = fetcher();
    expect(await f.bytes(url('/big-declared.jpg'))).toMatchObject({ outcome: 'failed', tooLarge: true, detail: expect.stringMatching(/^65536 bytes, more than the 16384/) });
    expect(await f.bytes(url('/big-chunked.jpg'))).toMatchObject({ outcome: 'failed', tooLarge: true });
    expect(await f.stream(url('/big-declared.jpg'))).toMatchObject({ outcome: 'failed', tooLarge: true });
    const chunked = await f.stream(url('/big-chunked.jpg'));
    if (chunked.outcome !== 'found') throw new Error('expected a stream');
    await expect(chunked.value.stream.toArray()).rejects.toThrow(/more than the 16384 bytes/);
  });

  it('gives up on a server that does not answer, a refused connection and an unknown host, within the timeout', async () => {
    const f = fetcher();
    const hang = await timed(f.head(url('/hang.jpg')));
    expect(hang.value).toEqual({ outcome: 'failed', detail: 'no answer within 0.5 s' });
    expect(hang.ms).toBeGreaterThanOrEqual(450);
    expect(hang.ms).toBeLessThan(3_000);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await f.head(async () => `http://127.0.0.1:${port}/a.jpg`)).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/^ECONNREFUSED/) });

    // A name that never resolves (.invalid is reserved): a failure, whatever the resolver says, within the timeout.
    const dns = await timed(f.head(async () => 'http://bagel-images.invalid/a.jpg'));
    expect(dns.value.outcome).toBe('failed');
    expect(dns.ms).toBeLessThan(3_000);
  });

  it('ends a stream whose body stops coming', async () => {
    const stalled = await fetcher().stream(url('/stall.jpg'));
    if (stalled.outcome !== 'found') throw new Error('expected a stream');
    expect(stalled.value.size).toBe(4 * KIB);
    const started = Date.now();
    await expect(stalled.value.stream.toArray()).rejects.toThrow(/sent nothing for 0.5 s/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('runs at most `concurrency` requests at once, the others waiting their turn', async () => {
    const f = fetcher({ concurrency: 4, timeoutMs: 10_000 });
    maxInFlight = inFlight;
    const answers = await Promise.all(Array.from({ length: 24 }, () => f.head(url('/slow.jpg'))));
    expect(answers.every((a) => a.outcome === 'found')).toBe(true);
    expect(maxInFlight).toBe(4);
  });

  it('counts the wait for a turn in the timeout, and refuses at once beyond maxWaiting', async () => {
    const f = fetcher({ concurrency: 1, maxWaiting: 1 });
    // The only turn is held for 2.5 s (its URL takes that long to come), well past the others' timeout.
    const first = f.head(() => new Promise((resolve) => setTimeout(() => resolve(`${origin}/ok.jpg`), 2_500)));
    const waiting = timed(f.head(url('/ok.jpg?waiting')));
    expect(await f.head(url('/ok.jpg'))).toEqual({ outcome: 'failed', detail: '1 image fetch is already waiting for a turn' });
    const waited = await waiting;
    expect(waited.value).toEqual({ outcome: 'failed', detail: 'no answer within 0.5 s' });
    expect(waited.ms).toBeLessThan(2_000);
    expect((await first).outcome).toBe('failed');
  });

  it('frees the turn of a stream once its headers are in: a slow reader holds none', async () => {
    const f = fetcher({ concurrency: 1 });
    const stalled = await f.stream(url('/stall.jpg'));
    expect(stalled.outcome).toBe('found');
    expect((await f.head(url('/ok.jpg'))).outcome).toBe('found');
    if (stalled.outcome === 'found') stalled.value.stream.destroy();
  });
});
