#!/usr/bin/env node
// The `bagel` executable: runs the command line's TypeScript source through tsx, so `npx bagel` always runs the
// current code with no build step. (`npm start` runs the esbuild bundle, dist/bagel.js, instead.)
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/bagel.ts');
