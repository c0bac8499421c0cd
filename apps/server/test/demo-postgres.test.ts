// `bagel demo --db postgres://…`: the demo made in an empty PostgreSQL database on first start, reused after, and
// never put into a database that holds anything else (its passwords are public).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, prepareDemoOnPostgres } from '../src/cli/commands/demo';
import { connectDatabase } from '../src/db/database';
import { createPostgresDatabase } from './postgres-database';
import { createUser } from './synthetic-project';

const DEMO_MANIFEST = fileURLToPath(new URL('../../../data/demo/manifest.json', import.meta.url));
const quiet = () => {};
let demo: Awaited<ReturnType<typeof createPostgresDatabase>>;
let other: Awaited<ReturnType<typeof createPostgresDatabase>>;

beforeAll(async () => {
  demo = await createPostgresDatabase();
  other = await createPostgresDatabase();
});
afterAll(async () => {
  await demo?.drop();
  await other?.drop();
});

async function contents(url: string) {
  const database = await connectDatabase({ engine: 'postgres', url });
  try {
    return {
      projects: (await database.queries.selectFrom('projects').select('name').execute()).map((p) => p.name),
      users: (await database.queries.selectFrom('users').select(['username', 'role']).orderBy('username').execute()),
      items: Number((await database.queries.selectFrom('items').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    };
  } finally {
    await database.close();
  }
}

describe('the demo on PostgreSQL', () => {
  it('is made in an empty database on first start (the demo project and accounts), and reused as it is after', async () => {
    await prepareDemoOnPostgres(demo.url, DEMO_MANIFEST, quiet);
    const first = await contents(demo.url);
    expect(first.projects).toHaveLength(1);
    expect(first.items).toBeGreaterThan(0);
    expect(first.users).toEqual(DEMO_ACCOUNTS.map(({ username, role }) => ({ username, role })).sort((a, b) => (a.username < b.username ? -1 : 1)));
    await prepareDemoOnPostgres(demo.url, DEMO_MANIFEST, quiet);
    expect(await contents(demo.url)).toEqual(first);
  });

  it('is refused in a database that holds other data, saying what it holds', async () => {
    const database = await connectDatabase({ engine: 'postgres', url: other.url });
    await createUser(database, 'real-person', 'expert', 'a-real-password-1');
    await database.close();
    await expect(prepareDemoOnPostgres(other.url, DEMO_MANIFEST, quiet)).rejects.toThrow(/holds other data \(0 projects, 1 users\): the demo, whose passwords are public, needs an empty database/);
    expect((await contents(other.url)).projects).toEqual([]);
  });
});
