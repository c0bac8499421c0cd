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
    // originalLabels may be left out when images.list gives the labels (checked by the zod refinement, not the schema).
    expect(schema.required).toEqual(['version', 'project', 'vocabulary', 'images', 'models']);
    const formats = schema.properties.models.items.properties.predictions.oneOf.map((o: { properties: { format: { enum?: string[]; const?: string } } }) => o.properties.format.enum ?? [o.properties.format.const]);
    expect(formats.flat()).toEqual(['json', 'csv', 'npy-topk', 'npy-scores', 'npz-scores']);
  });
});
