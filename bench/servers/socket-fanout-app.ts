/**
 * Bench server for socket.io fan-out on 2 workers: `blast` `{ count }` makes the receiving worker
 * `server.emit('m', i)` `count` times, reaching the sockets of both workers through the adapter
 * named by `ADAPTER`: `hive` (ClusterIoAdapter over the cluster's messaging) or `sio-cluster`
 * (@socket.io/cluster-adapter over raw process.send, with its relay in the primary). WebSocket
 * transport only, so neither needs sticky sessions. Prints `READY <port>` from the primary.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { createAdapter, setupPrimary } from '@socket.io/cluster-adapter';
import { bootstrapCluster, ClusterModule } from '@nest-hive/cluster';
import { ClusterIoAdapter } from '@nest-hive/cluster/socket.io';
import type { Server, ServerOptions } from 'socket.io';

const port = Number(process.env.PORT ?? 3000);
const adapter = process.env.ADAPTER === 'sio-cluster' ? 'sio-cluster' : 'hive';

@WebSocketGateway({ transports: ['websocket'] })
class FanoutGateway {
  @WebSocketServer() server!: Server;

  @SubscribeMessage('blast')
  blast(@MessageBody() body: { count: number }): number {
    const count = Math.min(100_000, Number(body?.count) || 0);
    for (let i = 0; i < count; i++) this.server.emit('m', i);
    return count;
  }
}

@Module({ imports: [ClusterModule.forRoot()], providers: [FanoutGateway] })
class FanoutModule {}

/** Nest's IoAdapter with @socket.io/cluster-adapter plugged in. */
class SocketIoClusterAdapter extends IoAdapter {
  override createIOServer(serverPort: number, options?: ServerOptions): Server {
    const server = super.createIOServer(serverPort, options);
    server.adapter(createAdapter());
    return server;
  }
}

const handle = await bootstrapCluster({
  workers: 2,
  primary: async () => {
    if (adapter === 'sio-cluster') setupPrimary();
  },
  worker: async () => {
    const app = await NestFactory.create(FanoutModule, { logger: ['error', 'warn'] });
    app.useWebSocketAdapter(adapter === 'hive' ? new ClusterIoAdapter(app) : new SocketIoClusterAdapter(app));
    await app.listen(port, '127.0.0.1');
    return app;
  },
});
if (handle.role === 'primary') console.log(`READY ${port}`);
