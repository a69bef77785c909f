/**
 * Lua scripts over one alert group, so that counting an alert, consuming what a Slack post showed, and
 * rescheduling the group are each atomic: two workers (or a worker and a button click) can never count an
 * alert twice, lose one, or both decide to open the thread.
 *
 * Keys: 1 group hash, 2 seen set (alert ids counted), 3 samples list (newest match lines, at most 5),
 * 4 notes list (decisions and state changes still to post), 5 due zset (real ms at which a group needs a flush).
 */

/** ARGV: id, now (clock ms), matchTs|'', peak|'', sampleLine, groupWindow, reopenWindow, rule, qkField, qkValue,
 * channel, cluster, summaryJson, nowReal, topJson (["field\tvalue", …]), gid, reopenNote, severity. Returns {outcome, epi}. */
export const APPLY_ALERT = `
local g, seen, samples, notes, due = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now = tonumber(ARGV[2])
if redis.call('SADD', seen, ARGV[1]) == 0 then return {'duplicate', redis.call('HGET', g, 'epi') or '0'} end
redis.call('PEXPIRE', seen, 604800000)
local state = redis.call('HGET', g, 'state')
local outcome = 'repeat'
local prevTs = ''
if not state then
  outcome = 'new'
elseif state == 'open' then
  if now - tonumber(redis.call('HGET', g, 'openedAt')) > tonumber(ARGV[6]) then
    outcome = 'new'
    prevTs = redis.call('HGET', g, 'threadTs') or ''
  end
else
  local resolvedAt = tonumber(redis.call('HGET', g, 'resolvedAt') or '0') or 0
  if now - resolvedAt <= tonumber(ARGV[7]) and (redis.call('HGET', g, 'threadTs') or '') ~= '' then outcome = 'reopened' else outcome = 'new' end
end
if outcome == 'new' then
  local epi = tonumber(redis.call('HGET', g, 'epi') or '0') + 1
  local replies = redis.call('HGET', g, 'replies') or '0'
  redis.call('DEL', g, samples, notes)
  redis.call('HSET', g, 'gid', ARGV[16], 'epi', epi, 'state', 'open', 'openedAt', now, 'threadTs', '', 'prevTs', prevTs,
    'count', 0, 'silenced', 0, 'pending', 0, 'ver', 0, 'parentVer', -1, 'reopened', 0, 'replies', replies,
    'rule', ARGV[8], 'qkField', ARGV[9], 'qkValue', ARGV[10], 'channel', ARGV[11], 'cluster', ARGV[12], 'first', ARGV[13], 'severity', ARGV[18])
elseif outcome == 'reopened' then
  redis.call('HSET', g, 'state', 'open', 'resolvedAt', '', 'resolvedBy', '', 'ackBy', '', 'ackAt', '')
  if redis.call('HGET', g, 'silenceMode') == 'resolved' then redis.call('HSET', g, 'silenceMode', '', 'silenceUntil', 0) end
  redis.call('HINCRBY', g, 'reopened', 1)
  redis.call('RPUSH', notes, ARGV[17])
end
local count = redis.call('HINCRBY', g, 'count', 1)
redis.call('HINCRBY', g, 'ver', 1)
redis.call('HSET', g, 'latest', ARGV[13])
if now > (tonumber(redis.call('HGET', g, 'lastRecv') or '0') or 0) then redis.call('HSET', g, 'lastRecv', now) end
if ARGV[3] ~= '' then
  local t = tonumber(ARGV[3])
  local f = tonumber(redis.call('HGET', g, 'firstMatch') or '')
  local l = tonumber(redis.call('HGET', g, 'lastMatch') or '')
  if not f or t < f then redis.call('HSET', g, 'firstMatch', t) end
  if not l or t > l then redis.call('HSET', g, 'lastMatch', t) end
end
if ARGV[4] ~= '' then
  local p = tonumber(redis.call('HGET', g, 'peak') or '')
  if not p or tonumber(ARGV[4]) > p then redis.call('HSET', g, 'peak', ARGV[4]) end
end
for _, pair in ipairs(cjson.decode(ARGV[15])) do redis.call('HINCRBY', g, 'top:' .. pair, 1) end
local mode = redis.call('HGET', g, 'silenceMode') or ''
local untilTs = tonumber(redis.call('HGET', g, 'silenceUntil') or '0') or 0
if mode == 'resolved' or (mode == 'time' and untilTs > now) then
  redis.call('HINCRBY', g, 'silenced', 1)
elseif count > 1 then
  redis.call('HINCRBY', g, 'pending', 1)
  redis.call('RPUSH', samples, ARGV[5])
  redis.call('LTRIM', samples, -5, -1)
end
local at = math.max(tonumber(ARGV[14]), tonumber(redis.call('HGET', g, 'nextFlushAt') or '0') or 0)
-- LT adds a new member, and only ever moves an existing one earlier (an idle group waits for its resolve check).
redis.call('ZADD', due, 'LT', at, ARGV[16])
return {outcome, tostring(redis.call('HGET', g, 'epi'))}
`;

