export interface Target {
  readonly description: string;
  readonly measured: string;
  readonly ok: boolean;
}

export interface SuiteResult {
  readonly text: string;
  readonly json: unknown;
  readonly targets?: readonly Target[];
}

export interface BenchSuite {
  readonly name: string;
  readonly title: string;
  run(outDir: string): Promise<SuiteResult>;
}
