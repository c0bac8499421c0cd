import { describe, expect, it } from 'vitest';
import { MIN_ADMIN_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, NewPassword, passwordProblem } from './users';

const expert = { username: 'ann', role: 'expert' } as const;
const admin = { username: 'root', role: 'admin' } as const;

describe('password strength', () => {
  it('asks 10 characters of leads and experts, 12 of admins, at most 256', () => {
    expect([MIN_PASSWORD_LENGTH, MIN_ADMIN_PASSWORD_LENGTH]).toEqual([10, 12]);
    expect(passwordProblem('tulip-maze', expert)).toBeNull();
    expect(passwordProblem('tulip-maz', expert)).toBe('a password needs at least 10 characters');
    expect(passwordProblem('tulip-maze', { username: 'lee', role: 'lead' })).toBeNull();
    expect(passwordProblem('tulip-maze-7', admin)).toBeNull();
    expect(passwordProblem('tulip-maze1', admin)).toBe('a password needs at least 12 characters for an admin');
    expect(passwordProblem('x'.repeat(100) + 'tulip-maze' + 'y'.repeat(146), expert)).toBeNull();
    expect(passwordProblem('tulip-maze'.repeat(26), expert)).toMatch(/at most 256/);
  });

  it('refuses one character, or a short pattern, repeated', () => {
    expect(passwordProblem('aaaaaaaaaaaa', admin)).toBe('a password needs at least 4 different characters');
    expect(passwordProblem('ababababcccc', expert)).toBe('a password needs at least 4 different characters');
    expect(passwordProblem('abcdabcdabcd', expert)).toBe('a password must not repeat a short pattern');
    expect(passwordProblem('Pass!Pass!Pass!', expert)).toBe('a password must not repeat a short pattern');
    expect(passwordProblem('boss-boss-boss', expert)).toBe('a password must not repeat a short pattern');
  });

  it('refuses the user name, in any case, backwards, or with digits and symbols around it', () => {
    const annabelle = { username: 'annabelle', role: 'expert' } as const;
    for (const password of ['Annabelle1', 'ANNABELLE-2024', '!!annabelle!!', '1990.ellebanna', 'annabelle!?']) {
      expect(passwordProblem(password, annabelle), password).toBe('a password must not be the user name');
    }
    expect(passwordProblem('administrator1', { username: 'administrator1', role: 'admin' })).toBe('a password must not be the user name');
    expect(passwordProblem('Maria.Lopez-2024', { username: 'maria.lopez', role: 'lead' })).toBe('a password must not be the user name');
    expect(passwordProblem('ann-likes-tulips', expert)).toBeNull();
  });

  it('refuses runs of keys, letters or digits, and the most common passwords with digits or symbols around them', () => {
    for (const password of ['1234567890', '0987654321', 'abcdefghijkl', 'qwertyuiop', 'QWERTYUIOP!', 'asdfghjkl;', '1qaz2wsx3edc', '!@#$%^&*()']) {
      expect(passwordProblem(password, expert), password).toBe('a password must not be a run of keys, letters or digits');
    }
    for (const password of ['Password123!', 'password2024', 'Passw0rd2024', 'Welcome2024!', 'iloveyou1234', '123changeme!', 'Administrator1']) {
      expect(passwordProblem(password, admin), password).toBe('a password must not be a common password');
    }
    expect(passwordProblem('password-tulip', expert)).toBeNull();
  });

  it('lets the generated passwords and the demo passwords of leads and experts through', () => {
    expect(passwordProblem('_N_0e3r-D5R8NjjMLZT3', admin)).toBeNull();
    for (const name of ['expert1', 'expert2', 'expert3', 'lead']) {
      expect(passwordProblem(`bagel-${name}`, { username: name, role: name === 'lead' ? 'lead' : 'expert' }), name).toBeNull();
    }
    // The demo admin's is one character short of an admin's: the demo is exempt (apps/server demo command).
    expect(passwordProblem('bagel-admin', { username: 'admin', role: 'admin' })).toBe('a password needs at least 12 characters for an admin');
  });

  it('checks the length in the request schema too, with the same message', () => {
    expect(NewPassword.safeParse('tulip-maz').error?.issues[0]?.message).toBe('a password needs at least 10 characters');
    expect(NewPassword.safeParse('tulip-maze').success).toBe(true);
  });
});
