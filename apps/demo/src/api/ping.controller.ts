import { Controller, Get } from '@nestjs/common';
import { processIdentity, type ProcessIdentity } from '../process-identity.js';

/** `GET /api/ping`: who served the request; never touches the session. */
@Controller('api')
export class PingController {
  /** Answers with this process's pid and worker id. */
  @Get('ping')
  ping(): ProcessIdentity {
    return processIdentity();
  }
}
