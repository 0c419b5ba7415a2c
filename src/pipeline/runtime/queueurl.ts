// The --queue URL, redis://HOST:PORT[/DB], parsed without loading the Redis client (the CLI
// checks flags before it loads the pipeline).
import { UserError } from '../../errors.js';

/** A problem with the queue the user can fix (URL, Redis gone, size limits): one line, exit 2. */
export class QueueError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'QueueError';
  }
}

export interface QueueUrl {
  url: string;
  host: string;
  port: number;
  db: number;
  /** From redis://:PASSWORD@HOST:PORT (Redis AUTH), if given. */
  password?: string;
}

/** Where a Redis server is: `host`, `port`, `db` for clients. */
export function serverOptions(q: QueueUrl): { host: string; port: number; db: number; password?: string } {
  return { host: q.host, port: q.port, db: q.db, ...(q.password ? { password: q.password } : {}) };
}

/** redis://HOST:PORT[/DB], checked (a typo should not become a run that waits forever). */
export function parseQueueUrl(flag: string, value: string): QueueUrl {
  const bad = (why: string): QueueError => new QueueError(`${flag}: expected redis://HOST:PORT[/DB], got "${value}" (${why})`);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw bad('not a URL');
  }
  if (u.protocol !== 'redis:') throw bad(`scheme ${u.protocol.replace(/:$/, '')}`);
  if (!u.hostname) throw bad('no host');
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw bad('the database must be a number');
  const db = path === '' ? 0 : Number(path);
  if (u.search || u.hash) throw bad('no query or fragment expected');
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  // The URL is printed in messages: never with its password.
  const shown = password ? value.replace(`:${u.password}@`, ':***@') : value;
  return { url: shown, host: u.hostname.replace(/^\[|\]$/g, ''), port, db, ...(password ? { password } : {}) };
}

