import type { Predicate } from '../../../src/runner/types';
import type { UpgradeArgs } from '../args';
import type { PlannedNode } from '../plan';
import type { UpgradeDeps } from '../ports';

/** The instance is still running the version the plan saw: nobody replaced or re-tagged it since. */
export function instanceVersionUnchanged(node: PlannedNode): Predicate<UpgradeArgs, UpgradeDeps> {
  return {
    name: 'instance_version_unchanged',
    async check(ctx) {
      const [inst] = await ctx.deps.aws.instances([node.instanceId]);
      if (!inst) return { ok: false, reason: `instance ${node.instanceId} no longer exists` };
      if (inst.state !== 'running') return { ok: false, reason: `instance ${node.instanceId} is ${inst.state}` };
      const now = inst.tags[ctx.deps.settings.versionTag];
      if (now !== node.version) return { ok: false, reason: `instance ${node.instanceId} is tagged ${ctx.deps.settings.versionTag}=${now ?? '(none)'}, the plan saw ${node.version}; plan again` };
      return { ok: true };
    },
  };
}
