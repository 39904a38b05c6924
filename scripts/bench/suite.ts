export interface Target {
  readonly description: string;
  readonly measured: string;
  readonly ok: boolean;
}

/** A simulator scenario's line in sim-summary: aggregate ratio to ideal per policy, and its targets. */
export interface ScenarioOutcome {
  readonly scenario: string;
  readonly ratios: readonly { readonly policy: string; readonly totalRatio: number }[];
  readonly targets: readonly Target[];
}

export interface SuiteResult {
  readonly text: string;
  readonly json: unknown;
  readonly targets?: readonly Target[];
  /** Set by simulator scenario suites, for sim-summary (also when the suite ran in a child process). */
  readonly outcome?: ScenarioOutcome;
}

export interface BenchSuite {
  readonly name: string;
  readonly title: string;
  /**
   * Run in a process of its own when every suite runs: it leaves a large heap behind (the 16×
   * snapshot host: ~2 GB), which slowed the suites after it (sim-scale: 5.7 s alone, 10.2 s after).
   */
  readonly isolated?: boolean;
  run(outDir: string): Promise<SuiteResult>;
}
