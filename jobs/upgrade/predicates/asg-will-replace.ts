import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import { planOf } from '../job-state';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';

/** The group will launch a replacement: desired capacity as planned, Launch not suspended, and no other launch or termination under way. */
export function asgWillReplace(node: PlannedNode): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'asg_will_replace',
    async check(ctx) {
      const planned = planOf(ctx).groups[node.group];
      const [g] = await ctx.deps.aws.groups([node.group]);
      if (!g) return { ok: false, reason: `Auto Scaling group ${node.group} not found` };
      if (g.suspendedProcesses.includes('Launch')) return { ok: false, reason: `the Launch process of ${g.name} is suspended: no replacement would start` };
      if (g.desiredCapacity !== planned.desired) return { ok: false, reason: `${g.name} desired capacity is ${g.desiredCapacity}, the plan saw ${planned.desired}` };
      const inService = g.instances.filter((i) => i.lifecycle === 'InService').length;
      if (inService !== g.desiredCapacity) {
        const busy = g.instances.filter((i) => i.lifecycle !== 'InService').map((i) => `${i.id} ${i.lifecycle}`);
        return { ok: false, reason: `${g.name} has ${inService} of ${g.desiredCapacity} instances in service${busy.length ? ` (${busy.join(', ')})` : ''}: it is already replacing something` };
      }
      return { ok: true };
    },
  };
}
