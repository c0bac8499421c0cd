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
  'LoginRequest',
  'SessionUser',
  'HealthResponse',
  'VocabularyResponse',
  'ProjectSummary',
  'ProjectList',
  'VerdictRequest',
  'Verdict',
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
