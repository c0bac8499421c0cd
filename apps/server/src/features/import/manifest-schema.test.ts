import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MANIFEST_SCHEMA_FILE, manifestJsonSchemaText } from '../../../../../scripts/generate-manifest-schema';

describe('docs/manifest.schema.json', () => {
  it('is the schema generated from the zod manifest (regenerate: npx tsx scripts/generate-manifest-schema.ts)', () => {
    expect(readFileSync(MANIFEST_SCHEMA_FILE, 'utf8')).toBe(manifestJsonSchemaText());
  });

  it('refuses unknown fields, so a misspelt field cannot be silently ignored', () => {
    const schema = JSON.parse(manifestJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.models.items.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['version', 'project', 'vocabulary', 'images', 'originalLabels', 'models']);
  });
});
