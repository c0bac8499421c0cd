import { create } from 'zustand';

/**
 * Whether the signed-in user's session has ended behind the app's back (expired after its lifetime, or ended on the
 * server: a password reset, a deactivation). Shared by the features: any of them may learn it from a 401, the auth
 * feature asks for the password again in place (the screen and its work stay as they are), and the features that hold
 * unsent work (the review's drafts and verdicts) wait for `resumed` to send it. Set too when the app starts with the
 * cookie of a session that has ended (401 SESSION_ENDED): the sign-in form then says so.
 */
interface SessionState {
  ended: boolean;
  /** Counts the sign-ins made in place, so that a listener can tell a new session from the same one. */
  resumed: number;
  end(): void;
  /** Signed in again in place: the same user goes on with the same screen. */
  resume(): void;
  /** Signed out (or in as someone else): nothing to resume. */
  clear(): void;
}

export const useSessionStore = create<SessionState>()((set) => ({
  ended: false,
  resumed: 0,
  end: () => set((s) => (s.ended ? s : { ended: true })),
  resume: () => set((s) => ({ ended: false, resumed: s.resumed + 1 })),
  clear: () => set({ ended: false }),
}));

/** Calls `listener` each time the session is resumed in place; returns the way to stop. */
export function onSessionResumed(listener: () => void): () => void {
  return useSessionStore.subscribe((state, previous) => {
    if (state.resumed !== previous.resumed) listener();
  });
}

/** Reports a 401 from a request made outside react-query (the review's background saves). */
export const reportSessionEnded = (): void => useSessionStore.getState().end();
