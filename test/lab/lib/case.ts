/** What a lab suite exports: `cases`, run in order by test/lab/main.ts inside the guest. */
export interface CaseContext {
  /** Records a measured fact (numbers, states) into /results/facts.json under the case's name. */
  fact(key: string, value: unknown): void;
  /** Saves a file under /results/files/ (fixture captures); relPath like `3paths/multipath-ll.txt`. */
  save(relPath: string, content: string): void;
  log(message: string): void;
}

export interface LabCase {
  readonly name: string;
  /** Default 120 s. */
  readonly timeoutMs?: number;
  run(ctx: CaseContext): Promise<void>;
}
