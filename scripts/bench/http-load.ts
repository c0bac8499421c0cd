// A small closed-loop HTTP load generator over loopback for the benchmarks: N virtual users, each sending its next
// request as soon as the previous one answered, for a fixed time. Uses node:http with keep-alive (one socket per user),
// lighter on the shared CPU than fetch.
import http from 'node:http';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body's bytes as they came (compressed when the answer is). */
  rawBody: Buffer;
}

export function createClient(port: number, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  function request(method: string, path: string, options: { body?: unknown; cookie?: string; headers?: Record<string, string> } = {}): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...(options.cookie ? { cookie: options.cookie } : {}),
            ...options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const rawBody = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: rawBody.toString('utf8'), rawBody });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }
  return { request, close: () => agent.destroy() };
}

export interface LatencyStats {
  count: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(latenciesMs: number[], seconds: number): LatencyStats {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return {
    count: sorted.length,
    perSecond: sorted.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** Records requests' latencies (ms) by label: `timed(label, work)` runs the request and notes how long it took. */
function latencyRecorder() {
  const latencies = new Map<string, number[]>();
  const timed = async <T>(label: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await work();
    const list = latencies.get(label) ?? [];
    list.push(performance.now() - start);
    latencies.set(label, list);
    return result;
  };
  return { latencies, timed };
}

/** Runs `users` loops of `iteration(userIndex, timed)` for `seconds`; `timed` records one request's latency under a label. */
export async function runClosedLoop(
  users: number,
  seconds: number,
  iteration: (user: number, timed: <T>(label: string, work: () => Promise<T>) => Promise<T>) => Promise<boolean>,
): Promise<{ seconds: number; latencies: Map<string, number[]> }> {
  const { latencies, timed } = latencyRecorder();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: users }, async (_, user) => {
      while (performance.now() < deadline) {
        if (!(await iteration(user, timed))) break; // this user has nothing left to do
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

/**
 * Runs `users` loops for `seconds`, each starting `iteration` once every `paceMs` (an open loop, as people at work
 * are: a user's next iteration starts on its schedule, or at once if the last one ran late), the users' schedules
 * offset evenly across the pace so they do not all arrive at once.
 */
export async function runPacedLoop(
  users: number,
  seconds: number,
  paceMs: number,
  iteration: (user: number, timed: <T>(label: string, work: () => Promise<T>) => Promise<T>) => Promise<boolean>,
): Promise<{ seconds: number; latencies: Map<string, number[]> }> {
  const { latencies, timed } = latencyRecorder();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: users }, async (_, user) => {
      let due = started + (user * paceMs) / users;
      while (due < deadline) {
        await sleep(due - performance.now());
        if (!(await iteration(user, timed))) break;
        due += paceMs;
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

/** A download read as it comes, counting its bytes (an archive is larger than any string), on a connection of its own. */
export function download(port: number, path: string, cookie: string): Promise<{ bytes: number; seconds: number; status: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { cookie } }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ bytes, seconds: (performance.now() - t0) / 1000, status: res.statusCode ?? 0 }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}
