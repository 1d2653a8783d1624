// Random typed SQL expressions over columns in scope: arithmetic, comparison, CASE/IF/COALESCE, string, date and CAST.
import type { Random } from './random.js';
import { randomDate, randomText, randomTime, type ValueKind } from './schema.js';

export type ExprKind = ValueKind | 'bool';

/** An expression: its SQL, its kind, the construct at its top (for classes of differences) and its operands. */
export interface Expr {
  sql: string;
  kind: ExprKind;
  op: string;
  kids: Expr[];
}

/** A column in scope, e.g. `a.d` of kind dec. */
export interface ScopeColumn {
  sql: string;
  kind: ValueKind;
}

const MAX_DEPTH = 3;

function node(op: string, kind: ExprKind, sql: string, kids: Expr[] = []): Expr {
  return { sql, kind, op, kids };
}

export class ExpressionGenerator {
  constructor(private readonly r: Random, private readonly scope: ScopeColumn[]) {}

  column(kind: ValueKind): Expr | undefined {
    const cs = this.scope.filter((c) => c.kind === kind);
    if (cs.length === 0) return undefined;
    const c = this.r.pick(cs);
    return node('column', kind, c.sql);
  }

  literal(kind: ExprKind): Expr {
    const r = this.r;
    if (r.chance(0.05) && kind !== 'bool') return node('NULL', kind, 'NULL');
    switch (kind) {
      case 'int': return node('literal', kind, String(r.int(-20, 20)));
      case 'uint': return node('literal', kind, String(r.int(0, 50)));
      case 'dec': return node('literal', kind, `${r.int(-99, 99)}.${String(r.int(0, 99)).padStart(2, '0')}`);
      case 'dbl': return node('literal', kind, `${r.int(-40, 40) / 4}e0`);
      case 'str': return node('literal', kind, `'${randomText(r, 6)}'`);
      case 'date': return node('literal', kind, `DATE '${randomDate(r)}'`);
      case 'dt': return node('literal', kind, `TIMESTAMP '${randomDate(r)} ${randomTime(r)}'`);
      case 'time': return node('literal', kind, `TIME '${randomTime(r)}'`);
      case 'bool': return node('literal', kind, r.pick(['TRUE', 'FALSE']));
    }
  }

  /** A leaf: a column of the kind when one is in scope (mostly), else a literal. */
  leaf(kind: ExprKind): Expr {
    if (kind !== 'bool' && this.r.chance(0.75)) {
      const c = this.column(kind);
      if (c) return c;
    }
    return this.literal(kind);
  }

  expr(kind: ExprKind, depth = 0): Expr {
    if (depth >= MAX_DEPTH || this.r.chance(0.3 + depth * 0.2)) {
      return kind === 'bool' ? this.comparison(depth) : this.leaf(kind);
    }
    switch (kind) {
      case 'int': return this.intExpr(depth + 1);
      case 'uint': return this.uintExpr(depth + 1);
      case 'dec': return this.decExpr(depth + 1);
      case 'dbl': return this.dblExpr(depth + 1);
      case 'str': return this.strExpr(depth + 1);
      case 'date': return this.dateExpr(depth + 1);
      case 'dt': return this.dtExpr(depth + 1);
      case 'time': return this.timeExpr(depth + 1);
      case 'bool': return this.boolExpr(depth + 1);
    }
  }

  private fn(op: string, kind: ExprKind, args: Expr[], sqlOf?: (a: string[]) => string): Expr {
    const a = args.map((x) => x.sql);
    return node(op, kind, sqlOf ? sqlOf(a) : `${op}(${a.join(', ')})`, args);
  }

  private bin(op: string, kind: ExprKind, x: Expr, y: Expr): Expr {
    return node(op, kind, `(${x.sql} ${op} ${y.sql})`, [x, y]);
  }

