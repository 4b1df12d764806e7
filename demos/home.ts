// The landing page (index.html): this browser's WebGPU adapter, features and limits, or how to get WebGPU.
import { adapterName, probeWebGPU } from '../src/demo-kit/webgpu.js';
import { byId, demo, el, explainNoWebGPU, setState } from '../src/demo-kit/page.js';

async function main(): Promise<void> {
  const report = await probeWebGPU();
  demo.webgpu = report;
  const status = byId('gpu-status');
  if (!report.available) {
    explainNoWebGPU(status, report.reason!);
    setState('no-webgpu');
    return;
  }
  const a = report.adapter!;
  status.replaceChildren(el('span', { class: 'ok' }, '● WebGPU is available'), `: ${adapterName(a)}${a.isFallbackAdapter ? ' (a software fallback adapter: it works, slowly)' : ''}`);
  byId('gpu-details').replaceChildren(
    el('details', {},
      el('summary', {}, `${report.features.length} features, ${Object.keys(report.limits).length} limits`),
      el('p', {}, el('b', {}, 'Features: '), report.features.join(', ') || 'none beyond core'),
      el('table', {},
        el('thead', {}, el('tr', {}, el('th', {}, 'limit'), el('th', {}, 'value'))),
        el('tbody', {}, ...Object.entries(report.limits).map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v.toLocaleString('en-US'))))),
      ),
    ),
  );
  setState('ready');
}

main().catch((e) => {
  // probeWebGPU never throws; anything here is a bug in this page, shown rather than hidden
  byId('gpu-status').textContent = `Could not read WebGPU's details: ${(e as Error).message}`;
  setState('error');
});
