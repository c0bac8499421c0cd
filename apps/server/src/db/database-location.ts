/**
 * Where a Bagel database lives, as `--db` and `BAGEL_DATABASE_URL` name it: a file path (SQLite, the embedded
 * default) or a `postgres://` / `postgresql://` URL (PostgreSQL 15+, for several API instances).
 */
export type DatabaseLocation = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

const POSTGRES_SCHEMES = ['postgres:', 'postgresql:'];

export class DatabaseLocationError extends Error {}

export function parseDatabaseLocation(value: string): DatabaseLocation {
  const text = value.trim();
  if (text === '') throw new DatabaseLocationError('the database is empty: give a SQLite file path or a postgres:// URL');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return { engine: 'sqlite', file: value };
  if (!POSTGRES_SCHEMES.includes(`${scheme}:`)) {
    throw new DatabaseLocationError(`unsupported database URL scheme "${scheme}://": give a SQLite file path or a postgres:// URL`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DatabaseLocationError(`the database URL ${redactDatabaseUrl(text)} is not a valid URL`);
  }
  if (url.pathname === '' || url.pathname === '/') {
    throw new DatabaseLocationError(`the database URL ${redactDatabaseUrl(text)} names no database (postgres://USER@HOST:PORT/DATABASE)`);
  }
  return { engine: 'postgres', url: text };
}

/** The location as it may be printed or logged: a URL's password replaced by `***`. */
export function describeDatabaseLocation(location: DatabaseLocation): string {
  return location.engine === 'sqlite' ? location.file : redactDatabaseUrl(location.url);
}

function redactDatabaseUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
