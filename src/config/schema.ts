import { z } from 'zod';
import { parseDuration } from './duration';

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

/** Slack ids, or '*' for anyone. Ids, not names: names can be changed by their owners. */
const slackIds = z.array(z.string().regex(/^(\*|[UWCGD][A-Z0-9]+)$/, 'a Slack id like U024BE7LH or C024BE91L, or "*"'));

const access = z.object({
  /** Who may run this command. */
  users: slackIds.default(['*']),
  /** Channels it may be run in. */
  channels: slackIds.default(['*']),
});

const elasticsearch = z.object({
  url: z.string().url(),
  auth: z
    .union([
      z.object({ username: z.string().min(1), password: z.string().min(1) }),
      z.object({ apiKey: z.string().min(1) }),
    ])
    .optional(),
  /** PEM file of the CA that signed the cluster's certificate. */
  caFile: z.string().optional(),
  requestTimeout: duration.prefault('60s'),
});

const aws = z.object({
  region: z.string().min(1),
  /** Only for simulators or VPC endpoints; production leaves it out. */
  endpoint: z.string().url().optional(),
  /** Auto Scaling Group names that hold the cluster's nodes. */
  groups: z.object({ masters: z.string().min(1), data: z.string().min(1) }).partial().refine((g) => g.masters || g.data, {
    message: 'name at least one Auto Scaling Group (masters or data)',
  }),
});

const nodeMapping = z.discriminatedUnion('by', [
  z.object({ by: z.literal('private-ip') }),
  z.object({ by: z.literal('name-tag'), tag: z.string().default('Name') }),
  z.object({ by: z.literal('node-attribute'), attribute: z.string().default('instance_id') }),
]);

const cluster = z.object({
  /** Kibana's base URL (e.g. https://kibana.example.com): alert threads link to Discover for the alert's window and query. */
  kibanaUrl: z.string().url().optional(),
  /** Channel where job threads for this cluster are opened. */
  opsChannel: z.string().regex(/^[CG][A-Z0-9]+$/, 'a channel id like C024BE91L'),
  elasticsearch,
  aws: aws.optional(),
  nodeMapping: nodeMapping.default({ by: 'private-ip' }),
  /** EC2 tag that carries the Elasticsearch version an instance runs. */
  versionTag: z.string().default('Version'),
  /** Where the upgrade's target version comes from when --target is not given. */
  targetVersion: z
    .union([z.object({ from: z.literal('launch-template') }), z.object({ from: z.literal('fixed'), version: z.string() })])
    .default({ from: 'launch-template' }),
  reindex: z
    .object({
      maxIndices: z.number().int().positive().default(20),
      suffix: z.string().default('-r'),
      /** Consecutive equal counts required before a copy counts as verified. */
      countChecks: z.number().int().min(2).default(3),
      countInterval: duration.prefault('2s'),
      /** How long writes are sampled to decide an index is no longer receiving documents. */
      quietPeriod: duration.prefault('5s'),
      taskPollTimeout: duration.prefault('30s'),
      /** How the original name is rebuilt from the temporary index: `_clone` (fast, ES >= 7.4) or a second `_reindex`. */
      restoreVia: z.enum(['auto', 'clone', 'reindex']).default('auto'),
      /** How long counts may take to agree (refresh lag, stale reads) before the job stops for a human. */
      verifyTimeout: duration.prefault('10m'),
    })
    .prefault({}),
  upgrade: z
    .object({
      greenTimeout: duration.prefault('30m'),
      joinTimeout: duration.prefault('20m'),
      leaveTimeout: duration.prefault('10m'),
      drainTimeout: duration.prefault('2h'),
      pollTimeout: duration.prefault('30s'),
      /** Data nodes first, masters last (Elastic's documented order); reverse only if your cluster needs it. */
      order: z.enum(['data-first', 'masters-first']).default('data-first'),
      terminateVia: z.enum(['autoscaling', 'ec2']).default('autoscaling'),
      /** Where the end-of-run summary is also posted (e.g. to clean up deployment agents). */
      summaryWebhook: z.string().url().optional(),
      /** Between checks that have no long poll (EC2 instance states, shard counts during a drain). */
      pollInterval: duration.prefault('1s'),
      /** For the plan's time estimate only: how long a replacement instance takes to boot and join (the card re-estimates from measured nodes). */
      bootEstimate: duration.prefault('5m'),
      /**
       * For the plan's time estimate only, and only when the cluster's indices.recovery.max_bytes_per_sec is
       * unthrottled (0/-1) or cannot be read: otherwise the cluster's own throttle is used.
       */
      recoveryMbPerSec: z.number().positive().default(40),
    })
    .prefault({}),
});

