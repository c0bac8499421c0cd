export { pythonJsonDumps, pythonJsonString, type JsonValue } from './python-json';
export {
  writeHumanAccuracyV3,
  pythonIsoTimestamp,
  readHumanAccuracyV3,
  type HumanAccuracyV3,
  type HumanAccuracyLabels,
  type HumanAccuracyList,
  type ProblematicImageRecord,
} from './human-accuracy-v3';
export { writeMistakesJson, readMistakesJson, type ModelMistakeRow } from './mistakes-json';
export { writeRealJson, readRealJson, realJsonLayout, type RealLabelRow, type RealJsonLayout } from './real-json';
export { writeCsvExport, csvField, spreadsheetText, CSV_LIST_SEPARATOR, type CsvExportRow } from './csv-export';
