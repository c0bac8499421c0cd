import { dawidSkenePresence, dawidSkenePresenceWithGold, presenceProbability, type DawidSkeneGold, type DawidSkeneResult } from '../../dawid-skene';
import type { Vocabulary } from '../../vocabulary';
import { FormatError } from '../format-error';
import type { ProjectImageIndex } from '../project-image-index';
import type { CrowdAnswers } from './crowd-answers-reader';

/** Which project image each question is about. */
export interface CrowdQuestionTargets {
  /** Q: the project position of question q's image, or -1 when the image is not in the project. */
  position: Int32Array;
  /** Questions about images outside the project. */
  outsideProject: number;
}

/**
 * Finds each question's image in the project. A question about an image outside the project is not an error (a
 * crowd file over all 50,000 validation images serves a project of some of them): its answers still inform the
 * raters' estimated reliability, and its result is not kept. For the questions about project images, the class must
 * be in the vocabulary and each (image, class) pair asked once; and at least one question must be about a project
 * image. Errors name the file, the member `info.npy` and its row.
 */
export function resolveCrowdQuestions(
  crowd: CrowdAnswers,
  fileName: string,
  project: { images: ProjectImageIndex; vocabulary: Vocabulary },
): CrowdQuestionTargets {
  const questions = crowd.questionFiles.length;
  const position = new Int32Array(questions);
  const askedAt = new Map<string, number>();
  let outsideProject = 0;
  const error = (q: number, problem: string) => new FormatError({ file: fileName }, `member 'info.npy', row ${q}: ${problem}`);
  for (let q = 0; q < questions; q++) {
    const file = crowd.questionFiles[q]!;
    const found = project.images.find(file);
    if (found === undefined) {
      position[q] = -1;
      outsideProject++;
      continue;
    }
    if (typeof found === 'object') {
      throw error(q, `"${file}" is the file name of ${found.ambiguous.length} project images (${found.ambiguous.map((f) => `"${f}"`).join(', ')}): name the image by its path in the image folder`);
    }
    const classIndex = crowd.questionClasses[q]!;
    if (!project.vocabulary.byIndex(classIndex)) throw error(q, `class index ${classIndex} (for "${file}") is not in the project's vocabulary`);
    const pair = `${found}:${classIndex}`;
    const earlier = askedAt.get(pair);
    if (earlier !== undefined) throw error(q, `asks again about "${file}" and class ${classIndex} (also row ${earlier}): each (image, class) pair is one question`);
    askedAt.set(pair, q);
    position[q] = found;
  }
  if (questions > 0 && outsideProject === questions) {
    throw new FormatError({ file: fileName }, `none of its ${questions} questions is about an image of the project (is it the right file for this project?)`);
  }
  return { position, outsideProject };
}

/** Routing settings (the manifest's `crowdAnswers.threshold` and `crowdAnswers.uncertainBand`). */
export interface CrowdRoutingSettings {
  /** Pairs at or above become prior labels (`correct`). */
  threshold: number;
  /** [low, high): pairs in the band go to the expert panel; pairs below low become prior `wrong`. high <= threshold. */
  uncertainBand: readonly [number, number];
}

/**
 * What the routing did with a pair: `label` (prior `correct`), `absent` (prior `wrong`), `review` (the image goes to
 * the expert panel with the class as a candidate), `none` (between the band and the threshold: the posterior is kept,
 * nothing else), `file` (the prior labels file gives the image's label set, which the crowd does not change).
 */
export type CrowdRoute = 'label' | 'absent' | 'review' | 'none' | 'file';

/** One (project image, class) pair the crowd answered, with its Dawid–Skene posterior. */
export interface CrowdPair {
  /** The question's index in the file. */
  question: number;
  position: number;
  classIndex: number;
  /** P(the class is present in the image). */
  posterior: number;
  /** Answers the pair received. */
  answers: number;
  route: CrowdRoute;
}

export interface CrowdRouting {
  /** The answered questions about project images, in file order. */
  pairs: CrowdPair[];
  /** Questions about project images that no rater answered: no posterior, no route. */
  unansweredQuestions: number;
  /** The aggregation over every answer of the file, for the raters' confusion matrices and the stopping rule. */
  result: DawidSkeneResult;
}

export function routeOfPosterior(posterior: number, settings: CrowdRoutingSettings): Exclude<CrowdRoute, 'file'> {
  const [low, high] = settings.uncertainBand;
  if (posterior >= settings.threshold) return 'label';
  if (posterior < low) return 'absent';
  if (posterior < high) return 'review';
  return 'none';
}

/**
 * The crowd's "no label" (ReaL's `[]`): true when the crowd answered at least one pair on the image and routed every
 * one of them `absent`, i.e. found every class it was asked about absent. A pair routed `label`, `review` or `none`
 * (between the band and the threshold: not confidently absent) means the image has a label or may have one; pairs of
 * an image the prior labels file lists are routed `file`, so such an image is never a crowd no-label image.
 */
export function isCrowdNoLabel(routes: readonly CrowdRoute[]): boolean {
  return routes.length > 0 && routes.every((route) => route === 'absent');
}

/**
 * Dawid–Skene over every answer of the file (presence: no / maybe / yes → absent / present), then each answered
 * question about a project image is routed by its posterior (see CrowdRoute and docs/AGGREGATION.md). Images for which
 * `labelledByFile(position)` is true keep the prior labels file's label set: their pairs get the route `file`.
 * Deterministic: same answers, same routes.
 */
export function routeCrowdAnswers(
  crowd: CrowdAnswers,
  targets: CrowdQuestionTargets,
  settings: CrowdRoutingSettings,
  labelledByFile: (position: number) => boolean = () => false,
  gold?: DawidSkeneGold,
): CrowdRouting {
  const questions = crowd.questionFiles.length;
  const input = { questions, raters: crowd.raterIds.length, answers: crowd.answers };
  // With golden questions, each rater's reliability is estimated on them and held fixed (docs/AGGREGATION.md).
  const result = gold && gold.question.length > 0 ? dawidSkenePresenceWithGold({ ...input, gold }) : dawidSkenePresence(input);
  const posterior = presenceProbability(result);
  const answerCount = new Int32Array(questions);
  for (const q of crowd.answers.question) answerCount[q]!++;
  const pairs: CrowdPair[] = [];
  let unansweredQuestions = 0;
  for (let q = 0; q < questions; q++) {
    const position = targets.position[q]!;
    if (position < 0) continue;
    if (answerCount[q] === 0) {
      unansweredQuestions++;
      continue;
    }
    const p = posterior[q]!;
    pairs.push({
      question: q,
      position,
      classIndex: crowd.questionClasses[q]!,
      posterior: p,
      answers: answerCount[q]!,
      route: labelledByFile(position) ? 'file' : routeOfPosterior(p, settings),
    });
  }
  return { pairs, unansweredQuestions, result };
}
