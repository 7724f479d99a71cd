// k6 load test of archibald-realtime: users × devices from a scenario file (the same files
// archibald-load reads), REST writes, end-to-end latency to the user's other devices.
//   k6 run -e BASE_URL=http://localhost:3000 -e JWT_SECRET=... -e SCENARIO=load websocket-load.js
//   SCENARIO: load (tiers 10/20/30/50 users) | large (scale); SCALE=0.05 shortens every stage.
import { k6Options, scenarioFiles } from './lib/archibald.js';
import { deviceConfig, runDevice, runInfo, summaryFiles } from './lib/device.js';

const name = __ENV.SCENARIO || 'load';
const scenario = JSON.parse(open(`./scenarios/${scenarioFiles[name] || name}.json`));

export const options = k6Options(scenario, { scale: Number(__ENV.SCALE || 1), kind: 'load' });

const config = deviceConfig(scenario, options);

export function setup() {
  return runInfo();
}

export default function (run) {
  runDevice(config, run);
}

export function handleSummary(data) {
  return summaryFiles(data, `websocket-load-${name}`);
}
