import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type AddressInfo, createServer } from 'node:net';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { browserUrl, parseMegabytes } from '../src/cli/commands/serve';
import { addUserCommand, listUsersCommand, setPasswordCommand } from '../src/cli/commands/users';
import { AddUserError } from '../src/features/users/add-user';
import { createCommandDatabase, missingDatabase, testEngine, type CommandDatabase } from './command-database';
import { readRows } from './test-app';

// The commands run on the engine of the run: `--db` names a SQLite file, or a PostgreSQL database's URL.
const dir = mkdtempSync(join(tmpdir(), 'bagel-cli-'));
const made: CommandDatabase[] = [];
afterAll(async () => {
  for (const target of made) await target.drop();
  rmSync(dir, { recursive: true, force: true });
});
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'bagel.mjs');

async function newDatabase(name: string): Promise<CommandDatabase> {
  const target = await createCommandDatabase(dir, name);
  made.push(target);
  return target;
}

async function canLogin(target: CommandDatabase, username: string, password: string): Promise<number> {
  const database = await target.open();
  const app = await buildApp({ database, cacheDir: join(dir, 'cache') });
  try {
    return (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })).statusCode;
  } finally {
    await app.close();
    await database.close();
  }
}

describe('bagel users add', () => {
  let target: CommandDatabase;
  let dbFile: string;
  beforeAll(async () => {
    target = await newDatabase('users.sqlite');
    dbFile = target.location;
  });

  it('adds a user whose password comes from stdin; they can sign in', async () => {
    const lines = await addUserCommand('maria', { role: 'lead', db: dbFile, passwordStdin: true }, Readable.from(['s3cret-pass\n']));
    expect(lines).toContain('Added lead "maria"');
    expect(lines.join('\n')).not.toContain('s3cret-pass');
    expect(await canLogin(target, 'maria', 's3cret-pass')).toBe(200);
    expect(await canLogin(target, 'maria', 's3cret-pass\n')).toBe(401);
  });

  it('generates and prints a strong password when none is given', async () => {
    const lines = await addUserCommand('noor', { role: 'expert', db: dbFile });
    const password = /Password .*: (\S+)$/.exec(lines.at(-1)!)?.[1];
    expect(password?.length).toBeGreaterThanOrEqual(16);
    expect(await canLogin(target, 'noor', password!)).toBe(200);
  });

  it('refuses a duplicate (in any case), a bad role, a bad name and a short password', async () => {
    const stdin = () => Readable.from(['long-enough-password\n']);
    await expect(addUserCommand('MARIA', { role: 'expert', db: dbFile, passwordStdin: true }, stdin())).rejects.toThrow('user "MARIA" already exists');
    await expect(addUserCommand('x', { role: 'boss', db: dbFile, passwordStdin: true }, stdin())).rejects.toThrow(/invalid role "boss"/);
    await expect(addUserCommand('two words', { role: 'expert', db: dbFile, passwordStdin: true }, stdin())).rejects.toThrow(AddUserError);
    await expect(addUserCommand('shorty', { role: 'expert', db: dbFile, passwordStdin: true }, Readable.from(['abc\n']))).rejects.toThrow(/at least 10/);
    await expect(addUserCommand('boss', { role: 'admin', db: dbFile, passwordStdin: true }, Readable.from(['tulip-maze1\n']))).rejects.toThrow(
      'invalid password: a password needs at least 12 characters for an admin',
    );
    await expect(addUserCommand('boss', { role: 'admin', db: dbFile, passwordStdin: true }, Readable.from(['boss-boss-boss\n']))).rejects.toThrow(
      'invalid password: a password must not repeat a short pattern',
    );
    await expect(addUserCommand('boss', { role: 'admin', db: dbFile, passwordStdin: true }, Readable.from(['qwertyuiop[]\n']))).rejects.toThrow(
      'invalid password: a password must not be a run of keys, letters or digits',
    );
  });

  it('works through the `bagel` executable, exiting 1 with a clear message on a duplicate', async () => {
    const binTarget = await newDatabase('bin.sqlite');
    const binDb = binTarget.location;
    const run = (args: string[], input: string) => spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 30_000 });
    const ok = run(['users', 'add', 'sam', '--role', 'expert', '--db', binDb, '--password-stdin'], 'sam-password\n');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('Added expert "sam"');
    const again = run(['users', 'add', 'sam', '--role', 'expert', '--db', binDb, '--password-stdin'], 'sam-password\n');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('bagel: user "sam" already exists');
    expect(await canLogin(binTarget, 'sam', 'sam-password')).toBe(200);
    // Two executables started (TypeScript loaded, a password hashed, each): seconds apiece on a loaded machine.
  }, 60_000);
});

