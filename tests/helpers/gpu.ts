// One GPU device for a test file: init before, destroy after (so the worker can exit).
import { afterAll, beforeAll } from 'vitest';
import * as sg from '../../src/node/index.js';

export function useGpu(): typeof sg {
  beforeAll(async () => {
    await sg.init();
  });
  afterAll(() => {
    sg.destroy();
  });
  return sg;
}
