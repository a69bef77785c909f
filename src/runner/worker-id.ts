import { hostname } from 'node:os';

/** How a worker process names itself in job threads and job data: the machine and the process. */
export const WORKER_ID = `${hostname()}:${process.pid}`;
