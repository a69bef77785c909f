/** The validated, typed view of one rule that evaluation and rendering work from. */
import type { SpikeType } from './evaluate-types';

export interface RuleConfig {
  file: string;
  name: string;
  type: string;
  /** The rule as Elastalert holds it after load_options: defaults set, time keys as PyTimedelta. For rendering. */
  props: Record<string, unknown>;
  timestampField: string;
  timeframeMs?: number;
  realertMs: number;
  /** Per-rule overrides; the daemon's global run_every / buffer_time apply when absent. */
  runEveryMs?: number;
  bufferTimeMs?: number;
  queryDelayMs: number;
  queryKey?: string;
  compoundQueryKey?: string[];
  spikeHeight?: number;
  spikeType?: SpikeType;
  thresholdCur?: number;
  thresholdRef?: number;
  alertOnNewData: boolean;
  fieldValue?: string;
  numEvents?: number;
  attachRelated: boolean;
  threshold?: number;
  forgetKeys: boolean;
  useCountQuery: boolean;
  useTermsQuery: boolean;
  /** Values of secret placeholders used, masked in anything shown. */
  secretValues: string[];
}
