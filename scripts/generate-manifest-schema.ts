// Writes docs/manifest.schema.json, the JSON Schema of the import manifest, from its zod definition in
// packages/contracts (the single source). Run after changing the manifest: npx tsx scripts/generate-manifest-schema.ts
// A server test compares the committed file with a fresh one, so the two cannot drift apart.
import { ImportManifest } from '@bagel/contracts';
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';

export const MANIFEST_SCHEMA_FILE = fileURLToPath(new URL('../docs/manifest.schema.json', import.meta.url));

/** The schema of what a person writes (`io: 'input'`): fields with defaults are optional. */
export function manifestJsonSchemaText(): string {
  const schema = z.toJSONSchema(ImportManifest, { io: 'input' });
  const documented = {
    $schema: schema.$schema,
    title: 'Bagel import manifest',
    description: 'Describes a project to import with `bagel import MANIFEST.json --db FILE`. Paths are relative to the manifest\'s folder. See docs/FORMATS.md.',
    ...schema,
  };
  return `${JSON.stringify(documented, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(MANIFEST_SCHEMA_FILE, manifestJsonSchemaText());
  console.log(`wrote ${MANIFEST_SCHEMA_FILE}`);
}
