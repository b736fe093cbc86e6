import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, switchMap, type Observable } from 'rxjs';
import { requestSessionOf } from '../core/request-session.lookup.js';

/** Loads the session (setting `req.session`) before the handler runs. Applied by `@UseSession()`. */
@Injectable()
export class SessionLoadInterceptor implements NestInterceptor {
  /** Loads, then hands over to the handler. */
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request: unknown = context.switchToHttp().getRequest();
    const loaded = requestSessionOf(request).loadNow(request);
    return loaded instanceof Promise ? from(loaded).pipe(switchMap(() => next.handle())) : next.handle();
  }
}
