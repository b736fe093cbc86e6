import { Controller, Get } from '@nestjs/common';

/** `GET /bench/none`: a route that never uses the session, in every bench app. */
@Controller('bench')
export class NoneController {
  @Get('none')
  none(): { ok: true } {
    return { ok: true };
  }
}

/** The session routes' anchor: the same routes and answers as the session apps', without any session. */
@Controller('bench')
export class AnchorController extends NoneController {
  private count = 0;

  @Get('read')
  read(): { visits: number } {
    return { visits: this.count };
  }

  @Get('visits')
  visits(): { visits: number } {
    this.count += 1;
    return { visits: this.count };
  }
}
