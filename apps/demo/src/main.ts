import 'reflect-metadata';
import { availableParallelism } from 'node:os';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { bootstrapCluster } from '@nest-hive/cluster';
import { ClusterIoAdapter } from '@nest-hive/cluster/socket.io';
import { CHAT_EVENTS_PER_SECOND } from './chat/chat.constants.js';
import { AppModule } from './app.module.js';
import { attachWorkerKiller } from './console/worker-killer.js';
import { attachWorkerScaler } from './console/worker-scaler.js';
import { readDemoConfig, type DemoConfig } from './demo-config.js';
import { createDemoHttpAdapter, HTTP_ADAPTER_LABEL } from './http-adapter.js';
import { servedByHeader } from './served-by.middleware.js';

// The primary reads the configuration (inventing a secret if needed) and hands
// the secret to the workers; each worker reads the same environment. A bad
// setting stops the demo here, before any worker is forked.
let config: DemoConfig;
try {
  config = readDemoConfig();
} catch (error) {
  new Logger('Demo').error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exit(1);
}
const handle = await bootstrapCluster({
  workers: config.workers,
  env: { SESSION_SECRET: config.sessionSecrets.join(',') },
  // The chat gateway's long-polling clients: each engine.io session's requests reach its worker.
  sticky: config.sticky,
  // Replace killed workers quickly (the console lets users kill them); the
  // crash-loop guard still gives up on a slot that keeps failing.
  restart: { initialDelayMs: 50, maxDelayMs: 1_000, stableAfterMs: 10_000, maxRestarts: 10 },
  // The restart rules: WORKER_MAX_MEMORY_MB, WORKER_HANG_TIMEOUT_MS, WORKER_MAX_AGE_MS.
  recycle: config.recycle,
  // Behind a load balancer: SHUTDOWN_DELAY_MS of serving with /health down before a SIGTERM stops it.
  shutdownDelayMs: config.shutdownDelayMs,
  // The console's kill buttons: only the primary signals workers, and only with DEMO_ALLOW_KILL=1.
  primary: async (runtime) => {
    if (config.allowKill) attachWorkerKiller(runtime);
  },
  worker: async () => {
    const app = await NestFactory.create(
      AppModule.forConfig(config),
      await createDemoHttpAdapter(config.httpAdapter),
    );
    // Every response names the process that served it, so clients can watch the round robin.
    app.use(servedByHeader);
    // socket.io across the workers: sticky sessions, emits to every worker, a drain on restarts.
    app.useWebSocketAdapter(
      new ClusterIoAdapter(app, { eventRateLimit: { events: CHAT_EVENTS_PER_SECOND, intervalMs: 1_000 } }),
    );
    await app.listen(config.port);
    return app;
  },
});

if (handle.role === 'primary') {
  // The console's scale buttons, with the kill buttons: only with DEMO_ALLOW_KILL=1.
  if (config.allowKill) attachWorkerScaler(handle.runtime, (workers) => handle.scale(workers));
  new Logger('Demo').log(readyLine(config, process.pid));
}

/**
 * The line that says the demo is up, naming the pid to signal: `npm start` runs the primary
 * under npm, so `kill -HUP` must go to this pid, not to npm's.
 */
function readyLine(demo: DemoConfig, pid: number): string {
  const url = `http://localhost:${demo.port}`;
  const adapter = `on ${HTTP_ADAPTER_LABEL[demo.httpAdapter]}`;
  const workers = demo.workers === 'auto' ? availableParallelism() : demo.workers;
  if (workers === 0) return `nest-hive demo ready in one process ${adapter}: ${url} (pid ${pid})`;
  const shape = `with ${workers} worker${workers === 1 ? '' : 's'} ${adapter}`;
  return `nest-hive demo ready ${shape}: ${url} (primary pid ${pid}; kill -HUP ${pid} for a rolling restart)`;
}
