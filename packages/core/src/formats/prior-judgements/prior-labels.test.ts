import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readHumanAccuracyV3 } from '../../exports/human-accuracy-v3';
import { readRealJson } from '../../exports/real-json';
import { createVocabulary } from '../../vocabulary';
import { createProjectImageIndex } from '../project-image-index';
import { expectFormatError } from '../test-helpers';
import { mergePriorJudgements, priorProblematic } from './merge-prior-judgements';
import { noLabelRecord, priorLabelsFromHumanAccuracy, priorLabelsFromReal, REAL_NO_LABEL_REASON, type PriorLabels } from './prior-labels';
import type { CrowdPair } from './route-crowd-answers';

const TFDS_TEXT = readFileSync(new URL('../../../test-fixtures/tfds_dummy_human_accuracy_fixed.json', import.meta.url), 'utf8');
const TFDS = readHumanAccuracyV3(TFDS_TEXT, 'tfds.json');

/** Every WNID the TFDS fixture names, in sorted order (as ImageNet's class indices are), as a vocabulary. */
const wnids = [...new Set(Object.values(TFDS.initial_annots).flatMap((lists) => Object.values(lists).flat()))].sort();
const vocabulary = createVocabulary(wnids.map((key, index) => ({ index, key, names: [key], gloss: '' })));
const indexOf = (key: string) => vocabulary.byKey(key)!.index;

const ANNOTATED = Object.keys(TFDS.initial_annots);
const PROBLEMATIC = Object.keys(TFDS.problematic_images);

describe('priorLabelsFromHumanAccuracy', () => {
  it('gives every image of the project its judgements, problematic record and Major slice place', () => {
    const files = ['ILSVRC2012_val_00000002.JPEG', ...ANNOTATED, ...PROBLEMATIC];
    const prior = priorLabelsFromHumanAccuracy(TFDS, 'tfds.json', { images: createProjectImageIndex(files), vocabulary });
    expect(prior.ignored).toEqual({ labelled: 0, problematic: 0, majorSlice: 0 });
    expect(prior.labelled.map((l) => files[l.position])).toEqual(ANNOTATED);
    expect(prior.labelled[0]!.judgements).toEqual([
      ...['n01665541', 'n01697457', 'n01737021', 'n01744401'].map((k) => ({ classIndex: indexOf(k), judgement: 'wrong' })),
      { classIndex: indexOf('n01751748'), judgement: 'correct' },
    ]);
    expect(prior.labelled.at(-1)!.judgements.filter((j) => j.judgement === 'unclear')).toEqual([{ classIndex: indexOf('n02105412'), judgement: 'unclear' }]);
    expect(prior.problematic.map((p) => files[p.position])).toEqual(PROBLEMATIC);
    // The misspelt server_user_name of image 270 is read as server_username.
    expect(prior.problematic.find((p) => files[p.position] === 'ILSVRC2012_val_00000270.JPEG')!.record).toEqual({
      reason: 'wnid is marked wrong',
      reviewer: 'ludwig',
      server_username: 'vaishaal',
      time_marked: '2019-03-28T21:19:20.847361+00:00',
      time_reviewed: '2019-05-03T23:32:30.092264+00:00',
    });
    expect(prior.majorSlice.map((p) => files[p])).toEqual(TFDS.imagenet_m);
  });

  it('counts and leaves out entries about images outside the project', () => {
    const files = ['ILSVRC2012_val_00000004.JPEG', 'ILSVRC2012_val_00000022.JPEG', 'ILSVRC2012_val_00000270.JPEG'];
    const prior = priorLabelsFromHumanAccuracy(TFDS, 'tfds.json', { images: createProjectImageIndex(files), vocabulary });
    expect(prior.labelled.map((l) => l.position)).toEqual([0, 1]);
    expect(prior.problematic.map((p) => p.position)).toEqual([2]);
    expect(prior.majorSlice).toEqual([0]);
    expect(prior.ignored).toEqual({ labelled: 9, problematic: 9, majorSlice: 2 });
  });

  it('finds images kept in class folders by their file name', () => {
    const prior = priorLabelsFromHumanAccuracy(TFDS, 'tfds.json', {
      images: createProjectImageIndex(['n01751748/ILSVRC2012_val_00000001.JPEG', 'n02091244/ILSVRC2012_val_00000022.JPEG']),
      vocabulary,
    });
    expect(prior.labelled.map((l) => l.position)).toEqual([0, 1]);
    expect(prior.majorSlice).toEqual([0]);
  });

  it('names the JSON path of a class outside the vocabulary, for an image of the project', () => {
    const small = createVocabulary([{ index: 0, key: 'n01751748', names: ['sea snake'], gloss: '' }]);
    expectFormatError(
      () => priorLabelsFromHumanAccuracy(TFDS, 'tfds.json', { images: createProjectImageIndex(['ILSVRC2012_val_00000001.JPEG']), vocabulary: small }),
      `tfds.json, field "$.initial_annots['ILSVRC2012_val_00000001.JPEG'].wrong[0]": class "n01665541" is not in the project's vocabulary`,
    );
  });

  it('refuses a file naming no image of the project, and a name that fits two project images', () => {
    expectFormatError(
      () => priorLabelsFromHumanAccuracy(TFDS, 'tfds.json', { images: createProjectImageIndex(['other.jpg']), vocabulary }),
      'tfds.json: none of the images it names is an image of the project (is it the right file for this project?)',
    );
    expectFormatError(
      () =>
        priorLabelsFromHumanAccuracy(TFDS, 'tfds.json', {
          images: createProjectImageIndex(['a/ILSVRC2012_val_00000004.JPEG', 'b/ILSVRC2012_val_00000004.JPEG']),
          vocabulary,
        }),
      `tfds.json, field "$.initial_annots['ILSVRC2012_val_00000004.JPEG']": "ILSVRC2012_val_00000004.JPEG" is the file name of 2 project images ("a/ILSVRC2012_val_00000004.JPEG", "b/ILSVRC2012_val_00000004.JPEG"): name the image by its path in the image folder`,
    );
  });
});

