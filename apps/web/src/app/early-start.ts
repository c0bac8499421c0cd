import type { ReviewItem } from '@bagel/contracts';
import { preloadImage } from '../features/review/lib/preload-image';
import { forgetEarly, sendEarly } from '../lib/early-requests';
import { readUrlState } from './url-state';
import { allowedPage, allowedView } from './views';

/**
 * Run by the entry script before the app's code has loaded: sends at once the requests the first screen will make,
 * so that they travel while the browser downloads and parses the app, rather than one after the other once it runs.
 * Who is signed in and their projects, together; then, when the address leads a reviewer to the review screen, what
 * it will ask for first: the next item of the queue (which claims it, as the screen would) or the item the address
 * names, and that item's image. The app takes these answers as its own (early-requests.ts). They are read here
 * without their schemas (which are in the app's code); the app checks them when it takes them.
 *
 * Resolves once the item has been asked for (or there is no item to ask for); never rejects. Its image is preloaded
 * when the answer comes.
 */
export function startEarlyRequests(): Promise<void> {
  const me = sendEarly('/api/auth/me');
  const projects = sendEarly('/api/projects');
  return firstItem(me.json, projects.json)
    .then((item) => {
      void item?.answer.then((shown) => shown?.image && typeof shown.image.previewUrl === 'string' && preloadImage(shown));
    })
    .catch(() => undefined);
}

/**
 * Sends the first item's request when the address leads to the review screen, and resolves then (not once answered)
 * with its answer's JSON to come; null when none is sent.
 */
async function firstItem(meJson: Promise<unknown>, projectsJson: Promise<unknown>): Promise<{ answer: Promise<Pick<ReviewItem, 'image'> | null> } | null> {
  const me = (await meJson) as { role?: unknown } | null;
  const role = me?.role;
  if (role !== 'expert' && role !== 'lead' && role !== 'admin') {
    // Signed out: the projects' 401 must not stand for the request made once signed in.
    forgetEarly('/api/projects');
    return null;
  }
  const list = ((await projectsJson) as { projects?: { id?: unknown }[] } | null)?.projects;
  if (!Array.isArray(list)) return null;
  // The app shell's choice (App.tsx): a page of the whole app, else the project the address names or the only one,
  // and its view (the address's, when the role may open it; else the role's own).
  const url = readUrlState();
  if (allowedPage(url.page, role)) return null;
  const project = list.find((p) => p.id === url.projectId) ?? (list.length === 1 ? list[0] : undefined);
  if (typeof project?.id !== 'number') return null;
  const initial = project.id === url.projectId || list.length === 1 ? url : {};
  if (allowedView(initial.view, role, true) !== 'review') return null;
  const item = sendEarly(initial.itemId ? `/api/items/${initial.itemId}` : `/api/projects/${project.id}/next`);
  return { answer: item.json as Promise<Pick<ReviewItem, 'image'> | null> };
}
