import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { sessionEnded } from '../features/auth/api/get-session-user';
import { createQueryClient } from '../lib/query-client';

/** The app's query client: a 401 anywhere means the session is gone, and the app goes back to the sign-in form. */
export const createAppQueryClient = (): QueryClient => createQueryClient({ onUnauthorized: sessionEnded });

export function AppProvider({ client, children }: { client: QueryClient; children: ReactNode }) {
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
