import { flightsBatch, loadFlights } from './data/flights.js';
import { sliceBatch, takeRows, fieldColumn } from '../src/streams/batch.js';
import { keyTargets, partitionRows } from '../src/tools/columnar-support.js';
const { flights } = await loadFlights();
const b = flightsBatch(flights);
for (let r = 0; r < 5; r++) {
  let t0 = performance.now();
  let rows = 0;
  for (let i = 0; i < b.length; i += 65536) {
    const chunk = sliceBatch(b, i, Math.min(b.length, i + 65536));
    const targets = keyTargets(fieldColumn(chunk.values, 'origin'), (k) => (k as string).charCodeAt(0) % 229);
    const parts = partitionRows(chunk, targets, 229);
    for (const p of parts) rows += p?.length ?? 0;
  }
  console.log('partition', (performance.now() - t0).toFixed(1), rows);
}
