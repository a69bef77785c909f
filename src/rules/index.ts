// The rule engine behind `/elk alert-test` and alert delivery: load → fill → validate → evaluate → render.
export { loadRules, loadRulesFromFolder, loadRuleFile, folderRuleFiles, memoryRuleFiles } from './load-rules';
export type { RuleFiles, LoadedRule, LoadResult, RuleIssue, PlaceholderInput } from './load-rules';
export { fillPlaceholders, maskSecrets, isSecretName, PlaceholderError } from './fill-placeholders';
export { validateRule, RULE_TYPE_REQUIRED } from './validate-rule';
export type { RuleConfig } from './rule-config';
export { evaluateRule, createEngine, daemonTimes, readFrom, unsupportedTypeMessage, SUPPORTED_TYPES, UnsupportedRuleTypeError } from './evaluate-rule';
export type { Alert, Evaluation, EvaluateOptions } from './evaluate-rule';
export type { RuleData, RuleEvent, TermsBucket, RawMatch } from './evaluate-types';
export { renderAlertText, renderAlertSubject } from './render-alert';
export { pythonFormat, PythonFormatError } from './python-format';
export { planRange, minimumRange, summarize } from './plan-range';
export { parseSweep, sweepRule, sweepIgnoredBy, cachedData } from './sweep';
export { PyFloat, PyTimedelta } from './py-values';
export { readAhead, READ_AHEAD_MAX_EVENTS } from './read-ahead';
export type { ReadAheadStats } from './read-ahead';
