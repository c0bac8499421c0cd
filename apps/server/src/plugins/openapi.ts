import * as contracts from '@bagel/contracts';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import type { FastifySerializerCompiler } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, ResponseSerializationError, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

// The contract's request and response schemas become named OpenAPI components (`#/components/schemas/Verdict`, ...)
// instead of being inlined in every route. zod keeps names in its global registry; existing metadata is kept.
const NAMED_SCHEMAS = [
  'ErrorResponse',
  'SessionRequiredResponse',
  'DatabaseBusyResponse',
  'LoginRequest',
  'SessionUser',
  'HealthResponse',
  'VocabularyResponse',
  'ProjectSummary',
  'ProjectList',
  'VerdictRequest',
  'Verdict',
  'GoldFeedback',
  'SubmittedVerdict',
  'ItemVerdicts',
  'ReviewItem',
  'StaleRevisionResponse',
  'SkipResponse',
  'UserAccount',
  'UserList',
  'CreateUserRequest',
  'CreatedUser',
  'UpdateUserRequest',
  'PasswordReset',
  'ChangePasswordRequest',
  'MyVerdictsPage',
  'ClassImagesPage',
  'ProjectGuide',
  'UpdateGuideRequest',
] as const satisfies readonly (keyof typeof contracts)[];

/**
 * Each operation's one-line summary, the name a reader of /api/docs finds it by (its description says the rest). Kept
 * here, beside the API's other documentation concerns, so the whole API reads as one list; a route may still give its
 * own `summary`. A test fails for any operation without one.
 */
export const OPERATION_SUMMARIES: Readonly<Record<string, string>> = {
  'GET /api/health': 'Check that the server is up',
  'GET /api/health/ready': 'Check that this instance can serve: its database answers (for a load balancer)',
  'POST /api/auth/login': 'Sign in',
  'POST /api/auth/logout': 'Sign out',
  'GET /api/auth/me': 'The signed-in user',
  'POST /api/auth/password': 'Change your own password',
  'GET /api/projects': 'List projects with their progress',
  'GET /api/projects/:projectId/classes': "A project's vocabulary",
  'GET /api/projects/:projectId/classes/:classKey/images': 'Example images of a class',
  'GET /api/projects/:projectId/guide': "Read the project's labeling guide",
  'PUT /api/projects/:projectId/guide': "Write the project's labeling guide",
  'PATCH /api/projects/:projectId/settings': "Change a project's settings (quorum, panel, model evidence, aggregation)",
  'GET /api/projects/:projectId/my-verdicts': 'Your own verdicts, most recent first',
  'GET /api/projects/:projectId/next': 'Claim the next item to review',
  'GET /api/items/:itemId': 'An item, as the review screen shows it',
  'POST /api/items/:itemId/reveal': 'Show the hidden models once every candidate is judged',
  'POST /api/items/:itemId/verdicts': 'Submit or revise your verdict on an item',
  'GET /api/items/:itemId/verdicts': "The panel's current verdicts on an item",
  'POST /api/items/:itemId/skip': 'Skip an item',
  'POST /api/items/:itemId/claim': 'Renew your claim on an item',
  'GET /api/items/:itemId/draft': 'Your draft verdict on an item',
  'PUT /api/items/:itemId/draft': 'Save your draft verdict on an item',
  'DELETE /api/items/:itemId/draft': 'Discard your draft verdict on an item',
  'GET /api/projects/:projectId/images/:imageId/preview': 'An image, as a WebP preview',
  'GET /api/projects/:projectId/images/:imageId/original': 'An image, as its original file',
  'GET /api/projects/:projectId/lead/queue': "The lead's queue, most divided first",
  'GET /api/items/:itemId/desk': "An item on the lead's desk",
  'POST /api/items/:itemId/decisions': "Record the lead's decision on an item",
  'POST /api/items/:itemId/reopen': 'Reopen a final item',
  'POST /api/items/:itemId/gold': 'Mark a final item gold',
  'DELETE /api/items/:itemId/gold': 'Take the gold mark off an item',
  'GET /api/items/:itemId/discussion': "Read an item's discussion",
  'POST /api/items/:itemId/discussion': "Post to an item's discussion",
  'GET /api/projects/:projectId/dashboard': "A project's dashboard figures",
  'GET /api/projects/:projectId/major-slice': 'The Major slice: images with a Major mistake',
  'GET /api/projects/:projectId/model-evidence-effect': 'What showing the models does to the panel',
  'GET /api/projects/:projectId/aggregation': "The Dawid–Skene model in force: each expert's confusion matrix",
  'POST /api/projects/:projectId/aggregation/estimate': "Re-estimate the experts' confusion matrices now, in the background",
  'GET /api/projects/:projectId/expert-reliability': "Each expert's reliability against the final labels (or gold items)",
  'GET /api/projects/:projectId/exports/:format': "Download an export of a project's results",
  'GET /api/projects/:projectId/items': 'Browse items: filtered, sorted, paged',
  'GET /api/projects/:projectId/items/experts': "The item browser's expert filter choices",
  'GET /api/users': 'List users',
  'POST /api/users': 'Add a user',
  'PATCH /api/users/:userId': "Change a user's role or active state",
  'POST /api/users/:userId/password': "Reset a user's password",
};

