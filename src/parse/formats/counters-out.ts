import type { CounterParse } from '../counters.js';
import type { FormatOutput } from './types.js';

/** Counters as contributions: the fields among them become columns, the rest Snapshot.counters. */
export function counterOutput(p: CounterParse, label: string): FormatOutput {
  const values = Object.keys(p.counters).map((name) => ({ field: name, value: p.counters[name]!, line: p.lineOf[name]! }));
  // Tcp CurrEstab is ss -s's estab (nstat TcpCurrEstab, netstat -s "connections established").
  if (p.counters.TcpCurrEstab !== undefined) values.push({ field: 'tcp_estab', value: p.counters.TcpCurrEstab, line: p.lineOf.TcpCurrEstab! });
  const issues = p.issues.map((i) => (i.severity === 'error' ? { ...i, reason: `${label}: ${i.reason}` } : i));
  return { values, issues };
}
