import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisReport } from '../src/analyze.js';
import { ROOT, sample } from './helpers.js';

// The HTML report, checked as a file and in a real browser: Debian's chromium (.ci/run installs it).
// SOCKSCOPE_CHROMIUM names another one (or a missing path, to see the skip).
const CHROMIUM = process.env.SOCKSCOPE_CHROMIUM ?? '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
// Without it the browser tests are skipped, and this says why, once (not a line per test).
const SKIPPED = `skipped: ${CHROMIUM} is missing (.ci/run installs Debian's chromium: apt-get install chromium)`;
if (!HAS_CHROMIUM) console.warn(`test/html-report.test.ts: the tests in chromium are ${SKIPPED}`);
const BIN = join(ROOT, 'dist/cli/main.js');
const OUT = join(ROOT, 'test-output');
const LEAK = 'samples/kernel-6.18/unconnected-leak/timeline-date.log';
const KEYS = ['tcp_alloc', 'tcp_hashed', 'tcp_tw', 'tcp_unhashed', 'tcp_orphan', 'tcp_estab'];
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-html-'));

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, 'analyze', '-q', ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr);
  return r.stdout;
}

/** The HTML report of `args` in a temporary file, and the JSON report of the same run. */
function report(args: string[], name: string): { file: string; json: AnalysisReport } {
  const file = join(tmp, name);
  cli(['--format', 'html', '-o', file, ...args]);
  return { file, json: JSON.parse(cli(['--format', 'json', ...args])) as AnalysisReport };
}

/** Evil names: a directory (so the unnamed host's label) and a file that try to break out of HTML. */
function evilInput(): string {
  const dir = join(tmp, '<img src=x onerror=alert(3)><script>alert(1)');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, '"onload=alert(2) x=\'.log');
  writeFileSync(file, sample('kernel-6.18/unconnected-leak/timeline-date.log'));
  return file;
}

/** A long capture: `n` per-minute sockstat snapshots with a slow leak and a spike at n/2. */
function longCapture(n: number): string {
  const file = join(tmp, `long-${n}.log`);
  const t0 = Date.parse('2026-11-01T00:00:00Z');
  let text = '';
  for (let i = 0; i < n; i++) {
    const alloc = 100 + Math.floor(i / 10) + (i === n >> 1 ? 5000 : 0);
    text += `${new Date(t0 + i * 60_000).toISOString().replace('.000Z', '+00:00')}\nsockets: used ${alloc + 20}\nTCP: inuse 50 orphan 0 tw ${i % 7} alloc ${alloc} mem 10\nUDP: inuse 1 mem 1\nTCP6: inuse 2\n\n`;
  }
  writeFileSync(file, text);
  return file;
}

