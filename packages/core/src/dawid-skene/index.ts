export {
  classProbability,
  dawidSkene,
  DawidSkeneInputError,
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_SMOOTHING,
  DEFAULT_TOLERANCE,
  majorityVote,
  mostLikelyClass,
  type DawidSkeneAnswers,
  type DawidSkeneInput,
  type DawidSkeneResult,
} from './dawid-skene';
export {
  dawidSkenePresence,
  labelsAtThreshold,
  majorityPresence,
  PRESENCE_ANSWER,
  PRESENCE_INITIAL_WEIGHTS,
  PRESENCE_TRUTH,
  presenceProbability,
  uncertainBand,
  type PresenceInput,
} from './presence';
