import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// packages/core is pure domain logic: its sources (not its tests) must not reach the file system, the network or the
// process. This keeps it usable from the server, the CLI, the benchmarks and the browser alike.
const SRC = new URL('.', import.meta.url).pathname;
const sources = (readdirSync(SRC, { recursive: true }) as string[]).filter(
  (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('fixtures') && !f.includes('for-tests') && !f.includes('test-helpers'),
);

describe('packages/core has no I/O', () => {
  it('finds the sources', () => expect(sources.length).toBeGreaterThan(10));
  it.each(sources)('%s imports no Node.js module', (file) => {
    const text = readFileSync(join(SRC, file), 'utf8');
    expect(text).not.toMatch(/from\s+['"](node:|fs['"]|path['"]|child_process|os['"]|http)/);
    expect(text).not.toMatch(/\bprocess\.(env|argv|exit)/);
  });
});
