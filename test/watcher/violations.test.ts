import { describe, expect, it } from 'vitest';
import { findViolations } from '../../sim/watcher/violations';
import type { WatchReport } from '../../sim/watcher/watcher';

const quiet: WatchReport = {
  startedAt: 0,
  endedAt: 600_000,
  samples: 1000,
  blindSamples: 0,
  longestBlindMs: 0,
  expectedNodes: 9,
  maxNodesOut: 0,
  redSeen: false,
  maxUnassignedPrimaries: 0,
  timeIn: { green: 600_000, yellow: 0, red: 0 },
  transitions: [],
  terminations: [],
  terminatedTwice: [],
  instanceStates: {},
  awsErrors: 0,
  documents: [],
};
const red = (ms: number, unassignedPrimaries: number): WatchReport => ({ ...quiet, redSeen: true, firstRedAt: 1000, maxUnassignedPrimaries: unassignedPrimaries, timeIn: { green: 600_000 - ms, yellow: 0, red: ms } });

describe('the red invariant', () => {
  it('tolerates the seconds of red while a just-created index starts its primaries, with none unassigned', () => {
    expect(findViolations(red(3_300, 0), { maxNodesOut: 1 })).toEqual([]);
  });
  it('flags any red with a primary unassigned, however short', () => {
    expect(findViolations(red(500, 1), { maxNodesOut: 1 })).toEqual([expect.stringContaining('went red')]);
  });
  it('flags red that outlasts what a new index needs, even with no primary unassigned', () => {
    expect(findViolations(red(120_000, 0), { maxNodesOut: 1 })).toEqual([expect.stringContaining('was red for 2m 0s')]);
  });
});
