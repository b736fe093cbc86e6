/**
 * Makes `@OnClusterMessage` / `@ClusterRequestHandler` fail loudly in an app that has no
 * `ClusterModule` to register them (they would otherwise never be called, without a word).
 *
 * The decorators give the class an `onApplicationBootstrap` hook (wrapping its own, if any). Nest
 * calls it after every `onModuleInit`, that is after `ClusterModule`'s explorer registered the
 * handlers of this app's instances; an instance it did not register fails the start-up.
 */
import { ClusterStateError } from './cluster.errors.js';
import { handlerTopicsOf } from './cluster-handler.metadata.js';

/** Instances whose handlers a `ClusterModule` registered. Keyed by instance: apps never collide. */
const served = new WeakSet<object>();

/** Prototypes that already carry the guard. */
const guarded = new WeakSet<object>();

/** Records that a `ClusterModule` registered the handlers of `instance`. */
export function markHandlersServed(instance: object): void {
  served.add(instance);
}

/** Installs the start-up check on a class prototype that has handler methods (once per prototype). */
export function guardHandlerHost(prototype: object): void {
  if (guarded.has(prototype)) return;
  guarded.add(prototype);
  const own: unknown = Reflect.get(prototype, 'onApplicationBootstrap');
  Object.defineProperty(prototype, 'onApplicationBootstrap', {
    configurable: true,
    writable: true,
    value: function onApplicationBootstrap(this: object, ...args: unknown[]): unknown {
      if (!served.has(this)) {
        const name = this.constructor.name || 'A provider';
        throw new ClusterStateError(
          `${name} has cluster handlers (${handlerTopicsOf(prototype)
            .map((topic) => `'${topic}'`)
            .join(', ')}), but no ClusterModule serves this ` +
            'app, so they would never be called. Import ClusterModule.forRoot() in the app (it is global by default).',
        );
      }
      return typeof own === 'function' ? Reflect.apply(own, this, args) : undefined;
    },
  });
}
