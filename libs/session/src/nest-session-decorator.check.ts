import { Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { USE_SESSION_METADATA } from './session.constants.js';
import { NestSessionDecoratorError } from './session.errors.js';

/**
 * Finds, at start-up, handlers that use Nest's own `@Session()` (which reads
 * `req.session` synchronously) without `@UseSession()` to load it first, and
 * fails with an error that names the fix instead of letting them see
 * `undefined` at run time.
 */
@Injectable()
export class NestSessionDecoratorCheck {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  /**
   * @param loadsEagerly - whether the session is always loaded before the
   *   handlers of a controller (`eager: true`, or the controller listed in
   *   `eager.forRoutes`).
   * @throws NestSessionDecoratorError naming the first offending handler.
   */
  assertNoUnloadedNestSession(loadsEagerly: (controller: unknown) => boolean = () => false): void {
    const sessionType = String(RouteParamtypes.SESSION);
    for (const wrapper of this.discovery.getControllers()) {
      const metatype: unknown = wrapper.metatype;
      const instance: unknown = wrapper.instance;
      if (typeof metatype !== 'function' || !instance) continue;
      if (Reflect.getMetadata(USE_SESSION_METADATA, metatype) || loadsEagerly(metatype)) continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype, method) ?? {}) as Record<
          string,
          unknown
        >;
        const usesNestSession = Object.keys(args).some((key) => key.split(':')[0] === sessionType);
        const handler = prototype[method];
        if (
          usesNestSession &&
          !(typeof handler === 'function' && Reflect.getMetadata(USE_SESSION_METADATA, handler))
        ) {
          throw new NestSessionDecoratorError(`${metatype.name}.${method}()`);
        }
      }
    }
  }
}
