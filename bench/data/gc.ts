// A full garbage collection before a timed sample, so one sample's garbage is not collected in the
// next one's time. The runner starts scenario processes with --expose-gc; elsewhere it does nothing.

export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
