import { z } from 'zod';
import { Id, Role } from './common';

/** User names: 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit; compared case-insensitively. */
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const Username = z
  .string()
  .regex(USERNAME_PATTERN, 'use 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit')
  .meta({ description: 'Compared case-insensitively: "Ann" and "ann" are the same user', example: 'ann' });
export type Username = z.infer<typeof Username>;

/** The shortest password a lead or an expert may choose (a generated one has 20 characters). */
export const MIN_PASSWORD_LENGTH = 10;
/** The shortest password an admin may choose: an admin's account can change everyone's. */
export const MIN_ADMIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
export const minPasswordLength = (role: Role): number => (role === 'admin' ? MIN_ADMIN_PASSWORD_LENGTH : MIN_PASSWORD_LENGTH);

/**
 * A password someone chooses, as far as a schema can check it without knowing whose it is; passwordProblem says the
 * rest (an admin's length, the user name, weak patterns) where the user is known.
 */
export const NewPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `a password needs at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `a password has at most ${MAX_PASSWORD_LENGTH} characters`)
  .meta({
    description: `At least ${MIN_PASSWORD_LENGTH} characters, ${MIN_ADMIN_PASSWORD_LENGTH} for an admin; not the user name, not one character or a short pattern repeated, not a run of keys, letters or digits, not a common password (400 WEAK_PASSWORD)`,
  });

/**
 * Words that guessing tries first (the most common passwords and this tool's own words), compared with a password's
 * letters and digits, lower case, without the digits at its ends: `Password123!` is `password`.
 */
const COMMON_PASSWORD_WORDS = new Set([
  'password', 'passw0rd', 'p4ssw0rd', 'passwort', 'motdepasse', 'contrasena', 'qwerty', 'qwertz', 'azerty', 'letmein',
  'welcome', 'iloveyou', 'admin', 'administrator', 'root', 'changeme', 'changeit', 'secret', 'default', 'login',
  'trustno1', 'football', 'baseball', 'soccer', 'monkey', 'dragon', 'sunshine', 'princess', 'master', 'superman',
  'batman', 'shadow', 'starwars', 'whatever', 'freedom', 'iloveu', 'hello', 'helloworld', 'abc', 'test', 'testing',
  'guest', 'user', 'bagel', 'imagenet', 'expert', 'lead', 'reviewer',
]);

/** Runs of neighbouring keys, letters or digits: any stretch of one of these is a weak password. */
const RUNS = [
  '01234567890123456789',
  '`1234567890-=',
  '~!@#$%^&*()_+',
  'abcdefghijklmnopqrstuvwxyz',
  'qwertyuiopasdfghjklzxcvbnm',
  'qwertzuiopasdfghjklyxcvbnm',
  'azertyuiopqsdfghjklmwxcvbn',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  'zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0',
];
const isRun = (text: string) => RUNS.some((run) => run.includes(text) || [...run].reverse().join('').includes(text));

/** Whether the text is a pattern of up to 6 characters written again and again (`abcabcabcabc`, `boss-boss-boss`). */
function repeatsShortPattern(text: string): boolean {
  const chars = [...text];
  for (let period = 1; period <= 6 && period * 2 <= chars.length; period++) {
    if (chars.every((c, i) => c === chars[i % period])) return true;
  }
  return false;
}

/** Letters and digits only, lower case: `Ann.2024!` is `ann2024`. */
const core = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/**
 * Why a password is too weak for this user, or null when it will do. The rules, the same for the API and the
 * command line:
 * - at least 10 characters, 12 for an admin (at most 256);
 * - at least 4 different characters, and not one short pattern repeated (`abcabcabcabc`);
 * - not the user name, forwards or backwards, with or without digits and symbols around it (`ann-2024!`);
 * - not a run of neighbouring keys, letters or digits (`1234567890`, `qwertyuiop`), and not one of the most common
 *   passwords with digits and symbols around it (`Password123!`, `Welcome2024`).
 */
export function passwordProblem(password: string, user: { username: string; role: Role }): string | null {
  const min = minPasswordLength(user.role);
  if (password.length < min) return `a password needs at least ${min} characters${user.role === 'admin' ? ' for an admin' : ''}`;
  if (password.length > MAX_PASSWORD_LENGTH) return `a password has at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (new Set(lower).size < 4) return 'a password needs at least 4 different characters';
  if (repeatsShortPattern(lower)) return 'a password must not repeat a short pattern';
  const letters = core(password);
  const name = core(user.username);
  const reversed = [...name].reverse().join('');
  if (name !== '' && (new RegExp(`^\\d*(${name}|${reversed})\\d*$`, 'u').test(letters) || lower === user.username.toLowerCase())) {
    return 'a password must not be the user name';
  }
  if ((letters.length >= 4 && isRun(letters)) || isRun(lower)) return 'a password must not be a run of keys, letters or digits';
  if (COMMON_PASSWORD_WORDS.has(letters.replace(/^\d+|\d+$/g, ''))) return 'a password must not be a common password';
  return null;
}

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
