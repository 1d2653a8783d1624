// A strict reader of the Prometheus text exposition format (0.0.4), so tests check /metrics as a scraper would.

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE = new RegExp(`^(${NAME})(\\{(?:${LABEL}(?:,${LABEL})*,?)?\\})? (\\S+)(?: -?\\d+)?$`);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function sampleValue(text: string, line: number): number {
  // Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case (prom-client writes 'Nan').
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const n = Number(text);
  if (text.trim() === '' || Number.isNaN(n)) throw new Error(`line ${line}: '${text}' is not a sample value`);
  return n;
}

/**
 * Parses exposition text into samples keyed by `name{labels}` exactly as written.
 * Throws on a malformed line, an unknown TYPE, or a metric typed twice.
 */
export function parsePrometheusText(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw === '') return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(raw);
      if (!m) return;
      if (!new RegExp(`^${NAME}$`).test(m[2])) throw new Error(`line ${line}: bad metric name '${m[2]}'`);
      if (m[1] === 'TYPE') {
        if (!TYPES.has(m[3] ?? '')) throw new Error(`line ${line}: unknown type '${m[3]}'`);
        if (typed.has(m[2])) throw new Error(`line ${line}: ${m[2]} typed twice`);
        typed.add(m[2]);
      }
      return;
    }
    const m = SAMPLE.exec(raw);
    if (!m) throw new Error(`line ${line}: not a sample: ${raw}`);
    samples.set(m[1] + (m[2] ?? ''), sampleValue(m[3], line));
  });
  return samples;
}