describe('priorLabelsFromReal', () => {
  const classes = createVocabulary(Array.from({ length: 10 }, (_, index) => ({ index, key: `c${index}`, names: [`c${index}`], gloss: '' })));
  const validation = (n: number) => `ILSVRC2012_val_${String(n).padStart(8, '0')}.JPEG`;
  const project = { images: createProjectImageIndex([validation(1), validation(3), validation(4)]), vocabulary: classes };
  const AT = '2024-05-01T10:00:00.000Z';

  it("reads ReaL's list: listed classes are correct, [] leaves the image out", () => {
    const prior = priorLabelsFromReal(readRealJson('[[1], [2, 3], [], [5, 4]]', 'real.json'), 'real.json', project, AT);
    expect(prior.labelled).toEqual([
      { position: 0, judgements: [{ classIndex: 1, judgement: 'correct' }] },
      { position: 1, judgements: [] },
      { position: 2, judgements: [5, 4].map((classIndex) => ({ classIndex, judgement: 'correct' })) },
    ]);
    expect(prior.problematic).toEqual([
      { position: 1, record: { reason: REAL_NO_LABEL_REASON, reviewer: '', server_username: '', time_marked: AT, time_reviewed: AT } },
    ]);
    expect(prior.ignored.labelled).toBe(1);
  });

  it('reads {FILE: [CID...]}', () => {
    const prior = priorLabelsFromReal(readRealJson(`{"${validation(4)}": [7], "elsewhere.jpg": [1]}`, 'real.json'), 'real.json', project, AT);
    expect(prior.labelled).toEqual([{ position: 2, judgements: [{ classIndex: 7, judgement: 'correct' }] }]);
    expect(prior.ignored.labelled).toBe(1);
  });

  it('names the JSON path of a class outside the vocabulary or listed twice', () => {
    expectFormatError(
      () => priorLabelsFromReal(readRealJson('[[1], [], [12]]', 'real.json'), 'real.json', project, AT),
      'real.json, field "$[2][0]": class index 12 is not in the project\'s vocabulary',
    );
    expectFormatError(
      () => priorLabelsFromReal(readRealJson(`{"${validation(3)}": [4, 4]}`, 'real.json'), 'real.json', project, AT),
      `real.json, field "$['${validation(3)}'][1]": class index 4 is listed twice for this image`,
    );
  });
});

