// k6 load test of archibald-realtime: users × devices from a scenario file (the same files
// archibald-load reads), REST writes, end-to-end latency to the user's other devices.
//   k6 run -e BASE_URL=http://localhost:3000 -e JWT_SECRET=... -e SCENARIO=load websocket-load.js
//   SCENARIO: load (tiers 10/20/30/50 users) | large (scale); SCALE=0.05 shortens every stage.
import { scenarioFiles } from './lib/archibald.js';
import { k6Script } from './lib/device.js';

const name = __ENV.SCENARIO || 'load';
const script = k6Script(open(`./scenarios/${scenarioFiles[name] || name}.json`),
  { kind: 'load', summary: `websocket-load-${name}` });

export const options = script.options;
export const setup = script.setup;
export const handleSummary = script.handleSummary;
export default script.run;
