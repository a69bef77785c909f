import type { Clock } from '../clock';

/**
 * A long job is a list of named steps. The list is derived from the job's saved state (typically the plan
 * recorded by its first step), so a worker that picks the job up after a crash rebuilds the same list and
 * continues at `cursor`.
 */
export interface JobDefinition<Args = unknown, Deps = unknown> {
  kind: JobKind;
  /** One line for the job card, e.g. "reindex logs-2024.* on prod". */
  title(data: JobData<Args>): string;
  /** Destructive jobs hold the cluster lock for their whole life. */
  destructive: boolean;
  /** The steps, derived only from `data` (args + state). Must be stable once the plan is recorded. */
  steps(data: JobData<Args>): Step<Args, Deps>[];
  /**
   * Puts back what the job changed but did not finish (write blocks, allocation settings, exclusions) when it
   * stops early: cancel, reject, approval timeout, failure. Returns lines describing what was restored and
   * the state the cluster is left in; never throws for a single failed restore (it reports it instead).
   */
  cleanup?(ctx: StepContext<Args, Deps>, reason: StopReason): Promise<string[]>;
  /**
   * What the job has changed on the cluster and not (yet) put back, one line each, from its saved state alone
   * (no call to the cluster): e.g. "`cluster.routing.allocation.exclude._name` = es-data-3" or "write block on
   * `logs-2024.01`". Named in the thread when cleanup must not run because another job holds the cluster now,
   * so on-call knows exactly what to check. Without it (or when it returns nothing) the thread says so in
   * general terms.
   */
  leftovers?(data: Readonly<JobData<Args>>): string[];
  /** The job result stored on completion and posted as the final summary. */
  summary?(ctx: StepContext<Args, Deps>): JobSummary;
}

export type JobKind = 'reindex' | 'upgrade' | 'alert-test' | 'demo';

export type StopReason = 'cancelled' | 'rejected' | 'approval-timeout' | 'failed' | 'blocked';

export interface JobData<Args = unknown> {
  kind: JobKind;
  cluster: string;
  /** Slack user id of the requester. */
  requester: string;
  /** Channel the command came from; the thread is opened in the cluster's ops channel when configured. */
  channel: string;
  args: Args;
  requestedAt: number;
  /** Real epoch ms of the request (requestedAt is cluster clock time): what times shown to people count from. */
  requestedAtReal?: number;
  /** Step-and-predicate pairs already named as blocking in the thread: each is posted once, also across parks. */
  blockedShown?: string[];
  /** Set once the job card is posted; every later message goes into this thread. */
  thread?: { channel: string; ts: string };
  /** Index of the next step to run. */
  cursor: number;
  /** Step name whose side effect may have started but whose completion was not recorded (crash window). */
  inFlight?: string;
  /** Free-form state written by steps (the plan, task ids, counts …). Plain JSON only. */
  state: Record<string, unknown>;
  /** One record per finished step, in order: the audit trail and the source of `/elk status`. */
  records: StepRecord[];
  /** Approval the job is parked on, if any. Buttons for any other id are stale. */
  pendingApproval?: PendingApproval;
  /** Predicates an approver overrode, keyed by `${step}:${predicate}`. */
  overrides: Record<string, Decision>;
  /** The worker (host:pid) running the job now; still set when a run starts means its worker died. */
  runBy?: string;
  /** The worker that handed the job back at shutdown, for the next worker's "resumed" line. */
  handedBackBy?: string;
  /**
   * The step's live progress message ("⏳ …") while it shows in the thread, as Slack confirmed it: a worker
   * that takes the job over finalises it (or, after a park, goes on editing it). Saved when the message is
   * posted and when it is finalised, never per progress edit.
   */
  progressMessage?: { step: string; ts: string };
  /**
   * Result lines of completed steps not yet confirmed posted to the thread, in step order (Slack's pace can
   * hold them for seconds). A worker that takes the job over posts them; each leaves the list once Slack has it.
   */
  unposted?: Array<{ step: string; text: string }>;
}

export interface StepRecord {
  step: string;
  label: string;
  startedAt: number;
  finishedAt: number;
  /** Clock ms of the step's own work (after its approval and predicates): what estimates learn from. */
  workMs?: number;
  summary: string;
  /** True when the step found its effect already in place (resume after a crash) and did nothing. */
  skipped?: boolean;
}

export interface PendingApproval {
  id: string;
  step: string;
  postedTs?: string;
  /** Real epoch ms (not cluster time): people answer in real time, also in the accelerated sandbox. */
  deadline: number;
  /** The buttons' labels as asked, so the decision records what was chosen ("Keep waiting", not "Approved"). */
  approveLabel?: string;
  rejectLabel?: string;
  /** What kind of decision: run a destructive step, override a blocking predicate, or continue past a wait. */
  purpose: 'run' | 'override' | 'continue';
  /** The question as posted, so the bot can rewrite the message when someone decides. */
  request: ApprovalRequest;
  /** Posted ahead, while this earlier step ran; `deadline` is not running until the job reaches the step. */
  aheadOf?: string;
}

