export { fromExpressSessionStore } from './from-express-session-store.js';
export type {
  ExpressSessionStoreLike,
  ExpressSessionStoreOptions,
  ExpressStoreCallback,
} from './express-session-store.interface.js';
export {
  ExpressSessionStoreContractError,
  ExpressSessionStoreTimeoutError,
  type ExpressStoreOperation,
} from './express-session-store.errors.js';
