import { ClusterStateError, InvalidClusterOptionsError } from '../cluster.errors.js';
import { type PrimaryRuntime } from '../bootstrap/primary-runtime.interface.js';
import { type PrimaryHost, type PrimaryHostRequest, isPrimaryHost } from './primary-host.js';

/**
 * The primary side of primary hosts: starts each host once, from the hosts the code attached, or
 * by loading the module a worker's request names (only `@nest-hive/*` modules, and only the host
 * they declared under that name). A failed start is forgotten, so a later request tries again.
 */
export class PrimaryHosts {
  private readonly started = new Map<string, Promise<void>>();
  private fatalHandler: ((message: string) => void) | undefined;

  /** @param runtime - the runtime hosts attach to. */
  constructor(private readonly runtime: PrimaryRuntime) {}

  /** Who stops the cluster when a host fails in a way its `isFatal` calls final (`bootstrapCluster`). */
  onFatal(handler: ((message: string) => void) | undefined): void {
    this.fatalHandler = handler;
  }

  /** Starts `host` with `options` unless it runs already. */
  attach<Options>(host: PrimaryHost<Options>, options: Options): Promise<void> {
    return this.once(host, () => {
      if (!host.isOptions(options)) {
        throw new InvalidClusterOptionsError(
          `${host.specifier}#${host.exportName}`,
          'its options were refused',
        );
      }
      return host.attach(this.runtime, options);
    });
  }

  /** Answers a worker's request: starts the host it names, once. */
  async start(request: PrimaryHostRequest): Promise<{ started: true }> {
    const key = `${request.specifier}#${request.exportName}`;
    const running = this.started.get(key);
    if (running) await running;
    else await this.attach(await this.load(request), request.options);
    return { started: true };
  }

  private once(host: PrimaryHost<unknown>, start: () => void | Promise<void>): Promise<void> {
    const key = `${host.specifier}#${host.exportName}`;
    let starting = this.started.get(key);
    if (!starting) {
      starting = Promise.resolve().then(start);
      this.started.set(key, starting);
      starting.catch((error: unknown) => {
        this.started.delete(key);
        if (host.isFatal?.(error)) {
          const reason = error instanceof Error ? error.message : String(error);
          this.fatalHandler?.(`${host.specifier}#${host.exportName} cannot start: ${reason}`);
        }
      });
    }
    return starting;
  }

  private async load({ specifier, exportName }: PrimaryHostRequest): Promise<PrimaryHost<unknown>> {
    const loaded: unknown = await import(specifier);
    const host: unknown =
      typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, exportName) : undefined;
    if (!isPrimaryHost(host) || host.specifier !== specifier || host.exportName !== exportName) {
      throw new ClusterStateError(
        `${specifier} exports no primary host named ${exportName} (declare it with definePrimaryHost()).`,
      );
    }
    return host;
  }
}