describe('HTML report as a file', () => {
  it('is self-contained and deterministic: no loadable URL, a CSP that forbids loads, same input → same bytes', () => {
    const a = join(tmp, 'a.html');
    const b = join(tmp, 'b.html');
    cli(['--format', 'html', '-o', a, 'samples/fleet']);
    cli(['--format', 'html', '-o', b, 'samples/fleet']);
    const html = readFileSync(a, 'utf8');
    expect(readFileSync(b, 'utf8')).toBe(html);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed|video|audio|source)\b|\ssrc\s*=|srcset|url\(|@import|<script[^>]+src/i);
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="sockscope-data">', '<script>']);
    // The only URLs are the references' links, which a browser does not load (and the SVG namespace name).
    for (const m of html.matchAll(/https?:\/\/[^\s"'<)]+/g)) {
      if (m[0] !== 'http://www.w3.org/2000/svg') expect(html.slice(Math.max(0, m.index - 9), m.index)).toBe('<a href="');
    }
  });

  it('names and reference URLs cannot break out: </script> in JSON is escaped, a javascript: reference stays text', () => {
    const rules = join(tmp, 'rules-evil');
    mkdirSync(rules, { recursive: true });
    const rule = readFileSync(join(ROOT, 'rules/tcp-unhashed-sockets.yaml'), 'utf8');
    const evilRule = rule.replace(/^references:\n(  - .*\n)+/m, 'references:\n  - { title: "click me", url: "javascript:alert(4)" }\n');
    expect(evilRule).not.toBe(rule);
    writeFileSync(join(rules, 'tcp-unhashed-sockets.yaml'), evilRule);
    const file = join(tmp, 'breakout.html');
    cli(['--format', 'html', '-o', file, '--rules', rules, '--host', '</script><script>alert(6)</script>', LEAK]);
    const html = readFileSync(file, 'utf8');
    const json = html.slice(html.indexOf('id="sockscope-data">'), html.indexOf('</script>', html.indexOf('id="sockscope-data">')));
    expect(json).toContain('\\u003c/script>\\u003cscript>alert(6)\\u003c/script>');
    expect(html).not.toContain('<script>alert(6)');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(6)&lt;/script&gt;');
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain('click me (javascript:alert(4))');
  });
});

describe('HTML chart: what it plots', () => {
  /** The chart data and the static SVG of each host of a report of `input`. */
  function charts(input: string): { host: string; n: number; untimed: number; small: boolean; keys: string[]; box: string }[] {
    const file = join(tmp, `what-${input.replace(/\W+/g, '-')}.html`);
    cli(['--format', 'html', '-o', file, input]);
    const html = readFileSync(file, 'utf8');
    const data = JSON.parse(html.slice(html.indexOf('id="sockscope-data">') + 20, html.indexOf('</script>', html.indexOf('id="sockscope-data">')))) as {
      host: string; n: number; untimed: number; small: boolean; series: { key: string }[];
    }[];
    const boxes = html.split('<div class="chart static').slice(1).map((b) => b.slice(0, b.indexOf('</section>')));
    return data.map((d, k) => ({ host: d.host, n: d.n, untimed: d.untimed, small: d.small, keys: d.series.map((x) => x.key), box: boxes[k]! }));
  }
  const circles = (box: string, key: string) => box.split(`<g class="points" data-series="${key}"`)[1]?.split('</g>')[0]!.match(/<circle /g)?.length ?? 0;

  it('unix-leak: the only finding is sockets-used-growth, so sockets used is plotted', () => {
    const [c] = charts('samples/captures/unix-leak/timeline-date.log');
    expect(c!.keys).toEqual(['tcp_alloc', 'tcp_hashed', 'tcp_tw', 'tcp_unhashed', 'tcp_orphan', 'tcp_estab', 'sockets_used']);
    expect(circles(c!.box, 'sockets_used')).toBe(c!.n);
    expect(c!.box).toContain('sockets used (this namespace, every family)');
    // The leak sample's findings are about TCP: no sockets-used line there.
    expect(charts(LEAK)[0]!.keys).not.toContain('sockets_used');
  });

  it('sar alone: a chart of what sar gives (hashed TCP, TIME-WAIT, sockets used), no empty series', () => {
    const [c] = charts('samples/captures/sar/sadf-d.txt');
    expect(c!.keys).toEqual(['tcp_hashed', 'tcp_tw', 'sockets_used']);
    for (const k of c!.keys) expect([k, circles(c!.box, k)]).toEqual([k, c!.n]);
    expect(c!.box).toContain('>time (UTC)</text>');
  });

  it('snapshots without a time stay off the time axis, and the chart says how many', () => {
    const [c] = charts('samples/kernel-6.18/unconnected-leak/');
    expect([c!.n, c!.untimed]).toEqual([38, 2]); // one point per moment: the three loops of the same seconds merge (test/moments.test.ts)
    expect(c!.box).toContain('>time (UTC)</text>');
    expect(c!.box).toContain('2 snapshot(s) of this host have no time and are not on this time axis; the findings and tables include them.');
  });

  it('a host with very few points gets a small chart', () => {
    const [c] = charts('samples/kernel-6.18/unconnected-leak/combined.txt');
    expect(c!.small).toBe(true);
    expect(c!.box.startsWith(' small"')).toBe(true);
    expect(c!.box).toMatch(/<svg viewBox="0 0 480 \d+"/);
    expect(charts(LEAK)[0]!.box).toMatch(/<svg viewBox="0 0 960 \d+"/);
  });
});

describe.skipIf(!HAS_CHROMIUM)(`HTML report in chromium${HAS_CHROMIUM ? '' : ` (${SKIPPED})`}`, () => {
  let ctx: BrowserContext;
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sockscope-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1100, height: 900 },
    });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
  });

  /** Open a report, recording every request, dialog, console message and page error. */
  async function open(file: string): Promise<{ page: Page; requests: string[]; dialogs: string[]; consoleMessages: string[]; errors: string[] }> {
    const page = await ctx.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    const consoleMessages: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => consoleMessages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('.chart svg');
    return { page, requests, dialogs, consoleMessages, errors };
  }

  async function hover(page: Page, selector: string): Promise<void> {
    const b = (await page.locator(selector).boundingBox())!;
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  }

  it('unconnected-leak: a point per snapshot in every series, shading matches the findings, hover shows values and file:line, nothing leaves the page', async () => {
    const { file, json } = report([LEAK], 'leak.html');
    const { page, requests, errors, consoleMessages, dialogs } = await open(file);
    const chart = page.locator('.chart').first();
    const snapshots = json.hosts[0]!.snapshots;
    expect(snapshots).toBe(36);
    for (const key of KEYS) expect([key, await chart.locator(`g.points[data-series="${key}"] circle.pt`).count()]).toEqual([key, snapshots]);
    expect(await chart.locator('.legend button').allInnerTexts()).toEqual([
      'TCP alloc (host-wide)', 'hashed TCP (inuse4 + inuse6)', 'TIME-WAIT', 'unhashed (closed - timewait)', 'orphaned (host-wide)', 'estab',
    ]);

    // One shaded window per finding, coloured by its severity, spanning its first to last snapshot.
    const shades = await chart.locator('rect.shade').evaluateAll((rs) =>
      rs.map((r) => ({ rule: r.getAttribute('data-rule'), severity: r.getAttribute('data-severity'), first: r.getAttribute('data-first'), last: r.getAttribute('data-last'), cls: r.getAttribute('class') })),
    );
    const expected = json.findings.map((f) => ({ rule: f.rule, severity: f.severity, first: f.first_seen, last: f.last_seen, cls: `shade sev-${f.severity}` }));
    const byRule = (a: { rule: string | null }, b: { rule: string | null }) => (a.rule! < b.rule! ? -1 : 1);
    expect(shades.sort(byRule)).toEqual(expected.sort(byRule));
    expect(shades.map((s) => s.rule).sort()).toEqual(['tcp-unhashed-growth', 'tcp-unhashed-sockets']);
    const geometry = await page.evaluate(() => {
      const data = JSON.parse(document.getElementById('sockscope-data')!.textContent!) as { t: number[] }[];
      const cx = (i: number) => Number(document.querySelector(`g.points[data-series="tcp_alloc"] circle[data-i="${i}"]`)?.getAttribute('cx'));
      return [...document.querySelectorAll('rect.shade')].map((r) => {
        const from = Number(r.getAttribute('data-from'));
        const to = Number(r.getAttribute('data-to'));
        const x0 = Number(r.getAttribute('x'));
        const x1 = x0 + Number(r.getAttribute('width'));
        const iso = (i: number) => new Date(data[0]!.t[i]!).toISOString().replace('.000Z', 'Z');
        return {
          first: r.getAttribute('data-first') === iso(from),
          last: r.getAttribute('data-last') === iso(to),
          covers: x0 <= cx(from) && cx(to) <= x1,
          before: from === 0 || cx(from - 1) < x0,
          after: to === data[0]!.t.length - 1 || cx(to + 1) > x1,
        };
      });
    });
    for (const g of geometry) expect(g).toEqual({ first: true, last: true, covers: true, before: true, after: true });

    // Hover the 30th snapshot of the unhashed line: its time, file:line and every value.
    await hover(page, 'g.points[data-series="tcp_unhashed"] circle.pt >> nth=29');
    const tip = chart.locator('.tip');
    await expect.poll(() => tip.isVisible()).toBe(true);
    expect(await tip.locator('.tip-time').innerText()).toBe('2026-11-25T00:56:16Z');
    expect(await tip.locator('.tip-source').innerText()).toBe('samples/kernel-6.18/unconnected-leak/timeline-date.log:639');
    const values = Object.fromEntries(
      await tip.locator('tr[data-series]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-series'), r.querySelector('td')!.textContent])),
    );
    expect(values).toEqual({ tcp_alloc: '1401', tcp_hashed: '1', tcp_tw: '0', tcp_unhashed: '1400', tcp_orphan: '0', tcp_estab: '0' });
    expect(await tip.innerText()).toContain('unhashed (closed - timewait)\t1400');
    expect(await tip.locator('.tip-findings').innerText()).toBe('critical: tcp-unhashed-sockets\nwarning: tcp-unhashed-growth');
    await page.screenshot({ path: join(OUT, 'report-unconnected-leak.png') });

    // Log scale and legend toggles redraw without losing a point.
    await chart.locator('.log-toggle input').check();
    expect(await chart.locator('svg text').allTextContents()).toEqual(expect.arrayContaining(['0', '1', '10', '100', '1,000']));
    for (const key of KEYS) expect(await chart.locator(`g.points[data-series="${key}"] circle.pt`).count()).toBe(snapshots);
    await chart.locator('.legend button[data-series="tcp_alloc"]').click();
    expect(await chart.locator('g.points[data-series="tcp_alloc"] circle.pt').count()).toBe(0);
    expect(await chart.locator('.legend button[data-series="tcp_alloc"]').getAttribute('aria-pressed')).toBe('false');
    await chart.locator('.legend button[data-series="tcp_alloc"]').click();
    expect(await chart.locator('g.points[data-series="tcp_alloc"] circle.pt').count()).toBe(snapshots);

    // Keyboard: the chart takes focus and the arrow keys walk the snapshots.
    await chart.locator('.plot svg').focus();
    await page.keyboard.press('End');
    expect(await tip.locator('.tip-source').innerText()).toBe('samples/kernel-6.18/unconnected-leak/timeline-date.log:771');

    expect(requests).toEqual([pathToFileURL(file).href]);
    expect({ errors, consoleMessages, dialogs }).toEqual({ errors: [], consoleMessages: [], dialogs: [] });
  }, 60_000);

  it('every host of samples/: points plus absent values make its snapshots; an absent value is "absent", never 0', async () => {
    const { file, json } = report(['samples/'], 'samples.html');
    const { page, requests, errors } = await open(file);
    const counts = await page.evaluate(() => {
      const data = JSON.parse(document.getElementById('sockscope-data')!.textContent!) as { series: { key: string; v: (number | null)[] }[] }[];
      return [...document.querySelectorAll('.chart[data-chart]')].map((c) => {
        const d = data[Number(c.getAttribute('data-chart'))]!;
        return {
          untimed: (d as unknown as { untimed: number }).untimed,
          host: c.closest('section')!.getAttribute('data-host'),
          series: d.series.map((s) => ({
            key: s.key,
            circles: c.querySelectorAll(`g.points[data-series="${s.key}"] circle.pt`).length,
            absent: s.v.filter((v) => v === null).length,
          })),
        };
      });
    });
    // A host whose inputs give none of the charted counters (snmp alone) has no chart.
    expect(counts.length).toBe(json.hosts.length - (await page.getByText('No chart: the inputs of this host give none of the charted counters').count()));
    expect(counts.length).toBeGreaterThan(10);
    for (const c of counts) {
      const n = json.hosts.find((h) => h.series === c.host)!.snapshots;
      expect(c.series.length).toBeGreaterThanOrEqual(1);
      for (const s of c.series) expect([c.host, s.key, s.circles + s.absent + c.untimed]).toEqual([c.host, s.key, n]);
    }
    // Shaded windows: one per finding of each host (untimed hosts too: windows are snapshot ranges).
    const shades = await page.evaluate(() =>
      [...document.querySelectorAll('.chart[data-chart]')].map((c) => [c.closest('section')!.getAttribute('data-host'), c.querySelectorAll('rect.shade').length] as const),
    );
    for (const [host, n] of shades) expect([host, n]).toEqual([host, json.findings.filter((f) => f.series === host).length]);

    // A snapshot where estab is absent but alloc is known: hover alloc's point there.
    const target = await page.evaluate(() => {
      const data = JSON.parse(document.getElementById('sockscope-data')!.textContent!) as { series: { key: string; v: (number | null)[] }[] }[];
      for (let c = 0; c < data.length; c++) {
        const alloc = data[c]!.series.find((s) => s.key === 'tcp_alloc')!;
        const estab = data[c]!.series.find((s) => s.key === 'tcp_estab');
        const i = estab ? estab.v.findIndex((v, k) => v === null && alloc.v[k] !== null) : -1;
        if (i >= 0) return { chart: c, i };
      }
      return null;
    });
    expect(target).not.toBeNull();
    const chart = page.locator(`.chart[data-chart="${target!.chart}"]`);
    await chart.scrollIntoViewIfNeeded();
    // The keyboard reaches that very snapshot (hover picks one of the snapshots sharing a time).
    await chart.locator('.plot svg').evaluate((svg, i) => {
      svg.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
      for (let k = 0; k < i; k++) svg.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    }, target!.i);
    await expect.poll(() => chart.locator('.tip').isVisible()).toBe(true);
    expect(await chart.locator('.tip tr[data-series="tcp_estab"] td').innerText()).toBe('absent');
    expect(await chart.locator('.tip tr[data-series="tcp_estab"] td').getAttribute('class')).toBe('v absent');
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(errors).toEqual([]);
  }, 90_000);

  it('a host or file name with <script> or "onload= is text and runs nothing', async () => {
    const evil = evilInput();
    const { file } = report([evil], 'evil-dir.html');
    const host = '<script>alert(1)</script><img src=x onerror=alert(3)>"onload="alert(7)';
    const named = report(['--host', host, evil], 'evil-host.html');
    for (const [f, label] of [[file, `(unnamed host: ${join(tmp, '<img src=x onerror=alert(3)><script>alert(1)')})`], [named.file, host]] as const) {
      const { page, dialogs, requests, errors, consoleMessages } = await open(f);
      expect(await page.locator('section.host h2').first().innerText()).toBe(`Host ${label}`);
      expect(await page.locator('section.host').first().getAttribute('data-host')).toBe(label);
      expect(await page.locator('.finding .evidence td.src').first().innerText()).toContain('"onload=alert(2) x=\'.log:');
      await hover(page, 'g.points[data-series="tcp_unhashed"] circle.pt >> nth=3');
      await expect.poll(() => page.locator('.tip').first().isVisible()).toBe(true);
      expect(await page.locator('.tip-source').first().innerText()).toBe(`${evil}:67`);
      expect(await page.title()).toBe(`sockscope report: ${label}`);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('body script').evaluateAll((s) => s.map((x) => x.getAttribute('type') ?? 'js'))).toEqual(['application/json', 'js']);
      expect({ dialogs, errors, consoleMessages }).toEqual({ dialogs: [], errors: [], consoleMessages: [] });
      expect(requests).toEqual([pathToFileURL(f).href]);
      await page.close();
    }
  }, 60_000);

  it('a long run: lines are thinned per pixel column (peaks kept), hover still reads every snapshot', async () => {
    const { file, json } = report([longCapture(5000)], 'long.html');
    const t0 = Date.now();
    const { page, errors } = await open(file);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const chart = page.locator('.chart').first();
    expect(json.hosts[0]!.snapshots).toBe(5000);
    expect(await chart.locator('circle.pt').count()).toBe(0);
    expect(await chart.locator('.chart-note').innerText()).toContain('5,000 snapshots');
    const alloc = await chart.locator('polyline[data-series="tcp_alloc"]').getAttribute('points');
    const pts = alloc!.trim().split(' ').map((p) => p.split(',').map(Number) as [number, number]);
    expect(pts.length).toBeLessThan(4 * 960);
    // The spike of a single snapshot survives thinning: it is the highest vertex of the line.
    const minY = Math.min(...pts.map((p) => p[1]));
    const spikeX = pts.find((p) => p[1] === minY)![0];
    expect(minY).toBeLessThan(pts[0]![1] - 100);
    // Point at it (a pixel holds about six snapshots), then step with the arrow keys to the spike itself.
    const box = (await chart.locator('.plot svg').boundingBox())!;
    await page.mouse.click(box.x + (spikeX * box.width) / 960, box.y + box.height / 2);
    await expect.poll(() => chart.locator('.tip').isVisible()).toBe(true);
    const minute = (iso: string) => (Date.parse(iso) - Date.parse('2026-11-01T00:00:00Z')) / 60_000;
    const at = minute(await chart.locator('.tip-time').innerText());
    expect(Math.abs(at - 2500)).toBeLessThanOrEqual(8);
    for (let k = at; k !== 2500; k += Math.sign(2500 - at)) await page.keyboard.press(at < 2500 ? 'ArrowRight' : 'ArrowLeft');
    expect(minute(await chart.locator('.tip-time').innerText())).toBe(2500);
    expect(await chart.locator('.tip tr[data-series="tcp_alloc"] td').innerText()).toBe('5350');
    await page.keyboard.press('ArrowRight');
    expect(await chart.locator('.tip tr[data-series="tcp_alloc"] td').innerText()).toBe('350');
    expect(errors).toEqual([]);
  }, 90_000);

  it('without JavaScript (ticket viewers, mail previews): every chart is in the page as static SVG, the same drawing as the live one', async () => {
    const { file, json } = report([LEAK], 'nojs.html');
    const noJs = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sockscope-chromium-nojs-')), {
      executablePath: CHROMIUM,
      headless: true,
      javaScriptEnabled: false,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1100, height: 900 },
    });
    try {
      const page = await noJs.newPage();
      await page.goto(pathToFileURL(file).href);
      expect(await page.evaluate(() => typeof (window as unknown as { Chart?: unknown }).Chart)).toBe('undefined');
      const chart = page.locator('.chart').first();
      expect(await chart.getAttribute('class')).toBe('chart static');
      const snapshots = json.hosts[0]!.snapshots;
      for (const key of KEYS) expect([key, await chart.locator(`g.points[data-series="${key}"] circle.pt`).count()]).toEqual([key, snapshots]);
      expect((await chart.locator('rect.shade').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-rule')))).sort()).toEqual(['tcp-unhashed-growth', 'tcp-unhashed-sockets']);
      expect(await chart.locator('svg text').allTextContents()).toEqual(expect.arrayContaining(['1,500', 'time (UTC)', 'tcp-unhashed-sockets']));
      expect(await chart.locator('.plot svg').isVisible()).toBe(true);
      expect(await chart.locator('.log-toggle').isVisible()).toBe(false);
      expect(await page.getByText('A static chart: hovering a snapshot, the legend toggles and the log scale need JavaScript.').isVisible()).toBe(true);
      await page.screenshot({ path: join(OUT, 'report-unconnected-leak-nojs.png') });
      const drawing = (p: Page) =>
        p.locator('.chart .plot svg').first().evaluate((svg) =>
          [...svg.querySelectorAll('*')].map((e) => [e.tagName, ...[...e.attributes].map((a) => `${a.name}=${a.value}`).sort(), e.children.length ? '' : e.textContent].join(' ')),
        );
      const still = await drawing(page);
      const live = await open(file);
      expect(still.length).toBeGreaterThan(250);
      expect(await drawing(live.page)).toEqual(still);
      expect(await live.page.locator('.static-note').count()).toBe(0);
    } finally {
      await noJs.close();
    }
  }, 60_000);

  it('prints: explanations open, controls and tooltip hidden, nothing wider than the page', async () => {
    const { file } = report([LEAK], 'print.html');
    const { page } = await open(file);
    await page.setViewportSize({ width: 700, height: 1000 });
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    expect(await page.locator('details:not([open])').count()).toBe(0);
    expect(await page.locator('.log-toggle').first().isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(700);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);
});

// The README's screenshot is made by the first browser test; docs/ keeps the copy the README
// shows (refresh it with UPDATE_DOCS=1 npx vitest run test/html-report.test.ts).
afterAll(() => {
  const shot = join(OUT, 'report-unconnected-leak.png');
  if (existsSync(shot) && process.env.UPDATE_DOCS) copyFileSync(shot, join(ROOT, 'docs/report-unconnected-leak.png'));
});