describe('bagel users password and list', () => {
  let target: CommandDatabase;
  let dbFile: string;
  beforeAll(async () => {
    target = await newDatabase('password.sqlite');
    dbFile = target.location;
  });

  it('sets a password from stdin: the old one and the open sessions stop working', async () => {
    await addUserCommand('root', { role: 'admin', db: dbFile, passwordStdin: true }, Readable.from(['forgotten-pass\n']));
    const database = await target.open();
    const app = await buildApp({ database, cacheDir: join(dir, 'cache') });
    try {
      const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'root', password: 'forgotten-pass' } });
      const cookie = `bagel_session=${login.cookies.find((c) => c.name === 'bagel_session')!.value}`;
      const lines = await setPasswordCommand('ROOT', { db: dbFile, passwordStdin: true }, Readable.from(['remembered-pass\n']));
      expect(lines).toEqual(['Set the password of admin "root"; their sessions have ended']);
      expect((await app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
    } finally {
      await app.close();
      await database.close();
    }
    expect(await canLogin(target, 'root', 'forgotten-pass')).toBe(401);
    expect(await canLogin(target, 'root', 'remembered-pass')).toBe(200);
  });

  it('generates and prints a password when none is given; refuses an unknown user, a short password, a missing database', async () => {
    const lines = await setPasswordCommand('root', { db: dbFile });
    const password = /Password .*: (\S+)$/.exec(lines.at(-1)!)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await canLogin(target, 'root', password!)).toBe(200);
    await expect(setPasswordCommand('nobody', { db: dbFile })).rejects.toThrow('no user "nobody"');
    await expect(setPasswordCommand('root', { db: dbFile, passwordStdin: true }, Readable.from(['abc\n']))).rejects.toThrow(/at least 12 characters for an admin/);
    await expect(setPasswordCommand('root', { db: dbFile, passwordStdin: true }, Readable.from(['Root-2024-2025\n']))).rejects.toThrow(/must not be the user name/);
    await expect(setPasswordCommand('root', { db: missingDatabase(dir, 'missing.sqlite') })).rejects.toThrow(
      target.engine === 'sqlite' ? /no database at .*missing\.sqlite/ : /PostgreSQL database .*missing_sqlite: database "missing_sqlite" does not exist/,
    );
    expect(await canLogin(target, 'root', password!)).toBe(200);
  });

  it('lists users by name with role, active state and items judged', async () => {
    await addUserCommand('ann', { role: 'expert', db: dbFile, passwordStdin: true }, Readable.from(['ann-password\n']));
    const database = await target.open();
    await readRows(database, "UPDATE users SET active = 0 WHERE username = 'ann'");
    await database.close();
    expect(await listUsersCommand({ db: dbFile })).toEqual([
      'name  role    active  judged items',
      'ann   expert  no      0',
      'root  admin   yes     0',
    ]);
  });
});

describe('bagel serve', () => {
  it('refuses a database that does not exist', () => {
    const missing = missingDatabase(dir, 'nope.sqlite');
    const res = spawnSync(process.execPath, [BIN, 'serve', '--db', missing, '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(testEngine() === 'sqlite' ? /database .*nope\.sqlite does not exist/ : `bagel: PostgreSQL database ${missing}: database "nope_sqlite" does not exist`);
  });

  it('refuses a preview cache size that is not a whole number of megabytes', () => {
    for (const size of ['lots', '-1', '1.5', '0x10', '', ' 5']) expect(() => parseMegabytes(size), size).toThrow(`"${size}" is not a whole number of megabytes`);
    expect([parseMegabytes('0'), parseMegabytes('2048')]).toEqual([0, 2048]);
    const res = spawnSync(process.execPath, [BIN, 'serve', '--db', join(dir, 'nope.sqlite'), '--preview-cache-mb', 'lots'], { encoding: 'utf8', timeout: 30_000 });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('"lots" is not a whole number of megabytes');
  }, 40_000);

  it('says that a taken port is in use and which setting to change, and exits (nothing left open)', async () => {
    const target = await newDatabase('serve-port.sqlite');
    await (await target.open()).close();
    const dbFile = target.location;
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const res = spawnSync(process.execPath, [BIN, 'serve', '--db', dbFile, '--port', String(port), '--host', '127.0.0.1'], { encoding: 'utf8', timeout: 30_000 });
      expect(res.signal).toBeNull();
      expect(res.status).toBe(1);
      expect(res.stderr.trim()).toBe(`bagel: port ${port} is in use on 127.0.0.1; set PORT (or --port) to another one`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('prints the address it is bound to: HOST=127.0.0.1 gives http://127.0.0.1:PORT', async () => {
    const target = await newDatabase('serve-host.sqlite');
    await (await target.open()).close();
    const dbFile = target.location;
    const child = spawn(process.execPath, [BIN, 'serve', '--db', dbFile, '--port', '0'], { env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn' } });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const found = /Bagel is serving .* on (\S+)/.exec(out);
          if (found) resolve(found[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code} before printing its address: ${out}`)));
      });
      expect(line).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${line}/api/health`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('shows the host as bound; localhost only when bound to every interface', () => {
    expect(browserUrl({ host: '127.0.0.1', port: 8080 })).toBe('http://127.0.0.1:8080');
    expect(browserUrl({ host: 'localhost', port: 8080 })).toBe('http://localhost:8080');
    expect(browserUrl({ host: '::1', port: 8080 })).toBe('http://[::1]:8080');
    expect(browserUrl({ host: '192.168.1.20', port: 3000 })).toBe('http://192.168.1.20:3000');
    expect(browserUrl({ host: '0.0.0.0', port: 8080 })).toBe('http://localhost:8080');
    expect(browserUrl({ host: '::', port: 8080 })).toBe('http://localhost:8080');
  });
});
