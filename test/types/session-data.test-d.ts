// Compiled by test/types/types.spec.ts with tsc: it must type-check, and
// every @ts-expect-error line must really be an error.
import type { Session } from '@nest-hive/session';

declare module '@nest-hive/session' {
  interface SessionData {
    user?: string;
    visits?: number;
    cart?: { items: string[] };
  }
}

declare const session: Session;

session.user = 'ann';
session.visits = (session.visits ?? 0) + 1;
session.cart = { items: ['apple'] };
session.cart.items.push('pear');
const name: string | undefined = session.user;
const id: string = session.id;
const isNew: boolean = session.isNew;
session.cookie.maxAge = 60_000;
void session.regenerate({ keepData: true });

// @ts-expect-error visits is a number
session.visits = 'one';
// @ts-expect-error cart items are strings
session.cart.items.push(42);
// @ts-expect-error id is read-only
session.id = 'forged';
// @ts-expect-error unknown keys are not part of SessionData
session.nope = true;

// A local shape instead of the augmented one.
declare const local: Session<{ count: number }>;
local.count = 1;
// @ts-expect-error count is a number
local.count = 'x';

export { name, id, isNew };
