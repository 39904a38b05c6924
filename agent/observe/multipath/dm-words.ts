/**
 * A cursor over the space-separated words of one device-mapper table or status line.
 * dm-multipath lines are self-describing: every variable-length part is "<count> <words...>",
 * so parsers read counts and take exactly that many words, never guess by position.
 * Every failure throws ParseError naming the source, the word index and what was expected.
 */
import { ParseError } from '../../model/errors';

export class DmWords {
  private readonly words: readonly string[];
  private index = 0;

  /** `source` names the input in errors, e.g. `dmsetup status mpatha`. */
  constructor(
    line: string,
    private readonly source: string,
  ) {
    this.words = line.split(/[ \t]+/).filter((w) => w.length > 0);
  }

  get position(): number {
    return this.index;
  }

  atEnd(): boolean {
    return this.index >= this.words.length;
  }

  /** The next word; throws if the line ended. */
  word(what: string): string {
    const w = this.words[this.index];
    if (w === undefined) throw this.error(`expected ${what}, found end of line`);
    this.index++;
    return w;
  }

  /** The next word as a non-negative decimal integer. */
  uint(what: string): number {
    const w = this.word(what);
    if (!/^\d{1,15}$/.test(w))
      throw this.error(`expected ${what} (an unsigned integer), found ${JSON.stringify(w)}`, -1);
    return Number(w);
  }

  /** The next word as one of `choices`. */
  oneOf<T extends string>(what: string, choices: readonly T[]): T {
    const w = this.word(what);
    if (!(choices as readonly string[]).includes(w)) {
      throw this.error(`expected ${what} (${choices.join('|')}), found ${JSON.stringify(w)}`, -1);
    }
    return w as T;
  }

  /** The next word as a device number `MAJ:MIN`. */
  devT(what: string): string {
    const w = this.word(what);
    if (!/^\d{1,4}:\d{1,7}$/.test(w))
      throw this.error(`expected ${what} (MAJ:MIN), found ${JSON.stringify(w)}`, -1);
    return w;
  }

  /** `n` words. */
  take(n: number, what: string): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.word(what));
    return out;
  }

  /** A counted group: `<count> <count words>`. */
  counted(what: string): string[] {
    const n = this.uint(`${what} count`);
    return this.take(n, what);
  }

  /** Throws unless every word was consumed. */
  expectEnd(): void {
    if (!this.atEnd()) {
      throw this.error(
        `unexpected trailing words: ${JSON.stringify(this.words.slice(this.index).join(' '))}`,
      );
    }
  }

  /** A ParseError at the current word (or `offset` words from it). */
  error(message: string, offset = 0): ParseError {
    const word = this.index + offset;
    return new ParseError(`${this.source}: word ${word + 1}: ${message}`, {
      source: this.source,
      word: word + 1,
    });
  }
}
