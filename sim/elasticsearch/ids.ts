import { randomBytes } from 'node:crypto';

/** Node ids, index uuids and auto-generated document ids look like Elasticsearch's base64url ones. */
export const randomId = (length = 22): string => randomBytes(Math.ceil((length * 3) / 4) + 1).toString('base64url').slice(0, length);