export interface Decision {
  approved: boolean;
  /** Slack user id, or 'timeout' when the safe default decided. */
  by: string;
  /** Real epoch ms. */
  at: number;
  /** The label of the button pressed, when it was not plain Approve/Reject. */
  label?: string;
  note?: string;
}

/** What a destructive step will do, in the exact terms the approver needs (ids, names, counts). */
export interface ApprovalRequest {
  /** One line, e.g. "delete logs-2024.01 (1,204 documents) — its copy logs-2024.01-r holds 1,204". */
  action: string;
  /** Extra facts shown as fields: name → value. */
  details?: Record<string, string>;
}

export interface PredicateResult {
  ok: boolean;
  /** Why it blocks, with the figures: "2 shards relocating". */
  reason?: string;
}

/** A named safety check gating a destructive step. The name appears in the thread when it blocks. */
export interface Predicate<Args = unknown, Deps = unknown> {
  name: string;
  check(ctx: StepContext<Args, Deps>): Promise<PredicateResult>;
}

export type StepOutcome =
  /** Done: the summary becomes the step's reply in the thread; `state` is merged into job state. */
  | { done: string; state?: Record<string, unknown>; figures?: Record<string, string> }
  /** Stop the job safely (cleanup runs). Use for refusals found mid-run, e.g. counts that never match. */
  | { stop: string; reason?: StopReason; state?: Record<string, unknown> };

export interface Step<Args = unknown, Deps = unknown> {
  /** Unique and stable, e.g. "logs-2024.01/delete-source" or "es-data-3/terminate". */
  name: string;
  /** Human label for the thread: "Delete source index logs-2024.01". */
  label: string;
  /**
   * Destructive steps are gated: predicates are checked (and must pass, or be overridden by an approver)
   * right before `run`, and `approval` (if given) must have been granted. They are recorded in flight before
   * running, and on resume `alreadyDone` decides whether the effect already happened: it is never repeated.
   */
  destructive?: boolean;
  predicates?: Predicate<Args, Deps>[];
  /**
   * Post the question while the wait before this step still runs (access.askAhead), so the person's think time
   * overlaps it. Only for questions whose facts are known before the wait ends (terminate instance X) — never
   * for one that quotes a figure the wait produces (a verified count).
   */
  askAhead?: boolean;
  /** Ask an approver before running. Called when the step is reached; the answer is kept across restarts. */
  approval?(ctx: StepContext<Args, Deps>): Promise<ApprovalRequest>;
  /** For destructive steps: did the effect already happen? (e.g. instance already shutting-down). */
  alreadyDone?(ctx: StepContext<Args, Deps>): Promise<boolean>;
  run(ctx: StepContext<Args, Deps>): Promise<StepOutcome>;
}

export interface StepContext<Args = unknown, Deps = unknown> {
  jobId: string;
  data: Readonly<JobData<Args>>;
  /** Job state (same object as data.state); write through `setState` so it is saved. */
  state: Readonly<Record<string, unknown>>;
  /** Merge into job state and persist now (job.updateData) — use it to record e.g. a task id the moment you have it. */
  setState(patch: Record<string, unknown>): Promise<void>;
  /** The adapters this job kind talks to (its ports), built for the job's cluster. */
  deps: Deps;
  clock: Clock;
  /** Aborted when the job is cancelled; long waits must pass it on and stop promptly. */
  signal: AbortSignal;
  /** Post a progress line into the job thread (coalesced; for long waits: "copied 40,000 of 120,000 docs"). */
  progress(text: string): Promise<void>;
  /** Post a message into the thread now (for warnings that must be seen, e.g. Kibana in a mixed cluster). */
  say(text: string): Promise<void>;
  /** Append a line to the BullMQ job log (for /elk status and the audit trail). */
  log(line: string): Promise<void>;
  /**
   * Ask an approver a yes/no question mid-step and park the job (no worker held) until they answer or the
   * timeout passes. Throws the runner's park signal the first time; when the job is resumed, the same call
   * returns the decision (timeout = rejected). `id` must be unique within the job.
   */
  decide(id: string, question: ApprovalRequest & { approveLabel?: string; rejectLabel?: string }): Promise<Decision>;
}

export interface JobSummary {
  text: string;
  result: Record<string, unknown>;
}

/** A job kind as the worker and the commands see it: its definition and how to build its ports. */
export interface JobModule<Args = unknown, Deps = unknown> {
  definition: JobDefinition<Args, Deps>;
  /** Builds the adapters (ports) for one cluster. Called in the worker, once per job run. */
  createDeps(
    cluster: import('../config/schema').ClusterConfig,
    /** `config` is the whole configuration, for ports that need more than the cluster's part (rules, Slack). */
    env: { clock: Clock; clusterName: string; config: import('../config/schema').Config },
  ): Deps;
}
