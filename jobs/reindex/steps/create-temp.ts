import { plural } from '../../../src/slack/blocks/text';
import { ownerToken } from '../owner-token';
import { progressOf } from '../state';
import type { PlannedIndex, ReindexStep } from '../types';

/** Creates the temporary index with the template's mappings, marked as this job's so a resume can tell. */
export function createTempStep(index: PlannedIndex): ReindexStep {
  return {
    name: `${index.name}/create-temp`,
    label: `Create ${index.temp}`,
    async run(ctx) {
      const { es } = ctx.deps;
      if (await es.exists(index.temp)) {
        const owner = await es.ownerOf(index.temp);
        if (owner === ownerToken(ctx)) return { done: `${index.temp} already exists from this job` };
        return {
          stop: `${index.temp} exists and was not made by this job (${owner ? `made by job ${owner}` : 'no elk-ops marker'}); delete or rename it, or re-run with another --suffix`,
          reason: 'failed',
        };
      }
      const saved = progressOf(ctx.state, index.name).saved;
      if (!saved) throw new Error(`settings of ${index.name} were not recorded before its copy was created; re-run the job`);
      const template = await es.templateFor(index.name);
      await es.createIndex(index.temp, {
        shards: saved.shards,
        // As many replicas as the source: once the source is deleted this copy is the only one.
        replicas: saved.replicas,
        mappings: template.mappings,
        owner: ownerToken(ctx),
      });
      return { done: `created ${index.temp} (${plural(saved.shards, 'shard')}, ${plural(saved.replicas, 'replica')}) with the mappings of template ${template.name ?? 'none'}` };
    },
  };
}
