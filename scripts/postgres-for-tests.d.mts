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
}
export declare function startPostgres(options?: { quiet?: boolean }): Promise<TestPostgres>;