export const configSchema = z.object({
  slack: z.object({
    botToken: z.string().min(1),
    signingSecret: z.string().min(1),
    /** Set to use Socket Mode (no public URL needed). */
    appToken: z.string().optional(),
    /** Web API base URL; only the sandbox and tests change it (to the emulator). */
    apiUrl: z.string().url().optional(),
    port: z.number().int().min(0).max(65535).default(3000),
    /** Interface the HTTP receiver binds; the sandbox keeps it on loopback. */
    host: z.string().default('0.0.0.0'),
    /** chat.postMessage pacing per channel: Slack allows about 1 per second with short bursts. */
    pace: z.object({ perSecond: z.number().positive().default(1), burst: z.number().int().positive().default(3) }).prefault({}),
  }),
  redis: z
    .object({
      url: z.string().default('redis://127.0.0.1:6379'),
      prefix: z.string().default('elk-ops'),
    })
    .prefault({}),
  clusters: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'), cluster).refine(
    (c) => Object.keys(c).length > 0,
    { message: 'declare at least one cluster' },
  ),
  access: z
    .object({
      commands: z.record(z.string(), access).default({}),
      /** Who may press Approve/Reject. */
      approvers: slackIds.default([]),
      /** A Slack user group (its id, S…) @mentioned on every approval question, e.g. the on-call rota's group. */
      approverGroup: z.string().regex(/^S[A-Z0-9]+$/, 'a Slack user group id like S0614TZR7 (not its @handle)').optional(),
      /** Two-person rule: when false, the requester cannot approve their own job's steps. */
      requesterMayApprove: z.boolean().default(false),
      /** Real time, also in the sandbox (an accelerated cluster clock does not make people click faster). */
      approvalTimeout: duration.prefault('30m'),
      /** Post a destructive step's question while the wait before it still runs, so a person's think time overlaps it. */
      askAhead: z.boolean().default(true),
    })
    .prefault({}),
  elastalert: z
    .object({
      rulesDir: z.string().default('./rules'),
      /** @@NAME@@ substitutions per environment (cluster). */
      values: z.record(z.string(), z.record(z.string(), z.string())).default({}),
      webhookSecret: z.string().optional(),
      /**
       * Placeholder names whose values are secrets, besides those that look like one (…TOKEN, …PASSWORD, …SECRET,
       * …KEY, …CREDENTIAL): a global name (`WEBHOOK_URL`), a file-scoped one (`x.yaml.webhook_url`), or a key
       * (`webhook_url`, matching that key in every file). Their values are masked in everything the bot posts.
       */
      secretNames: z.array(z.string().min(1)).default([]),
      /**
       * The Elastalert daemon's global config.yaml settings per environment (the names of `values`):
       * `runEvery` (how often it runs each rule) and `bufferTime` (how far back each run re-reads). /elk alert-test
       * evaluates with them (a rule's own run_every / buffer_time still wins); absent: 1m and 15m, Elastalert's
       * example config.
       */
      daemon: z.record(z.string(), z.object({ runEvery: duration.optional(), bufferTime: duration.optional() })).default({}),
      /**
       * Alert routing, first match wins: a rule name, `index:<glob>` (the match's _index), `field:<name>=<value>`,
       * then '*'. The value is a channel id, or { channel, cluster, severity } to name the cluster the alerts belong
       * to and how bad they are (`severity` is what alerts.holdUpgradesOn matches; else the match's `severity` field).
       */
      routes: z
        .record(
          z.string(),
          z.union([
            z.string(),
            z.object({
              channel: z.string().regex(/^[CG][A-Z0-9]+$/, 'a channel id like C024BE91L'),
              cluster: z.string().optional(),
              severity: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a lower-case word like critical').optional(),
            }),
          ]),
        )
        .default({}),
      /** Alert threads (src/alerts). Durations are clock time except flushInterval and the Slack pace. */
      alerts: z
        .object({
          /** Where an alert goes when no route matches; without it such an alert is logged and dropped. */
          defaultChannel: z.string().regex(/^[CG][A-Z0-9]+$/, 'a channel id like C024BE91L').optional(),
          /** A thread takes repeats for at most this long after its first alert, then a new thread opens. */
          groupWindow: duration.prefault('24h'),
          /** No alert for this long: the parent is marked resolved. */
          quietPeriod: duration.prefault('15m'),
          /** A firing this soon after resolution says "fired again" in the same thread; later ones open a new thread. */
          reopenWindow: duration.prefault('1h'),
          /** Real time between two Slack writes for one thread: a burst becomes one update and one reply per interval. */
          flushInterval: duration.prefault('2s'),
          /** Bigger webhook bodies are refused with 413 (Elastalert matches are a few kB). */
          maxBodyBytes: z.number().int().positive().default(256 * 1024),
          /**
           * Severities whose open, unacknowledged alerts on a cluster hold that cluster's upgrade before its next
           * terminate (predicate no_open_alert_on_cluster), e.g. [critical]. Empty (the default): never held.
           */
          holdUpgradesOn: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'a lower-case word like critical')).default([]),
          /**
           * Fields the first post's "what moved" breakdown compares, current window vs reference, with terms
           * aggregations: aggregatable fields (keyword or numeric; a dynamically mapped string is `<name>.keyword`).
           * Empty: no breakdown.
           */
          breakdown: z.array(z.string().min(1)).max(5).default(['host.keyword', 'path.keyword', 'Status']),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Clock speed for the sandbox and tests; 1 in production. `origin` (epoch ms) lets processes share clock time. */
  clock: z.object({ speed: z.number().positive().default(1), origin: z.number().optional() }).prefault({}),
  worker: z
    .object({
      concurrency: z.number().int().positive().default(4),
      /** A worker that dies loses its job lock after this long; another worker then resumes the job. */
      lockDuration: duration.prefault('30s'),
      stalledInterval: duration.prefault('15s'),
      /** How long a failing safety predicate is re-checked before an approver is asked to override it. */
      predicateWait: duration.prefault('5m'),
      predicatePoll: duration.prefault('1s'),
    })
    .prefault({}),
  jobs: z
    .object({
      /** Finished runs kept for `/elk status` and audit, per job kind: whichever limit is reached first. */
      history: z
        .object({ keepDays: z.number().positive().default(30), keepCount: z.number().int().positive().default(500) })
        .prefault({}),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type ClusterConfig = Config['clusters'][string];
