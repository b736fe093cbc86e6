import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { CLUSTER_HANDLERS_METADATA } from './cluster.constants.js';
import { type ClusterMessageContext } from './cluster.interfaces.js';
import { type ClusterHandlerMetadata, isClusterHandlerMetadataList } from './cluster-handler.metadata.js';
import { ClusterService } from './cluster.service.js';
import { markHandlersServed } from './cluster-handler.guard.js';

type Method = (payload: unknown, context: ClusterMessageContext) => unknown;

function isMethod(value: unknown): value is Method {
  return typeof value === 'function';
}

/**
 * Finds the `@OnClusterMessage` and `@ClusterRequestHandler` methods of this app's providers and
 * controllers at start-up and registers them with its `ClusterService`.
 */
@Injectable()
export class ClusterHandlerExplorer implements OnModuleInit {
  private readonly logger = new Logger('ClusterService');

  /**
   * @param discovery - Nest's provider discovery.
   * @param scanner - Nest's method scanner.
   * @param cluster - the service to register on.
   */
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly cluster: ClusterService,
  ) {}

  /** Registers every decorated method. */
  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const instance: unknown = wrapper.instance;
      if (typeof instance !== 'object' || instance === null || !wrapper.isDependencyTreeStatic()) continue;
      const prototype: unknown = Object.getPrototypeOf(instance);
      if (typeof prototype !== 'object' || prototype === null) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method: unknown = Reflect.get(prototype, name);
        if (!isMethod(method)) continue;
        const metadata: unknown = Reflect.getMetadata(CLUSTER_HANDLERS_METADATA, method);
        if (!isClusterHandlerMetadataList(metadata)) continue;
        markHandlersServed(instance);
        for (const entry of metadata) this.register(entry, instance, method, `${wrapper.name}.${name}`);
      }
    }
  }

  private register(entry: ClusterHandlerMetadata, instance: object, method: Method, label: string): void {
    const call = (payload: unknown, context: ClusterMessageContext): unknown =>
      method.call(instance, payload, context);
    if (entry.kind === 'request') {
      this.cluster.handle(entry.topic, call);
      return;
    }
    this.cluster.onMessage(entry.topic).subscribe(({ payload, context }) => {
      try {
        const result = call(payload, context);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.report(label, error));
        }
      } catch (error) {
        this.report(label, error);
      }
    });
  }

  private report(label: string, error: unknown): void {
    this.logger.error(
      `@OnClusterMessage handler ${label} threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
