// The part of `cli-progress` (which ships no types) that the CLI uses.
declare module 'cli-progress' {
  export interface Options {
    format?: string;
    barsize?: number;
    hideCursor?: boolean;
    clearOnComplete?: boolean;
    stopOnComplete?: boolean;
    etaBuffer?: number;
    fps?: number;
    stream?: NodeJS.WritableStream;
    noTTYOutput?: boolean;
    barCompleteChar?: string;
    barIncompleteChar?: string;
  }
  export interface Preset {
    barCompleteChar: string;
    barIncompleteChar: string;
    format?: string;
  }
  export class SingleBar {
    constructor(options: Options, preset?: Preset);
    start(total: number, startValue: number, payload?: Record<string, unknown>): void;
    update(value: number, payload?: Record<string, unknown>): void;
    stop(): void;
  }
  export const Presets: { shades_classic: Preset; shades_grey: Preset; legacy: Preset; rect: Preset };
  const cliProgress: { SingleBar: typeof SingleBar; Presets: typeof Presets };
  export default cliProgress;
}
