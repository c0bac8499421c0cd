import { QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { sessionEnded } from '../features/auth/api/get-session-user';
import { createQueryClient } from '../lib/query-client';

export function AppProvider({ children }: { children: ReactNode }) {
  // A 401 anywhere means the session is gone: the app goes back to the sign-in form.
  const [queryClient] = useState(() => createQueryClient({ onUnauthorized: sessionEnded }));
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
