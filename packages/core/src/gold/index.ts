export { isGoldTurn, goldPick } from './gold-draw';
export { compareWithGold, type GoldComparison, type JudgedLabels } from './gold-feedback';
