// Time as a dependency: domain functions take a Clock so that tests control it.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
