#!/usr/bin/env node
// What `npm start` does before it starts the demo server:
//  1. checks that the port is free ($PORT or 8080, on $HOST or 127.0.0.1), and says so clearly when it is not,
//     before any build;
//  2. builds what is out of date (the web app, the server bundle), and only that: a warm start skips the build.
// `npm run build` still rebuilds everything.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleTargets } from './build-state.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fail = (message) => {
  console.error(`[start] ${message}`);
  process.exit(1);
};

const portText = process.env.PORT ?? '8080';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) fail(`PORT=${portText} is not a port number (0-65535)`);
const host = process.env.HOST ?? '127.0.0.1';

await new Promise((resolve) => {
  const probe = createServer();
  probe.once('error', (error) => {
    if (error.code === 'EADDRINUSE') fail(`port ${port} is in use on ${host}; set PORT to another one (e.g. PORT=${port === 65535 ? 8081 : port + 1} npm start)`);
    if (error.code === 'EACCES') fail(`port ${port} needs privileges on ${host}; set PORT to one above 1023`);
    if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') fail(`HOST=${host} is not an address of this machine`);
    fail(`cannot listen on ${host}:${port}: ${error.message}`);
  });
  probe.listen({ port, host, exclusive: true }, () => probe.close(resolve));
});

const stale = staleTargets(root);
if (stale.length === 0) {
  console.log('[start] the build is up to date (`npm run build` rebuilds anyway)');
} else {
  for (const target of stale) {
    console.log(`[start] building ${target.name}: ${target.reason}`);
    execFileSync('npm', ['run', 'build', '-w', target.workspace], { cwd: root, stdio: 'inherit' });
  }
}
