import { flightsBatch, loadFlights } from '/work/wt-columnar/bench/data/flights.js';
import {
  flightsEngine,
  hourSpan,
  originAirports,
  plateWorkflow,
  windowWorkflow,
  HOUR,
  DAY,
} from '/work/wt-columnar/bench/data/flights-workflows.js';
const which = process.argv[2] ?? 'plates';
const { flights } = await loadFlights();
const columns = flightsBatch(flights);
const span = hourSpan(flights);
const airports = originAirports(flights);
for (let r = 0; r < Number(process.argv[3] ?? 5); r++) {
  const engine = await flightsEngine(columns, span, airports);
  (globalThis as any).gc?.();
  await new Promise((res) => setTimeout(res, 300));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  if (which === 'plates') {
    const session = await plateWorkflow(engine, 'p').execute(span);
    const by = new Map<string, [number, number]>();
    for (const p of session.pieces as any[]) {
      const e = by.get(p.factor) ?? [0, 0];
      e[0] += p.durationMs ?? 0;
      e[1]++;
      by.set(p.factor, e);
    }
    console.log([...by].map(([f, [ms, n]]) => `${f}: ${n} pieces ${ms.toFixed(0)} ms`).join('; '));
  } else if (which === 'split') {
    const w = engine.workflow('s');
    const { default: splitter } = await import('../tools/splitter/2026-11-22_v1.0.0.js');
    w.multiOutputFactor({
      tool: splitter.create({ element: 'origin' }),
      source: w.node('flights'),
      sink: w.node('s_by', { plates: ['airport'] }),
    });
    await w.execute(span);
  } else
    await windowWorkflow(engine, 'w', {
      width: which === 'sliding' ? DAY : HOUR,
      step: HOUR,
    }).execute(span);
  const c = process.cpuUsage(c0);
  console.log(
    which,
    (performance.now() - t0).toFixed(1),
    'ms wall',
    ((c.user + c.system) / 1000).toFixed(1),
    'ms cpu',
  );
  await engine.close();
}
