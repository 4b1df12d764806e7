// Parity page: the seeded run of src/demo-kit/parity.ts, losses shown and published as sgDemo.parityLosses.
import * as sg from '../../src/index.js';
import { bootDemo, byId, demo, el, setState, showError } from '../../src/demo-kit/page.js';
import { seededMlpLosses } from '../../src/demo-kit/parity.js';

async function main(): Promise<void> {
  if (!(await bootDemo())) return;
  setState('running');
  const losses = await seededMlpLosses(sg);
  byId('losses').replaceChildren(...losses.map((l, i) => el('tr', {}, el('td', {}, String(i + 1)), el('td', {}, l.toPrecision(8)))));
  demo.parityLosses = losses;
  demo.step = losses.length;
  demo.loss = losses[losses.length - 1];
  setState('done');
}

main().catch(showError);
