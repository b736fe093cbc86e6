import cluster from 'node:cluster';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Subject } from 'rxjs';
import { ClusterRequestHandler, OnClusterMessage } from './cluster.decorators.js';
import {
  ClusterClosedError,
  ClusterError,
  ClusterStateError,
  DuplicateHandlerError,
  NoHandlerError,
} from './cluster.errors.js';
import { ClusterModule } from './cluster.module.js';
import { CLUSTER_ENDPOINT } from './cluster.providers.js';
import { ClusterService } from './cluster.service.js';
import { ClusterEndpoint } from './messaging/cluster-endpoint.js';
import { defineTopic } from './messaging/topic.js';
import { type BroadcastPacket, BroadcastTransport } from './transport/broadcast-transport.js';

const NAME = defineTopic<{ readonly who: string }>('name', {
  validate: (value): value is { who: string } =>
    typeof value === 'object' && value !== null && 'who' in value && typeof value.who === 'string',
});

function counts(emitter: NodeJS.EventEmitter): Record<string, number> {
  return Object.fromEntries(
    emitter.eventNames().map((event) => [String(event), emitter.listenerCount(event)]),
  );
}

async function createApp(label: string): Promise<{ app: INestApplication; names: string[] }> {
  @Injectable()
  class Handlers {
    readonly names: string[] = [];

    @ClusterRequestHandler('who')
    who(): string {
      return label;
    }

    @OnClusterMessage(NAME)
    name(payload: { who: string }): void {
      this.names.push(payload.who);
    }
  }
  @Module({ imports: [ClusterModule.forRoot({ requestTimeoutMs: 1000 })], providers: [Handlers] })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { app, names: app.get(Handlers).names };
}

