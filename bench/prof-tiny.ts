import { flightsBatch, loadFlights } from './data/flights.js';
import {
  flightsEngine,
  hourSpan,
  originAirports,
  plateWorkflow,
} from './data/flights-workflows.js';
const { flights } = await loadFlights({ sample: 10_000 });
const columns = flightsBatch(flights);
const span = hourSpan(flights);
const airports = originAirports(flights);
for (let r = 0; r < 20; r++) {
  const engine = await flightsEngine(columns, span, airports);
  const t0 = performance.now();
  await plateWorkflow(engine, 'p').execute(span);
  if (r % 5 === 0) console.log('tiny plates', (performance.now() - t0).toFixed(1), 'ms');
  await engine.close();
}
