export { FormatError, describeLocation, type FileLocation } from './format-error';
export { parseCsv, parseCsvTable, type CsvRecord, type CsvRow } from './parse-csv';
export { parseJsonText } from './parse-json-text';
export { resolveClassReference, type ClassBy, type ClassResolution } from './resolve-class';
export { readVocabulary, type VocabularyFormat } from './read-vocabulary';
export {
  readOriginalLabels,
  imagenetValidationFile,
  imagenetValidationNumber,
  imagePathProblem,
  IMAGENET_VALIDATION_IMAGES,
  type OriginalLabelsFormat,
} from './read-original-labels';
export { FileNames, type FilePositions } from './file-names';
export { OriginalLabels, type OriginalLabelRow } from './original-labels';
export { readImageList, labelImageList, ImageList, type ImageListEntry, type ImageListFormat, type LabelsLookup } from './read-image-list';
export { readPredictions, type PredictionRow, type PredictionsFormat } from './read-predictions';
export { createTopKTable, rankingAt, scoreAt, topKTableFromRows, type TopKTable } from './top-k-table';
export {
  NpyPredictionsReader,
  rowsOfImageList,
  rowsOfImagenetValidation,
  rowsOfProjectImages,
  type NpyPredictionsFormat,
  type NpyPredictionsOptions,
  type NpyRowTargets,
  type ScoreKind,
} from './npy-predictions-reader';
export { createProjectImageIndex, type ProjectImageIndex } from './project-image-index';
