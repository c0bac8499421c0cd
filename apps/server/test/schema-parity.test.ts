// The SQLite and PostgreSQL schemas stay equal: SQLite's migrations (src/db/migrations/*.sql, through openDatabase)
// and PostgreSQL's (src/db/migrations/postgres/*.sql) are applied to empty databases, both catalogs are read into one
// shape, and every difference is listed by name (a table, a column and what of it, a key, a check, an index, a
// trigger). What the engines spell differently on purpose is mapped, each in one place below:
//  - types: SQLite's INTEGER is PostgreSQL's integer or bigint, REAL is double precision, TEXT is text (in the "C"
//    collation, SQLite's byte order);
//  - SQLite's rowid columns (INTEGER PRIMARY KEY that references nothing) are PostgreSQL identity columns;
//  - a primary key column is NOT NULL on both (SQLite's table_info says nullable for a rowid table's primary key);
//  - a NOCASE column's unique is a unique index on lower(column);
//  - an index may end, on PostgreSQL, with the columns SQLite appends to it implicitly (the rowid, i.e. the id);
//  - a partial index compares as partial (the predicates are written in each engine's words);
//  - checks compare by their columns and constants (PostgreSQL rewrites `x IN (...)` as `x = ANY (ARRAY[...])`);
//  - triggers compare by name, table and event (SQLite's AFTER INSERT is a BEFORE INSERT row trigger on PostgreSQL,
//    see 015_initial.sql), and the top-1 mask trigger is run on the same rows on both engines.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/db/open-database';
import { createPostgresDatabase } from './postgres-database';

const PG_MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'db', 'migrations', 'postgres');

interface Column {
  name: string;
  type: string; // SQLite's declared type; PostgreSQL's mapped to it
  notNull: boolean;
  default: string | null;
  identity: boolean;
}
interface Table {
  columns: Column[];
  primaryKey: string[];
  uniques: string[]; // 'a, b', or 'lower(a)' for a NOCASE column
  foreignKeys: string[]; // '(a, b) -> t(x, y) ON DELETE CASCADE'
  checks: string[]; // 'on (a): 0, 1'
}
interface Index {
  table: string;
  columns: string[]; // 'name' or 'name DESC'
  implicitTail: string[]; // SQLite only: what it appends to every index of the table (rowid, or the primary key)
  partial: boolean;
}
interface Schema {
  tables: Map<string, Table>;
  indexes: Map<string, Index>;
  triggers: Map<string, string>; // name -> 'INSERT ON items'
  textCollations: Map<string, string | null>; // PostgreSQL only: 'table.column' -> collation of each text column
}

const list = (xs: readonly string[]) => xs.join(', ');

/** The columns and constants of a CHECK expression: its fingerprint on both engines. */
function checkFingerprint(expression: string, columns: readonly string[]): string {
  const strings = [...expression.matchAll(/'((?:[^']|'')*)'/g)].map((m) => `'${m[1]}'`);
  const rest = expression.replace(/'(?:[^']|'')*'/g, ' ').replace(/::[a-z ]+/g, ' ');
  const numbers = [...rest.matchAll(/(?<![\w.])\d+(?:\.\d+)?(?![\w.])/g)].map((m) => m[0]);
  const words = new Set([...rest.matchAll(/[A-Za-z_]\w*/g)].map((m) => m[0]));
  const cols = columns.filter((c) => words.has(c));
  return `on (${list([...cols].sort())}): ${list([...strings, ...numbers].sort())}`;
}

// ---------------------------------------------------------------------------------------------------------------
// SQLite's catalog

