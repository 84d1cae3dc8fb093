/**
 * A seeded pseudo-random source for generated sample data. It uses 32-bit integer arithmetic
 * only (a Weyl sequence through the MurmurHash3 finaliser), and its users keep to exact
 * arithmetic too, so that one seed gives the same rows on every platform and Node.js version.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new Error(`the seed must be an integer, not ${seed}`);
    this.state = seed >>> 0;
  }

  /** The next value in [0, 1). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 0x1_0000_0000;
  }

  /** A whole number from `min` to `max`, both included. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One of `choices`, each as likely as its whole-number weight. */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let ticket = Math.floor(this.next() * total);
    for (const [choice, weight] of choices) {
      if (ticket < weight) return choice;
      ticket -= weight;
    }
    throw new Error('weighted() needs at least one positive weight');
  }
}
