import { clusterDuration, formatDuration } from '../../src/config/duration';
import type { NodeOrder, UpgradeArgs } from './args';
import { basisFrom, describeBasis, nodeEstimateMs } from './estimate';
import { describeMapping, runsOn } from './node-mapping';
import { kindOf, orderNodes, orderReason, roleLabel, type NodeKind } from './node-order';
import type { GroupFacts, InstanceFacts, UpgradeDeps } from './ports';
import { plural } from '../../src/slack/blocks/text';

export interface PlannedNode {
  name: string;
  id: string;
  ip: string;
  roles: string[];
  role: string;
  kind: NodeKind;
  instanceId: string;
  instanceName?: string;
  group: string;
  /** The instance's version tag when planned: the instance_version_unchanged predicate compares against it. */
  version: string;
  target: string;
  shards: number;
  bytes: number;
  estimateMs: number;
}

export interface Plan {
  createdAt: number;
  order: NodeOrder;
  orderReason: string;
  nodes: PlannedNode[];
  skipped: Array<{ name: string; reason: string }>;
  /** Nodes in the cluster when planned; never more than one fewer while the job runs. */
  expectedNodes: number;
  masterNodes: number;
  groups: Record<string, { desired: number; target: string }>;
  /** Every instance in the groups when planned: a replacement is an instance not in this list. */
  knownInstances: string[];
  estimateMs: number;
  /** What the estimate is made of, for the plan text (absent on plans recorded before it was kept). */
  estimateBasis?: string;
}

const LIVE = new Set(['pending', 'running']);

/** Reads the estate and decides which nodes to replace, in which order. Throws when the estate is not consistent enough to plan. */
export async function buildPlan(deps: UpgradeDeps, args: UpgradeArgs, now: number): Promise<Plan> {
  const { es, aws, settings } = deps;
  const groupNames = [settings.groups.data, settings.groups.masters].filter((g): g is string => !!g);
  const groups = await aws.groups(groupNames);
  const missing = groupNames.filter((g) => !groups.some((x) => x.name === g));
  if (missing.length) throw new Error(`Auto Scaling group ${missing.join(', ')} not found; check aws.region and aws.groups in the cluster's configuration`);

  const targets = new Map<string, string>();
  for (const g of groups) targets.set(g.name, await targetOf(deps, args, g));

  const instanceIds = groups.flatMap((g) => g.instances.map((i) => i.id));
  const instances = (await aws.instances(instanceIds)).filter((i) => LIVE.has(i.state));
  const groupOf = new Map(groups.flatMap((g) => g.instances.map((i) => [i.id, g.name] as const)));
  // An unreadable throttle costs the estimate its accuracy, never the upgrade its plan.
  const [nodes, master, shards, recovery] = await Promise.all([es.nodes(), es.electedMaster(), es.shards(), es.recoverySettings().catch((err: Error) => err)]);
  const basis = basisFrom(recovery, settings);

  const problems: string[] = [];
  const mapped: PlannedNode[] = [];
  const skipped: Plan['skipped'] = [];
  for (const inst of instances) {
    if (!nodes.some((n) => runsOn(n, inst, settings.nodeMapping))) {
      problems.push(`instance ${inst.id}${nameOf(inst)} (${inst.state}) in group ${groupOf.get(inst.id)} has no node in the cluster by ${describeMapping(settings.nodeMapping)} — a node is already out, or the mapping is wrong`);
    }
  }
  const perNode = new Map<string, { shards: number; bytes: number }>();
  for (const s of shards) {
    if (!s.node) continue;
    const t = perNode.get(s.node) ?? { shards: 0, bytes: 0 };
    t.shards += 1;
    t.bytes += s.bytes;
    perNode.set(s.node, t);
  }
  for (const n of nodes) {
    const hosts = instances.filter((i) => runsOn(n, i, settings.nodeMapping));
    if (hosts.length === 0) {
      skipped.push({ name: n.name, reason: 'not on an instance of the configured Auto Scaling groups' });
      continue;
    }
    if (hosts.length > 1) {
      problems.push(`node ${n.name} maps to ${hosts.length} instances (${hosts.map((h) => h.id).join(', ')}) by ${describeMapping(settings.nodeMapping)}`);
      continue;
    }
    const inst = hosts[0];
    const group = groupOf.get(inst.id)!;
    const version = inst.tags[settings.versionTag];
    if (!version) {
      problems.push(`instance ${inst.id}${nameOf(inst)} has no ${settings.versionTag} tag, so its version is unknown`);
      continue;
    }
    const load = perNode.get(n.name) ?? { shards: 0, bytes: 0 };
    const kind = kindOf(n.roles);
    mapped.push({
      name: n.name,
      id: n.id,
      ip: n.ip,
      roles: n.roles,
      role: roleLabel(n.roles),
      kind,
      instanceId: inst.id,
      instanceName: inst.tags.Name,
      group,
      version,
      target: targets.get(group)!,
      shards: load.shards,
      bytes: load.bytes,
      estimateMs: nodeEstimateMs(kind, load.bytes, basis),
    });
  }
  if (problems.length) throw new Error(`cannot plan the upgrade:\n• ${problems.join('\n• ')}`);

  if (args.nodes?.length) {
    const unknown = args.nodes.filter((name) => !mapped.some((n) => n.name === name));
    if (unknown.length) throw new Error(`no node named ${unknown.join(', ')} on the configured groups; nodes: ${mapped.map((n) => n.name).join(', ')}`);
  }
  const chosen: PlannedNode[] = [];
  for (const n of mapped) {
    if (n.version === n.target) skipped.push({ name: n.name, reason: `already at ${n.target}` });
    else if (args.nodes?.length && !args.nodes.includes(n.name)) skipped.push({ name: n.name, reason: 'not named by --node' });
    else if (args.only === 'masters' && n.kind !== 'master') skipped.push({ name: n.name, reason: '--only masters' });
    else if (args.only === 'data' && n.kind === 'master') skipped.push({ name: n.name, reason: '--only data' });
    else chosen.push(n);
  }
  const order = args.order ?? settings.order;
  const ordered = orderNodes(chosen, order, master);
  return {
    createdAt: now,
    order,
    orderReason: orderReason(order),
    nodes: ordered,
    skipped,
    expectedNodes: nodes.length,
    masterNodes: nodes.filter((n) => n.roles.includes('master')).length,
    groups: Object.fromEntries(groups.map((g) => [g.name, { desired: g.desiredCapacity, target: targets.get(g.name)! }])),
    knownInstances: instanceIds,
    estimateMs: ordered.reduce((s, n) => s + n.estimateMs, 0),
    estimateBasis: describeBasis(ordered.filter((n) => n.kind === 'data').reduce((s, n) => s + n.bytes, 0), basis),
  };
}

