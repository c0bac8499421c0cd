import { z } from 'zod';
import { Id, Role } from './common';

/** User names: 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit; compared case-insensitively. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const Username = z
  .string()
  .regex(USERNAME_PATTERN, 'use 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit')
  .meta({ description: 'Compared case-insensitively: "Ann" and "ann" are the same user', example: 'ann' });
export type Username = z.infer<typeof Username>;

export const MIN_PASSWORD_LENGTH = 8;
/** A password someone chooses (a generated one has 20 characters). */
export const NewPassword = z.string().min(MIN_PASSWORD_LENGTH, `a password needs at least ${MIN_PASSWORD_LENGTH} characters`).max(256);

/** A user as the admin's user list shows them. */
export const UserAccount = z.object({
  id: z.number().int(),
  username: z.string(),
  role: Role,
  active: z.boolean().meta({ description: 'A deactivated user cannot sign in; their verdicts and decisions are kept' }),
  createdAt: z.string().meta({ description: 'ISO 8601' }),
  judgedItems: z.number().int().meta({ description: 'Items (of every project) the user has a verdict on' }),
});
export type UserAccount = z.infer<typeof UserAccount>;

export const UserList = z.object({ users: z.array(UserAccount) });
export type UserList = z.infer<typeof UserList>;

export const UserParams = z.object({ userId: Id });
export type UserParams = z.infer<typeof UserParams>;

/** Without `password`, the server generates one and answers it once. */
export const CreateUserRequest = z.strictObject({ username: Username, role: Role, password: NewPassword.optional() });
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const CreatedUser = z.object({
  user: UserAccount,
  password: z.string().nullable().meta({ description: 'The generated password, shown only in this answer; null when the request chose one' }),
});
export type CreatedUser = z.infer<typeof CreatedUser>;

/** An admin changes a role or (de)activates a user; at least one of the two. Nobody can change their own. */
export const UpdateUserRequest = z
  .strictObject({ role: Role.optional(), active: z.boolean().optional() })
  .refine((body) => body.role !== undefined || body.active !== undefined, { message: 'give role, active or both' });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

/** A new password an admin had generated for a user (their sessions end); shown only in this answer. */
export const PasswordReset = z.object({ password: z.string() });
export type PasswordReset = z.infer<typeof PasswordReset>;

/** A signed-in user changes their own password; their other sessions end. */
export const ChangePasswordRequest = z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: NewPassword });
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;
