// Exact fixed-point decimal (MySQL DECIMAL) as an unscaled bigint and a scale.

/** MySQL's limits for DECIMAL(p, s). */
export const DECIMAL_PRECISION_MAX = 65;
export const DECIMAL_SCALE_MAX = 30;

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 100; i++, p *= 10n) POW10.push(p);

/** 10^n as a bigint, cached for the common range. */
export function pow10(n: number): bigint {
  return n <= 100 ? POW10[n] : 10n ** BigInt(n);
}

/**
 * An exact decimal: value = unscaled / 10^scale. Immutable. The scale is part of
 * the value because MySQL prints DECIMAL results with their declared scale
 * (SUM of DECIMAL(10,2) prints "3.50", not "3.5").
 */
/** MySQL's decimals are arrays of 9-digit words: a fraction takes whole words. */
const DIGITS_PER_WORD = 9;
/** MySQL keeps at most 81 digits in a decimal value; intermediates never need more fraction than this. */
const MAX_INTERMEDIATE_SCALE = 72;

function wordDigits(scale: number): number {
  return Math.ceil(scale / DIGITS_PER_WORD) * DIGITS_PER_WORD;
}

export class Decimal {
  constructor(readonly unscaled: bigint, readonly scale: number) {}

  static fromInt(n: number | bigint): Decimal {
    return new Decimal(typeof n === 'bigint' ? n : BigInt(n), 0);
  }

  /** Parses "-12.345", "1e3", ".5"; returns undefined when the text is not a number. */
  static parse(text: string): Decimal | undefined {
    const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) return undefined;
    const intPart = m[2] || '0';
    const frac = m[3] ?? '';
    let unscaled = BigInt(intPart + frac);
    let scale = frac.length;
    if (m[4] !== undefined) {
      const exp = parseInt(m[4], 10);
      if (Math.abs(exp) > 200) return undefined;
      if (exp >= scale) {
        unscaled *= pow10(exp - scale);
        scale = 0;
      } else {
        scale -= exp;
      }
    }
    if (m[1] === '-') unscaled = -unscaled;
    return new Decimal(unscaled, scale);
  }

  /** Converts a double exactly enough for MySQL's DOUBLE→DECIMAL casts (shortest repr). */
  static fromNumber(n: number): Decimal {
    if (Number.isInteger(n) && Number.isSafeInteger(n)) return new Decimal(BigInt(n), 0);
    const d = Decimal.parse(String(n));
    if (!d) throw new RangeError(`not a finite number: ${n}`);
    return d;
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }

  sign(): number {
    return this.unscaled > 0n ? 1 : this.unscaled < 0n ? -1 : 0;
  }

  /** Same value at another scale, rounding half away from zero when reducing (MySQL's rule). */
  withScale(scale: number): Decimal {
    if (scale === this.scale) return this;
    if (scale > this.scale) return new Decimal(this.unscaled * pow10(scale - this.scale), scale);
    const div = pow10(this.scale - scale);
    let q = this.unscaled / div;
    const r = this.unscaled % div;
    const twice = (r < 0n ? -r : r) * 2n;
    if (twice >= div) q += this.unscaled < 0n ? -1n : 1n;
    return new Decimal(q, scale);
  }

  /** Same value at a lower scale, dropping digits (TRUNCATE()). */
  truncateTo(scale: number): Decimal {
    if (scale >= this.scale) return this.withScale(scale);
    return new Decimal(this.unscaled / pow10(this.scale - scale), scale);
  }

  add(o: Decimal): Decimal {
    const s = Math.max(this.scale, o.scale);
    return new Decimal(this.withScale(s).unscaled + o.withScale(s).unscaled, s);
  }

  sub(o: Decimal): Decimal {
    const s = Math.max(this.scale, o.scale);
    return new Decimal(this.withScale(s).unscaled - o.withScale(s).unscaled, s);
  }

  mul(o: Decimal): Decimal {
    return new Decimal(this.unscaled * o.unscaled, this.scale + o.scale);
  }

  /** Division with the result scale MySQL gives: dividend scale + div_precision_increment. Undefined on zero. */
  div(o: Decimal, precisionIncrement = 4): Decimal | undefined {
    if (o.unscaled === 0n) return undefined;
    const scale = Math.min(this.scale + precisionIncrement, DECIMAL_SCALE_MAX);
    // result = a/10^sa / (b/10^sb) = a*10^sb / (b*10^sa); compute at scale+1 then round.
    const num = this.unscaled * pow10(o.scale + scale + 1);
    const den = o.unscaled * pow10(this.scale);
    const q = num / den;
    const rounded = new Decimal(q, scale + 1).withScale(scale);
    return rounded;
  }

  /**
   * The `/` operator's quotient as MySQL computes it: truncated at a scale of whole 9-digit words
   * (each operand's scale rounded up to words, plus what is left of div_precision_increment),
   * so a chain of divisions keeps those digits; the result type's scale rounds it when shown.
   */
  divInWords(o: Decimal, precisionIncrement = 4): Decimal | undefined {
    if (o.unscaled === 0n) return undefined;
    const f1 = wordDigits(this.scale);
    const f2 = wordDigits(o.scale);
    const increment = Math.max(0, precisionIncrement - (f1 - this.scale) - (f2 - o.scale));
    const scale = Math.min(wordDigits(f1 + f2 + increment), MAX_INTERMEDIATE_SCALE);
    return new Decimal((this.unscaled * pow10(o.scale + scale)) / (o.unscaled * pow10(this.scale)), scale);
  }

  /** Remainder with the sign of the dividend (MySQL MOD). Undefined on zero. */
  mod(o: Decimal): Decimal | undefined {
    if (o.unscaled === 0n) return undefined;
    const s = Math.max(this.scale, o.scale);
    return new Decimal(this.withScale(s).unscaled % o.withScale(s).unscaled, s);
  }

  neg(): Decimal {
    return new Decimal(-this.unscaled, this.scale);
  }

  abs(): Decimal {
    return this.unscaled < 0n ? this.neg() : this;
  }

  compare(o: Decimal): number {
    if (this.scale === o.scale) return this.unscaled < o.unscaled ? -1 : this.unscaled > o.unscaled ? 1 : 0;
    const s = Math.max(this.scale, o.scale);
    const a = this.withScale(s).unscaled;
    const b = o.withScale(s).unscaled;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Integer part, truncated toward zero. */
  truncInt(): bigint {
    return this.unscaled / pow10(this.scale);
  }

  floor(): bigint {
    const q = this.truncInt();
    return this.unscaled < 0n && q * pow10(this.scale) !== this.unscaled ? q - 1n : q;
  }

  ceil(): bigint {
    const q = this.truncInt();
    return this.unscaled > 0n && q * pow10(this.scale) !== this.unscaled ? q + 1n : q;
  }

  toNumber(): number {
    if (this.scale === 0) return Number(this.unscaled);
    return Number(this.toString());
  }

  /** Digits before the point (at least 1), as DECIMAL precision counts them. */
  integerDigits(): number {
    const q = this.truncInt();
    const s = (q < 0n ? -q : q).toString();
    return q === 0n ? 1 : s.length;
  }

  toString(): string {
    const neg = this.unscaled < 0n;
    let digits = (neg ? -this.unscaled : this.unscaled).toString();
    if (this.scale === 0) return neg ? '-' + digits : digits;
    if (digits.length <= this.scale) digits = '0'.repeat(this.scale - digits.length + 1) + digits;
    const cut = digits.length - this.scale;
    return (neg ? '-' : '') + digits.slice(0, cut) + '.' + digits.slice(cut);
  }
}
