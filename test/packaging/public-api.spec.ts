/**
 * The public surface of both libraries, entry point by entry point. Adding or removing an export
 * is a deliberate change: update the list here in the same commit, and say why in its message.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';

const EXPECTED: Record<string, { readonly source: string; readonly names: readonly string[] }> = {
  '@nest-hive/cluster': {
    source: 'libs/cluster/src/index.ts',
    names: [
      'Address',
      'BroadcastOptions',
      'BroadcastPacket',
      'BroadcastTransport',
      'BroadcastTransportContext',
      'BroadcastTransportFactory',
      'BroadcastTransportStats',
      'BroadcastTransportStatus',
      'CLUSTER_MODULE_OPTIONS',
      'ClusterBootstrapOptions',
      'ClusterClosedError',
      'ClusterError',
      'ClusterEvent',
      'ClusterHandle',
      'ClusterHandlerResult',
      'ClusterMessage',
      'ClusterMessageContext',
      'ClusterMessaging',
      'ClusterMode',
      'ClusterModule',
      'ClusterModuleOptions',
      'ClusterRequestHandler',
      'ClusterRequestHandlerFn',
      'ClusterSelf',
      'ClusterService',
      'ClusterStateError',
      'ClusterTimeoutError',
      'ClusterTopic',
      'ClusterTopicMessage',
      'CrashLoopError',
      'DEFAULT_CLUSTER_OPTIONS',
      'DuplicateHandlerError',
      'DuplicateTopicValidatorError',
      'InvalidClusterOptionsError',
      'MalformedEnvelopeError',
      'MessageSerializationError',
      'MessageTooLargeError',
      'NoHandlerError',
      'OnClusterMessage',
      'PayloadOf',
      'PayloadValidationError',
      'PortUnavailableError',
      'PrimaryClusterHandle',
      'PrimaryRuntime',
      'PrimaryUnavailableError',
      'QueueFullError',
      'ReadyTimeoutError',
      'RecycleOptions',
      'RecycleReason',
      'RemoteError',
      'ReplyOf',
      'RequestOptions',
      'RestartOptions',
      'RollingRestartError',
      'SendOptions',
      'Serialization',
      'ShutdownReport',
      'TopicLike',
      'TopicOptions',
      'TransportUnavailableError',
      'WorkerClusterHandle',
      'WorkerExitReason',
      'WorkerExitedError',
      'WorkerInfo',
      'WorkerStartError',
      'WorkerState',
      'WorkerUnavailableError',
      'WorkersSnapshot',
      'bootstrapCluster',
      'defineTopic',
      'getPrimaryRuntime',
    ],
  },
  '@nest-hive/cluster/redis': {
    source: 'libs/cluster/src/redis/index.ts',
    names: [
      'DEFAULT_BROADCAST_CHANNEL',
      'RedisAddress',
      'RedisBroadcastTransportOptions',
      'RedisConnectionOptions',
      'redisBroadcastTransport',
    ],
  },
  '@nest-hive/cluster/environment': {
    source: 'libs/cluster/src/environment/index.ts',
    names: ['CLUSTER_ENV', 'ClusterEnvironment', 'getClusterEnvironment'],
  },
  '@nest-hive/cluster/socket.io': {
    source: 'libs/cluster/src/socket.io/index.ts',
    names: ['ClusterIoAdapter', 'ClusterIoAdapterOptions', 'DEFAULT_CLUSTER_IO_OPTIONS', 'EventRateLimit'],
  },
  '@nest-hive/cluster/extensions': {
    source: 'libs/cluster/src/extensions/index.ts',
    names: [
      'PrimaryHost',
      'StandalonePrimary',
      'createStandalonePrimary',
      'definePrimaryHost',
      'getProcessMessaging',
      'startPrimaryHost',
    ],
  },
  '@nest-hive/cluster/metrics': {
    source: 'libs/cluster/src/metrics/index.ts',
    names: [
      'ClusterMetricsHostOptions',
      'ClusterMetricsModule',
      'ClusterMetricsModuleExtras',
      'ClusterMetricsModuleOptions',
      'ClusterMetricsService',
      'clusterMetricsHost',
    ],
  },
  '@nest-hive/cluster/leader': {
    source: 'libs/cluster/src/leader/index.ts',
    names: [
      'ClusterLeaderModule',
      'ClusterLeaderModuleOptions',
      'ClusterLeaderService',
      'LeaderInfo',
      'LeaderOnly',
      'LeaderRedisOptions',
      'clusterLeaderHost',
    ],
  },
  '@nest-hive/cluster/monitor': {
    source: 'libs/cluster/src/monitor/index.ts',
    names: [
      'ClusterMonitorModule',
      'ClusterMonitorModuleOptions',
      'ClusterMonitorService',
      'ClusterMonitorSnapshot',
      'MonitoredWorker',
      'ProcessSample',
    ],
  },
  '@nest-hive/cluster/terminus': {
    source: 'libs/cluster/src/terminus/index.ts',
    names: ['ClusterHealthIndicator', 'ClusterHealthModule', 'ClusterHealthOptions'],
  },
  '@nest-hive/session': {
    source: 'libs/session/src/index.ts',
    names: [
      'FileSessionStore',
      'FileSessionStoreOptions',
      'HandshakeSessionError',
      'ImmediateSessionStore',
      'IndexedSessionStore',
      'InjectSessionStore',
      'InvalidSessionIdError',
      'InvalidSessionOptionsError',
      'MemorySessionStore',
      'MemorySessionStoreOptions',
      'NestSessionDecoratorError',
      'RegenerateOptions',
      'RequestSessionDecoratedError',
      'ReservedSessionKey',
      'ReservedSessionKeyError',
      'SESSION_MODULE_OPTIONS',
      'SameSiteOption',
      'Session',
      'SessionApi',
      'SessionBoundSocket',
      'SessionCallback',
      'SessionCookie',
      'SessionCookieFormat',
      'SessionCookieOptions',
      'SessionData',
      'SessionDataNotSerializableError',
      'SessionDataRecord',
      'SessionDurability',
      'SessionEagerRoutes',
      'SessionError',
      'SessionFileError',
      'SessionFileProblem',
      'SessionModule',
      'SessionModuleAsyncOptions',
      'SessionModuleExtras',
      'SessionModuleForRootOptions',
      'SessionModuleOptions',
      'SessionNotAvailableError',
      'SessionPatch',
      'SessionPersistenceOptions',
      'SessionRecord',
      'SessionService',
      'SessionSocketServer',
      'SessionSockets',
      'SessionStore',
      'SessionStoreUnavailableError',
      'SessionTooLargeError',
      'StoredCookieSettings',
      'StoredSessionRecord',
      'UseSession',
      'UserSessionEntry',
      'UserSessionIndex',
      'UserSessionInfo',
      'UserSessions',
      'UserSessionsOptions',
      'UserSessionsUnavailableError',
      'generateSessionId',
      'getSessionStoreToken',
      'validateSessionOptions',
    ],
  },
  '@nest-hive/session/redis': {
    source: 'libs/session/src/redis/index.ts',
    names: [
      'RedisAddress',
      'RedisConnectionOptions',
      'RedisDurableWritesOptions',
      'RedisOperationTimeoutError',
      'RedisReadCacheOptions',
      'RedisSessionStore',
      'RedisSessionStoreOptions',
      'RedisUnavailableError',
      'RedisWriteNotReplicatedError',
      'SessionSerializer',
      'jsonSessionSerializer',
    ],
  },
  '@nest-hive/session/express': {
    source: 'libs/session/src/express/index.ts',
    names: [
      'ExpressSessionStoreContractError',
      'ExpressSessionStoreLike',
      'ExpressSessionStoreOptions',
      'ExpressSessionStoreTimeoutError',
      'ExpressStoreCallback',
      'ExpressStoreOperation',
      'fromExpressSessionStore',
    ],
  },
  '@nest-hive/session/cluster': {
    source: 'libs/session/src/cluster/index.ts',
    names: [
      'ClusterReadCacheOptions',
      'ClusterSessionHostOptions',
      'ClusterSessionStore',
      'ClusterSessionStoreOptions',
      'clusterSessionHost',
      'redisCacheRelayHost',
    ],
  },
  '@nest-hive/session/metrics': {
    source: 'libs/session/src/metrics/index.ts',
    names: ['SessionMetricsModule', 'SessionMetricsModuleOptions'],
  },
  '@nest-hive/session/terminus': {
    source: 'libs/session/src/terminus/index.ts',
    names: ['SessionHealthModule', 'SessionStoreHealthIndicator', 'SessionStoreHealthOptions'],
  },
};

/** The names an entry point exports (values and types), from its source, sorted. */
function exportsOf(files: readonly string[]): Map<string, string[]> {
  const program = ts.createProgram(
    files.map((file) => resolve(process.cwd(), file)),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      experimentalDecorators: true,
      skipLibCheck: true,
      noEmit: true,
      customConditions: ['@nest-hive/source'],
    },
  );
  const checker = program.getTypeChecker();
  const result = new Map<string, string[]>();
  for (const file of files) {
    const source = program.getSourceFile(resolve(process.cwd(), file));
    const symbol = source ? checker.getSymbolAtLocation(source) : undefined;
    const names = symbol ? checker.getExportsOfModule(symbol).map((entry) => entry.getName()) : [];
    result.set(file, names.sort());
  }
  return result;
}

describe('public API', () => {
  const found = exportsOf(Object.values(EXPECTED).map((entry) => entry.source));

  it.each(Object.entries(EXPECTED))('%s exports exactly the listed names', (_entry, { source, names }) => {
    expect(found.get(source)).toEqual([...names].sort());
  });
});
