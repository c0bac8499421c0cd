import { describe, expect, it } from 'vitest';
import { imageSourceText, parseImageSource } from './image-source';
import { ImportManifest } from './manifest';

const source = (text: string) => {
  const parsed = parseImageSource(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.source;
};
const problem = (text: string) => {
  const parsed = parseImageSource(text);
  return parsed.ok ? null : parsed.problem;
};

describe('parseImageSource', () => {
  it('takes a folder path as it is, relative or absolute', () => {
    expect(source('images')).toEqual({ kind: 'folder', path: 'images' });
    expect(source('/data/imagenet/val')).toEqual({ kind: 'folder', path: '/data/imagenet/val' });
    expect(source('../photos 2024/val')).toEqual({ kind: 'folder', path: '../photos 2024/val' });
  });

  it('reads an http(s) base URL, always ending with a slash', () => {
    expect(source('https://images.example.org/imagenet/val')).toEqual({ kind: 'http', baseUrl: 'https://images.example.org/imagenet/val/' });
    expect(source('http://127.0.0.1:8000/')).toEqual({ kind: 'http', baseUrl: 'http://127.0.0.1:8000/' });
    expect(source('HTTPS://Example.org')).toEqual({ kind: 'http', baseUrl: 'https://example.org/' });
  });

  it('reads a bucket and its key prefix', () => {
    expect(source('s3://photos')).toEqual({ kind: 's3', bucket: 'photos', prefix: '' });
    expect(source('s3://photos/')).toEqual({ kind: 's3', bucket: 'photos', prefix: '' });
    expect(source('s3://my.bucket-1/imagenet/val')).toEqual({ kind: 's3', bucket: 'my.bucket-1', prefix: 'imagenet/val/' });
    expect(source('s3://photos/val/')).toEqual({ kind: 's3', bucket: 'photos', prefix: 'val/' });
  });

  it('gives the canonical text a project records', () => {
    for (const text of ['/data/val', 'https://example.org/val/', 's3://photos/val/', 's3://photos/']) expect(imageSourceText(source(text))).toBe(text);
    expect(imageSourceText(source('s3://photos/val'))).toBe('s3://photos/val/');
  });

  it('refuses malformed sources, saying what is wrong', () => {
    expect(problem('s3://')).toMatch(/names no bucket/);
    expect(problem('s3:///prefix')).toMatch(/names no bucket/);
    expect(problem('s3://Photos/val')).toMatch(/"Photos" is not a bucket name/);
    expect(problem('s3://ab')).toMatch(/not a bucket name/);
    expect(problem('s3://photos/a/../b')).toMatch(/"\.\." folder name/);
    expect(problem('s3://photos/a//b')).toMatch(/empty/);
    expect(problem('s3://photos/val?versionId=1')).toMatch(/no query/);
    expect(problem('s3:photos/val')).toMatch(/not a valid URL/);
    expect(problem('ftp://example.org/val')).toMatch(/"ftp:\/\/" is not an image source Bagel reads/);
    expect(problem('file:///data/val')).toMatch(/"file:\/\/" is not an image source/);
    expect(problem('https://')).toMatch(/not a valid URL|names no host/);
    expect(problem('https://user:secret@example.org/val')).toMatch(/user name or password/);
    expect(problem('https://example.org/val?token=1')).toMatch(/no query/);
    expect(problem('https://example.org/val#x')).toMatch(/no query \(\?\) or fragment/);
    expect(problem('http:/example.org')).toMatch(/not a valid URL/);
    expect(problem(' images')).toMatch(/space/);
    expect(problem('')).toMatch(/empty/);
  });
});

describe('the manifest', () => {
  const manifest = (dir: string) => ({
    version: 1,
    project: { name: 'p' },
    vocabulary: { path: 'v.csv', format: 'csv' },
    images: { dir },
    originalLabels: { path: 'l.csv', format: 'csv' },
    models: [{ name: 'm', predictions: { path: 'p.csv', format: 'csv' } }],
  });

  it('takes a folder, a base URL or a bucket as images.dir', () => {
    for (const dir of ['images', 'https://example.org/val', 's3://photos/val']) expect(ImportManifest.safeParse(manifest(dir)).success, dir).toBe(true);
  });

  it('refuses a malformed source at images.dir', () => {
    const parsed = ImportManifest.safeParse(manifest('s3://'));
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]).toMatchObject({ path: ['images', 'dir'], message: expect.stringMatching(/names no bucket/) });
  });
});