  /** The conditional forms every kind has: IF, CASE, COALESCE, IFNULL, NULLIF. */
  private conditional(kind: ExprKind, d: number, other?: ExprKind): Expr {
    const o = other ?? kind;
    switch (this.r.int(0, 4)) {
      case 0: return this.fn('IF', kind, [this.expr('bool', d), this.expr(kind, d), this.expr(o, d)]);
      case 1: {
        const c1 = this.expr('bool', d); const v1 = this.expr(kind, d); const v2 = this.expr(o, d);
        return node('CASE', kind, `CASE WHEN ${c1.sql} THEN ${v1.sql} ELSE ${v2.sql} END`, [c1, v1, v2]);
      }
      case 2: return this.fn('COALESCE', kind, [this.expr(kind, d), this.expr(o, d)]);
      case 3: return this.fn('IFNULL', kind, [this.expr(kind, d), this.expr(o, d)]);
      default: {
        const s = this.expr(kind, d); const w = this.expr(kind, d); const v1 = this.expr(kind, d); const v2 = this.expr(o, d);
        return node('CASE-simple', kind, `CASE ${s.sql} WHEN ${w.sql} THEN ${v1.sql} ELSE ${v2.sql} END`, [s, w, v1, v2]);
      }
    }
  }

  private intExpr(d: number): Expr {
    const r = this.r;
    switch (r.int(0, 17)) {
      case 0: return this.bin('+', 'int', this.expr('int', d), this.expr('int', d));
      case 1: return this.bin('-', 'int', this.expr('int', d), this.expr('int', d));
      case 2: return this.bin('*', 'int', this.expr('int', d), this.literal('int'));
      case 3: return this.bin('DIV', 'int', this.expr('int', d), this.expr('int', d));
      case 4: return this.bin('%', 'int', this.expr('int', d), this.expr('int', d));
      case 5: return this.fn(r.pick(['ABS', 'SIGN']), 'int', [this.expr('int', d)]);
      case 6: return this.fn(r.pick(['LENGTH', 'CHAR_LENGTH', 'ASCII']), 'int', [this.expr('str', d)]);
      case 7: return this.fn(r.pick(['YEAR', 'MONTH', 'DAYOFMONTH', 'DAYOFWEEK', 'DAYOFYEAR', 'QUARTER', 'TO_DAYS']), 'int', [this.expr(r.pick(['date', 'dt'] as const), d)]);
      case 8: return this.fn(r.pick(['HOUR', 'MINUTE', 'SECOND']), 'int', [this.expr(r.pick(['time', 'dt'] as const), d)]);
      case 9: return this.fn('DATEDIFF', 'int', [this.expr('date', d), this.expr(r.pick(['date', 'dt'] as const), d)]);
      case 10: {
        const unit = r.pick(['DAY', 'MONTH', 'HOUR', 'MINUTE', 'YEAR']);
        const a = this.expr('dt', d); const b = this.expr('dt', d);
        return node('TIMESTAMPDIFF', 'int', `TIMESTAMPDIFF(${unit}, ${a.sql}, ${b.sql})`, [a, b]);
      }
      case 11: {
        const x = this.expr(r.pick(['dec', 'str', 'int', 'uint'] as const), d);
        return node('CAST-SIGNED', 'int', `CAST(${x.sql} AS SIGNED)`, [x]);
      }
      case 12: return this.fn(r.pick(['FLOOR', 'CEILING', 'ROUND']), 'int', [this.expr('dec', d)]);
      case 13: return this.fn(r.pick(['LOCATE', 'INSTR']), 'int', [this.expr('str', d), this.expr('str', d)]);
      case 14: return this.fn(r.pick(['GREATEST', 'LEAST']), 'int', [this.expr('int', d), this.expr('int', d)]);
      case 15: return this.fn('NULLIF', 'int', [this.expr('int', d), this.expr('int', d)]);
      case 16: {
        const b = this.expr('bool', d);
        return node('bool-as-int', 'int', `(${b.sql})`, [b]);
      }
      default: return this.conditional('int', d);
    }
  }

