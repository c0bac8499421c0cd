import { startEarlyRequests } from './app/early-start';

/** How long the app waits at most for the first screen's requests before it starts anyway. */
const WAIT_AT_MOST_MS = 1000;

// The page's script: small, so that it runs as soon as it arrives. It sends the first screen's requests while the
// browser downloads and parses the app (index.html preloads it), and runs the app (main.tsx) once the last of them
// (the item) is sent: running it takes the page's thread for a while (a few hundred milliseconds on a slow machine),
// during which no answer could be read, so the item could not be asked for until it had run.
void Promise.race([startEarlyRequests(), new Promise((resolve) => setTimeout(resolve, WAIT_AT_MOST_MS))]).then(() => import('./main'));
