import { describe, expect, it } from 'vitest';
import { describeDatabaseLocation, parseDatabaseLocation } from './database-location';

describe('--db', () => {
  it('takes a file path as SQLite and a postgres:// or postgresql:// URL as PostgreSQL', () => {
    expect(parseDatabaseLocation('data/lab.sqlite')).toEqual({ engine: 'sqlite', file: 'data/lab.sqlite' });
    expect(parseDatabaseLocation('/srv/bagel/lab.sqlite')).toEqual({ engine: 'sqlite', file: '/srv/bagel/lab.sqlite' });
    // A folder named like a scheme, without the slashes, is a path.
    expect(parseDatabaseLocation('postgres:lab.sqlite')).toEqual({ engine: 'sqlite', file: 'postgres:lab.sqlite' });
    expect(parseDatabaseLocation('postgres://bagel:secret@db.internal:5432/bagel')).toEqual({ engine: 'postgres', url: 'postgres://bagel:secret@db.internal:5432/bagel' });
    expect(parseDatabaseLocation('postgresql://db.internal/bagel?sslmode=require')).toMatchObject({ engine: 'postgres' });
  });

  it('refuses other schemes, a URL without a database, and an empty value, with a message saying what to give', () => {
    expect(() => parseDatabaseLocation('mysql://db/bagel')).toThrow('unsupported database URL scheme "mysql://": give a SQLite file path or a postgres:// URL');
    expect(() => parseDatabaseLocation('postgres://db.internal:5432')).toThrow('names no database (postgres://USER@HOST:PORT/DATABASE)');
    expect(() => parseDatabaseLocation('  ')).toThrow('the database is empty');
  });

  it('never prints a password', () => {
    expect(describeDatabaseLocation(parseDatabaseLocation('postgres://bagel:s3cret@db:5432/bagel'))).toBe('postgres://bagel:***@db:5432/bagel');
    expect(() => parseDatabaseLocation('postgres://bagel:s3cret@db:5432')).toThrow('postgres://bagel:***@db:5432');
  });
});