  private uintExpr(d: number): Expr {
    const r = this.r;
    switch (r.int(0, 4)) {
      // No signed operands and no subtraction: an unsigned result below 0 is error 1690, and whether a
      // server evaluates the expression for a row at all (a merged CTE, a pushed-down WHERE) differs.
      case 0: return this.bin('+', 'uint', this.expr('uint', d), this.expr('uint', d));
      case 1: {
        // Integer columns and literals only: a negative DECIMAL is 0 in MariaDB, unverified for MySQL 8 (see the report's exclusions).
        const x = r.chance(0.5) ? this.leaf('int') : this.leaf('uint');
        return node('CAST-UNSIGNED', 'uint', `CAST(${x.sql} AS UNSIGNED)`, [x]);
      }
      case 2: return this.bin('*', 'uint', this.expr('uint', d), this.literal('uint'));
      default: return this.conditional('uint', d);
    }
  }

  private decExpr(d: number): Expr {
    const r = this.r;
    switch (r.int(0, 11)) {
      case 0: return this.bin(r.pick(['+', '-']), 'dec', this.expr('dec', d), this.expr(r.pick(['dec', 'int'] as const), d));
      case 1: return this.bin('*', 'dec', this.expr('dec', d), this.expr(r.pick(['dec', 'int'] as const), d));
      case 2: return this.bin('/', 'dec', this.expr(r.pick(['dec', 'int'] as const), d), this.expr(r.pick(['dec', 'int'] as const), d));
      case 3: return this.fn('ROUND', 'dec', [this.expr('dec', d), this.literal('int')], (a) => `ROUND(${a[0]}, ${r.int(-1, 3)})`);
      case 4: return this.fn('TRUNCATE', 'dec', [this.expr('dec', d)], (a) => `TRUNCATE(${a[0]}, ${r.int(0, 3)})`);
      case 5: return this.fn('ABS', 'dec', [this.expr('dec', d)]);
      case 6: {
        const x = this.expr(r.pick(['int', 'dec', 'str', 'uint'] as const), d);
        const p = r.int(3, 20); const s = r.int(0, Math.min(p, 6));
        return node('CAST-DECIMAL', 'dec', `CAST(${x.sql} AS DECIMAL(${p},${s}))`, [x]);
      }
      // A DECIMAL % whose zero result has a negative dividend prints -0.00 in MariaDB (excluded): the divisor is a positive literal.
      case 7: return this.bin('%', 'dec', this.expr('int', d), this.literal('dec'));
      case 8: return node('neg', 'dec', `-(${this.expr('dec', d).sql})`);
      case 9: return this.fn(r.pick(['GREATEST', 'LEAST']), 'dec', [this.expr('dec', d), this.expr('dec', d)]);
      // Mixed integer and decimal branches: MySQL's result keeps the decimal scale.
      default: return this.conditional('dec', d, r.pick(['int', 'dec'] as const));
    }
  }

  private dblExpr(d: number): Expr {
    const r = this.r;
    switch (r.int(0, 6)) {
      case 0: return this.bin(r.pick(['+', '-']), 'dbl', this.expr('dbl', d), this.expr(r.pick(['dbl', 'int', 'dec'] as const), d));
      case 1: return this.bin('*', 'dbl', this.expr('dbl', d), this.expr(r.pick(['dbl', 'int'] as const), d));
      case 2: return this.fn('ABS', 'dbl', [this.expr('dbl', d)]);
      case 3: {
        const x = this.expr(r.pick(['int', 'dec', 'dbl'] as const), d);
        return node('CAST-DOUBLE', 'dbl', `CAST(${x.sql} AS DOUBLE)`, [x]);
      }
      // Not FLOOR/CEILING of a DOUBLE: MariaDB returns an integer type where MySQL 8 returns DOUBLE (see the exclusions).
      case 4: return node('neg', 'dbl', `-(${this.expr('dbl', d).sql})`);
      case 5: return this.bin('/', 'dbl', this.expr('dbl', d), this.expr(r.pick(['dbl', 'int'] as const), d));
      default: return this.conditional('dbl', d);
    }
  }

