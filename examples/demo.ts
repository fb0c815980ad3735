// `npm run demo`: HyperStream's workflow tutorial (tutorial 5) end to end.
// Run: npx tsx examples/demo.ts
import { main } from './tutorial-05.js';

await main();
