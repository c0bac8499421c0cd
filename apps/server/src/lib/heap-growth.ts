import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the heap grow past what the last full collection kept, in percent (V8's own factor goes up to 4x).
 * The server's live heap is small (about 33 MB while it streams the human-accuracy-v3 export of a million items), but
 * an export makes garbage fast, and with V8's factor the heap grew to 169 MB before each full collection: the
 * server's resident memory rose from 127 to 254 MB during that export and stayed there, so the bench's archive export,
 * which came next, started high and peaked at 346 MB. With 50%: 189 to 190 MB for the same export; the archive alone
 * 264 -> 202 MB (219 -> 194 MB on another database), in the same time (93 and 94 s); in whole runs of the bench, both
 * exports under 260 MB. A full collection of a heap that small takes a few milliseconds.
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Sets the heap's growth for the whole process, its reader threads included (V8's flags are the process's). V8 reads
 * the setting each time it sizes the heap after a full collection, so setting it once the process runs takes effect
 * from the next collection (measured: the same figures as the command-line flag `--heap-growing-percent=50`).
 */
export function keepHeapNearLiveSize(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