  private strExpr(d: number): Expr {
    const r = this.r;
    switch (r.int(0, 15)) {
      case 0: return this.fn('CONCAT', 'str', [this.expr('str', d), this.expr(r.pick(['str', 'int', 'dec', 'date'] as const), d)]);
      case 1: return this.fn(r.pick(['UPPER', 'LOWER', 'REVERSE', 'TRIM', 'LTRIM', 'RTRIM']), 'str', [this.expr('str', d)]);
      case 2: return this.fn('SUBSTRING', 'str', [this.expr('str', d)], (a) => `SUBSTRING(${a[0]}, ${r.int(-4, 5)}, ${r.int(0, 5)})`);
      case 3: return this.fn(r.pick(['LEFT', 'RIGHT']), 'str', [this.expr('str', d)], (a) => `${r.pick(['LEFT', 'RIGHT'])}(${a[0]}, ${r.int(0, 5)})`);
      case 4: return this.fn('REPLACE', 'str', [this.expr('str', d), this.literal('str'), this.literal('str')]);
      case 5: return this.fn(r.pick(['LPAD', 'RPAD']), 'str', [this.expr('str', d)], (a) => `${r.pick(['LPAD', 'RPAD'])}(${a[0]}, ${r.int(0, 10)}, '${r.pick(['x', '-', 'ab'])}')`);
      case 6: return this.fn('REPEAT', 'str', [this.expr('str', d)], (a) => `REPEAT(${a[0]}, ${r.int(0, 3)})`);
      case 7: return this.fn('CONCAT_WS', 'str', [this.expr('str', d), this.expr('str', d)], (a) => `CONCAT_WS('${r.pick([',', '-', ''])}', ${a.join(', ')})`);
      case 8: {
        const x = this.expr(r.pick(['int', 'dec', 'date', 'dt', 'time', 'uint'] as const), d);
        return node('CAST-CHAR', 'str', `CAST(${x.sql} AS CHAR)`, [x]);
      }
      case 9: {
        const fmt = r.pick(['%Y-%m-%d', '%d/%m/%Y %H:%i', '%W %M %e %Y', '%a %b %j', '%y%c%H%s', '%T', '%r']);
        const x = this.expr(r.pick(['date', 'dt'] as const), d);
        return node('DATE_FORMAT', 'str', `DATE_FORMAT(${x.sql}, '${fmt}')`, [x]);
      }
      case 10: return this.fn('SUBSTRING_INDEX', 'str', [this.expr('str', d)], (a) => `SUBSTRING_INDEX(${a[0]}, '${r.pick(['-', 'a', '_'])}', ${r.int(-2, 2)})`);
      case 11: return this.fn('HEX', 'str', [this.expr(r.pick(['int', 'str'] as const), d)]);
      case 12: return this.fn(r.pick(['MONTHNAME', 'DAYNAME']), 'str', [this.expr('date', d)]);
      case 13: return this.fn('INSERT', 'str', [this.expr('str', d), this.expr('str', d)], (a) => `INSERT(${a[0]}, ${r.int(1, 4)}, ${r.int(0, 3)}, ${a[1]})`);
      default: return this.conditional('str', d);
    }
  }

  private dateExpr(d: number): Expr {
    const r = this.r;
    switch (r.int(0, 5)) {
      case 0: {
        const x = this.expr('date', d);
        const unit = r.pick(['DAY', 'MONTH', 'YEAR', 'WEEK']);
        return node('DATE_ADD', 'date', `${r.pick(['DATE_ADD', 'DATE_SUB'])}(${x.sql}, INTERVAL ${r.int(-40, 40)} ${unit})`, [x]);
      }
      case 1: return this.fn('LAST_DAY', 'date', [this.expr(r.pick(['date', 'dt'] as const), d)]);
      case 2: return this.fn('DATE', 'date', [this.expr('dt', d)]);
      case 3: {
        const x = this.expr('dt', d);
        return node('CAST-DATE', 'date', `CAST(${x.sql} AS DATE)`, [x]);
      }
      case 4: return this.fn('MAKEDATE', 'date', [], () => `MAKEDATE(${r.int(1990, 2030)}, ${r.int(1, 400)})`);
      default: return this.conditional('date', d);
    }
  }

