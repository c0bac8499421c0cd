import type { FastifyInstance } from 'fastify';

/**
 * Listens, and closes cleanly on SIGINT/SIGTERM: the app first (in-flight requests finish), then `onClosed`
 * (the database, so SQLite checkpoints its WAL and leaves no -wal/-shm files behind).
 */
export async function listen(app: FastifyInstance, options: { port: number; host: string; onClosed?: () => void }): Promise<string> {
  const address = await app.listen({ port: options.port, host: options.host });
  let closing = false;
  const close = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: shutting down`);
    void app.close().then(
      () => {
        options.onClosed?.();
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