/** After a reply was posted (or found posted): ARGV consumedPending, consumedSamples, consumedNotes. */
export const CONSUME = `
local g, samples, notes = KEYS[1], KEYS[3], KEYS[4]
-- (never HINCRBY by -0: Lua would pass "-0", which Redis refuses as an integer)
if tonumber(ARGV[1]) > 0 then redis.call('HINCRBY', g, 'pending', 0 - tonumber(ARGV[1])) end
if tonumber(ARGV[2]) > 0 then redis.call('LTRIM', samples, tonumber(ARGV[2]), -1) end
if tonumber(ARGV[3]) > 0 then redis.call('LTRIM', notes, tonumber(ARGV[3]), -1) end
redis.call('HINCRBY', g, 'replies', 1)
redis.call('HDEL', g, 'intent')
return 1
`;

/** Decides when the group needs the next flush. ARGV: nowReal, flushIntervalMs, idleDueReal|'' (resolve check). */
export const RESCHEDULE = `
local g, notes, due = KEYS[1], KEYS[4], KEYS[5]
local gid = redis.call('HGET', g, 'gid')
if not gid then return 0 end
local dirty = tonumber(redis.call('HGET', g, 'pending') or '0') > 0 or redis.call('LLEN', notes) > 0
  or redis.call('HGET', g, 'ver') ~= redis.call('HGET', g, 'parentVer') or (redis.call('HGET', g, 'threadTs') or '') == ''
local next = tonumber(ARGV[1]) + tonumber(ARGV[2])
redis.call('HSET', g, 'nextFlushAt', next)
if dirty then redis.call('ZADD', due, next, gid) return 1 end
if redis.call('HGET', g, 'state') == 'open' and ARGV[3] ~= '' then redis.call('ZADD', due, math.max(next, tonumber(ARGV[3])), gid) return 2 end
redis.call('ZREM', due, gid)
return 0
`;

/** Quiet period over: resolved, unless an alert came in since the flusher looked. ARGV: lastRecvSeen, now, note. */
export const RESOLVE_IF_QUIET = `
local g, notes = KEYS[1], KEYS[4]
if redis.call('HGET', g, 'state') ~= 'open' or redis.call('HGET', g, 'lastRecv') ~= ARGV[1] then return 0 end
redis.call('HSET', g, 'state', 'resolved', 'resolvedAt', ARGV[2], 'resolvedBy', 'quiet')
if redis.call('HGET', g, 'silenceMode') == 'resolved' then redis.call('HSET', g, 'silenceMode', '', 'silenceUntil', 0) end
redis.call('HINCRBY', g, 'ver', 1)
redis.call('RPUSH', notes, ARGV[3])
return 1
`;

/**
 * A button decision, applied only if the click is about the group's current thread and episode.
 * ARGV: epi, threadTs, fieldsJson ({field: value} to set), note, nowReal, requireState ('open'|'any'|'silenced').
 */
export const DECIDE = `
local g, notes, due = KEYS[1], KEYS[4], KEYS[5]
if not redis.call('HGET', g, 'gid') then return 'gone' end
if redis.call('HGET', g, 'epi') ~= ARGV[1] or redis.call('HGET', g, 'threadTs') ~= ARGV[2] then return 'stale' end
local state = redis.call('HGET', g, 'state')
if ARGV[6] == 'open' and state ~= 'open' then return 'not-open' end
if ARGV[6] == 'silenced' and (redis.call('HGET', g, 'silenceMode') or '') == '' then return 'not-silenced' end
for k, v in pairs(cjson.decode(ARGV[3])) do redis.call('HSET', g, k, v) end
redis.call('HINCRBY', g, 'ver', 1)
redis.call('RPUSH', notes, ARGV[4])
redis.call('ZADD', due, tonumber(ARGV[5]), redis.call('HGET', g, 'gid'))
return 'ok'
`;
