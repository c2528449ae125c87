/**
 * Spark's auto-generated column names (`toPrettySQL`) computed from the AST: `sum(l_quantity)`,
 * `(a + b)`, `count(1)` for count(*), literals unquoted (`abc`, `1`), columns without qualifier.
 */
import {
  calendarIntervalToString,
  dayTimeIntervalType,
  intervalToSql,
  typeToString,
  yearMonthIntervalType,
} from '../../common/index.ts';
import type * as ast from '../parser/index.ts';

function literalName(l: ast.Literal): string {
  switch (l.type) {
    case 'integer':
      return l.text.replace(/^\+/, '').replace(/^(-?)0+(?=\d)/, '$1');
    case 'decimal':
      return l.text.replace(/bd$/i, '');
    case 'double': {
      const v = Number(l.text.replace(/[dDfF]$/, ''));
      return Number.isInteger(v) ? v.toFixed(1) : String(v);
    }
    case 'string':
      return l.value;
    case 'boolean':
      return l.value ? 'true' : 'false';
    case 'null':
      return 'NULL';
    case 'typed':
      return `${l.typeName === 'timestamp_ltz' ? 'TIMESTAMP' : l.typeName.toUpperCase()} '${l.value}'`;
  }
}

const SQL_OPS: Readonly<Record<string, string>> = { and: 'AND', or: 'OR', div: 'div' };

/** Lower-cased parameter names of the lambdas being named (Spark names their uses `namedlambdavariable()`). */
const lambdaParams: Set<string>[] = [];
/**
 * Functions whose later arguments are settings rather than inputs in Spark (a schema, options),
 * and so are left out of the column name: `from_json(js)`, `to_json(s)`, `schema_of_json('…')`.
 */
const NAMED_BY_LEADING_ARGS: Readonly<Record<string, number>> = {
  from_json: 1,
  to_json: 1,
  schema_of_json: 1,
};

/**
 * Functions whose left-out trailing arguments Spark names with their defaults:
 * `make_interval(1)` is `make_interval(1, 0, 0, 0, 0, 0, 0.000000)`.
 */
const NAMED_WITH_DEFAULTS: Readonly<Record<string, readonly string[]>> = {
  make_interval: ['0', '0', '0', '0', '0', '0', '0.000000'],
  make_dt_interval: ['0', '0', '0', '0.000000'],
  make_ym_interval: ['0', '0'],
};

