/**
 * Just enough of the DOM for the HTML report's chart script (html-report.ts, CHART_JS) to
 * draw into, here, so the page holds each chart as static SVG: ticket viewers and mail
 * previews that run no JavaScript show the same chart as a browser does. Text goes in
 * through textContent and attributes through setAttribute, as in the page, and both are
 * escaped when serialised.
 */
import { esc } from './escape.js';

const VOID = new Set(['input', 'br', 'img', 'hr', 'meta', 'link']);

class Text {
  constructor(readonly data: string) {}
  html(): string {
    return esc(this.data);
  }
}

export class StaticElement {
  private attrs = new Map<string, string>();
  children: (StaticElement | Text)[] = [];
  className = '';
  type = '';
  title = '';
  checked = false;
  /** Inline style is only set by hover code, which never runs here. */
  style: Record<string, string> = {};

  constructor(readonly tag: string) {}

  setAttribute(k: string, v: unknown): void {
    this.attrs.set(k, String(v));
  }
  getAttribute(k: string): string | null {
    return this.attrs.get(k) ?? null;
  }
  appendChild<T extends StaticElement | Text>(c: T): T {
    this.children.push(c);
    return c;
  }
  set textContent(t: string) {
    this.children = t === '' ? [] : [new Text(t)];
  }
  get textContent(): string {
    return this.children.map((c) => (c instanceof Text ? c.data : c.textContent)).join('');
  }
  addEventListener(): void {}
  /** `tag.class` selectors, the only kind the chart script asks for. */
  querySelectorAll(sel: string): StaticElement[] {
    const [tag, cls] = sel.split('.');
    const out: StaticElement[] = [];
    const walk = (e: StaticElement) => {
      for (const c of e.children) {
        if (!(c instanceof StaticElement)) continue;
        if ((!tag || c.tag === tag) && (!cls || (c.getAttribute('class') ?? c.className).split(' ').includes(cls))) out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }

  html(): string {
    let a = '';
    const cls = this.className || this.attrs.get('class');
    if (cls) a += ` class="${esc(cls)}"`;
    if (this.type) a += ` type="${esc(this.type)}"`;
    if (this.title) a += ` title="${esc(this.title)}"`;
    for (const [k, v] of this.attrs) if (k !== 'class') a += ` ${k}="${esc(v)}"`;
    if (VOID.has(this.tag)) return `<${this.tag}${a}>`;
    return `<${this.tag}${a}>${this.children.map((c) => c.html()).join('')}</${this.tag}>`;
  }

  /** The children's markup (the box itself is written by the report). */
  inner(): string {
    return this.children.map((c) => c.html()).join('');
  }
}

export const staticDocument = {
  createElementNS: (_ns: string, tag: string) => new StaticElement(tag),
  createElement: (tag: string) => new StaticElement(tag),
  createTextNode: (t: string) => new Text(t),
};