async function targetOf(deps: UpgradeDeps, args: UpgradeArgs, g: GroupFacts): Promise<string> {
  if (args.target) return args.target;
  const t = deps.settings.targetVersion;
  if (t.from === 'fixed') return t.version;
  if (!g.launchTemplate) throw new Error(`group ${g.name} has no launch template (a launch configuration or mixed instances policy?), so the target version is unknown; give it with --target <version>`);
  const v = await deps.aws.launchTemplateTag(g.launchTemplate, deps.settings.versionTag);
  if (!v) {
    const lt = g.launchTemplate.name ?? g.launchTemplate.id;
    throw new Error(`launch template ${lt} (version ${g.launchTemplate.version ?? '$Default'}) of group ${g.name} tags its instances with no ${deps.settings.versionTag} tag, so the target version is unknown; give it with --target <version>`);
  }
  return v;
}

function nameOf(i: InstanceFacts): string {
  return i.tags.Name ? ` (${i.tags.Name})` : '';
}

/** `speed`: the cluster clock's; the estimate is cluster time, labelled as such when that clock is accelerated. */
export function formatPlan(plan: Plan, speed = 1): string {
  const gb = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GB`;
  const lines = plan.nodes.map(
    (n, i) => `${i + 1}. \`${n.name}\` ${n.role} · ${n.instanceId} · ${n.version} → ${n.target} · ${plural(n.shards, 'shard')}, ${gb(n.bytes)} · ~${formatDuration(n.estimateMs)}`,
  );
  const skipped = plan.skipped.length ? `\nSkipped: ${plan.skipped.map((s) => `\`${s.name}\` (${s.reason})`).join(', ')}` : '';
  const head = plan.nodes.length
    ? `*Upgrade plan*: ${plan.nodes.length} of ${plan.expectedNodes} nodes to replace, one at a time · estimated ${clusterDuration(plan.estimateMs, speed)}`
    : `*Upgrade plan*: nothing to replace — every node is at its target`;
  const basis = plan.nodes.length && plan.estimateBasis ? `Estimate: ${plan.estimateBasis}` : '';
  return [head, ...lines, plan.nodes.length ? plan.orderReason : '', basis, skipped].filter(Boolean).join('\n');
}
