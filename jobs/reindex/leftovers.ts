import type { JobData } from '../../src/runner/types';
import { planOf, progressOf } from './state';
import type { ReindexArgs } from './types';

/**
 * What a stopped reindex leaves on the cluster, from its saved state alone: named in the thread when another
 * job holds the cluster and this one may not put anything back. The safe order for on-call is in each line.
 */
export function reindexLeftovers(data: Readonly<JobData<ReindexArgs>>): string[] {
  const plan = planOf(data.state);
  if (!plan) return [];
  const done = new Set(data.records.map((r) => r.step));
  const lines: string[] = [];
  for (const index of plan.indices) {
    const p = progressOf(data.state, index.name);
    if (!p.saved) continue;
    const sourceGone = done.has(`${index.name}/delete-source`) || data.inFlight === `${index.name}/delete-source`;
    const tempKept = done.has(`${index.name}/create-temp`) && !done.has(`${index.name}/delete-temp`);
    if (!sourceGone && !p.saved.blocksWrite) lines.push(`write block on ${index.name} (set by this job; lift it with \`PUT ${index.name}/_settings {"index.blocks.write": false}\`)`);
    if (sourceGone && !p.settingsRestored) {
      lines.push(`${index.name} deleted and not yet fully rebuilt: every verified document is in ${index.temp} — do not delete ${index.temp}`);
    } else if (tempKept) {
      lines.push(`temporary copy ${index.temp} (${sourceGone ? `${index.name} was rebuilt from it` : `${index.name} is untouched`}; delete it only once ${index.name} is green and reads every document)`);
    }
  }
  return lines;
}
