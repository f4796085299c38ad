/**
 * The V8 CPU profile format, as `Profiler.stop` returns it and as `.cpuprofile` files hold it
 * (Chrome DevTools, VS Code and speedscope open these). Times are in microseconds.
 */
export interface CpuProfileCallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  /** 0-based; -1 for V8's own nodes such as `(root)`. */
  lineNumber: number;
  /** 0-based. */
  columnNumber: number;
}

export interface CpuProfileNode {
  id: number;
  callFrame: CpuProfileCallFrame;
  hitCount?: number;
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  /** The node id on top of the stack at each sample. */
  samples: number[];
  /** Microseconds since the previous sample (the first: since `startTime`). */
  timeDeltas: number[];
}
