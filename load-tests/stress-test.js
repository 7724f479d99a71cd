// k6 stress tests of archibald-realtime: spike, soak and breakpoint from the scenario files
// (the same archibald-load reads), with relaxed thresholds; breakpoint aborts at the first
// failing threshold (the users step up at one write per user per second).
//   k6 run -e BASE_URL=http://localhost:3000 -e JWT_SECRET=... -e SCENARIO=spike stress-test.js
//   SCENARIO: spike | soak | breakpoint; SCALE=0.05 shortens every stage.
import { k6Options, scenarioFiles } from './lib/archibald.js';
import { deviceConfig, runDevice, runInfo, summaryFiles } from './lib/device.js';

const name = __ENV.SCENARIO || 'spike';
const scenario = JSON.parse(open(`./scenarios/${scenarioFiles[name] || name}.json`));

export const options = k6Options(scenario, { scale: Number(__ENV.SCALE || 1), kind: 'stress' });

const config = deviceConfig(scenario, options);

export function setup() {
  return runInfo();
}

export default function (run) {
  runDevice(config, run);
}

export function handleSummary(data) {
  return summaryFiles(data, `stress-${name}`);
}
