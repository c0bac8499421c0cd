import { describe, expect, it } from 'vitest';
import { FormatError } from '../formats';
import { goldenHumanAccuracy } from './golden-inputs';
import { humanAccuracyV3Pieces, pythonIsoTimestamp, readHumanAccuracyV3, writeHumanAccuracyV3 } from './human-accuracy-v3';
import { fixtureText, goldenText } from './test-helpers';

const FIXTURE = 'tfds_dummy_human_accuracy_fixed.json';

function formatError(text: string): FormatError {
  try {
    readHumanAccuracyV3(text, 'labels.json');
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('writeHumanAccuracyV3', () => {
  it('writes the golden file', () => {
    expect(writeHumanAccuracyV3(goldenHumanAccuracy)).toBe(goldenText('human-accuracy-v3.json'));
  });

  it('writes an empty document with every top-level key', () => {
    expect(writeHumanAccuracyV3({ initial_annots: {}, problematic_images: {}, imagenet_m: [] })).toBe(
      '{\n  "initial_annots": {},\n  "problematic_images": {},\n  "imagenet_m": []\n}\n',
    );
  });
});

describe('humanAccuracyV3Pieces', () => {
  it('gives the golden file piece by piece, reading the lists that follow the annotations only once they are written', () => {
    const doc = goldenHumanAccuracy;
    const seen: string[] = [];
    function* annotations() {
      for (const file of Object.keys(doc.initial_annots)) {
        seen.push(`annotation ${file}`);
        yield [file, doc.initial_annots[file]!] as const;
      }
    }
    const pieces = humanAccuracyV3Pieces({
      annotations: annotations(),
      problematic: () => (seen.push('problematic'), Object.entries(doc.problematic_images)),
      imagenetM: () => (seen.push('imagenet_m'), doc.imagenet_m),
    });
    const text: string[] = [];
    for (const piece of pieces) text.push(piece);
    expect(text.join('')).toBe(goldenText('human-accuracy-v3.json'));
    expect(seen).toEqual([...Object.keys(doc.initial_annots).map((f) => `annotation ${f}`), 'problematic', 'imagenet_m']);
    // One piece per image, not one string for the whole file.
    expect(text.length).toBeGreaterThan(Object.keys(doc.initial_annots).length);
  });

  it('writes empty objects and lists as writeHumanAccuracyV3 does', () => {
    expect([...humanAccuracyV3Pieces({ annotations: [], problematic: () => [], imagenetM: () => [] })].join('')).toBe(
      writeHumanAccuracyV3({ initial_annots: {}, problematic_images: {}, imagenet_m: [] }),
    );
  });
});

describe('pythonIsoTimestamp', () => {
  it("writes JavaScript's UTC timestamps as the released file does (Python's isoformat: microseconds, +00:00)", () => {
    expect(pythonIsoTimestamp('2019-03-29T22:48:36.956Z')).toBe('2019-03-29T22:48:36.956000+00:00');
    expect(pythonIsoTimestamp('2019-03-29T22:48:36Z')).toBe('2019-03-29T22:48:36.000000+00:00');
    expect(pythonIsoTimestamp('2019-03-29T22:48:36.956685Z')).toBe('2019-03-29T22:48:36.956685+00:00');
  });

  it('keeps any other text exactly (a record imported from a released file)', () => {
    for (const time of ['2019-03-29T22:48:36.956685+00:00', '2019-03-29 22:48:36', '', 'yesterday']) expect(pythonIsoTimestamp(time)).toBe(time);
  });

  it('is what the writer puts in problematic records', () => {
    const record = { reason: 'drawing', reviewer: 'lea', server_username: 'ann', time_marked: '2025-01-01T00:00:01.500Z', time_reviewed: '2025-01-01T00:16:00.000Z' };
    const text = writeHumanAccuracyV3({ initial_annots: { 'a.jpg': { correct: ['n1'] } }, problematic_images: { 'a.jpg': record }, imagenet_m: [] });
    expect(JSON.parse(text).problematic_images['a.jpg']).toEqual({ ...record, time_marked: '2025-01-01T00:00:01.500000+00:00', time_reviewed: '2025-01-01T00:16:00.000000+00:00' });
  });
});

describe('readHumanAccuracyV3', () => {
  it('reads the TFDS fixture, normalizing the misspelt "server_user_name"', () => {
    const doc = readHumanAccuracyV3(fixtureText(FIXTURE), FIXTURE);
    expect(Object.keys(doc.initial_annots)).toHaveLength(11);
    expect(Object.keys(doc.problematic_images)).toHaveLength(10);
    expect(doc.imagenet_m).toEqual(['ILSVRC2012_val_00000001.JPEG', 'ILSVRC2012_val_00000004.JPEG', 'ILSVRC2012_val_00000005.JPEG']);
    expect(doc.initial_annots['ILSVRC2012_val_00000022.JPEG']).toMatchObject({ correct: ['n02091244'], unclear: ['n02105412'] });
    expect(doc.problematic_images['ILSVRC2012_val_00000270.JPEG']).toEqual({
      reason: 'wnid is marked wrong',
      reviewer: 'ludwig',
      server_username: 'vaishaal',
      time_marked: '2019-03-28T21:19:20.847361+00:00',
      time_reviewed: '2019-05-03T23:32:30.092264+00:00',
    });
  });

  it('gives back the fixture byte for byte when written again, but for the normalized key', () => {
    const text = fixtureText(FIXTURE);
    const written = writeHumanAccuracyV3(readHumanAccuracyV3(text, FIXTURE));
    // The one difference: the fixture's single "server_user_name" comes out as the schema's "server_username".
    expect(text.split('"server_user_name"')).toHaveLength(2);
    expect(written).toBe(text.replace('"server_user_name"', '"server_username"'));
    expect(JSON.parse(written)).toEqual(JSON.parse(text.replace('"server_user_name"', '"server_username"')));
  });

  it('reads back what it writes', () => {
    const doc = readHumanAccuracyV3(goldenText('human-accuracy-v3.json'), 'golden.json');
    expect(writeHumanAccuracyV3(doc)).toBe(goldenText('human-accuracy-v3.json'));
    // The empty "unclear" list of the input is left out of the file.
    expect(doc.initial_annots['ILSVRC2012_val_00000001.JPEG']).toEqual({ correct: ['n01751748'], wrong: ['n01665541', 'n01697457'] });
    expect(doc.problematic_images['demo/horse.png']?.server_username).toBe('zoë');
  });

  it('reads a file without problematic images or ImageNet-M list as empty ones', () => {
    expect(readHumanAccuracyV3('{"initial_annots": {"a.JPEG": {"correct": ["n1"]}}}', 'labels.json')).toEqual({
      initial_annots: { 'a.JPEG': { correct: ['n1'] } },
      problematic_images: {},
      imagenet_m: [],
    });
  });

  it('keeps a file named __proto__ as an ordinary image', () => {
    const doc = readHumanAccuracyV3('{"initial_annots": {"__proto__": {"correct": ["n1"]}}}', 'labels.json');
    expect(Object.keys(doc.initial_annots)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(doc.initial_annots)).toBe(Object.prototype);
    expect(writeHumanAccuracyV3(doc)).toContain('"__proto__": {\n      "correct": [\n        "n1"');
  });

  it('names the file and the JSON path of what is wrong', () => {
    const cases: [string, string][] = [
      ['[]', 'labels.json, field "$": expected an object, got an array'],
      ['{"problematic_images": {}}', 'labels.json, field "$.initial_annots": missing'],
      ['{"initial_annots": {}, "imagenet_M": []}', 'labels.json, field "$.imagenet_M": unknown field (expected "initial_annots", "problematic_images", "imagenet_m")'],
      [
        '{"initial_annots": {"ILSVRC2012_val_00000001.JPEG": {"correct": ["n1", 7]}}}',
        `labels.json, field "$.initial_annots['ILSVRC2012_val_00000001.JPEG'].correct[1]": expected a string, got a number`,
      ],
      [
        '{"initial_annots": {"a.JPEG": {"correct": ["n1"], "maybe": []}}}',
        `labels.json, field "$.initial_annots['a.JPEG'].maybe": unknown field (expected "correct", "wrong", "unclear")`,
      ],
      [
        '{"initial_annots": {"a.JPEG": {"correct": ["n1"], "wrong": ["n2", "n1"]}}}',
        `labels.json, field "$.initial_annots['a.JPEG'].wrong[1]": class "n1" is already listed at $.initial_annots['a.JPEG'].correct[0]`,
      ],
      [
        '{"initial_annots": {}, "problematic_images": {"b.JPEG": {"reason": "x", "reviewer": "r", "server_username": "s", "time_marked": "t"}}}',
        `labels.json, field "$.problematic_images['b.JPEG'].time_reviewed": missing`,
      ],
      [
        '{"initial_annots": {}, "problematic_images": {"b.JPEG": {"reason": "x", "reviewer": "r", "server_username": "s", "server_user_name": "s", "time_marked": "t", "time_reviewed": "t"}}}',
        `labels.json, field "$.problematic_images['b.JPEG'].server_user_name": both "server_username" and "server_user_name" are given`,
      ],
      [
        `{"initial_annots": {}, "problematic_images": {"it's.JPEG": {"reason": null}}}`,
        `labels.json, field "$.problematic_images['it\\'s.JPEG'].reason": expected a string, got null`,
      ],
      ['{"initial_annots": {}, "imagenet_m": ["a", "a"]}', 'labels.json, field "$.imagenet_m[1]": "a" is listed twice'],
    ];
    for (const [text, message] of cases) expect(formatError(text).message).toBe(message);
  });

  it('names the line of a JSON syntax error', () => {
    expect(formatError('{\n  "initial_annots": {\n    "a": {,\n  }\n}')).toMatchObject({ file: 'labels.json', line: 3 });
  });
});
