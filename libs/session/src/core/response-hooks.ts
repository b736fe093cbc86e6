import { OutgoingMessage, ServerResponse } from 'node:http';

/** The response methods through which a response's head and body leave. */
export type HookedMethod = 'writeHead' | 'write' | 'end' | 'flushHeaders';

/** A response method. */
export type ResponseMethod = (...args: unknown[]) => unknown;

/** The methods a hook calls through to: what the response had before it was hooked. */
export type ResponseMethods = Readonly<Record<HookedMethod, ResponseMethod>>;

/** Receives the calls of one response's hooked methods. */
export interface ResponseHook {
  call(method: HookedMethod, args: unknown[]): unknown;
}

const HOOKED_METHODS: readonly HookedMethod[] = ['writeHead', 'write', 'end', 'flushHeaders'];

/** The hook of each response hooked through its prototype. */
const hookOfResponse = new WeakMap<object, ResponseHook>();
/** Prototypes whose methods look up the response's hook, with the methods they had before. */
const originalsOfPrototype = new WeakMap<object, ResponseMethods>();

/**
 * Routes the calls of `writeHead`, `write`, `end` and `flushHeaders` of one
 * response to `hook`, and returns the methods underneath them.
 *
 * Frameworks that give each response a prototype of their own (Express sets
 * `app.response` on every response) make every property added to a response
 * afterwards cost a hidden-class copy of several microseconds. For those, the
 * methods are hooked once on that prototype, and each response is only
 * entered in a `WeakMap`; a response without a hook goes straight through.
 * Any other response, or one that already carries wrappers of its own (from
 * compression or on-headers, say), gets wrappers on the response itself, on
 * top of what it has.
 */
export function hookResponse(res: ServerResponse, hook: ResponseHook): ResponseMethods {
  const prototype: unknown = Object.getPrototypeOf(res);
  if (prototypeHookable(res, prototype)) {
    const originals = originalsOfPrototype.get(prototype) ?? hookPrototype(prototype);
    hookOfResponse.set(res, hook);
    return originals;
  }
  return hookInstance(res, hook);
}

function prototypeHookable(res: ServerResponse, prototype: unknown): prototype is object {
  if (typeof prototype !== 'object' || prototype === null) return false;
  if (prototype === ServerResponse.prototype || prototype === OutgoingMessage.prototype) return false;
  if (HOOKED_METHODS.some((name) => Object.prototype.hasOwnProperty.call(res, name))) return false;
  if (originalsOfPrototype.has(prototype)) return true;
  return (
    Object.isExtensible(prototype) &&
    HOOKED_METHODS.every((name) => typeof Reflect.get(prototype, name) === 'function')
  );
}

function hookPrototype(prototype: object): ResponseMethods {
  const originals = {} as Record<HookedMethod, ResponseMethod>;
  for (const name of HOOKED_METHODS) {
    const original = Reflect.get(prototype, name) as ResponseMethod;
    originals[name] = original;
    Object.defineProperty(prototype, name, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function hooked(this: object, ...args: unknown[]): unknown {
        const hook = hookOfResponse.get(this);
        return hook ? hook.call(name, args) : Reflect.apply(original, this, args);
      },
    });
  }
  originalsOfPrototype.set(prototype, originals);
  return originals;
}

function hookInstance(res: ServerResponse, hook: ResponseHook): ResponseMethods {
  const target = res as unknown as Record<HookedMethod, ResponseMethod>;
  // Whatever the response has now (Node's methods, or another library's wrappers) is kept underneath.
  const originals: ResponseMethods = {
    writeHead: target.writeHead,
    write: target.write,
    end: target.end,
    flushHeaders: target.flushHeaders,
  };
  target.writeHead = (...args) => hook.call('writeHead', args);
  target.write = (...args) => hook.call('write', args);
  target.end = (...args) => hook.call('end', args);
  target.flushHeaders = (...args) => hook.call('flushHeaders', args);
  return originals;
}
