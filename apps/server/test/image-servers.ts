// Real servers of images for the tests of remote image sources: a static HTTP server (node:http) with files that
// fail on purpose, and s3rver, an S3-compatible server in Node, with a bucket the test fills through the AWS SDK.
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import sharp from 'sharp';

/** A JPEG of one colour. */
export const jpeg = (width: number, height: number, color: { r: number; g: number; b: number }) =>
  sharp({ create: { width, height, channels: 3, background: color } }).jpeg().toBuffer();

export interface ImageHttpServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Every request as `METHOD /raw/path`, in order. */
  requests: string[];
  /** Requests answered (or under way) at once, at most, since the last `resetCounts`. */
  maxInFlight: number;
  /** Requests under way now (a hanging one counts until its connection closes). */
  inFlight: number;
  /** Holds every request without answering (until set back to false; those held stay held). */
  hangAll: boolean;
  /** Answers each request after this many milliseconds. */
  delayMs: number;
  resetCounts(): void;
  close(): Promise<void>;
}

/**
 * Serves `files` (path below `/` → bytes) for GET and HEAD, with an ETag; anything else is 404. Files named
 * `…fail.jpg` answer 500, `…hang.jpg` never answer, `…moved.jpg` redirect (302) to `/secret.txt`.
 */
export async function startImageHttpServer(files: Record<string, Buffer>): Promise<ImageHttpServer> {
  const sockets = new Set<Socket>();
  const state = {
    origin: '',
    requests: [] as string[],
    maxInFlight: 0,
    inFlight: 0,
    hangAll: false,
    delayMs: 0,
    resetCounts() {
      state.requests.length = 0;
      state.maxInFlight = state.inFlight;
    },
    close: async () => {},
  };
  const answer = (request: IncomingMessage, response: ServerResponse) => {
    const path = decodeURIComponent(new URL(request.url!, 'http://x').pathname);
    if (path.endsWith('fail.jpg')) return response.writeHead(500).end('broken');
    if (path.endsWith('moved.jpg')) return response.writeHead(302, { Location: '/secret.txt' }).end();
    const bytes = files[path.slice(1)];
    if (!bytes) return response.writeHead(404).end('not found');
    response.writeHead(200, {
      'Content-Type': path.endsWith('.txt') ? 'text/html' : 'image/jpeg',
      'Content-Length': bytes.length,
      ETag: `"${createHash('sha1').update(bytes).digest('hex')}"`,
    });
    response.end(request.method === 'HEAD' ? undefined : bytes);
  };
  const server = createServer((request, response) => {
    state.requests.push(`${request.method} ${request.url}`);
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    let counted = true;
    const done = () => {
      if (counted) state.inFlight--;
      counted = false;
    };
    response.on('close', done);
    if (state.hangAll || request.url!.endsWith('hang.jpg')) return; // never answered: the client's timeout must end it
    setTimeout(() => answer(request, response), state.delayMs);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}

export interface S3Server {
  /** The environment an S3 image source reads: endpoint, region, credentials. */
  env: NodeJS.ProcessEnv;
  /** Requests the endpoint received (`METHOD /bucket/key`, without the query), in order. */
  requests: string[];
  client: S3Client;
  close(): Promise<void>;
}

/**
 * s3rver on a free port in a temporary folder, with `bucket` holding `objects` (key → bytes), behind a small proxy
 * (the endpoint given in `env`) that counts the requests.
 */
export async function startS3Server(bucket: string, objects: Record<string, Buffer>): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'bagel-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const { port } = (await server.run()) as AddressInfo;
  const requests: string[] = [];
  const proxy = createServer((request, response) => {
    requests.push(`${request.method} ${request.url!.split('?')[0]}`);
    const upstream = httpRequest({ host: '127.0.0.1', port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const env: NodeJS.ProcessEnv = {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    AWS_REGION: 'us-east-1',
    // s3rver's own credentials.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  };
  const client = new S3Client({
    region: env.AWS_REGION,
    endpoint: env.AWS_ENDPOINT_URL,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, body] of Object.entries(objects)) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'image/jpeg' }));
  return {
    env,
    requests,
    client,
    async close() {
      client.destroy();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
