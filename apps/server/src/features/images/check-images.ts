import { ProgressPhase, type ProgressListener } from '../../lib/step-progress';
import type { ImageSource } from './image-source';

/** Remote checks (HEADs) at once during an import. */
export const REMOTE_CHECKS_AT_ONCE = 16;

export interface ImagesChecked {
  /** 1 for each image (in the order given) that is not at the source, or whose check failed twice. */
  missing: Uint8Array;
  found: number;
  /** Images whose check failed (an error status, a timeout, a network error) even when tried again. */
  failed: number;
  /** The first failure, for the message (`https://…/a.jpg: answered 503`). */
  firstFailure?: string;
}

/**
 * Checks that each image is at its source: a folder is looked at one file after another, as always; a URL or a bucket
 * gets REMOTE_CHECKS_AT_ONCE HEAD requests at once (further bounded by the source's fetcher). A check that fails is
 * tried once more after the others, so that a passing failure does not mark an image missing for good. Reports a
 * `checking images` step.
 */
export async function checkImages(source: ImageSource, files: readonly string[], listener: ProgressListener): Promise<ImagesChecked> {
  const phase = new ProgressPhase(listener, 'checking images', files.length, 'images');
  const missing = new Uint8Array(files.length);
  const failures = new Map<number, string>();
  let done = 0;

  async function pass(positions: readonly number[], atOnce: number): Promise<void> {
    let next = 0;
    async function worker(): Promise<void> {
      while (next < positions.length) {
        const position = positions[next++]!;
        const checked = await source.check(files[position]!);
        if (checked.outcome === 'found') {
          missing[position] = 0;
          failures.delete(position);
        } else {
          missing[position] = 1;
          if (checked.outcome === 'failed') failures.set(position, checked.detail);
          else failures.delete(position);
        }
        phase.tick(++done);
      }
    }
    await Promise.all(Array.from({ length: Math.min(atOnce, positions.length) }, worker));
  }

  const atOnce = source.kind === 'folder' ? 1 : REMOTE_CHECKS_AT_ONCE;
  await pass(
    files.map((_, i) => i),
    atOnce,
  );
  if (failures.size > 0) {
    done -= failures.size;
    await pass([...failures.keys()], atOnce);
  }
  const missingCount = missing.reduce((n, m) => n + m, 0);
  const found = files.length - missingCount;
  const failed = failures.size;
  phase.end(`images: ${found} found, ${missingCount - failed} missing` + (failed > 0 ? `, ${failed} could not be checked (marked missing)` : ''));
  return { missing, found, failed, ...(failed > 0 ? { firstFailure: failures.values().next().value! } : {}) };
}
