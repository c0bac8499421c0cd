import type { ItemStatus } from '@bagel/contracts';
import { sql } from 'kysely';
import type { Queries } from '../../db/database';

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

interface PageRow {
  item_id: number;
  image_id: number;
  file: string;
  original_class_idx: number;
  status: ItemStatus;
  verdict_count: number;
  divisiveness: number;
  updated_at: string;
}

/** The lead's queue: items of a project in the given states, the disputed ones first, then the most divided first. */
export function createLeadQueueRepository(db: Queries) {
  // The states are constants of the filter, written as literals (as before: the same plan whatever the filter's values).
  const statusIn = (filter: LeadQueueFilter) => sql.join(STATUSES[filter].map((status) => sql.lit(status)));

  return {
    /** A page of the queue and the number of items in it: two statements, to run in a snapshot so that they agree. */
    async page(projectId: number, filter: LeadQueueFilter, limit: number, offset: number): Promise<{ rows: LeadQueueRow[]; total: number }> {
      // `i.status = 'disputed'` is a boolean on PostgreSQL and 0/1 on SQLite; either way DESC puts the disputed first.
      const { rows } = await sql<PageRow>`
        SELECT i.id AS item_id, i.image_id, im.file, im.original_class_idx, i.status, i.verdict_count, c.divisiveness, c.updated_at
        FROM items i JOIN item_consensus c ON c.item_id = i.id JOIN images im ON im.id = i.image_id
        WHERE i.project_id = ${projectId} AND i.status IN (${statusIn(filter)})
        ORDER BY i.status = 'disputed' DESC, c.divisiveness DESC, i.id
        LIMIT ${limit} OFFSET ${offset}`.execute(db);
      const counted = await sql<{ n: number }>`SELECT count(*) AS n FROM items WHERE project_id = ${projectId} AND status IN (${statusIn(filter)})`.execute(db);
      return {
        rows: rows.map((r) => ({
          itemId: r.item_id,
          imageId: r.image_id,
          file: r.file,
          originalClassIndex: r.original_class_idx,
          status: r.status,
          verdictCount: r.verdict_count,
          divisiveness: r.divisiveness,
          updatedAt: r.updated_at,
        })),
        total: counted.rows[0]!.n,
      };
    },
  };
}
