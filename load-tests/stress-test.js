// k6 stress tests of archibald-realtime: spike, soak and breakpoint from the scenario files
// (the same archibald-load reads, with the same thresholds); breakpoint judges every users
// level on its own samples and aborts at the first that fails (exit 99): the summary names the
// last level that held.
//   k6 run -e BASE_URL=http://localhost:3000 -e JWT_SECRET=... -e SCENARIO=spike stress-test.js
//   SCENARIO: spike | soak | breakpoint; SCALE=0.05 shortens every stage, USERS_SCALE=0.02 runs
//   a fiftieth of the users.
import { scenarioFiles } from './lib/options.js';
import { k6Script } from './lib/user.js';

const name = __ENV.SCENARIO || 'spike';
const script = k6Script(open(`./scenarios/${scenarioFiles[name] || name}.json`), `stress-${name}`);

export const options = script.options;
export const setup = script.setup;
export const handleSummary = script.handleSummary;
export default script.run;
