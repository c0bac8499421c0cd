import { type ComponentType, type LazyExoticComponent, lazy } from 'react';

/**
 * The screens and panels the review screen does not need to show its first item, each in a chunk of its own (Vite
 * splits the build at every dynamic import): the lead's and the admin's screens (desk, dashboard with its downloads,
 * Major slice, guide editing, users), the reviewer's own verdicts, and the panels opened beside an item (the guide,
 * with its Markdown renderer and sanitizer; a class's examples; the discussion). A reviewer's first load fetches,
 * parses and runs none of them; each is loaded when first shown, under a Suspense of the app shell's.
 */
/** A named export as a lazy component (`any`: React's own bound on what `lazy` takes). */
function lazyNamed<M extends Record<K, ComponentType<any>>, K extends keyof M>(load: () => Promise<M>, name: K): LazyExoticComponent<M[K]> {
  return lazy(async () => ({ default: (await load())[name] }));
}

const loadGuidePanel = () => import('../features/guide/components/GuidePanel');
const loadClassExamples = () => import('../features/class-examples/components/ClassExamplesDialog');
const loadDiscussion = () => import('../features/discussion/components/DiscussionPanel');

export const LeadDesk = lazyNamed(() => import('../features/lead/components/LeadDesk'), 'LeadDesk');
export const DashboardScreen = lazyNamed(() => import('../features/dashboard/components/DashboardScreen'), 'DashboardScreen');
export const DownloadLinks = lazyNamed(() => import('../features/exports/components/DownloadLinks'), 'DownloadLinks');
export const MajorSliceScreen = lazyNamed(() => import('../features/major-slice/components/MajorSliceScreen'), 'MajorSliceScreen');
export const GuideScreen = lazyNamed(() => import('../features/guide/components/GuideScreen'), 'GuideScreen');
export const GuidePanel = lazyNamed(loadGuidePanel, 'GuidePanel');
export const UsersScreen = lazyNamed(() => import('../features/users/components/UsersScreen'), 'UsersScreen');
export const MyVerdictsScreen = lazyNamed(() => import('../features/my-verdicts/components/MyVerdictsScreen'), 'MyVerdictsScreen');
export const ClassExamplesDialog = lazyNamed(loadClassExamples, 'ClassExamplesDialog');
export const DiscussionPanel = lazyNamed(loadDiscussion, 'DiscussionPanel');

/**
 * Loads the panels a reviewer opens beside an item (the guide, a class's examples, the discussion), called once the
 * review screen's first image is on screen: `g`, `e` or going back to a judged item then shows them at once, as before
 * they were split out, without their code in the way of the first item.
 */
export function preloadReviewPanels(): void {
  for (const loader of [loadGuidePanel, loadClassExamples, loadDiscussion]) void loader().catch(() => undefined);
}
