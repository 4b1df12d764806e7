// What this browser's WebGPU is: adapter, features, limits, or why there is none. Never throws.

export interface WebGPUReport {
  available: boolean;
  /** Why WebGPU is missing (when it is). */
  reason?: string;
  adapter?: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter: boolean };
  features: string[];
  limits: Record<string, number>;
}

/** How to get WebGPU, for the page that has none. */
export const HOW_TO_ENABLE = [
  'Use Chrome or Edge 113 or newer (WebGPU is on by default on Windows, macOS and ChromeOS; on Linux and Android it may still need a flag), Safari 26+, or Firefox 141+ on Windows.',
  'On Linux Chrome/Chromium: open chrome://flags/#enable-unsafe-webgpu, enable it and restart (or start it with --enable-unsafe-webgpu; headless machines also need a Vulkan driver such as Mesa lavapipe).',
  'WebGPU only exists on secure pages: open the demo from http://localhost (npm run demo) or https, not from a file:// URL or a plain-http LAN address.',
  'If the adapter is blocked, check chrome://gpu for "WebGPU: Hardware accelerated"; chrome://flags/#ignore-gpu-blocklist may help.',
];

function adapterInfo(adapter: GPUAdapter): NonNullable<WebGPUReport['adapter']> {
  const info = (adapter.info ?? {}) as Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean };
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
  };
}

/** A readable one-line adapter name ("google swiftshader", "nvidia ampere: NVIDIA GeForce RTX 3080"). */
export function adapterName(a: NonNullable<WebGPUReport['adapter']>): string {
  const head = [a.vendor, a.architecture].filter(Boolean).join(' ');
  const tail = [a.device, a.description].filter((s) => s && !head.includes(s)).join(', ');
  return [head, tail].filter(Boolean).join(': ') || 'unnamed adapter';
}

export async function probeWebGPU(): Promise<WebGPUReport> {
  const none = (reason: string): WebGPUReport => ({ available: false, reason, features: [], limits: {} });
  try {
    if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) {
      return none(
        typeof isSecureContext !== 'undefined' && !isSecureContext
          ? 'this page is not a secure context (WebGPU needs https or localhost)'
          : 'this browser has no navigator.gpu (WebGPU is not supported or is disabled)',
      );
    }
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return none('navigator.gpu.requestAdapter() returned null: WebGPU exists but no GPU adapter is available (blocked or no driver)');
    const limits: Record<string, number> = {};
    // limits are getters on the prototype: walk it rather than Object.keys
    for (const key in adapter.limits) {
      const v = (adapter.limits as unknown as Record<string, unknown>)[key];
      if (typeof v === 'number') limits[key] = v;
    }
    return { available: true, adapter: adapterInfo(adapter), features: [...(adapter.features as unknown as Iterable<string>)].sort(), limits };
  } catch (e) {
    return none(`probing WebGPU failed: ${(e as Error).message}`);
  }
}
