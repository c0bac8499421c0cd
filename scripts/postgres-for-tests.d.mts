export declare const MIN_POSTGRES_MAJOR: number;
export declare function findPostgresBin(): string | null;
export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication). */
  url: string;
  port: number;
  /** The cluster's temporary directory (data, socket, server log); removed by stop(). */
  dir: string;
  /** Stops the cluster at once and removes its directory; later calls do nothing. */
  stop(): Promise<void>;
  /** Stops the server as a crash would (immediate shutdown: every connection ends at once), keeping its data. */
  crash(): Promise<void>;
  /** Starts the server again, on the same port, after crash(). */
  restart(): Promise<void>;
}
export declare function startPostgres(options?: {
  quiet?: boolean;
  durable?: boolean;
  /** Server settings (`-c name=value`) over the test cluster's. */
  settings?: Record<string, string>;
}): Promise<TestPostgres>;
