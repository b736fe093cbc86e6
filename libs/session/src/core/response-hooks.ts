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

/** Where a prepared response keeps its hook: `null` until it has one. */
const HOOK = Symbol('nest-hive.session.response-hook');

interface PreparedResponse {
  [HOOK]?: ResponseHook | null;
}

/** The hook of each response hooked through its prototype that was not prepared. */
const hookOfResponse = new WeakMap<object, ResponseHook>();
/** Prototypes whose methods look up the response's hook, with the methods they had before. */
const originalsOfPrototype = new WeakMap<object, ResponseMethods>();

/** Node's own methods, which a response without wrappers of its own has. */
const NODE_METHODS = Object.fromEntries(
  HOOKED_METHODS.map((name) => [name, Reflect.get(ServerResponse.prototype, name) as ResponseMethod]),
) as ResponseMethods;

/**
 * Gives `res` a place for its hook while it still shares its hidden class
 * with every other response (when the server receives the request, before a
 * framework swaps its prototype): hooking it later is then a plain store.
 */
export function prepareResponseHook(res: ServerResponse): void {
  (res as ServerResponse & PreparedResponse)[HOOK] = null;
}

/**
 * Routes the calls of `writeHead`, `write`, `end` and `flushHeaders` of one
 * response to `hook`, and returns the methods underneath them.
 *
 * Frameworks that give each response a prototype of their own (Express sets
 * `app.response` on every response) make every property added to a response
 * afterwards cost a hidden-class copy of several microseconds. For those, the
 * methods are hooked once on that prototype, and each response only records
 * its hook (in the place {@link prepareResponseHook} made, else in a
 * `WeakMap`); a response without a hook goes straight through. Any other
 * response, or one that already carries wrappers of its own (from
 * compression or on-headers, say), gets methods on the response itself, on
 * top of what it has.
 */
export function hookResponse(res: ServerResponse, hook: ResponseHook): ResponseMethods {
  const prototype: unknown = Object.getPrototypeOf(res);
  if (prototypeHookable(res, prototype)) {
    const originals = originalsOfPrototype.get(prototype) ?? hookPrototype(prototype);
    setHook(res, hook);
    return originals;
  }
  return hookInstance(res, hook);
}

function setHook(res: ServerResponse, hook: ResponseHook): void {
  const prepared = res as ServerResponse & PreparedResponse;
  if (prepared[HOOK] === null) prepared[HOOK] = hook;
  else hookOfResponse.set(res, hook);
}

function hookOf(res: object): ResponseHook | undefined {
  const prepared = (res as PreparedResponse)[HOOK];
  return prepared === null ? undefined : (prepared ?? hookOfResponse.get(res));
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
        const hook = hookOf(this);
        return hook ? hook.call(name, args) : Reflect.apply(original, this, args);
      },
    });
  }
  originalsOfPrototype.set(prototype, originals);
  return originals;
}

/**
 * Methods set on a response itself, the same functions for every response:
 * each finds the response's hook through it.
 */
const INSTANCE_METHODS: Readonly<Record<HookedMethod, ResponseMethod>> = {
  writeHead(this: ServerResponse, ...args: unknown[]) {
    return instanceHookOf(this).call('writeHead', args);
  },
  write(this: ServerResponse, ...args: unknown[]) {
    return instanceHookOf(this).call('write', args);
  },
  end(this: ServerResponse, ...args: unknown[]) {
    return instanceHookOf(this).call('end', args);
  },
  flushHeaders(this: ServerResponse, ...args: unknown[]) {
    return instanceHookOf(this).call('flushHeaders', args);
  },
};

function instanceHookOf(res: ServerResponse): ResponseHook {
  const hook = hookOf(res);
  if (!hook) throw new Error('A session response hook was called on a response it was not set up for.');
  return hook;
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
  if (hookOf(res) === undefined && HOOKED_METHODS.every((name) => originals[name] === NODE_METHODS[name])) {
    // The common case: shared methods, and the hook in the response's place for it.
    setHook(res, hook);
    for (const name of HOOKED_METHODS) target[name] = INSTANCE_METHODS[name];
    return NODE_METHODS;
  }
  // Hooked before, or wrapped by another library: wrappers of this hook's own, on top.
  for (const name of HOOKED_METHODS) target[name] = (...args) => hook.call(name, args);
  return originals;
}
