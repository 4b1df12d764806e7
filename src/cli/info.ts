// `shadergrad info`: which adapter shadergrad gets here, what it supports and its limits.
import { dawnGPU } from '../node/gpu.js';
import { acquireDevice } from '../runtime/device.js';
import { printJsonLine } from './json-line.js';

export async function info(options: { json: boolean }): Promise<void> {
  // The same adapter and device request as sg.init() makes in Node, without the rest of the runtime.
  const rt = await acquireDevice({ gpu: dawnGPU() });
  try {
    const a = rt.adapter.info ?? ({} as GPUAdapterInfo);
    const limits: Record<string, number> = {};
    // GPUSupportedLimits' fields are prototype getters: walk the prototype, not Object.keys.
    for (const key of Object.keys(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(rt.device.limits))).sort()) {
      const v = (rt.device.limits as unknown as Record<string, unknown>)[key];
      if (typeof v === 'number') limits[key] = v;
    }
    const report = {
      adapter: rt.caps.description,
      vendor: a.vendor,
      architecture: a.architecture,
      device: a.device,
      description: a.description,
      software: rt.caps.isSoftware,
      adapterFeatures: [...(rt.adapter.features as unknown as Iterable<string>)].sort(),
      deviceFeatures: [...rt.caps.features].sort(),
      subgroupSizes: rt.caps.subgroupMinSize === undefined ? null : [rt.caps.subgroupMinSize, rt.caps.subgroupMaxSize],
      limits,
    };
    if (options.json) {
      printJsonLine({ command: 'info', ...report, metrics: { subgroup_min_size: report.subgroupSizes?.[0] ?? null, subgroup_max_size: report.subgroupSizes?.[1] ?? null, max_storage_buffer_binding_size: limits.maxStorageBufferBindingSize ?? null } });
      return;
    }
    console.log(`adapter      ${report.adapter}${report.software ? '  (software: a CPU implementation)' : ''}`);
    for (const k of ['vendor', 'architecture', 'device', 'description'] as const) if (report[k]) console.log(`${k.padEnd(13)}${report[k]}`);
    console.log(`features     ${report.deviceFeatures.join(', ') || '(none)'}`);
    const unused = report.adapterFeatures.filter((f) => !rt.caps.features.has(f));
    if (unused.length) console.log(`not enabled  ${unused.join(', ')}`);
    if (report.subgroupSizes) console.log(`subgroups    ${report.subgroupSizes[0]}..${report.subgroupSizes[1]}`);
    console.log('limits (device, as requested from the adapter)');
    const width = Math.max(...Object.keys(limits).map((k) => k.length));
    for (const [k, v] of Object.entries(limits)) console.log(`  ${k.padEnd(width)}  ${v.toLocaleString('en-US')}`);
  } finally {
    rt.device.destroy();
  }
}
