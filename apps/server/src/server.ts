import type { FastifyInstance } from 'fastify';

/**
 * Listens, and closes cleanly on SIGINT/SIGTERM: the app first (in-flight requests finish), then `onClosed`
 * (the database, so SQLite checkpoints its WAL and leaves no -wal/-shm files behind).
 */
export async function listen(app: FastifyInstance, options: { port: number; host: string; onClosed?: () => void | Promise<void> }): Promise<string> {
  let address: string;
  try {
    address = await app.listen({ port: options.port, host: options.host });
  } catch (error) {
    // Nothing listens: close what the app opened (the database, its workers) so the process can end, and say why in
    // words the person at the terminal can act on.
    await app.close();
    await options.onClosed?.();
    throw new Error(listenErrorMessage(error, options), { cause: error });
  }
  let closing = false;
  const close = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: shutting down`);
    void app
      .close()
      .then(() => options.onClosed?.())
      .then(
      () => {
        process.exit(0);
      },
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  return address;
}

/** Why the server could not listen, as a sentence naming what to change. */
export function listenErrorMessage(error: unknown, { port, host }: { port: number; host: string }): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `port ${port} is in use on ${host}; set PORT (or --port) to another one`;
  if (code === 'EACCES') return `port ${port} needs privileges on ${host}; set PORT (or --port) to one above 1023`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `${host} is not an address of this machine; set HOST (or --host) to one of its addresses`;
  return `cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`;
}
