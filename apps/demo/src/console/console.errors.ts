import { ConflictException, ForbiddenException, NotFoundException } from '@nestjs/common';

/*
 * Errors of the console routes. Each is an HttpException, so the client gets its status and a
 * message that says what to do.
 */

/** The kill route was called while `DEMO_ALLOW_KILL=1` is not set. */
export class KillDisabledError extends ForbiddenException {
  override readonly name = 'KillDisabledError';
  constructor() {
    super('Killing workers is disabled: start the demo with DEMO_ALLOW_KILL=1 to enable it.');
  }
}

/** The scale route was called while `DEMO_ALLOW_KILL=1` is not set. */
export class ScaleDisabledError extends ForbiddenException {
  override readonly name = 'ScaleDisabledError';
  constructor() {
    super('Scaling from the console is disabled: start the demo with DEMO_ALLOW_KILL=1 to enable it.');
  }
}

/** The cluster cannot scale now (a rolling restart or another scaling runs, or `WORKERS=0`). */
export class ScaleRefusedError extends ConflictException {
  override readonly name = 'ScaleRefusedError';
  constructor(
    /** Why, as the cluster said it. */
    readonly reason: string,
  ) {
    super(`The cluster did not scale: ${reason}`);
  }
}

/** No live worker has the id the client asked to kill. */
export class UnknownWorkerError extends NotFoundException {
  override readonly name = 'UnknownWorkerError';
  constructor(
    /** The id that was asked for. */
    readonly workerId: number,
  ) {
    super(`No live worker has id ${workerId}; it may have exited already. Reload the worker table.`);
  }
}

/** The worker runs inside the primary process (`WORKERS=0`): killing it would stop the demo. */
export class WorkerNotKillableError extends ConflictException {
  override readonly name = 'WorkerNotKillableError';
  constructor(
    /** The id that was asked for. */
    readonly workerId: number,
  ) {
    super(
      `Worker ${workerId} runs inside the primary process, so it is not killed. ` +
        'Start the demo with WORKERS=2 (or more) to watch workers being replaced.',
    );
  }
}

/** The folder with the console's page is missing or empty. */
export class ConsoleAssetsMissingError extends Error {
  override readonly name = 'ConsoleAssetsMissingError';
  constructor(
    /** The folder that was read. */
    readonly folder: string,
    cause?: unknown,
  ) {
    super(
      `The console page was not found in ${folder} (it needs index.html). ` +
        'Run the demo from the repository, where apps/demo/public sits beside apps/demo/dist.',
      { cause },
    );
  }
}

/** A file of the console page that does not exist. */
export class ConsoleAssetNotFoundError extends NotFoundException {
  override readonly name = 'ConsoleAssetNotFoundError';
  constructor(
    /** The file name asked for. */
    readonly file: string,
  ) {
    super(`The console has no file called "${file.slice(0, 100)}".`);
  }
}

/** A kill request sent by a page of another origin (a cross-site request forgery). */
export class CrossOriginKillError extends ForbiddenException {
  override readonly name = 'CrossOriginKillError';
  constructor(
    /** The `Origin` the request came from. */
    readonly origin: string,
  ) {
    super(
      `Workers can only be killed or scaled from the console's own page, not from ${origin.slice(0, 100)}.`,
    );
  }
}
