// Pipeline cache keyed by KernelSpec.key. Pipelines are created synchronously (so that realizing a graph
// and an optimizer step need no await); the compile check runs asynchronously and is reported, with the
// shader's name and WGSL line, at the next await point (readback) — like errors of queued GPU work.
import type { KernelSpec } from '../kernels/types.js';
import { InternalError, ShaderCompileError } from '../core/errors.js';

const dumpWgsl = typeof process !== 'undefined' && process.env?.SHADERGRAD_DUMP_WGSL === '1';

/**
 * Pipelines kept (least recently used dropped first). A model uses tens; shapes that change every step
 * (a new batch size each time) would otherwise add ~17 pipelines and megabytes of compiled code per shape
 * forever. A cached plan holds its own pipelines, so dropping one here never breaks a plan in use.
 */
export const MAX_CACHED_PIPELINES = 512;

export class PipelineCache {
  private pipelines = new Map<string, GPUComputePipeline>();
  private layouts = new Map<string, GPUBindGroupLayout>();
  private codeByKey = new Map<string, string>();
  /** Compile checks not yet awaited; `checkCompiled()` drains them. */
  private pending: Promise<void>[] = [];
  constructor(private device: GPUDevice, private readonly maxPipelines = MAX_CACHED_PIPELINES) {}

  get size(): number {
    return this.pipelines.size;
  }

  /** Returns the pipeline for a kernel, creating it on first use; compile errors surface in checkCompiled(). */
  getSync(spec: KernelSpec): GPUComputePipeline {
    const hit = this.pipelines.get(spec.key);
    if (hit) {
      if (this.codeByKey.get(spec.key) !== spec.code) throw new InternalError(`kernel key ${spec.key} names two different shaders`);
      this.pipelines.delete(spec.key); // re-insert: most recently used last
      this.pipelines.set(spec.key, hit);
      return hit;
    }
    if (this.pipelines.size >= this.maxPipelines) {
      const oldest = this.pipelines.keys().next().value as string;
      this.pipelines.delete(oldest);
      this.codeByKey.delete(oldest);
    }
    if (dumpWgsl) console.log(`// ---- ${spec.key}\n${spec.code}`);
    const module = this.device.createShaderModule({ code: spec.code, label: spec.key });
    this.pending.push(compileCheck(module, spec));
    const pipeline = this.device.createComputePipeline({
      label: spec.key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [this.layoutFor(spec)] }),
      compute: { module, entryPoint: 'main' },
    });
    this.pipelines.set(spec.key, pipeline);
    this.codeByKey.set(spec.key, spec.code);
    return pipeline;
  }

  /** Like getSync, but waits for the compile check. */
  async get(spec: KernelSpec): Promise<GPUComputePipeline> {
    const p = this.getSync(spec);
    await this.checkCompiled();
    return p;
  }

  /** Throws the first ShaderCompileError among pipelines created since the last check. */
  async checkCompiled(): Promise<void> {
    const checks = this.pending;
    this.pending = [];
    await Promise.all(checks);
  }

  /** Explicit layouts (not 'auto') so that bindings the shader does not use still validate. */
  layoutFor(spec: KernelSpec): GPUBindGroupLayout {
    const sig = spec.bindings.join(',') + (spec.params ? ',uniform' : '');
    let layout = this.layouts.get(sig);
    if (!layout) {
      const entries: GPUBindGroupLayoutEntry[] = spec.bindings.map((access, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: access === 'read' ? 'read-only-storage' : 'storage' },
      }));
      if (spec.params) entries.push({ binding: spec.bindings.length, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } });
      layout = this.device.createBindGroupLayout({ entries, label: sig });
      this.layouts.set(sig, layout);
    }
    return layout;
  }
}

async function compileCheck(module: GPUShaderModule, spec: KernelSpec): Promise<void> {
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length === 0) return;
  const lines = spec.code.split('\n');
  const text = errors.map((m) => `line ${m.lineNum}:${m.linePos}: ${m.message}\n    ${lines[m.lineNum - 1]?.trim() ?? ''}`).join('\n');
  throw new ShaderCompileError(`WGSL compile error in shader ${spec.key}:\n${text}`);
}
