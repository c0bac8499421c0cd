// Bundles the command line (and with it the server) into dist/bagel.js for `npm start` and the browser tests:
// the workspace packages (@bagel/*, shipped as TypeScript) are compiled into the bundle; every other package stays
// an import from node_modules (better-sqlite3 and sharp are native, and nothing gains from inlining the rest).
// The SQL migrations are copied beside the bundle, where openDatabase looks for them.
import { build } from 'esbuild';
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');

/** Bare imports stay external unless they name a workspace package. */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@bagel/') ? undefined : { path: args.path, external: true }));
  },
};

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: [join(here, 'src/cli/bagel.ts')],
  outfile: join(dist, 'bagel.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  plugins: [externalPackages],
  logLevel: 'warning',
});

// SQLite's migrations, and PostgreSQL's in migrations/postgres.
cpSync(join(here, 'src/db/migrations'), join(dist, 'migrations'), { recursive: true, filter: (source) => !/\.(ts|md)$/.test(source) });
console.log(`built ${join('apps/server/dist', 'bagel.js')}`);
