// Named numbers every thread serving clients shares (running statements of a limit rule, a user's sessions).

/** One shared number: `add` returns the value after adding. */
export interface SharedGauge {
  add(delta: number): number;
  get(): number;
}

/** Gauges of a server whose one thread serves every client. */
export class LocalGauges {
  private readonly values = new Map<string, { v: number }>();

  gauge(name: string): SharedGauge {
    let cell = this.values.get(name);
    if (!cell) this.values.set(name, (cell = { v: 0 }));
    const c = cell;
    return { add: (d) => (c.v += d), get: () => c.v };
  }
}
