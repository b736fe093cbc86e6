#!/usr/bin/env node
/**
 * `nest-hive`: the command line of a running nest-hive cluster, over its primary's control socket
 * (`status`, `reload`, `scale <n>`; `--pid` picks a primary when several run). Exit code 0 when
 * done, 1 when the primary refused or could not be reached, 2 for a bad command line.
 */
import { connect } from 'node:net';
import { type ControlReply, type ControlRequest, isControlReply } from '../control/control-protocol.js';
import { controlDirectory, controlSocketPath, runningPrimaries } from '../control/control-socket.js';
import { CliUsageError, USAGE, parseCliArgs } from './cli-args.js';
import { formatStatus } from './status-table.js';

/** Fails the run with a message and an exit code. */
class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The socket of the primary to talk to. */
function pickPrimary(pid: number | undefined): string {
  const directory = controlDirectory();
  const running = runningPrimaries(directory);
  if (pid !== undefined) {
    if (!running.includes(pid)) {
      throw new CliFailure(`No nest-hive primary with pid ${pid} has a control socket in ${directory}.`, 1);
    }
    return controlSocketPath(pid, directory);
  }
  if (running.length === 0) {
    throw new CliFailure(
      `No running nest-hive primary found in ${directory}. Is the cluster started (with bootstrapCluster's ` +
        'controlSocket on), by this user, with the same NEST_HIVE_CONTROL_DIR?',
      1,
    );
  }
  if (running.length > 1) {
    throw new CliFailure(
      `Several nest-hive primaries run (pids ${running.join(', ')}): pick one with --pid.`,
      2,
    );
  }
  return controlSocketPath(running[0], directory);
}

/** Sends one request and reads its reply. */
function ask(path: string, request: ControlRequest): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(path, () => socket.write(`${JSON.stringify(request)}\n`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', (error) =>
      reject(new CliFailure(`Cannot reach the primary at ${path}: ${error.message}`, 1)),
    );
    socket.on('end', () => {
      try {
        const reply: unknown = JSON.parse(text);
        if (isControlReply(reply)) resolve(reply);
        else reject(new CliFailure('The primary answered something this nest-hive does not understand.', 1));
      } catch {
        reject(new CliFailure('The primary closed the connection without an answer.', 1));
      }
    });
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCliArgs(argv);
  if (command.command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const path = pickPrimary(command.pid);
  const request: ControlRequest =
    command.command === 'scale'
      ? { command: 'scale', workers: command.workers }
      : { command: command.command };
  const reply = await ask(path, request);
  if (!reply.ok) throw new CliFailure(`The primary refused: ${reply.error}`, 1);
  if (command.command === 'status' && reply.status) {
    console.log(
      command.json ? JSON.stringify(reply.status, null, 2) : formatStatus(reply.status, Date.now()),
    );
  } else if (command.command === 'reload') {
    console.log('Rolling restart done: every worker was replaced.');
  } else if (command.command === 'scale') {
    console.log(`Scaled to ${command.workers} worker${command.workers === 1 ? '' : 's'}.`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof CliUsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof CliFailure) {
      console.error(error.message);
      process.exitCode = error.exitCode;
    } else {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    }
  },
);
