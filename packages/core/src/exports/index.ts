export { pythonJsonDumps, pythonJsonString, type JsonValue } from './python-json';
export {
  writeHumanAccuracyV3,
  humanAccuracyV3Pieces,
  pythonIsoTimestamp,
  readHumanAccuracyV3,
  type HumanAccuracyV3,
  type HumanAccuracyLabels,
  type HumanAccuracyList,
  type ProblematicImageRecord,
} from './human-accuracy-v3';
export { writeMistakesJson, mistakesJsonPieces, readMistakesJson, type ModelMistakeRow } from './mistakes-json';
export { writeRealJson, realJsonPieces, readRealJson, realJsonLayout, type RealLabelRow, type RealJsonLayout } from './real-json';
export { writeCsvExport, csvExportPieces, csvField, spreadsheetText, CSV_LIST_SEPARATOR, type CsvExportRow } from './csv-export';
export { expertReliabilityCsvPieces, EXPERT_RELIABILITY_CSV_HEADER } from './expert-reliability-csv';
