// Pipeline cache keyed by KernelSpec.key; compile errors become ShaderCompileError with the WGSL line.
import type { KernelSpec } from '../kernels/types.js';
import { ShaderCompileError } from './errors.js';

const dumpWgsl = typeof process !== 'undefined' && process.env?.SHADERGRAD_DUMP_WGSL === '1';

export class PipelineCache {
  private pipelines = new Map<string, GPUComputePipeline>();
  private layouts = new Map<string, GPUBindGroupLayout>();
  private codeByKey = new Map<string, string>();
  constructor(private device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  /** Returns the pipeline for a kernel, compiling and checking it on first use. */
  async get(spec: KernelSpec): Promise<GPUComputePipeline> {
    const hit = this.pipelines.get(spec.key);
    if (hit) {
      if (this.codeByKey.get(spec.key) !== spec.code) throw new Error(`kernel key ${spec.key} names two different shaders`);
      return hit;
    }
    if (dumpWgsl) console.log(`// ---- ${spec.key}\n${spec.code}`);
    const module = this.device.createShaderModule({ code: spec.code, label: spec.key });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      const lines = spec.code.split('\n');
      const text = errors
        .map((m) => `line ${m.lineNum}:${m.linePos}: ${m.message}\n    ${lines[m.lineNum - 1]?.trim() ?? ''}`)
        .join('\n');
      throw new ShaderCompileError(`WGSL compile error in shader ${spec.key}:\n${text}`);
    }
    const layout = this.layoutFor(spec);
    this.device.pushErrorScope('validation');
    const pipeline = await this.device.createComputePipelineAsync({
      label: spec.key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    }).catch((e: Error) => {
      throw new ShaderCompileError(`pipeline creation failed for shader ${spec.key}: ${e.message}`);
    });
    const err = await this.device.popErrorScope();
    if (err) throw new ShaderCompileError(`pipeline creation failed for shader ${spec.key}: ${err.message}`);
    this.pipelines.set(spec.key, pipeline);
    this.codeByKey.set(spec.key, spec.code);
    return pipeline;
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
