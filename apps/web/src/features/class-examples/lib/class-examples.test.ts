import { type ClassImage, ClassImagesPage } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import { EXAMPLES_PAGE_SIZE, columnsOf, examplesOf, examplesSummary, gridMove, nextPageOffset, otherImageCount } from './class-examples';

const image = (imageId: number): ClassImage => ({
  imageId,
  file: `img-${imageId}.jpg`,
  thumbnailUrl: `/api/projects/1/images/${imageId}/preview?width=256`,
  previewUrl: `/api/projects/1/images/${imageId}/preview`,
});
const page = (offset: number, ids: number[], total: number): ClassImagesPage =>
  ClassImagesPage.parse({ total, offset, limit: EXAMPLES_PAGE_SIZE, rows: ids.map(image) });
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('the pages of a class’s images', () => {
  it('asks for the rows after the last one loaded, until the total is reached', () => {
    expect(nextPageOffset(page(0, range(1, 24), 50))).toBe(24);
    expect(nextPageOffset(page(24, range(25, 24), 50))).toBe(48);
    expect(nextPageOffset(page(48, range(49, 2), 50))).toBeUndefined();
    expect(nextPageOffset(page(0, range(1, 24), 24))).toBeUndefined();
    expect(nextPageOffset(page(0, [], 0))).toBeUndefined();
  });

  it('stops on an empty page even if the total says more (rows removed meanwhile), rather than ask for it forever', () => {
    expect(nextPageOffset(page(24, [], 50))).toBeUndefined();
  });

  it('goes by the rows received, not the limit asked for (the server may send fewer)', () => {
    expect(nextPageOffset(page(0, range(1, 10), 50))).toBe(10);
  });
});

describe('the examples shown', () => {
  const own = { imageId: 7, originalLabel: 'n02123045' };

  it('are every row in order, without the image being judged', () => {
    const pages = [page(0, [3, 7, 9], 5), page(3, [11, 12], 5)];
    expect(examplesOf(pages, own).map((e) => e.imageId)).toEqual([3, 9, 11, 12]);
    expect(examplesOf(pages).map((e) => e.imageId)).toEqual([3, 7, 9, 11, 12]);
  });

  it('show an image once when pages overlap (a page fetched again after the list moved)', () => {
    const pages = [page(0, [1, 2, 3], 6), page(2, [3, 4, 5], 6)];
    expect(examplesOf(pages, own).map((e) => e.imageId)).toEqual([1, 2, 3, 4, 5]);
  });

  it('are none when the only image of the class is the one being judged', () => {
    expect(examplesOf([page(0, [7], 1)], own)).toEqual([]);
    expect(otherImageCount(1, 'n02123045', own)).toBe(0);
  });

  it('count the image being judged out of the total only when its original label is the class', () => {
    expect(otherImageCount(40, 'n02123045', own)).toBe(39);
    expect(otherImageCount(40, 'n02124075', own)).toBe(40);
    expect(otherImageCount(0, 'n02124075', own)).toBe(0);
    expect(otherImageCount(0, 'n02123045', own)).toBe(0);
    expect(otherImageCount(3, 'n02123045')).toBe(3);
  });

  it('say how many there are, and how many are shown while some are not loaded yet', () => {
    expect(examplesSummary(1, 1)).toBe('1 other image with this original label.');
    expect(examplesSummary(24, 39)).toBe('Showing 24 of 39 other images with this original label.');
    expect(examplesSummary(39, 39)).toBe('39 other images with this original label.');
  });
});

describe('moving in the grid of thumbnails', () => {
  // 10 thumbnails, 4 a row:  0 1 2 3 / 4 5 6 7 / 8 9
  const move = (from: number, key: string) => gridMove(from, key, 10, 4);

  it('moves by one with ← →, without wrapping past either end', () => {
    expect(move(5, 'ArrowRight')).toBe(6);
    expect(move(3, 'ArrowRight')).toBe(4);
    expect(move(9, 'ArrowRight')).toBe(9);
    expect(move(4, 'ArrowLeft')).toBe(3);
    expect(move(0, 'ArrowLeft')).toBe(0);
  });

  it('moves by a row with ↑ ↓, staying put at the top and the bottom', () => {
    expect(move(1, 'ArrowDown')).toBe(5);
    expect(move(5, 'ArrowUp')).toBe(1);
    expect(move(2, 'ArrowUp')).toBe(2);
    expect(move(9, 'ArrowDown')).toBe(9);
    expect(move(8, 'ArrowUp')).toBe(4);
  });

  it('goes down into a shorter last row at its last thumbnail', () => {
    expect(move(6, 'ArrowDown')).toBe(9);
    expect(move(7, 'ArrowDown')).toBe(9);
    expect(move(5, 'ArrowDown')).toBe(9);
    expect(move(4, 'ArrowDown')).toBe(8);
  });

  it('goes to the first and the last with Home and End, and ignores other keys', () => {
    expect(move(6, 'Home')).toBe(0);
    expect(move(2, 'End')).toBe(9);
    for (const key of ['Enter', ' ', 'c', 'Escape', 'Tab', 'PageDown']) expect(move(6, key), key).toBeNull();
  });

  it('copes with one column, one thumbnail, none, and an index out of range', () => {
    expect(gridMove(2, 'ArrowDown', 5, 1)).toBe(3);
    expect(gridMove(2, 'ArrowUp', 5, 0)).toBe(1);
    expect(gridMove(0, 'ArrowRight', 1, 4)).toBe(0);
    expect(gridMove(0, 'ArrowDown', 1, 4)).toBe(0);
    expect(gridMove(0, 'ArrowRight', 0, 4)).toBeNull();
    expect(gridMove(12, 'ArrowLeft', 10, 4)).toBe(8);
  });
});

describe('the columns of a laid-out grid', () => {
  it('are the cells of the first row: those at its top (within a pixel)', () => {
    expect(columnsOf([10, 10, 10, 10, 130, 130, 130, 130, 250])).toBe(4);
    expect(columnsOf([10, 10.4, 9.7, 130])).toBe(3);
    expect(columnsOf([10, 130, 250])).toBe(1);
  });

  it('are all the cells when they fit in one row, and 1 when there is none', () => {
    expect(columnsOf([10, 10, 10])).toBe(3);
    expect(columnsOf([])).toBe(1);
  });
});
