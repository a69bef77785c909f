export type NodeOrder = 'data-first' | 'masters-first';

export interface UpgradeArgs {
  /** Post the plan and the predicate results, change nothing. */
  dryRun?: boolean;
  /** Replace only master-eligible nodes, or only the others. */
  only?: 'masters' | 'data';
  /** Target version; otherwise the groups' launch templates (or the configured fixed version) say. */
  target?: string;
  /** Replace only these nodes (by node name). */
  nodes?: string[];
  order?: NodeOrder;
  greenTimeoutMs?: number;
  joinTimeoutMs?: number;
}
