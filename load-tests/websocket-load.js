// k6 load test of archibald-realtime: users × devices from a scenario file (the same files
// archibald-load reads), REST writes, end-to-end latency and loss on the users' devices.
//   k6 run -e BASE_URL=http://localhost:3000 -e JWT_SECRET=... -e SCENARIO=load websocket-load.js
//   SCENARIO: load | small | medium (tiers 10/20/30/50 users) | large (scale);
//   SCALE=0.05 shortens every stage, USERS_SCALE=0.1 runs a tenth of the users.
import { scenarioFiles } from './lib/options.js';
import { k6Script } from './lib/user.js';

const name = __ENV.SCENARIO || 'load';
const script = k6Script(open(`./scenarios/${scenarioFiles[name] || name}.json`), `websocket-load-${name}`);

export const options = script.options;
export const setup = script.setup;
export const handleSummary = script.handleSummary;
export default script.run;