function nameContractSchemas(): void {
  for (const name of NAMED_SCHEMAS) {
    const schema = contracts[name];
    const meta = z.globalRegistry.get(schema);
    if (meta?.id === name) continue; // already named by an earlier app in this process
    z.globalRegistry.remove(schema);
    z.globalRegistry.add(schema, { ...meta, id: name });
  }
}

/**
 * Every response is checked against its schema before it is sent. With `parse` rather than the library's
 * `encode`: the contract's response schemas have no codecs or transforms, so both accept exactly the same values,
 * and parse takes zod's compiled fast path (a ReviewItem: 12 µs instead of 34 µs, on the hottest route).
 */
const serializerCompiler: FastifySerializerCompiler<z.ZodType> =
  ({ schema, method, url }) =>
  (data) => {
    const result = schema.safeParse(data);
    if (!result.success) throw new ResponseSerializationError(method, url, { cause: result.error });
    return JSON.stringify(result.data);
  };

/**
 * Zod everywhere: the contract's schemas validate params, query and body, serialize every response (so the server
 * cannot send what the contract does not allow), and generate the OpenAPI document at /api/docs/json.
 */
export default fp(
  async function openApiPlugin(app, options: { version: string }) {
    nameContractSchemas();
    app.addHook('onRoute', (route) => {
      const summary = OPERATION_SUMMARIES[`${route.method} ${route.url}`];
      if (summary !== undefined && route.schema?.summary === undefined) route.schema = { ...route.schema, summary };
      // Every route behind the session guard (authentication.ts) may answer its 401: documented once, here.
      const guarded = (route.url === '/api' || route.url.startsWith('/api/')) && !route.config?.public;
      const response = route.schema?.response as Record<string, unknown> | undefined;
      if (guarded && route.schema && !route.schema.hide && response?.[401] === undefined) {
        route.schema = { ...route.schema, response: { ...response, 401: contracts.SessionRequiredResponse } };
      }
      // Every route but the liveness check reads the database, and may find no connection free (errors.ts: 503).
      const withResponses = route.schema?.response as Record<string, unknown> | undefined;
      if (route.url.startsWith('/api/') && route.url !== '/api/health' && route.schema && !route.schema.hide && withResponses?.[503] === undefined) {
        route.schema = { ...route.schema, response: { ...withResponses, 503: contracts.DatabaseBusyResponse } };
      }
    });
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(swagger, {
      openapi: {
        info: { title: 'Bagel API', description: 'Expert relabeling of image-classification model mistakes', version: options.version },
        components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'bagel_session' } } },
        security: [{ session: [] }],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(swaggerUi, { routePrefix: '/api/docs' });
  },
  { name: 'openapi' },
);
