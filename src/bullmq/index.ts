/**
 * `asyncthreadpool/bullmq`: the same task classes served on many machines through BullMQ (Redis).
 * `serve()` runs a queue's jobs on a local `ThreadPool`; `RemotePool` calls them with the typed
 * proxies of a local pool. Needs the optional peer dependencies `bullmq` (6.x) and `ioredis`.
 *
 * @packageDocumentation
 */
// First: fails with what to install when a peer dependency is missing, before anything loads them.
import './peers';

export { RemotePool, RemoteView, type RemoteCallOptions, type RemotePoolOptions } from './remote';
export { serve, type Server, type ServeOptions } from './serve';
export { WIRE_FORMAT } from './codec';
