/**
 * Turns for background work (exports being streamed, the Major slice, a re-aggregation after a quorum change): each
 * does a short slice of work, then waits for its next turn here. Turns go one per turn of the event loop, to one
 * waiter at a time, in order: however many background jobs run at once, the requests that arrive between two turns
 * wait for at most one slice, not one per job. (With each job yielding on its own, four jobs made four slices between
 * two reads of the sockets.)
 */
const waiting: (() => void)[] = [];
let scheduled = false;

function grant(): void {
  scheduled = false;
  const next = waiting.shift();
  // The next turn comes at the next turn of the loop at the earliest: after the slice this one starts (it runs in the
  // microtasks that follow), and after the I/O that arrives meanwhile.
  if (waiting.length > 0) schedule();
  next?.();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(grant);
}

/** Resolves at this job's next turn: do one slice of work (a few milliseconds), then wait again. */
export function nextBackgroundTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    schedule();
  });
}
