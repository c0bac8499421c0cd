import fp from 'fastify-plugin';
import { createReaggregationRunner, type ReaggregationRunner } from './reaggregation-runner';

declare module 'fastify' {
  interface FastifyInstance {
    /** Re-aggregates in the background the projects whose quorum changed; the settings route kicks it. */
    reaggregation: ReaggregationRunner;
  }
}

/**
 * The background re-aggregation (reaggregation-runner.ts): resumes, once the server is ready, the projects a stopped
 * server left midway, and stops with the server (what is left stays marked for the next start).
 */
export default fp(
  async function backgroundReaggregationPlugin(app) {
    const runner = createReaggregationRunner(app.database, {
      now: app.now,
      onError: (error, projectId) => app.log.error({ err: error, projectId }, 'background re-aggregation stopped; it resumes at the next start'),
    });
    app.decorate('reaggregation', runner);
    app.addHook('onReady', async () => runner.kick());
    app.addHook('onClose', async () => runner.stop());
  },
  { name: 'background-reaggregation', dependencies: ['database'] },
);
