import type { ExpertClassReliability, ExpertReliability, ExpertReliabilityReport, ReliabilityReference, Role } from '@bagel/contracts';
import { classFigures, displayName, MIN_PRESENT_PER_CLASS, presentJudgements, reliabilityFigures } from '@bagel/core';
import type { Database, Queries } from '../../db/database';
import { notFound } from '../../plugins/errors';
import { projectCatalog, type CatalogProject } from '../projects/project-catalog';
import { projectTallies, referenceSource, type ReferenceSource } from './reliability-tallies';

/** The plain sentence the dashboard, the CSV's documentation and the archive give with the figures. */
export function referenceSummary(reference: ReliabilityReference, referenceItems: number): string {
  const verdicts =
    'Each expert’s blind verdict counts: their latest revision made before they saw the panel’s verdicts. A class is present when the reference judges it correct, absent when it judges it wrong or leaves it out; classes it judges unclear count only in the unclear rate, and an expert’s unclear answers are counted apart from sensitivity and specificity.';
  if (reference === 'gold') {
    return referenceItems === 0
      ? 'Measured against gold items: no gold items yet.'
      : `Measured against ${referenceItems} gold item${referenceItems === 1 ? '' : 's'} (final items a lead marked gold), on each expert’s first answer to those served to them as gold items in their stream (panel verdicts on them are left out: they made the answer). A class is present when the gold answer judges it correct, absent when it judges it wrong or leaves it out; classes it judges unclear count only in the unclear rate, and an expert’s unclear answers are counted apart from sensitivity and specificity.`;
  }
  return (
    `Measured against the final labels of ${referenceItems} item${referenceItems === 1 ? '' : 's'} (agreed by the panel or decided by the lead). ${verdicts} ` +
    'Each expert’s own verdict helped make the final labels, so these figures lean towards agreement.'
  );
}

/**
 * The report of every expert's reliability against `source`, read on `db` (a snapshot: Database.longSnapshot; the
 * archive passes its own). Experts by name; their classes by class index.
 */
export async function expertReliabilityReport(db: Queries, entry: CatalogProject, source: ReferenceSource, generatedAt: string): Promise<ExpertReliabilityReport> {
  const projectId = entry.project.id;
  const referenceItems = await source.count(db, projectId);
  const tallies = await projectTallies(db, projectId, source);
  const userIds = [...tallies.experts.keys()];
  const users = new Map<number, { username: string; role: Role }>();
  for (let start = 0; start < userIds.length; start += 500) {
    const rows = await db.selectFrom('users').select(['id', 'username', 'role']).where('id', 'in', userIds.slice(start, start + 500)).execute();
    for (const row of rows) users.set(row.id, { username: row.username, role: row.role as Role });
  }
  const nameOf = (userId: number) => users.get(userId)?.username ?? `#${userId}`;
  const byName = (a: number, b: number) => {
    const x = nameOf(a).toLowerCase();
    const y = nameOf(b).toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const ordered = userIds.sort(byName);
  const experts: ExpertReliability[] = ordered.map((userId) => {
    const tally = tallies.experts.get(userId)!;
    return {
      expert: nameOf(userId),
      role: users.get(userId)?.role ?? 'expert',
      items: tally.items,
      present: tally.classes.present,
      absent: tally.classes.absent,
      unsettled: tally.classes.unsettled,
      problematic: tally.problematic,
      ...reliabilityFigures(tally),
    };
  });
  const classes: ExpertClassReliability[] = [];
  const orderOf = (key: string) => entry.vocabulary.byKey(key)?.index ?? Number.MAX_SAFE_INTEGER;
  for (const userId of ordered) {
    const byClass = tallies.classes.get(userId);
    if (!byClass) continue;
    const keys = [...byClass.keys()].filter((key) => presentJudgements(byClass.get(key)!) >= MIN_PRESENT_PER_CLASS);
    keys.sort((a, b) => orderOf(a) - orderOf(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const key of keys) {
      const counts = byClass.get(key)!;
      const c = entry.vocabulary.byKey(key);
      classes.push({ expert: nameOf(userId), classKey: key, className: c ? displayName(c) : key, ...counts, ...classFigures(counts) });
    }
  }
  return {
    projectId,
    reference: source.reference,
    generatedAt,
    referenceItems,
    summary: referenceSummary(source.reference, referenceItems),
    minPresentPerClass: MIN_PRESENT_PER_CLASS,
    experts,
    classes,
  };
}

/** Runs `job` on one long snapshot (its reads spread over many turns of the event loop) and gives its result. */
async function onLongSnapshot<T>(database: Database, job: (db: Queries) => Promise<T>): Promise<T> {
  const generator = database.longSnapshot(async function* (db): AsyncGenerator<never, T, undefined> {
    return await job(db);
  });
  for (;;) {
    const step = await generator.next();
    if (step.done) return step.value;
  }
}

export function createExpertReliabilityService(database: Database, options: { now: () => number }) {
  const catalog = projectCatalog(database);
  // A report being computed, per project and reference: a second request meanwhile (another lead, a second click)
  // waits for the same one instead of starting another pass over the project.
  const running = new Map<string, Promise<ExpertReliabilityReport>>();
  return {
    async report(projectId: number, reference: ReliabilityReference): Promise<ExpertReliabilityReport> {
      const entry = await catalog.get(projectId);
      if (!entry) throw notFound(`Project ${projectId} not found`);
      const key = `${projectId}:${reference}`;
      const pending = running.get(key);
      if (pending) return pending;
      const work = onLongSnapshot(database, (db) => expertReliabilityReport(db, entry, referenceSource(reference), new Date(options.now()).toISOString())).finally(() =>
        running.delete(key),
      );
      running.set(key, work);
      return work;
    },
  };
}
