import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Node's `gc()`, made available without `--expose-gc` on the command line. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap in use (bytes) after full garbage collections. */
export async function heapUsedAfterGc(): Promise<number> {
  const gc = collector();
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}
