import fp from 'fastify-plugin';
import { createEstimationRunner, ESTIMATE_CHECK_MS, type EstimationRunner } from './confusion-estimation-runner';
import { createReaggregationRunner, type ReaggregationRunner } from './reaggregation-runner';

declare module 'fastify' {
  interface FastifyInstance {
    /** Re-aggregates in the background the projects whose quorum changed; the settings route kicks it. */
    reaggregation: ReaggregationRunner;
    /**
     * Estimates in the background the Dawid–Skene models of the projects under `aggregation: dawid-skene` (on the
     * setting's change, on request, and when a model has grown old); a model put in force kicks the re-aggregation.
     */
    estimation: EstimationRunner;
  }
}

/**
 * The background re-aggregation (reaggregation-runner.ts) and Dawid–Skene estimation (confusion-estimation-runner.ts):
 * each resumes, once the server is ready, what a stopped server left midway, and stops with the server (what is left
 * stays marked for the next start). Every ESTIMATE_CHECK_MS the estimation looks for models grown old.
 */
export default fp(
  async function backgroundReaggregationPlugin(app) {
    const runner = createReaggregationRunner(app.database, {
      now: app.now,
      onError: (error, projectId) => app.log.error({ err: error, projectId }, 'background re-aggregation stopped; it resumes at the next start'),
    });
    const estimation = createEstimationRunner(app.database, {
      now: app.now,
      onPublished: () => runner.kick(),
      onError: (error, projectId) => app.log.error({ err: error, projectId }, 'background Dawid–Skene estimation stopped; it resumes at the next start'),
    });
    app.decorate('reaggregation', runner);
    app.decorate('estimation', estimation);
    let timer: NodeJS.Timeout | null = null;
    const checkDue = () => {
      estimation.checkDue().catch((error: unknown) => app.log.error({ err: error }, 'looking for Dawid–Skene models grown old failed'));
    };
    app.addHook('onReady', async () => {
      runner.kick();
      estimation.kick();
      checkDue();
      timer = setInterval(checkDue, ESTIMATE_CHECK_MS);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      if (timer) clearInterval(timer);
      await estimation.stop();
      await runner.stop();
    });
  },
  { name: 'background-reaggregation', dependencies: ['database'] },
);
