export { isGoldTurn, goldPick } from './gold-draw';
