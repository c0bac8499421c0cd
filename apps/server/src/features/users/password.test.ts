import { describe, expect, it } from 'vitest';
import { hashPassword, hashPasswordSync, PasswordHasher, verifyPassword } from './password';

describe('password hashing', () => {
  it('stores scrypt$N$r$p$salt$hash with a fresh salt each time, and verifies', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horse', b)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('verifies the synchronous variant the same way', async () => {
    expect(await verifyPassword('pässwörd', hashPasswordSync('pässwörd'))).toBe(true);
  });

  it('answers false, not an exception, for a malformed stored hash', async () => {
    for (const stored of ['', 'plain', 'bcrypt$x', 'scrypt$abc$8$1$c2FsdA==$aGFzaA==', 'scrypt$16384$8$1$$']) {
      expect(await verifyPassword('x', stored)).toBe(false);
    }
  });
});

describe('the hashing queue', () => {
  const gate = () => {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    return { opened, open };
  };

  it('runs at most `concurrency` hashes at once, the others in order of arrival', async () => {
    const hasher = new PasswordHasher({ concurrency: 2, maxQueued: 10 });
    const gates = Array.from({ length: 6 }, gate);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const done = gates.map((g, i) =>
      hasher.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await g.opened;
        running--;
        return i;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect(hasher.load).toEqual({ running: 2, queued: 4 });
    gates[1]!.open();
    await done[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(hasher.load).toEqual({ running: 0, queued: 0 });
  });

  it('refuses with 503 BUSY and Retry-After once `maxQueued` are waiting, and frees the slot of a hash that throws', async () => {
    const hasher = new PasswordHasher({ concurrency: 1, maxQueued: 2 });
    const g = gate();
    const first = hasher.run(async () => {
      await g.opened;
      throw new Error('failed hash');
    });
    const queued = [hasher.run(async () => 'a'), hasher.run(async () => 'b')];
    await expect(hasher.run(async () => 'c')).rejects.toMatchObject({
      statusCode: 503,
      code: 'BUSY',
      headers: { 'retry-after': expect.stringMatching(/^[1-9]\d*$/) },
    });
    g.open();
    await expect(first).rejects.toThrow('failed hash');
    expect(await Promise.all(queued)).toEqual(['a', 'b']);
    expect(hasher.load).toEqual({ running: 0, queued: 0 });
    expect(await hasher.verify('x', await hasher.hash('x'))).toBe(true);
  });
});
