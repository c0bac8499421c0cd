export interface BuildTarget {
  name: string;
  workspace: string;
  output: string;
  sources: string[];
}
export declare const BUILD_TARGETS: BuildTarget[];
export declare function staleTargets(root: string, targets?: BuildTarget[]): { name: string; workspace: string; reason: string }[];
