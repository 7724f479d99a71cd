// k6 stress tests of archibald-realtime: spike, soak and breakpoint from the scenario files
// (the same archibald-load reads), with relaxed thresholds; breakpoint aborts at the first
// failing threshold (the users step up at one write per user per second).
//   k6 run -e BASE_URL=http://localhost:3000 -e JWT_SECRET=... -e SCENARIO=spike stress-test.js
//   SCENARIO: spike | soak | breakpoint; SCALE=0.05 shortens every stage.
import { scenarioFiles } from './lib/archibald.js';
import { k6Script } from './lib/device.js';

const name = __ENV.SCENARIO || 'spike';
const script = k6Script(open(`./scenarios/${scenarioFiles[name] || name}.json`),
  { kind: 'stress', summary: `stress-${name}` });

export const options = script.options;
export const setup = script.setup;
export const handleSummary = script.handleSummary;
export default script.run;
