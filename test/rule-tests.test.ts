/**
 * Rule tests as data (rules/tests/<id>.yaml): every case of the built-in rules runs here through
 * the runner `sockscope rules test` uses, and the runner itself is checked on cases that pass,
 * fail and are broken (test/fixtures/rules-custom, rules-tests-failing, rules-tests-broken).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../src/analyze.js';
import { loadRuleTests, runRuleTest } from '../src/cli/rules-cmd.js';
import { mismatches, parseRuleTests } from '../src/rules/rule-tests.js';
import { cli } from './cli-run.js';
import { ROOT } from './helpers.js';

const RULES = join(ROOT, 'rules');
const builtin = await loadRuleTests(RULES);

describe('the built-in rules\' tests (rules/tests/)', () => {
  it('every test file is well formed, and every built-in rule has a case where it fires and one where it is silent', async () => {
    expect(builtin.issues).toEqual([]);
    expect(builtin.untested).toEqual([]);
    const ids = (await loadRules()).rules.map((r) => r.id);
    const fires = (id: string) => builtin.cases.some((c) => c.rule === id && (c.expect.severity !== undefined || c.expect.findings !== undefined));
    const silent = (id: string) => builtin.cases.some((c) => c.rule === id && c.expect.silent === true);
    expect(ids.filter((id) => !fires(id) || !silent(id))).toEqual([]);
    expect([...new Set(builtin.cases.map((c) => c.rule))].sort()).toEqual(ids);
    // 34 cases when the TypeScript table (a positive and a negative capture per rule) became data.
    expect(builtin.cases.length).toBeGreaterThanOrEqual(42);
  });

  it.each(builtin.cases.map((c) => [`${c.rule}: ${c.name}`, c] as const))('%s', async (_, c) => {
    expect(await runRuleTest(c, RULES)).toEqual([]);
  });
});

describe('sockscope rules test DIR', () => {
  it('runs the tests beside a custom rules folder with its rules loaded (inline text, params), exit 0', async () => {
    const r = await cli(['rules', 'test', 'test/fixtures/rules-custom']);
    expect(r.err).toBe('');
    expect(r.out.split('\n')).toEqual([
      'ok   test/fixtures/rules-custom/tests/estab-drop.yaml:2 estab-drop: established connections that only grow',
      'ok   test/fixtures/rules-custom/tests/tcp-unhashed-sockets.yaml:3 tcp-unhashed-sockets: fires at 50 unhashed sockets where the built-in waits for 100 (a capture pasted in a public post, inline)',
      'ok   test/fixtures/rules-custom/tests/tcp-unhashed-sockets.yaml:33 tcp-unhashed-sockets: the unconnected-leak capture',
      'ok   test/fixtures/rules-custom/tests/tcp-unhashed-sockets.yaml:40 tcp-unhashed-sockets: a param of the site rule',
      '4 case(s) in 2 file(s): 4 passed, 0 failed',
      '',
    ]);
    expect(r.code).toBe(0);
  });

  it('says why each failing case fails, exit 1', async () => {
    const r = await cli(['rules', 'test', 'test/fixtures/rules-tests-failing']);
    expect(r.code).toBe(1);
    const out = r.out;
    const F = 'test/fixtures/rules-tests-failing/tests';
    expect(out).toContain(`FAIL ${F}/no-such-rule.yaml:2 no-such-rule: a test of a rule nobody wrote\n       rule no-such-rule is not loaded (no rule file with this id)\n`);
    expect(out).toContain(`FAIL ${F}/tcp-unhashed-sockets.yaml:3 tcp-unhashed-sockets: wrong severity\n       expected a warning finding, got critical\n`);
    expect(out).toContain(`FAIL ${F}/tcp-unhashed-sockets.yaml:6 tcp-unhashed-sockets: silence expected where it fires\n       expected silence, got 1 finding(s):\n         critical on (unnamed host: samples/kernel-6.18/unconnected-leak) (no time, 1 snapshot(s)): 1500 TCP sockets`);
    expect(out).toContain(`FAIL ${F}/tcp-unhashed-sockets.yaml:9 tcp-unhashed-sockets: a path that does not exist cannot pass as silence\n       input samples/kernel-6.18/no-such-capture.log gave nothing: cannot read: ENOENT\n`);
    for (const l of [
      'findings[0].count: expected 31, got 32',
      'findings[0].message: expected text containing "= 1501 - (1 + 0 - 0) = 1501", got "1500 TCP sockets',
      'findings[0].evidence: expected 1 item(s), got 4',
      'findings[0].evidence[0].values.tcp_alloc: expected 100, got 101',
      'expected 2 finding(s), got 1:',
      'expected not evaluated (missing tcp_alloc), but the rule was evaluated',
      'analysis failed: --param tcp-unhashed-sockets.nope: rule tcp-unhashed-sockets has no param nope (it has: min_unhashed, critical_unhashed)',
    ]) expect([l, out.includes(`       ${l}`)]).toEqual([l, true]);
    expect(out).not.toMatch(/^ok /m);
    expect(out.trimEnd().split('\n').pop()).toBe('7 case(s) in 2 file(s): 0 passed, 7 failed');
  });

  it('a broken test file: each problem with file:line, exit 2', async () => {
    const r = await cli(['rules', 'test', 'test/fixtures/rules-tests-broken']);
    expect(r.code).toBe(2);
    const F = 'test/fixtures/rules-tests-broken/tests/tcp-orphans-high.yaml';
    expect(r.out.split('\n')).toEqual(expect.arrayContaining([
      `${F}:4: unknown field "cases.0.expect.silnet"`,
      `${F}:6: unknown field "cases.1.input"`,
      `${F}:7: cases.1.expect: say exactly one of: severity and/or findings (the rule fires), silent: true, not_evaluated: [fields]`,
      '0 case(s) in 1 file(s): 0 passed, 0 failed, 5 problem(s) in test files',
    ]));
  });

  it('a rules folder without tests, or no folder at all, exit 2', async () => {
    const r = await cli(['rules', 'test', 'test/fixtures/rules-broken']);
    expect([r.code, r.out]).toEqual([2, 'test/fixtures/rules-broken: no rule tests (one file per rule: test/fixtures/rules-broken/tests/<rule id>.yaml)\n']);
    expect((await cli(['rules', 'test', 'test/fixtures/no-such-dir'])).code).toBe(2);
  });

  it('the built-in folder: every case passes', { timeout: 120_000 }, async () => {
    const r = await cli(['rules', 'test', 'rules']);
    expect(r.out).not.toContain('FAIL');
    expect(r.out.trimEnd().split('\n').pop()).toBe(`${builtin.cases.length} case(s) in 17 file(s): ${builtin.cases.length} passed, 0 failed`);
    expect(r.code).toBe(0);
  });
});

describe('the runner, on its own', () => {
  it('mismatches: objects by the keys given, lists by length and item, text exactly, by part or by pattern', () => {
    const f = { severity: 'critical', count: 3, message: 'a 1500 b', evidence: [{ label: 'first', values: { x: 1, y: 2 } }], notes: [] };
    expect(mismatches(f, { severity: 'critical', evidence: [{ values: { x: 1 } }] })).toEqual([]);
    expect(mismatches(f, { message: { contains: '1500' }, notes: [] })).toEqual([]);
    expect(mismatches(f, { message: { matches: '^a \\d+ b$' } })).toEqual([]);
    expect(mismatches(f, { message: 'a 1500' })).toEqual(['message: expected "a 1500", got "a 1500 b"']);
    expect(mismatches(f, { message: { matches: '^1500' } })).toEqual(['message: expected text matching /^1500/, got "a 1500 b"']);
    expect(mismatches(f, { evidence: [] })).toEqual(['evidence: expected 0 item(s), got 1']);
    expect(mismatches(f, { evidence: [{ values: { z: 1 } }] })).toEqual(['evidence[0].values.z: absent (expected 1)']);
    expect(mismatches(f, { count: '3' })).toEqual(['count: expected "3", got 3']);
    expect(mismatches(f, { notes: [{ contains: 'x' }] })).toEqual(['notes: expected 1 item(s), got 0']);
  });

  it('parses a case: the rule from the file name or rule:, paths and pasted text apart, the case\'s line', () => {
    const text = ['cases:', '  - name: one', '    inputs: [a.log, { text: "x\\n" }, { paste: [b, c] }]', '    limits: { tcp_max_orphans: 5 }', '    expect: { severity: warning }'].join('\n');
    const { cases, issues } = parseRuleTests(text, 'dir/tests/my-rule.yaml');
    expect(issues).toEqual([]);
    expect(cases).toEqual([{
      file: 'dir/tests/my-rule.yaml', line: 2, rule: 'my-rule', name: 'one', paths: ['a.log'],
      stdin: [{ text: 'x\n' }, { file: 'b' }, { file: 'c' }], limits: { tcp_max_orphans: 5 }, params: {}, expect: { severity: 'warning' },
    }]);
    expect(parseRuleTests(`rule: other\n${text}`, 'x.yaml').cases[0]!.rule).toBe('other');
    expect(parseRuleTests('cases: [', 'x.yaml').issues[0]).toMatchObject({ source: 'x.yaml:1', reason: expect.stringMatching(/^YAML: /), severity: 'error' });
    expect(parseRuleTests('cases: []', 'x.yaml').issues).toEqual([{ source: 'x.yaml:1', reason: 'cases: Too small: expected array to have >=1 items', severity: 'error' }]);
  });
});
