import { ApiError } from '../../plugins/errors';
import { createImageSource, ImageSourceError, type ImageSource } from './image-source';
import { createRemoteFetcher, DEFAULT_REMOTE_FETCH, type RemoteFetchSettings } from './remote-fetch';

export interface ImageSourcesOptions {
  /** The source of every project instead of the one recorded at import (`bagel serve --images`): a folder, URL or s3://. */
  override?: string;
  /** Where S3 sources read their endpoint, region and credentials (default: the process's environment). */
  env?: NodeJS.ProcessEnv;
  /** Bounds of remote fetches (timeout, size, requests at once), for the whole process. */
  remote?: Partial<RemoteFetchSettings>;
}

/**
 * The image sources of a server's projects, one per source text, sharing one bounded fetcher (so that 16 requests at
 * once is 16 for the process, whatever the number of projects) and each its memory of what it found lately.
 */
export function createImageSources(options: ImageSourcesOptions = {}) {
  const fetcher = createRemoteFetcher({ ...DEFAULT_REMOTE_FETCH, ...options.remote });
  const sources = new Map<string, ImageSource | ApiError>();
  const make = (text: string) => createImageSource(text, { env: options.env, fetcher });
  // A wrong override stops the server at start (ImageSourceError), not at the first image.
  const override = options.override === undefined ? undefined : make(options.override);

  function sourceOf(recorded: string): ImageSource | ApiError {
    if (override) return override;
    let source = sources.get(recorded);
    if (source === undefined) {
      try {
        source = make(recorded);
      } catch (error) {
        if (!(error instanceof ImageSourceError)) throw error;
        source = new ApiError(404, "The project's image source is not one the server can read (an admin can start the server with --images to point elsewhere)", 'NOT_FOUND', {}, {
          serverDetail: `image source ${recorded}: ${error.message}`,
        });
      }
      sources.set(recorded, source);
    }
    return source;
  }

  return {
    /** The source of a project, from the text it recorded at import (or the override). Throws 404 for a malformed one. */
    sourceFor(recorded: string): ImageSource {
      const source = sourceOf(recorded);
      if (source instanceof ApiError) throw source;
      return source;
    },
    /** Whether the review screen may show the image, at once (ImageSource.available): no network on the way. */
    available(recorded: string, file: string): boolean {
      const source = sourceOf(recorded);
      return !(source instanceof ApiError) && source.available(file);
    },
  };
}
export type ImageSources = ReturnType<typeof createImageSources>;
