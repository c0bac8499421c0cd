import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-client';

interface QueryClientOptions {
  /**
   * A request was answered 401: the session it was sent with is gone (expired, or ended on the server: the account
   * deactivated, its password reset or changed elsewhere). Called for every query and mutation that fails so.
   */
  onUnauthorized?(queryClient: QueryClient): void;
}

/** A 401: no valid session (a refusal of the role is a 403). */
export const isUnauthorized = (error: unknown): boolean => error instanceof ApiError && error.status === 401;

export function createQueryClient({ onUnauthorized }: QueryClientOptions = {}): QueryClient {
  const onError = (error: unknown) => {
    if (isUnauthorized(error)) onUnauthorized?.(queryClient);
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        // Review data changes only through this app's own actions, which update the cache themselves.
        refetchOnWindowFocus: false,
        staleTime: 30_000,
        // A 4xx will not get better by asking again.
        retry: (failureCount, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failureCount < 2,
      },
      mutations: { retry: false },
    },
  });
  return queryClient;
}
