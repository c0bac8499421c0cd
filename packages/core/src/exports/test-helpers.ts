/// <reference types="node" />
import { readFileSync } from 'node:fs';

/** The text of a golden file (`__golden__/NAME`), exactly as committed. */
export function goldenText(name: string): string {
  return readFileSync(new URL(`./__golden__/${name}`, import.meta.url), 'utf8');
}

/** The text of a fixture under packages/core/test-fixtures, exactly as committed. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(`../../test-fixtures/${name}`, import.meta.url), 'utf8');
}
