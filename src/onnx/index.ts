// sg.onnx: export trained models to ONNX, and import ONNX models for inference with our ops.
export { exportModel, EXPORT_RULES } from './export.js';
export type { ExportOptions, ExportRule, ExportContext, Value } from './export.js';
export { importModel, OnnxModel, IMPORT_RULES } from './import.js';
