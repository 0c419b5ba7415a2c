// The distributed-run tests' redis-server: the same helper the queue bench uses.
export { startRedis, type RedisServer } from '../../scripts/redis-server.js';
