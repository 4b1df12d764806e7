// `--json`: every command's last stdout line is one JSON object, {"command", "model"?, "config"?, "metrics", ...}.
// Accuracies are fractions, times seconds; keys are snake_case (as TensorBoard and Keras history keys).

export interface JsonLine {
  command: string;
  model?: string;
  config?: Record<string, unknown>;
  /** Numbers; `runs` lists its runs' summaries here (`metrics.runs`). */
  metrics: Record<string, number | null | readonly object[]>;
  [key: string]: unknown;
}

/** Prints `line` as the command's final stdout line (no pretty-printing: one line, always). */
export function printJsonLine(line: JsonLine): void {
  console.log(JSON.stringify(line));
}
