import type { FastifyBaseLogger, FastifyHttpOptions } from 'fastify';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { addressKey } from '../lib/address-key';

/**
 * What one client may take of the server, so that no client (a slow one, a stuck one, or one opening connection
 * after connection) can block the others. Node's defaults wait five minutes for a request and forever for a body
 * trickled a byte at a time, and accept connections until the process runs out of file descriptors, at which point
 * every other user's connection is reset.
 */
export interface ServerLimits {
  /** The whole request, headers and body, must have arrived within this; else 408 and the connection closes. */
  requestTimeoutMs: number;
  /** The request line and headers must have arrived within this (also: a connection that sends nothing). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection between two requests is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection on which nothing moves either way (e.g. a client that stops reading its response) closes after this. */
  idleTimeoutMs: number;
  /** The largest request body (413 beyond). */
  bodyLimitBytes: number;
  /** Connections open at once; one more is closed as soon as it is accepted. Keep it well under `ulimit -n`. */
  maxConnections: number;
  /** Connections open at once from one address (an IPv6 /64 counts as one); 0 for no such limit (behind a proxy). */
  maxConnectionsPerAddress: number;
  /** How often the request and header deadlines are checked. */
  checkIntervalMs: number;
}

/**
 * The defaults, for a panel of experts on a LAN or behind a reverse proxy:
 * - requests: 30 s for the whole request (1 MiB at 35 kB/s), 10 s for its headers;
 * - keep-alive: 10 s, longer than the pause between two verdicts of an expert at work, so the review loop keeps its
 *   connection, short enough that idle browsers do not hold the server's connections for long;
 * - 60 s without any traffic closes a connection;
 * - bodies up to 512 KiB: the largest the API takes is a labeling guide of 50,000 characters (at most 300 kB even
 *   if every character were escaped in JSON);
 * - 512 connections at once (a browser opens at most 6 to a server), 128 of them from one address (some twenty
 *   people behind one NAT), which leaves the process about half of a 1,024 file-descriptor limit for SQLite, images
 *   and the preview cache;
 * - deadlines checked every second, so a request is cut at most a second after its deadline.
 */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  bodyLimitBytes: 512 * 1024,
  maxConnections: 512,
  maxConnectionsPerAddress: 128,
  checkIntervalMs: 1_000,
};

/** The limits with the defaults filled in; the header deadline never exceeds the request's (Node refuses that). */
export function serverLimits(limits: Partial<ServerLimits> = {}): ServerLimits {
  const merged = { ...DEFAULT_SERVER_LIMITS, ...limits };
  return { ...merged, headersTimeoutMs: limits.headersTimeoutMs ?? Math.min(DEFAULT_SERVER_LIMITS.headersTimeoutMs, merged.requestTimeoutMs) };
}

/**
 * Fastify's options for the limits: the body limit, and a server factory that makes the HTTP server with the
 * deadlines (Node's own options, including the header deadline and the check interval, which Fastify does not
 * pass). With a factory, Fastify binds this one server only, even for a host name with several addresses
 * (`localhost`), so the connection caps hold for every connection.
 */
export function fastifyLimitOptions(limits: ServerLimits) {
  return {
    bodyLimit: limits.bodyLimitBytes,
    serverFactory: (handler: RequestListener) => {
      const server = createServer(
        {
          requestTimeout: limits.requestTimeoutMs,
          headersTimeout: limits.headersTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          connectionsCheckingInterval: limits.checkIntervalMs,
        },
        handler,
      );
      server.setTimeout(limits.idleTimeoutMs);
      return server;
    },
  } satisfies FastifyHttpOptions<Server>;
}

const REFUSAL_LOG_INTERVAL_MS = 60_000;

/**
 * Caps the connections open at once, in all and per address. A connection over either cap is closed as soon as it
 * is accepted, so it holds a file descriptor for a moment rather than until the process runs out of them. Refusals
 * are logged at most once a minute, with their count.
 */
export function limitConnections(server: Server, limits: Pick<ServerLimits, 'maxConnections' | 'maxConnectionsPerAddress'>, log: FastifyBaseLogger): void {
  server.maxConnections = limits.maxConnections;
  const refused = { total: 0, perAddress: 0, loggedAt: 0 };
  const noteRefusal = (kind: 'total' | 'perAddress') => {
    refused[kind]++;
    const now = Date.now();
    if (now - refused.loggedAt < REFUSAL_LOG_INTERVAL_MS) return;
    log.warn(
      { refusedOverTotal: refused.total, refusedOverPerAddress: refused.perAddress, maxConnections: limits.maxConnections, maxConnectionsPerAddress: limits.maxConnectionsPerAddress },
      'connections refused: too many open',
    );
    Object.assign(refused, { total: 0, perAddress: 0, loggedAt: now });
  };
  server.on('drop', () => noteRefusal('total'));
  if (limits.maxConnectionsPerAddress <= 0) return;

  const open = new Map<string, number>();
  // First among the connection listeners, so a refused socket is closed before the HTTP parser reads from it.
  server.prependListener('connection', (socket: Socket) => {
    const key = addressKey(socket.remoteAddress ?? '');
    const count = open.get(key) ?? 0;
    if (count >= limits.maxConnectionsPerAddress) {
      socket.destroy();
      noteRefusal('perAddress');
      return;
    }
    open.set(key, count + 1);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
  });
}