describe('mergePriorJudgements', () => {
  // Four images with original labels 0, 1, 2, 3.
  const originals = [0, 1, 2, 3];
  const fileLabels: PriorLabels = {
    labelled: [
      { position: 0, judgements: [{ classIndex: 5, judgement: 'correct' }, { classIndex: 0, judgement: 'wrong' }, { classIndex: 6, judgement: 'unclear' }] },
    ],
    problematic: [],
    majorSlice: [],
    ignored: { labelled: 0, problematic: 0, majorSlice: 0 },
  };
  const pair = (position: number, classIndex: number, route: CrowdPair['route']): CrowdPair => ({ question: 0, position, classIndex, posterior: 0.5, answers: 5, route });

  it("takes a listed image's label set from the file alone: its correct and unclear classes", () => {
    const first = mergePriorJudgements({ originalClassIndex: originals, prior: fileLabels, crowdPairs: [pair(0, 7, 'file')] }).at(0);
    expect(first).toEqual({
      judgements: [
        { classIndex: 0, judgement: 'wrong', source: 'file' },
        { classIndex: 5, judgement: 'correct', source: 'file' },
        { classIndex: 6, judgement: 'unclear', source: 'file' },
      ],
      accepted: [5, 6],
      extraCandidates: [{ classIndex: 0, source: 'prior' }],
      crowdReview: false,
      crowdNoLabel: false,
    });
  });

  it('adds confident crowd pairs to the original label, drops it when the crowd finds it absent, and routes the uncertain', () => {
    const merged = mergePriorJudgements({
      originalClassIndex: originals,
      prior: null,
      crowdPairs: [pair(1, 8, 'label'), pair(1, 9, 'absent'), pair(1, 4, 'none'), pair(2, 2, 'absent'), pair(3, 3, 'review'), pair(3, 7, 'review')],
    });
    expect(merged.at(1)).toEqual({
      judgements: [
        { classIndex: 8, judgement: 'correct', source: 'crowd' },
        { classIndex: 9, judgement: 'wrong', source: 'crowd' },
      ],
      accepted: [1, 8],
      extraCandidates: [{ classIndex: 9, source: 'prior' }],
      crowdReview: false,
      crowdNoLabel: false,
    });
    expect(merged.at(2).accepted).toEqual([]);
    expect(merged.at(2).crowdNoLabel).toBe(true);
    expect(merged.at(3)).toEqual({
      judgements: [],
      accepted: [3],
      extraCandidates: [
        { classIndex: 3, source: 'crowd' },
        { classIndex: 7, source: 'crowd' },
      ],
      crowdReview: true,
      crowdNoLabel: false,
    });
    expect(merged.at(0)).toEqual({ judgements: [], accepted: [0], extraCandidates: [], crowdReview: false, crowdNoLabel: false });
  });

  it("makes an image on which the crowd found every class it was asked about absent a no-label image, as ReaL's []", () => {
    const merged = mergePriorJudgements({
      originalClassIndex: [0, 1, 2, 3, 4, 5],
      prior: null,
      crowdPairs: [
        // Image 0: its original label was not asked about; both classes asked are absent.
        pair(0, 7, 'absent'),
        pair(0, 8, 'absent'),
        // Images 1 to 3: one absent pair, and one that is not confidently absent.
        pair(1, 1, 'absent'),
        pair(1, 9, 'review'),
        pair(2, 2, 'absent'),
        pair(2, 9, 'none'),
        pair(3, 3, 'absent'),
        pair(3, 9, 'label'),
        // Image 4: the original label alone, absent.
        pair(4, 4, 'absent'),
      ],
    });
    expect(merged.at(0)).toEqual({
      judgements: [
        { classIndex: 7, judgement: 'wrong', source: 'crowd' },
        { classIndex: 8, judgement: 'wrong', source: 'crowd' },
      ],
      accepted: [],
      extraCandidates: [
        { classIndex: 7, source: 'prior' },
        { classIndex: 8, source: 'prior' },
      ],
      crowdReview: false,
      crowdNoLabel: true,
    });
    expect([0, 1, 2, 3, 4, 5].map((p) => merged.at(p).crowdNoLabel)).toEqual([true, false, false, false, true, false]);
    expect(merged.crowdNoLabelPositions).toEqual([0, 4]);
    expect([0, 1, 2, 3, 4, 5].map((p) => merged.at(p).accepted)).toEqual([[], [], [], [9], [], [5]]);
  });

  it('leaves an image the prior labels file lists to the file, even when the crowd found all its classes absent', () => {
    const first = mergePriorJudgements({ originalClassIndex: originals, prior: fileLabels, crowdPairs: [pair(0, 5, 'file'), pair(0, 6, 'file')] }).at(0);
    expect(first!.crowdNoLabel).toBe(false);
    expect(first!.accepted).toEqual([5, 6]);
  });
});

describe('priorProblematic', () => {
  const AT = '2024-05-01T10:00:00.000Z';
  const fileRecord = { reason: 'blurry', reviewer: 'ann', server_username: 'ann', time_marked: '2019-01-01', time_reviewed: '2019-01-02' };
  const pair = (position: number, classIndex: number, route: CrowdPair['route']): CrowdPair => ({ question: 0, position, classIndex, posterior: 0.05, answers: 5, route });

  it("records each crowd no-label image as ReaL's [] is recorded, after the file's records; the file's record wins", () => {
    const prior: PriorLabels = {
      labelled: [],
      problematic: [
        { position: 2, record: fileRecord },
        { position: 0, record: noLabelRecord(AT) },
      ],
      majorSlice: [],
      ignored: { labelled: 0, problematic: 0, majorSlice: 0 },
    };
    const merged = mergePriorJudgements({
      originalClassIndex: [0, 1, 2, 3],
      prior,
      crowdPairs: [pair(1, 1, 'absent'), pair(2, 2, 'absent'), pair(3, 3, 'review')],
    });
    expect(priorProblematic(prior, merged, AT)).toEqual([
      { position: 2, record: fileRecord },
      { position: 0, record: noLabelRecord(AT) },
      { position: 1, record: { reason: REAL_NO_LABEL_REASON, reviewer: '', server_username: '', time_marked: AT, time_reviewed: AT } },
    ]);
    expect(priorProblematic(null, mergePriorJudgements({ originalClassIndex: [0], prior: null, crowdPairs: [pair(0, 0, 'absent')] }), AT)).toEqual([
      { position: 0, record: noLabelRecord(AT) },
    ]);
  });
});