export function exprName(e: ast.Expr): string {
  switch (e.kind) {
    case 'literal':
      return literalName(e.value);
    case 'column': {
      const first = e.name.parts[0]!.name.toLowerCase();
      if (lambdaParams.some((ps) => ps.has(first))) {
        const fields = e.name.parts.slice(1).map((p) => `.${p.name}`);
        return `namedlambdavariable()${fields.join('')}`;
      }
      return e.name.parts[e.name.parts.length - 1]!.name;
    }
    case 'parameter':
      return `$${e.index}`;
    case 'unary':
      switch (e.op) {
        case '-':
          return `(- ${exprName(e.operand)})`;
        case '+':
          return `(+ ${exprName(e.operand)})`;
        case 'not':
          return `(NOT ${exprName(e.operand)})`;
        case '~':
          return `~${exprName(e.operand)}`;
      }
      break;
    case 'binary': {
      if (e.op === '||') return `concat(${exprName(e.left)}, ${exprName(e.right)})`;
      return `(${exprName(e.left)} ${SQL_OPS[e.op] ?? e.op} ${exprName(e.right)})`;
    }
    case 'is': {
      const x = exprName(e.operand);
      if (e.test === 'distinct_from') {
        const y = exprName(e.other!);
        return e.negated ? `(${x} <=> ${y})` : `(NOT (${x} <=> ${y}))`;
      }
      const t = e.test === 'unknown' ? 'NULL' : e.test.toUpperCase();
      return `(${x} IS ${e.negated ? 'NOT ' : ''}${t})`;
    }
    case 'between': {
      const s = `(${exprName(e.operand)} BETWEEN ${exprName(e.low)} AND ${exprName(e.high)})`;
      return e.negated ? `(NOT ${s})` : s;
    }
    case 'in_list': {
      const s = `(${exprName(e.operand)} IN (${e.list.map(exprName).join(', ')}))`;
      return e.negated ? `(NOT ${s})` : s;
    }
    case 'in_subquery': {
      const s = `(${exprName(e.operand)} IN (listquery()))`;
      return e.negated ? `(NOT ${s})` : s;
    }
    case 'exists':
      return 'exists()';
    case 'scalar_subquery':
      return 'scalarsubquery()';
    case 'array_subquery':
      return 'array';
    case 'like': {
      const op = e.mode.toUpperCase();
      const s =
        e.quantifier === null
          ? `${exprName(e.operand)} ${op} ${exprName(e.pattern)}`
          : `${exprName(e.operand)} ${op} ${e.quantifier.toUpperCase()} (${e.patterns.map(exprName).join(', ')})`;
      return e.negated ? `(NOT ${s})` : s;
    }
    case 'case': {
      let s = 'CASE';
      if (e.operand !== null) s += ` ${exprName(e.operand)}`;
      for (const w of e.whens) s += ` WHEN ${exprName(w.when)} THEN ${exprName(w.then)}`;
      if (e.else !== null) s += ` ELSE ${exprName(e.else)}`;
      return s + ' END';
    }
    case 'cast':
      return `${e.mode === 'try_cast' ? 'TRY_CAST' : 'CAST'}(${exprName(e.operand)} AS ${typeToString(e.type).toUpperCase()})`;
    case 'function': {
      const name = e.name.parts.map((p) => p.name).join('.');
      if (e.star) return `${name}(1)`;
      const shown = NAMED_BY_LEADING_ARGS[name.toLowerCase()];
      const named = (shown === undefined ? e.args : e.args.slice(0, shown)).map(exprName);
      const defaults = NAMED_WITH_DEFAULTS[name.toLowerCase()];
      if (defaults !== undefined && named.length < defaults.length)
        named.push(...defaults.slice(named.length));
      const args = named.join(', ');
      let s = `${name}(${e.distinct ? 'DISTINCT ' : ''}${args})`;
      if (e.orderBy.length > 0) {
        const items = e.orderBy.map((o) => `${exprName(o.expr)}${o.ascending === false ? ' DESC' : ''}`);
        s += ` WITHIN GROUP (ORDER BY ${items.join(', ')})`;
      }
      if (e.filter !== null) s += ` FILTER (WHERE ${exprName(e.filter)})`;
      if (e.over !== null) s += ' OVER (...)';
      return s;
    }
    case 'extract':
      return `extract(${e.field} FROM ${exprName(e.source)})`;
    case 'interval':
      // a literal that is only a calendar interval (legacy intervals) is named by its text
      if (e.value.type === 'mixed')
        return `INTERVAL '${e.calendar === null ? '' : calendarIntervalToString(e.calendar)}'`;
      return e.value.type === 'year_month'
        ? intervalToSql(e.value.months, yearMonthIntervalType(e.value.startField, e.value.endField))
        : intervalToSql(e.value.micros, dayTimeIntervalType(e.value.startField, e.value.endField));
    case 'subscript':
      return `${exprName(e.base)}[${exprName(e.index)}]`;
    case 'field_access':
      return `${exprName(e.base)}.${e.field.name}`;
    case 'row':
      return `named_struct(${e.items.map(exprName).join(', ')})`;
    case 'array':
      return `array(${e.items.map(exprName).join(', ')})`;
    case 'lambda': {
      lambdaParams.push(new Set(e.params.map((p) => p.name.toLowerCase())));
      try {
        const params = e.params.map(() => ', namedlambdavariable()').join('');
        return `lambdafunction(${exprName(e.body)}${params})`;
      } finally {
        lambdaParams.pop();
      }
    }
    case 'star':
      return '*';
  }
  return '?';
}
