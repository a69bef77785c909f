import type { RetryEnv } from './retry-transient';
import { retryTransient } from './retry-transient';

export interface PortGuard {
  /** False while a destructive step's `run` executes: its calls are not repeated blindly (see below). */
  retryable(): boolean;
  /** An error to throw instead of calling at all: the job is stopping (lost lock, shutdown). */
  blocked(): Error | undefined;
  retry: RetryEnv;
}

/**
 * Wraps a job's ports (ctx.deps) so every async method retries transient errors under the one policy of
 * retry-transient.ts; the jobs need no retry code of their own.
 *
 * Which calls are repeated, and why that is safe:
 * - Outside a destructive step's `run` (predicates, `alreadyDone`, approval texts, the polls of a wait, the
 *   bodies of non-destructive steps): every call. Reads are harmless to repeat, and a non-destructive step is
 *   re-run from its start after a crash anyway, so it must already tolerate its writes (settings PUTs, write
 *   blocks, creating its own temporary index) happening twice.
 * - Inside a destructive step's `run`: nothing is repeated here. A terminate or a delete that failed with a
 *   503 may still have happened; the runner waits, asks the step's `alreadyDone`, and only runs it again when
 *   the cluster says it did not happen.
 * Once the job is stopping, no further call is made at all, so a job that lost its cluster lock never makes
 * another call — destructive or not — after it noticed.
 */
export function retryingPorts<T>(deps: T, guard: PortGuard): T {
  const cache = new WeakMap<object, unknown>();
  const wrap = (value: unknown, path: string, owner: object | undefined): unknown => {
    if (typeof value === 'function') return wrapFunction(value as (...a: unknown[]) => unknown, path, owner);
    if (value && typeof value === 'object' && isPortLike(value)) return wrapObject(value, path);
    return value;
  };
  const wrapObject = (target: object, path: string): unknown => {
    const hit = cache.get(target);
    if (hit) return hit;
    const proxy = new Proxy(target, {
      get(t, prop) {
        const v = Reflect.get(t, prop, t);
        return typeof prop === 'symbol' || prop === 'then' ? v : wrap(v, path ? `${path}.${prop}` : prop, t);
      },
    });
    cache.set(target, proxy);
    return proxy;
  };
  const wrapFunction = (fn: (...a: unknown[]) => unknown, path: string, owner: object | undefined) =>
    function (this: unknown, ...args: unknown[]) {
      const stop = guard.blocked();
      if (stop) throw stop;
      // The method runs on the real object, so private fields and `this`-bound state keep working.
      const self = owner ?? this;
      const first = fn.apply(self, args);
      if (!(first instanceof Promise) && !isThenable(first)) return first;
      if (!guard.retryable()) return first;
      return retryTransient(path, (attempt) => {
        if (attempt === 1) return first as Promise<unknown>;
        const again = guard.blocked();
        if (again) throw again;
        return fn.apply(self, args) as Promise<unknown>;
      }, guard.retry);
    };
  return wrap(deps, '', undefined) as T;
}

/** Adapters and objects holding them are wrapped; plain data (settings, arrays) is handed out as it is. */
function isPortLike(v: object, depth = 0): boolean {
  if (Array.isArray(v) || v instanceof Promise || ArrayBuffer.isView(v) || v instanceof Date) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return true;
  return depth < 3 && Object.values(v).some((x) => typeof x === 'function' || (!!x && typeof x === 'object' && isPortLike(x, depth + 1)));
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return !!v && typeof (v as { then?: unknown }).then === 'function';
}
