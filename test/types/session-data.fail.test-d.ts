// Must NOT compile: a wrong key type (line 12) is a type error.
import type { Session } from '@nest-hive/session';

declare module '@nest-hive/session' {
  interface SessionData {
    visits?: number;
  }
}

declare const session: Session;

session.visits = 'not a number';
