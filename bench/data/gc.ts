// Full garbage collections: before a timed sample, so one sample's garbage is not collected in the
// next one's time, and while measuring how much memory a streaming read holds.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/** A full GC, even without --expose-gc (V8 lets the flag be enabled at run time). */
export function collectGarbage(): void {
  if (!gc) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) gc = exposed;
    else {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
  }
  gc();
}

/**
 * The most the live heap grows (MiB, after a full GC every `every` batches) while `read` runs:
 * garbage not yet collected does not count as memory the read holds. Untimed.
 */
export async function heapGrowthWhile(
  read: (onBatch: (index: number) => void) => Promise<unknown>,
  every = 10,
): Promise<{ growthMiB: number; batches: number }> {
  collectGarbage();
  const base = process.memoryUsage().heapUsed;
  let growthMiB = 0;
  let batches = 0;
  await read((index) => {
    batches = index + 1;
    if (index % every !== 0) return;
    collectGarbage();
    growthMiB = Math.max(growthMiB, (process.memoryUsage().heapUsed - base) / 2 ** 20);
  });
  return { growthMiB, batches };
}
