// The typed error a statistic throws when a column pair cannot be tested (an empty side).

/** Thrown when a drift statistic is given input it cannot score, e.g. an empty reference or current side. */
export class DriftInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriftInputError';
  }
}
