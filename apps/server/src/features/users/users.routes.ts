import { CreatedUser, CreateUserRequest, ErrorResponse, PasswordReset, UpdateUserRequest, UserAccount, UserList, UserParams } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentUser, requireRole } from '../../plugins/authentication';
import type { PasswordHasher } from './password';
import { createUsersService } from './users.service';

const admins = requireRole('admin');

/** The accounts, for admins: list, add, change role, (de)activate, reset a password. */
export const usersRoutes: FastifyPluginAsyncZod<{ passwords: PasswordHasher }> = async (app, options) => {
  const service = createUsersService(app.database, { now: app.now, passwords: options.passwords });
  // 503 BUSY (with Retry-After) when the password hashing queue is full.
  const errors = { 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 503: ErrorResponse };

  app.get(
    '/users',
    {
      preHandler: admins,
      schema: { tags: ['users'], description: 'Every user, by name, with how many items each has judged. Admins.', response: { 200: UserList, 403: ErrorResponse } },
    },
    async () => ({ users: await service.list() }),
  );

  app.post(
    '/users',
    {
      preHandler: admins,
      schema: {
        tags: ['users'],
        description:
          'Adds a user. Without `password`, the server generates one (20 characters) and answers it in this response only. 409 USERNAME_TAKEN. Admins.',
        body: CreateUserRequest,
        response: { 201: CreatedUser, 400: ErrorResponse, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(request.body)),
  );

  app.patch(
    '/users/:userId',
    {
      preHandler: admins,
      schema: {
        tags: ['users'],
        description:
          'Changes a user’s role or (de)activates them. A deactivated user cannot sign in, their sessions end and their claims are released; their verdicts are kept. 409 OWN_ACCOUNT for one’s own account. Admins.',
        params: UserParams,
        body: UpdateUserRequest,
        response: { 200: UserAccount, 400: ErrorResponse, ...errors },
      },
    },
    async (request) => service.update(currentUser(request), request.params.userId, request.body),
  );

  app.post(
    '/users/:userId/password',
    {
      preHandler: admins,
      schema: {
        tags: ['users'],
        description: 'Generates a new password for the user, answered in this response only; their sessions end. 409 OWN_ACCOUNT for one’s own account. Admins.',
        params: UserParams,
        response: { 200: PasswordReset, ...errors },
      },
    },
    async (request) => ({ password: await service.resetPassword(currentUser(request), request.params.userId) }),
  );
};
