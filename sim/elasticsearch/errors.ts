/**
 * Elasticsearch's error envelope: `{error: {root_cause: [...], type, reason, ...}, status}`. Routes throw
 * EsError; the HTTP layer renders it.
 */
export class EsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    readonly extra: Record<string, unknown> = {},
    readonly causedBy?: { type: string; reason: string },
    /** The root cause when it differs from the top-level error. */
    readonly rootCause?: { type: string; reason: string } & Record<string, unknown>,
  ) {
    super(`${type}: ${reason}`);
  }

  body(): { error: Record<string, unknown>; status: number } {
    const top = { type: this.type, reason: this.reason, ...this.extra };
    return {
      error: {
        root_cause: [this.rootCause ?? top],
        ...top,
        ...(this.causedBy ? { caused_by: this.causedBy } : {}),
      },
      status: this.status,
    };
  }
}

export const indexNotFound = (name: string) =>
  new EsError(404, 'index_not_found_exception', `no such index [${name}]`, {
    'resource.type': 'index_or_alias',
    'resource.id': name,
    index_uuid: '_na_',
    index: name,
  });

export const masterNotDiscovered = () => new EsError(503, 'master_not_discovered_exception', '');

export const illegalArgument = (reason: string) => new EsError(400, 'illegal_argument_exception', reason);

export const parsingError = (reason: string) => new EsError(400, 'parsing_exception', reason);

export const writeBlocked = (index: string) =>
  new EsError(403, 'cluster_block_exception', `index [${index}] blocked by: [FORBIDDEN/8/index write (api)];`);

export const readOnlyBlocked = (index: string) =>
  new EsError(403, 'cluster_block_exception', `index [${index}] blocked by: [FORBIDDEN/5/index read-only (api)];`);

export const noMasterBlock = () =>
  new EsError(503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/2/no master];');
