import type { IncomingAlert } from '../../src/alerts/incoming-alert';
import type { RuleConfig, RuleData } from '../../src/rules';

/** What `/elk alert-test` queued. Plain JSON (job data). Times stay as typed until the plan step reads the clock. */
export interface AlertTestArgs {
  /** Rule name or file (`general-spike-5xxs`, `general-spike-5xxs.yaml`, `Spike in 5xxs`); absent with `all`. */
  rule?: string;
  all?: boolean;
  /** Which `elastalert.values.<env>` fills the placeholders. */
  env: string;
  /** ISO 8601 or `now` / `now-6h`; both or neither. */
  from?: string;
  to?: string;
  days?: number;
  /** `spike_height=1.5..4[:step]`. */
  sweep?: string;
  post?: boolean;
}

/** A file posted into the job's thread. */
export interface ThreadFile {
  filename: string;
  title: string;
  bytes: Buffer;
  initialComment?: string;
  altText?: string;
}

/**
 * The ports of this job: where rules come from, a READ-ONLY view of the cluster per rule (RuleData has no
 * write calls), and a way to put a chart image into the thread.
 */
export interface AlertTestDeps {
  /** The rules folder, the placeholder values per environment, and names whose values are secrets. */
  rules: { dir: string; values: Readonly<Record<string, Readonly<Record<string, string>>>>; secretNames?: readonly string[] };
  /** The Elastalert daemon's global run_every / buffer_time per environment (ms), as `elastalert.daemon` sets them. */
  daemon?: Readonly<Record<string, { runEvery?: number; bufferTime?: number }>>;
  data(rule: RuleConfig): RuleData;
  uploadToThread(thread: { channel: string; ts: string }, file: ThreadFile): Promise<{ id: string }>;
  /** `--post`: puts one alert on the alert queue (as the webhooks do); false when that alert was already queued. */
  postAlert?(alert: IncomingAlert): Promise<boolean>;
}