  private dtExpr(d: number): Expr {
    const r = this.r;
    switch (r.int(0, 4)) {
      case 0: {
        const x = this.expr('dt', d);
        const unit = r.pick(['SECOND', 'MINUTE', 'HOUR', 'DAY', 'MONTH']);
        return node('DATE_ADD', 'dt', `${r.pick(['DATE_ADD', 'DATE_SUB'])}(${x.sql}, INTERVAL ${r.int(-100, 100)} ${unit})`, [x]);
      }
      case 1: {
        const x = this.expr('date', d);
        return node('CAST-DATETIME', 'dt', `CAST(${x.sql} AS DATETIME)`, [x]);
      }
      // The time argument never a NULL literal: MariaDB then types the result DATETIME(6) (unverified for MySQL 8).
      case 2: {
        const t = this.column('time') ?? node('literal', 'time', `TIME '${randomTime(r)}'`);
        return this.fn('TIMESTAMP', 'dt', [this.expr('date', d), t]);
      }
      case 3: return this.fn(r.pick(['GREATEST', 'LEAST']), 'dt', [this.expr('dt', d), this.expr('dt', d)]);
      default: return this.conditional('dt', d);
    }
  }

  private timeExpr(d: number): Expr {
    const r = this.r;
    switch (r.int(0, 3)) {
      case 0: return this.fn('TIME', 'time', [this.expr('dt', d)]);
      case 1: return this.fn('SEC_TO_TIME', 'time', [], () => `SEC_TO_TIME(${r.int(-100000, 100000)})`);
      case 2: return this.fn('MAKETIME', 'time', [], () => `MAKETIME(${r.int(0, 99)}, ${r.int(0, 59)}, ${r.int(0, 59)})`);
      default: return this.conditional('time', d);
    }
  }

  /** A comparison between two expressions of one kind. */
  comparison(depth: number): Expr {
    const kind = this.r.pick(['int', 'int', 'dec', 'dbl', 'str', 'date', 'dt', 'time', 'uint'] as const);
    const d = Math.max(depth, MAX_DEPTH - 1);
    return this.bin(this.r.pick(['=', '<>', '<', '<=', '>', '>=', '<=>']), 'bool', this.expr(kind, d), this.expr(kind, d));
  }

  private boolExpr(d: number): Expr {
    const r = this.r;
    switch (r.int(0, 8)) {
      case 0: case 1: return this.comparison(d);
      case 2: {
        const x = this.expr(r.pick(['int', 'dec', 'str', 'date', 'dbl'] as const), d);
        return node('IS NULL', 'bool', `(${x.sql} IS ${r.pick(['', 'NOT '])}NULL)`, [x]);
      }
      case 3: return this.bin(r.pick(['AND', 'OR', 'XOR']), 'bool', this.expr('bool', d), this.expr('bool', d));
      case 4: {
        const x = this.expr('bool', d);
        return node('NOT', 'bool', `(NOT ${x.sql})`, [x]);
      }
      case 5: {
        const kind = r.pick(['int', 'dec', 'str', 'date'] as const);
        const x = this.expr(kind, d); const lo = this.expr(kind, MAX_DEPTH); const hi = this.expr(kind, MAX_DEPTH);
        return node('BETWEEN', 'bool', `(${x.sql} ${r.pick(['', 'NOT '])}BETWEEN ${lo.sql} AND ${hi.sql})`, [x, lo, hi]);
      }
      case 6: {
        const kind = r.pick(['int', 'str', 'dec'] as const);
        const x = this.expr(kind, d);
        const items = [this.literal(kind), this.literal(kind), this.leaf(kind)];
        return node('IN-list', 'bool', `(${x.sql} ${r.pick(['', 'NOT '])}IN (${items.map((i) => i.sql).join(', ')}))`, [x, ...items]);
      }
      case 7: {
        const x = this.expr('str', d);
        const pat = r.pick(['%a%', '_-%', '%-%', '1%', '%0_', 'a\\_%', '%', '']);
        return node('LIKE', 'bool', `(${x.sql} ${r.pick(['', 'NOT '])}LIKE '${pat}')`, [x]);
      }
      default: {
        const x = this.expr('date', d);
        return node('LIKE-date', 'bool', `(${x.sql} LIKE '${r.int(1995, 2035)}-%')`, [x]);
      }
    }
  }
}
