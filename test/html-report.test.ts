import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, sample } from './helpers.js';

// The HTML report in a real browser: Debian's chromium (.ci/run installs it).
const CHROMIUM = '/usr/bin/chromium';
const BIN = join(ROOT, 'dist/cli/main.js');
const OUT = join(ROOT, 'test-output');
const tmp = mkdtempSync(join(tmpdir(), 'sockscope-html-'));

function report(args: string[], name: string): string {
  const file = join(tmp, name);
  const r = spawnSync(process.execPath, [BIN, 'analyze', '--format', 'html', '-o', file, '-q', ...args], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(r.stderr);
  return file;
}

describe.skipIf(!existsSync(CHROMIUM))('HTML report in chromium', () => {
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

  async function open(file: string): Promise<{ page: Page; requests: string[]; dialogs: string[]; errors: string[] }> {
    const page = await ctx.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('.chart svg');
    return { page, requests, dialogs, errors };
  }

  it('unconnected-leak: every series has a point per snapshot, shading matches the findings, hover shows the values, nothing leaves the page', async () => {
    const file = report(['samples/kernel-6.18/unconnected-leak/timeline-date.log'], 'leak.html');
    const { page, requests, errors } = await open(file);
    const chart = page.locator('.chart').first();
    for (const key of ['tcp_alloc', 'tcp_hashed', 'tcp_tw', 'tcp_unhashed', 'tcp_orphan', 'tcp_estab']) {
      expect([key, await chart.locator(`g.points[data-series="${key}"] circle.pt`).count()]).toEqual([key, 36]);
    }
    const shades = await chart.locator('rect.shade').evaluateAll((rs) => rs.map((r) => `${r.getAttribute('data-rule')}:${r.getAttribute('class')}`).sort());
    expect(shades).toEqual(['tcp-unhashed-growth:shade sev-warning', 'tcp-unhashed-sockets:shade sev-critical']);
    // hover the 30th snapshot of the unhashed line
    const pt = chart.locator('g.points[data-series="tcp_unhashed"] circle.pt').nth(29);
    const b = (await pt.boundingBox())!;
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    const tip = chart.locator('.tip');
    await expect.poll(async () => tip.isVisible()).toBe(true);
    const text = await tip.innerText();
    expect(text).toContain('2026-11-25T00:56:16Z');
    expect(text).toContain('samples/kernel-6.18/unconnected-leak/timeline-date.log:639');
    expect(text).toContain('unhashed (closed - timewait): 1400');
    expect(text).toContain('TCP alloc (host-wide): 1401');
    await page.screenshot({ path: join(OUT, 'report-unconnected-leak.png') });
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(errors).toEqual([]);
    await page.locator('#log').check();
    expect(await chart.locator('g.points[data-series="tcp_unhashed"] circle.pt').count()).toBe(36);
  }, 60_000);

  it('a host or file name with <script> or "onload= is text and runs nothing', async () => {
    const dir = join(tmp, 'evil');
    mkdirSync(dir, { recursive: true });
    const evilFile = join(dir, '"onload=alert(2) x=".log');
    writeFileSync(evilFile, sample('kernel-6.18/unconnected-leak/timeline-date.log'));
    const file = report(['--host', '<script>alert(1)</script><img src=x onerror=alert(3)>', evilFile], 'evil.html');
    const { page, dialogs, requests, errors } = await open(file);
    await page.mouse.move(500, 450);
    expect(await page.locator('h2').first().innerText()).toBe('Host <script>alert(1)</script><img src=x onerror=alert(3)>');
    expect(await page.locator('.finding .evidence td.src').first().innerText()).toContain('"onload=alert(2) x=".log');
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
  }, 60_000);
});

// The README's screenshot is made by the test above; docs/ keeps the copy the README shows.
afterAll(() => {
  const shot = join(OUT, 'report-unconnected-leak.png');
  if (existsSync(shot) && process.env.UPDATE_DOCS) copyFileSync(shot, join(ROOT, 'docs/report-unconnected-leak.png'));
});
