export { FormatError, describeLocation, type FileLocation } from './format-error';
export { parseCsv, parseCsvTable, type CsvRecord, type CsvRow } from './parse-csv';
export { parseJsonText } from './parse-json-text';
export { resolveClassReference, type ClassBy, type ClassResolution } from './resolve-class';
export { readVocabulary, type VocabularyFormat } from './read-vocabulary';
export { readOriginalLabels, imagenetValidationFile, imagePathProblem, type OriginalLabelRow, type OriginalLabelsFormat } from './read-original-labels';
export { readPredictions, type PredictionRow, type PredictionsFormat } from './read-predictions';
