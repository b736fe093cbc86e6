import { readFileSync } from 'node:fs';
import { startDemoCluster } from './demo-cluster.js';
import { demoDevices, type DemoDevice } from './demo-devices.js';
import { exitWithin } from './exit-within.js';

/** A session file the demo wrote, and the sessions in it. */
export interface DemoSessionFile {
  /** The file's bytes after a graceful stop. */
  readonly content: Buffer;
  /** The logged-in devices whose sessions it holds. */
  readonly devices: readonly DemoDevice[];
  /** The visit count each device's session holds, by index. */
  readonly visits: readonly number[];
}

/**
 * Runs the demo (`workers` workers) on `db`, logs `count` users in through Passport, counts a
 * few visits in each session (device `i` gets `i + 1`), then stops it with SIGTERM: a real file,
 * whose last frame is the last visit of the last device.
 */
export async function writeDemoSessionFile(
  db: string,
  workers: number,
  count: number,
): Promise<DemoSessionFile> {
  const demo = await startDemoCluster(workers, { SESSION_DB: db });
  try {
    const { login, visit } = demoDevices(() => demo.url);
    const devices: DemoDevice[] = [];
    const visits: number[] = [];
    for (let i = 0; i < count; i++) {
      const device = await login(`owner${i}`, `Device/${i}`);
      let seen = 0;
      for (let n = 0; n <= i; n++) seen = await visit(device);
      devices.push(device);
      visits.push(seen);
    }
    demo.process.signal('SIGTERM');
    const { code } = await exitWithin(demo.process, 15_000);
    if (code !== 0) throw new Error(`the demo exited with ${code}:\n${demo.process.output()}`);
    return { content: readFileSync(db), devices, visits };
  } finally {
    await demo.stop();
  }
}
