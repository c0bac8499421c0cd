import type { ItemStatus } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

export interface LeadQueueRow {
  itemId: number;
  imageId: number;
  file: string;
  originalClassIndex: number;
  status: ItemStatus;
  verdictCount: number;
  divisiveness: number;
  updatedAt: string;
}

export type LeadQueueFilter = 'disputed' | 'agreed' | 'final' | 'all-decided' | 'all';

const STATUSES: Record<LeadQueueFilter, readonly ItemStatus[]> = {
  disputed: ['disputed'],
  agreed: ['agreed'],
  final: ['final'],
  'all-decided': ['agreed', 'final'],
  all: ['disputed', 'agreed', 'final'],
};

/** The lead's queue: items of a project in the given states, the disputed ones first, then the most divided first. */
export function createLeadQueueRepository(db: Db) {
  const statements = new Map(
    Object.entries(STATUSES).map(([filter, statuses]) => {
      const inList = statuses.map((s) => `'${s}'`).join(', ');
      return [
        filter as LeadQueueFilter,
        {
          page: db.prepare<{ project: number; limit: number; offset: number }, { item_id: number; image_id: number; file: string; original_class_idx: number; status: ItemStatus; verdict_count: number; divisiveness: number; updated_at: string }>(
            `SELECT i.id AS item_id, i.image_id, im.file, im.original_class_idx, i.status, i.verdict_count, c.divisiveness, c.updated_at
             FROM items i JOIN item_consensus c ON c.item_id = i.id JOIN images im ON im.id = i.image_id
             WHERE i.project_id = :project AND i.status IN (${inList})
             ORDER BY i.status = 'disputed' DESC, c.divisiveness DESC, i.id
             LIMIT :limit OFFSET :offset`,
          ),
          total: db.prepare<{ project: number }, { n: number }>(`SELECT count(*) AS n FROM items WHERE project_id = :project AND status IN (${inList})`),
        },
      ];
    }),
  );

  return {
    page(projectId: number, filter: LeadQueueFilter, limit: number, offset: number): { rows: LeadQueueRow[]; total: number } {
      const s = statements.get(filter)!;
      const rows = s.page.all({ project: projectId, limit, offset }).map((r) => ({
        itemId: r.item_id,
        imageId: r.image_id,
        file: r.file,
        originalClassIndex: r.original_class_idx,
        status: r.status,
        verdictCount: r.verdict_count,
        divisiveness: r.divisiveness,
        updatedAt: r.updated_at,
      }));
      return { rows, total: s.total.get({ project: projectId })!.n };
    },
  };
}