describe('ClusterModule outside bootstrapCluster (private loopback per app)', () => {
  const apps: INestApplication[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  it('gives two apps in one process their own endpoints, handlers and streams, and restores the listener counts', async () => {
    const baseline = { process: counts(process), cluster: counts(cluster) };
    const { app: a, names: namesA } = await createApp('A');
    const { app: b, names: namesB } = await createApp('B');
    apps.push(a, b);
    const clusterA = a.get(ClusterService);
    const clusterB = b.get(ClusterService);
    // The endpoint behind A's ClusterService (internal): its pending table is not public surface.
    const endpointA: unknown = a.get(CLUSTER_ENDPOINT);
    if (!(endpointA instanceof ClusterEndpoint)) throw new Error('CLUSTER_ENDPOINT is not a ClusterEndpoint');
    expect(clusterA.self).toEqual({
      isPrimary: false,
      workerId: 0,
      slot: 0,
      pid: process.pid,
      mode: 'loopback',
    });

    // Each app answers its own requests, with its own decorated handler.
    await expect(clusterA.request('who', null, { to: 0 })).resolves.toBe('A');
    await expect(clusterB.request('who', null, { to: 0 })).resolves.toBe('B');
    await expect(clusterA.request('nobody', null, { to: 0 })).rejects.toBeInstanceOf(NoHandlerError);
    expect(() => clusterA.handle('who', () => 'again')).toThrow(DuplicateHandlerError);

    // Broadcasts stay inside each app's own loopback.
    const seenByB: unknown[] = [];
    clusterB.on('news').subscribe((payload) => seenByB.push(payload));
    const seenByA: unknown[] = [];
    let aCompleted = false;
    clusterA
      .on('news')
      .subscribe({ next: (payload) => seenByA.push(payload), complete: () => (aCompleted = true) });
    await clusterA.broadcast('news', 'hello', { includeSelf: true });
    await clusterA.send(NAME, { who: 'ada' }, { to: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenByA).toEqual(['hello']);
    expect(seenByB).toEqual([]);
    expect(namesA).toEqual(['ada']);
    expect(namesB).toEqual([]);

    // Closing A completes A's streams and fails its pending requests; B keeps working.
    clusterA.handle('hang', () => new Promise<never>(() => undefined));
    const pending = clusterA.request('hang', null, { to: 0, timeoutMs: 60_000 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(endpointA.pendingRequestCount).toBe(1);
    await a.close();
    apps.splice(apps.indexOf(a), 1);
    expect(aCompleted).toBe(true);
    let lateSubscriberCompleted = false;
    clusterA.workers$.subscribe({ complete: () => (lateSubscriberCompleted = true) });
    expect(lateSubscriberCompleted).toBe(true);
    await expect(pending).rejects.toBeInstanceOf(ClusterClosedError);
    expect(endpointA.pendingRequestCount).toBe(0);
    await expect(clusterA.send('x', 1)).rejects.toBeInstanceOf(ClusterClosedError);
    await expect(clusterB.request('who', null, { to: 0 })).resolves.toBe('B');

    await b.close();
    apps.splice(0);
    expect({ process: counts(process), cluster: counts(cluster) }).toEqual(baseline);
  });
});

describe('ClusterModule with a custom broadcast transport', () => {
  it('sends broadcasts through the transport and delivers what it emits, with the same ClusterService API', async () => {
    const published: BroadcastPacket[] = [];
    const incoming = new Subject<BroadcastPacket>();
    let origin = '';
    let closed = false;
    class MemoryTransport extends BroadcastTransport {
      readonly packets$ = incoming.asObservable();
      publish(packet: BroadcastPacket): Promise<void> {
        published.push(packet);
        return Promise.resolve();
      }
      close(): Promise<void> {
        closed = true;
        return Promise.resolve();
      }
    }
    @Module({
      imports: [
        ClusterModule.forRoot({
          transport: (context) => {
            origin = context.origin;
            return new MemoryTransport();
          },
        }),
      ],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const service = app.get(ClusterService);
    const received: unknown[] = [];
    service.on('news').subscribe((payload) => received.push(payload));

    await service.broadcast('news', 'out', { includeSelf: false });
    expect(published).toEqual([
      { id: expect.any(String), topic: 'news', payload: 'out', from: 0, origin, includeSelf: false },
    ]);
    // From another machine: delivered. Our own packet without includeSelf: dropped.
    incoming.next({
      id: 'r1',
      topic: 'news',
      payload: 'remote',
      from: 3,
      origin: 'elsewhere',
      includeSelf: false,
    });
    incoming.next({ id: 'r2', topic: 'news', payload: 'echo', from: 0, origin, includeSelf: false });
    incoming.next({ id: 'r3', topic: 'news', payload: 'mine', from: 0, origin, includeSelf: true });
    expect(received).toEqual(['remote', 'mine']);

    await app.close();
    expect(closed).toBe(true);
  });
});

describe('a transport that fails', () => {
  it('makes broadcast() reject with a ClusterError naming the topic, the transport error as its cause', async () => {
    const outage = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    class BrokenTransport extends BroadcastTransport {
      readonly packets$ = new Subject<BroadcastPacket>().asObservable();
      publish(): Promise<void> {
        return Promise.reject(outage);
      }
      close(): Promise<void> {
        return Promise.resolve();
      }
    }
    @Module({ imports: [ClusterModule.forRoot({ transport: () => new BrokenTransport() })] })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const failure: unknown = await app
      .get(ClusterService)
      .broadcast('news', 'out')
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    await app.close();
    expect(failure).toBeInstanceOf(ClusterError);
    expect(String(failure)).toMatch(/"news"/);
    expect((failure as Error).cause).toBe(outage);
  });
});

describe('handler decorators without a ClusterModule to serve them', () => {
  it('fail the start-up with an error naming the provider, the topic and the fix', async () => {
    @Injectable()
    class Orphan {
      @OnClusterMessage('cache:evict')
      evict(): void {}

      @ClusterRequestHandler('counter:next')
      next(): number {
        return 1;
      }
    }
    @Module({ providers: [Orphan] })
    class NoClusterModule {}
    const moduleRef = await Test.createTestingModule({ imports: [NoClusterModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    const failure: unknown = await app.init().then(
      () => undefined,
      (error: unknown) => error,
    );
    await app.close().catch(() => undefined);
    expect(failure).toBeInstanceOf(ClusterStateError);
    expect(String(failure)).toMatch(/Orphan/);
    expect(String(failure)).toMatch(/cache:evict/);
    expect(String(failure)).toMatch(/ClusterModule\.forRoot\(\)/);
  });

  it('start normally when the app imports ClusterModule', async () => {
    @Injectable()
    class Served {
      @OnClusterMessage('cache:evict')
      evict(): void {}
    }
    @Module({ imports: [ClusterModule.forRoot()], providers: [Served] })
    class WithClusterModule {}
    const moduleRef = await Test.createTestingModule({ imports: [WithClusterModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).resolves.toBe(app);
    await app.close();
  });
});
