export { Watcher, type WatcherOptions, type WatchReport } from './watcher';
export { findViolations, type Limits } from './violations';
export type { IndexAudit, AuditOptions } from './doc-audit';
export type { WatchTarget } from './clients';