/** The CHECK (...) expressions of a CREATE TABLE statement, comments and strings taken into account. */
function sqliteChecks(sql: string): string[] {
  const code = sql.replace(/--[^\n]*/g, '');
  const found: string[] = [];
  for (const m of code.matchAll(/\bCHECK\s*\(/gi)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    let inString = false;
    for (; i < code.length && depth > 0; i++) {
      const ch = code[i];
      if (ch === "'") inString = !inString;
      else if (!inString && ch === '(') depth++;
      else if (!inString && ch === ')') depth--;
    }
    found.push(code.slice(start, i - 1));
  }
  return found;
}

function readSqliteSchema(db: Db): Schema {
  const tables = new Map<string, Table>();
  const indexes = new Map<string, Index>();
  const triggers = new Map<string, string>();
  const masters = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { type: string; name: string; tbl_name: string; sql: string }[];
  for (const { type, name, tbl_name, sql } of masters) {
    if (type === 'trigger') {
      const event = /\b(?:BEFORE|AFTER|INSTEAD\s+OF)\s+(INSERT|UPDATE|DELETE)\b/i.exec(sql)?.[1] ?? '?';
      triggers.set(name, `${event.toUpperCase()} ON ${tbl_name}`);
    }
    if (type !== 'table') continue;
    const info = db.pragma(`table_info(${name})`) as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
    const withoutRowid = /\)\s*WITHOUT\s+ROWID\s*;?\s*$/i.test(sql);
    const primaryKey = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const fkRows = db.pragma(`foreign_key_list(${name})`) as { id: number; seq: number; table: string; from: string; to: string; on_delete: string }[];
    const references = new Set(fkRows.map((f) => f.from));
    // A rowid table's INTEGER PRIMARY KEY is the rowid itself: an id handed out by the engine (unless it names another
    // table's row).
    const rowidAlias = !withoutRowid && primaryKey.length === 1 && info.find((c) => c.name === primaryKey[0])?.type.toUpperCase() === 'INTEGER'
      ? primaryKey[0]!
      : null;
    const columns = info.map((c) => ({
      name: c.name,
      type: c.type.toUpperCase(),
      notNull: c.notnull === 1 || c.pk > 0,
      default: c.dflt_value,
      identity: c.name === rowidAlias && !references.has(c.name),
    }));
    const byId = new Map<number, typeof fkRows>();
    for (const f of fkRows) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
    const foreignKeys = [...byId.values()].map((rows) => {
      rows.sort((a, b) => a.seq - b.seq);
      return `(${list(rows.map((r) => r.from))}) -> ${rows[0]!.table}(${list(rows.map((r) => r.to))}) ON DELETE ${rows[0]!.on_delete}`;
    });
    const uniques: string[] = [];
    const indexList = db.pragma(`index_list(${name})`) as { name: string; unique: number; origin: string; partial: number }[];
    for (const ix of indexList) {
      const xinfo = db.pragma(`index_xinfo(${ix.name})`) as { seqno: number; cid: number; name: string | null; desc: number; coll: string; key: number }[];
      const keys = xinfo.filter((x) => x.key === 1).map((x) => (x.coll === 'NOCASE' ? `lower(${x.name})` : `${x.name}${x.desc ? ' DESC' : ''}`));
      if (ix.origin === 'pk') continue;
      if (ix.unique) {
        uniques.push(`${list(keys)}${ix.partial ? ' (partial)' : ''}`);
        continue;
      }
      const tail = xinfo.filter((x) => x.key === 0).map((x) => (x.cid === -1 ? (rowidAlias ?? 'rowid') : x.name!));
      indexes.set(ix.name, { table: name, columns: keys, implicitTail: tail, partial: ix.partial === 1 });
    }
    const checks = sqliteChecks(sql).map((e) => checkFingerprint(e, info.map((c) => c.name)));
    tables.set(name, { columns, primaryKey, uniques: uniques.sort(), foreignKeys: foreignKeys.sort(), checks: checks.sort() });
  }
  return { tables, indexes, triggers, textCollations: new Map() };
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL's catalog

const PG_TYPES: Record<string, string> = { bigint: 'INTEGER', integer: 'INTEGER', 'double precision': 'REAL', text: 'TEXT' };
const ON_DELETE: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

async function readPostgresSchema(client: pg.ClientBase): Promise<Schema> {
  const tables = new Map<string, Table>();
  const indexes = new Map<string, Index>();
  const triggers = new Map<string, string>();
  const textCollations = new Map<string, string | null>();

  const columns = await client.query<{
    table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null;
    is_identity: string; collation_name: string | null;
  }>(`SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.column_default, c.is_identity, c.collation_name
        FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
       ORDER BY c.table_name, c.ordinal_position`);
  for (const c of columns.rows) {
    let table = tables.get(c.table_name);
    if (!table) tables.set(c.table_name, (table = { columns: [], primaryKey: [], uniques: [], foreignKeys: [], checks: [] }));
    table.columns.push({
      name: c.column_name,
      type: PG_TYPES[c.data_type] ?? c.data_type,
      notNull: c.is_nullable === 'NO',
      // '0', 'open'::text -> 0, 'open' (SQLite's table_info shows a default as written)
      default: c.column_default === null ? null : c.column_default.replace(/::[a-z ]+$/, ''),
      identity: c.is_identity === 'YES',
    });
    if (c.data_type === 'text') textCollations.set(`${c.table_name}.${c.column_name}`, c.collation_name);
  }

  const constraints = await client.query<{
    table_name: string; contype: string; columns: string[]; ref_table: string | null; ref_columns: string[] | null;
    confdeltype: string; def: string;
  }>(`SELECT cl.relname AS table_name, con.contype,
             array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
             rc.relname::text AS ref_table,
             array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i) AS ref_columns,
             con.confdeltype, pg_get_constraintdef(con.oid) AS def
        FROM pg_constraint con
        JOIN pg_class cl ON cl.oid = con.conrelid
        LEFT JOIN pg_class rc ON rc.oid = con.confrelid
       WHERE con.connamespace = current_schema()::regnamespace`);
  for (const con of constraints.rows) {
    const table = tables.get(con.table_name);
    if (!table) continue;
    if (con.contype === 'p') table.primaryKey = con.columns;
    else if (con.contype === 'u') table.uniques.push(list(con.columns));
    else if (con.contype === 'f') table.foreignKeys.push(`(${list(con.columns)}) -> ${con.ref_table}(${list(con.ref_columns ?? [])}) ON DELETE ${ON_DELETE[con.confdeltype]}`);
    else if (con.contype === 'c') table.checks.push(checkFingerprint(con.def, table.columns.map((c) => c.name)));
  }

  // Indexes that back no constraint: unique ones (an expression's unique, e.g. lower(username)) and the named ones.
  const ixs = await client.query<{ table_name: string; index_name: string; unique: boolean; partial: boolean; keys: string[]; options: number[] }>(
    `SELECT t.relname AS table_name, i.relname AS index_name, x.indisunique AS unique, x.indpred IS NOT NULL AS partial,
            array(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) k ORDER BY k) AS keys,
            x.indoption::int2[] AS options
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace
        AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid)`,
  );
  for (const ix of ixs.rows) {
    // pg_get_indexdef quotes names that are keywords ("position"); SQLite's pragmas do not.
    const keys = ix.keys.map((k, i) => `${k.replace(/"(\w+)"/g, '$1')}${(ix.options[i]! & 1) === 1 ? ' DESC' : ''}`);
    if (ix.unique) {
      tables.get(ix.table_name)?.uniques.push(`${list(keys)}${ix.partial ? ' (partial)' : ''}`);
      continue;
    }
    indexes.set(ix.index_name, { table: ix.table_name, columns: keys, implicitTail: [], partial: ix.partial });
  }

  const trg = await client.query<{ name: string; table_name: string; tgtype: number }>(
    `SELECT tg.tgname AS name, cl.relname AS table_name, tg.tgtype
       FROM pg_trigger tg JOIN pg_class cl ON cl.oid = tg.tgrelid
      WHERE NOT tg.tgisinternal AND cl.relnamespace = current_schema()::regnamespace`,
  );
  for (const t of trg.rows) {
    const events = [[4, 'INSERT'], [8, 'DELETE'], [16, 'UPDATE']].filter(([bit]) => (t.tgtype & (bit as number)) !== 0).map(([, e]) => e);
    triggers.set(t.name, `${events.join(' OR ')} ON ${t.table_name}`);
  }

  for (const table of tables.values()) {
    table.uniques.sort();
    table.foreignKeys.sort();
    table.checks.sort();
  }
  return { tables, indexes, triggers, textCollations };
}

// ---------------------------------------------------------------------------------------------------------------
// The comparison

/** Every difference between the two schemas, each a sentence naming what differs; empty when they are equal. */
function schemaDifferences(lite: Schema, post: Schema): string[] {
  const out: string[] = [];
  const sides = (what: string, a: string, b: string) => `${what}: SQLite ${a}, PostgreSQL ${b}`;
  const onlyIn = (kind: string, a: Iterable<string>, b: Iterable<string>) => {
    const bs = new Set(b);
    const as = new Set(a);
    for (const x of as) if (!bs.has(x)) out.push(`${kind} ${x} only on SQLite`);
    for (const x of bs) if (!as.has(x)) out.push(`${kind} ${x} only on PostgreSQL`);
  };
  const sameList = (what: string, a: string[], b: string[]) => {
    if (list(a) !== list(b)) out.push(sides(what, `[${a.join(' | ')}]`, `[${b.join(' | ')}]`));
  };

  onlyIn('table', lite.tables.keys(), post.tables.keys());
  for (const [name, l] of lite.tables) {
    const p = post.tables.get(name);
    if (!p) continue;
    const lNames = l.columns.map((c) => c.name);
    const pNames = p.columns.map((c) => c.name);
    onlyIn(`column of ${name}:`, lNames, pNames);
    const common = lNames.filter((n) => pNames.includes(n));
    if (list(common) !== list(pNames.filter((n) => lNames.includes(n)))) {
      out.push(sides(`${name}: column order`, `(${list(lNames)})`, `(${list(pNames)})`));
    }
    for (const lc of l.columns) {
      const pc = p.columns.find((c) => c.name === lc.name);
      if (!pc) continue;
      const col = `${name}.${lc.name}`;
      if (lc.type !== pc.type) out.push(sides(`${col} type`, lc.type, `${pc.type} (no match for ${lc.type})`));
      if (lc.notNull !== pc.notNull) out.push(sides(`${col}`, lc.notNull ? 'NOT NULL' : 'nullable', pc.notNull ? 'NOT NULL' : 'nullable'));
      if (lc.default !== pc.default) out.push(sides(`${col} default`, String(lc.default), String(pc.default)));
      if (lc.identity !== pc.identity) {
        out.push(sides(`${col}`, lc.identity ? 'a rowid (ids handed out)' : 'not a rowid', pc.identity ? 'an identity' : 'not an identity'));
      }
    }
    sameList(`${name} primary key`, l.primaryKey, p.primaryKey);
    onlyIn(`${name}: unique`, l.uniques, p.uniques);
    onlyIn(`${name}: foreign key`, l.foreignKeys, p.foreignKeys);
    onlyIn(`${name}: check`, l.checks, p.checks);
  }

  onlyIn('index', lite.indexes.keys(), post.indexes.keys());
  for (const [name, l] of lite.indexes) {
    const p = post.indexes.get(name);
    if (!p) continue;
    if (l.table !== p.table) out.push(sides(`index ${name} table`, l.table, p.table));
    // PostgreSQL may spell out (part of) what SQLite appends implicitly: the rowid (the id) or the primary key.
    const declared = p.columns.slice(0, l.columns.length);
    const extra = p.columns.slice(l.columns.length);
    const tailOk = list(extra) === list(l.implicitTail.slice(0, extra.length));
    if (list(declared) !== list(l.columns) || !tailOk) {
      out.push(sides(`index ${name} columns`, `(${list(l.columns)}) [+ implicit ${list(l.implicitTail)}]`, `(${list(p.columns)})`));
    }
    if (l.partial !== p.partial) out.push(sides(`index ${name}`, l.partial ? 'partial' : 'not partial', p.partial ? 'partial' : 'not partial'));
  }

  onlyIn('trigger', lite.triggers.keys(), post.triggers.keys());
  for (const [name, l] of lite.triggers) {
    const p = post.triggers.get(name);
    if (p !== undefined && p !== l) out.push(sides(`trigger ${name}`, l, p));
  }

  for (const [column, collation] of post.textCollations) {
    if (collation !== 'C') out.push(`PostgreSQL: text column ${column} is in collation ${collation ?? "the database's"}, not "C" (SQLite's byte order)`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

async function applyPostgresMigrations(client: pg.ClientBase): Promise<string[]> {
  const files = readdirSync(PG_MIGRATIONS).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
  for (const file of files) {
    await client.query('BEGIN');
    try {
      await client.query(readFileSync(join(PG_MIGRATIONS, file), 'utf8'));
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw new Error(`postgres/${file}: ${(err as Error).message}`);
    }
  }
  return files;
}

const dir = mkdtempSync(join(tmpdir(), 'bagel-schema-parity-'));
let sqlite: Db;
let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
let client: pg.Client;

beforeAll(async () => {
  sqlite = openDatabase(join(dir, 'bagel.sqlite'));
  database = await createPostgresDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await applyPostgresMigrations(client);
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
  sqlite?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('schema parity of SQLite and PostgreSQL', () => {
  it('PostgreSQL starts at SQLite version 15, and every later migration comes as a pair with the same number and name', () => {
    const sqliteFiles = readdirSync(join(PG_MIGRATIONS, '..')).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
    const pgFiles = readdirSync(PG_MIGRATIONS).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
    expect(pgFiles[0]).toBe('015_initial.sql');
    const later = sqliteFiles.filter((f) => Number(f.slice(0, 3)) > 15);
    const unpaired = [
      ...later.filter((f) => !pgFiles.includes(f)).map((f) => `${f} has no PostgreSQL twin postgres/${f}`),
      ...pgFiles.slice(1).filter((f) => !later.includes(f)).map((f) => `postgres/${f} has no SQLite twin ${f}`),
    ];
    expect(unpaired).toEqual([]);
    expect(sqlite.pragma('user_version', { simple: true })).toBe(Number(sqliteFiles.at(-1)!.slice(0, 3)));
  });

  it('both engines have the same tables, columns, keys, checks, indexes and triggers', async () => {
    const lite = readSqliteSchema(sqlite);
    const post = await readPostgresSchema(client);
    // The readers found something to compare (an empty pair of catalogs would be equal too).
    expect(lite.tables.size).toBeGreaterThan(30);
    expect(lite.tables.get('items')?.columns.map((c) => c.name)).toContain('top1_mistake_models');
    expect(lite.indexes.get('items_queue')?.partial).toBe(true);
    expect(lite.tables.get('users')?.uniques).toEqual(['lower(username)']);
    expect(schemaDifferences(lite, post)).toEqual([]);
  });

  it('names each difference: a column, an index, a foreign key, a check or a trigger on one engine only', async () => {
    // The same changes made to each engine in turn, inside a transaction rolled back after reading its catalog.
    const changes = [
      'ALTER TABLE items ADD COLUMN note text',
      'DROP INDEX verdicts_after_seeing_panel',
      'CREATE INDEX images_by_file ON images(file)',
      'DROP TRIGGER items_top1_mistake_models',
    ];
    const pgChanges = [...changes.slice(0, 3), 'DROP TRIGGER items_top1_mistake_models ON items'];
    await client.query('BEGIN');
    try {
      for (const sql of pgChanges) await client.query(sql);
      await client.query('ALTER TABLE sessions DROP CONSTRAINT sessions_user_id_fkey');
      await client.query('ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users(id)');
      await client.query("ALTER TABLE items DROP CONSTRAINT items_status_check, ADD CHECK (status IN ('open', 'in_review', 'agreed', 'disputed'))");
      await client.query('ALTER TABLE claims ALTER COLUMN claimed_at DROP NOT NULL');
      expect(schemaDifferences(readSqliteSchema(sqlite), await readPostgresSchema(client))).toEqual([
        'claims.claimed_at: SQLite NOT NULL, PostgreSQL nullable',
        'column of items: note only on PostgreSQL',
        "items: check on (status): 'agreed', 'disputed', 'final', 'in_review', 'open' only on SQLite",
        "items: check on (status): 'agreed', 'disputed', 'in_review', 'open' only on PostgreSQL",
        'sessions: foreign key (user_id) -> users(id) ON DELETE CASCADE only on SQLite',
        'sessions: foreign key (user_id) -> users(id) ON DELETE NO ACTION only on PostgreSQL',
        'index verdicts_after_seeing_panel only on SQLite',
        'index images_by_file only on PostgreSQL',
        'trigger items_top1_mistake_models only on SQLite',
        'PostgreSQL: text column items.note is in collation the database\'s, not "C" (SQLite\'s byte order)',
      ]);
    } finally {
      await client.query('ROLLBACK');
    }

    sqlite.exec('BEGIN');
    try {
      for (const sql of changes) sqlite.exec(sql);
      expect(schemaDifferences(readSqliteSchema(sqlite), await readPostgresSchema(client))).toEqual([
        'column of items: note only on SQLite',
        'index images_by_file only on SQLite',
        'index verdicts_after_seeing_panel only on PostgreSQL',
        'trigger items_top1_mistake_models only on PostgreSQL',
      ]);
    } finally {
      sqlite.exec('ROLLBACK');
    }
    expect(schemaDifferences(readSqliteSchema(sqlite), await readPostgresSchema(client))).toEqual([]);
  });
});

describe('the triggers that fill an item inserted without its top-1 mistake mask or its file (items_top1_mistake_models, items_file)', () => {
  // One project of five models, four images, on both engines with the same statements. Model positions 0, 1 and 61
  // have a bit; 62 is past the mask; the model at position 5 has its top-1 among the accepted labels.
  const setup = [
    `INSERT INTO projects (id, name, image_dir, panel_size, top_k, claim_ms, mistake_categories, manifest_sha256, created_at)
       VALUES (7, 'mask', '/images', 3, 5, 600000, '[]', 'sha', '2025-01-01T00:00:00.000Z')`,
    `INSERT INTO models (id, project_id, position, name, display_name) VALUES
       (70, 7, 0, 'a', 'A'), (71, 7, 1, 'b', 'B'), (72, 7, 61, 'c', 'C'), (73, 7, 62, 'd', 'D'), (74, 7, 5, 'e', 'E')`,
    `INSERT INTO images (id, project_id, position, file, original_class_idx) VALUES
       (100, 7, 0, 'a.jpg', 1), (101, 7, 1, 'b.jpg', 2), (102, 7, 2, 'c.jpg', 3), (103, 7, 3, 'd.jpg', 4)`,
    'INSERT INTO accepted_labels (image_id, class_idx) VALUES (100, 1), (101, 2), (101, 9), (102, 3), (103, 4)',
    // image 100: a, c and d wrong at rank 1 (b right); rank 2 never counts; e right.
    // image 101: every model's top-1 accepted (2 or 9): no bit.
    // image 102: b wrong only; image 103: no predictions at all.
    `INSERT INTO predictions (image_id, model_id, rank, class_idx, score) VALUES
       (100, 70, 1, 5, 0.9), (100, 70, 2, 1, 0.1), (100, 71, 1, 1, 0.8), (100, 71, 2, 6, 0.2), (100, 72, 1, 6, 0.7),
       (100, 73, 1, 7, 0.6), (100, 74, 1, 1, NULL),
       (101, 70, 1, 2, 0.9), (101, 71, 1, 9, 0.9), (101, 72, 1, 2, 0.9), (101, 73, 1, 9, 0.9), (101, 74, 1, 2, 0.5),
       (102, 70, 1, 3, 0.9), (102, 71, 1, 8, 0.9), (102, 71, 2, 3, 0.1), (102, 72, 1, 3, 0.9)`,
    // One item per statement, one in a multi-row insert, and one whose INSERT gives a mask of its own: kept, as the
    // import's are (migration 020: the trigger fills only a mask of 0).
    'INSERT INTO items (id, project_id, image_id, models_wrong, confidence) VALUES (1000, 7, 100, 3, 0.9)',
    'INSERT INTO items (id, project_id, image_id, models_wrong, confidence) VALUES (1001, 7, 101, 0, 0), (1002, 7, 102, 1, 0.9)',
    'INSERT INTO items (id, project_id, image_id, models_wrong, confidence, top1_mistake_models) VALUES (1003, 7, 103, 0, 0, 999)',
    // An item inserted with its file, as the import inserts them (migration 034: the trigger fills only '').
    `INSERT INTO images (id, project_id, position, file, original_class_idx) VALUES (104, 7, 4, 'e.jpg', 5)`,
    `INSERT INTO items (id, project_id, image_id, file, models_wrong, confidence) VALUES (1004, 7, 104, 'e.jpg', 0, 0)`,
  ];
  const expectedFiles = [
    ['1000', 'a.jpg'],
    ['1001', 'b.jpg'],
    ['1002', 'c.jpg'],
    ['1003', 'd.jpg'],
    ['1004', 'e.jpg'],
  ];
  const expected = [
    ['1000', String(2n ** 61n + 1n)],
    ['1001', '0'],
    ['1002', '2'],
    ['1003', '999'],
    ['1004', '0'],
  ];

  it('gives each inserted item the same mask and file on SQLite and PostgreSQL', async () => {
    const liteDir = mkdtempSync(join(dir, 'mask-'));
    const lite = openDatabase(join(liteDir, 'mask.sqlite'));
    const mask = await createPostgresDatabase();
    const post = new pg.Client({ connectionString: mask.url });
    await post.connect();
    try {
      await applyPostgresMigrations(post);
      for (const sql of setup) {
        lite.exec(sql);
        await post.query(sql);
      }
      const select = 'SELECT id, top1_mistake_models FROM items ORDER BY id';
      // As exact integers on both sides: bit 61 plus bit 0 is past JavaScript's exact doubles.
      const fromSqlite = (lite.prepare(select).safeIntegers(true).all() as { id: bigint; top1_mistake_models: bigint }[]).map((r) => [
        String(r.id),
        String(r.top1_mistake_models),
      ]);
      const fromPostgres = (await post.query<{ id: string; top1_mistake_models: string }>(select)).rows.map((r) => [
        String(r.id),
        String(r.top1_mistake_models),
      ]);
      expect(fromSqlite).toEqual(expected);
      expect(fromPostgres).toEqual(fromSqlite);
      const files = 'SELECT id, file FROM items ORDER BY id';
      const filesFromSqlite = (lite.prepare(files).all() as { id: number; file: string }[]).map((r) => [String(r.id), r.file]);
      expect(filesFromSqlite).toEqual(expectedFiles);
      expect((await post.query<{ id: string; file: string }>(files)).rows.map((r) => [String(r.id), r.file])).toEqual(expectedFiles);
    } finally {
      await post.end();
      await mask.drop();
      lite.close();
    }
  });
});
