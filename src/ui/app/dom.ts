// DOM helpers of the web view. Every piece of data reaches the page as text (textContent or an
// attribute value), never as markup: stream names and values cannot inject elements or scripts.

type Child = Node | string | number | null | undefined | false;
type Attributes = Readonly<Record<string, string | number | boolean | undefined | null>>;

const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttributes(el: Element, attrs: Attributes): void {
  for (const [name, value] of Object.entries(attrs)) {
    // Event handlers are attached with addEventListener, never as attributes.
    if (/^on/i.test(name)) throw new Error(`event handler attribute "${name}" refused`);
    if (value === undefined || value === null || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(el: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element with attributes and children. */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** An in-page link to a route (hash URLs only). */
export function link(route: string, ...children: Child[]): HTMLAnchorElement {
  return h('a', { href: `#${route}` }, ...children);
}

/**
 * An exact UTC time, as short as it stays exact: `2001-01-01` at midnight, `2001-01-01 06:30Z`,
 * `2001-01-01 06:30:15.250Z`.
 */
export function formatTime(t: number): string {
  if (!Number.isFinite(t)) return String(t);
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  const iso = d.toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  if (iso.endsWith(':00.000Z')) return `${iso.slice(0, 16).replace('T', ' ')}Z`;
  if (iso.endsWith('.000Z')) return `${iso.slice(0, 19).replace('T', ' ')}Z`;
  return iso.replace('T', ' ');
}

/** `(start, end]` in ISO times. */
export function formatInterval(i: { readonly start: number; readonly end: number }): string {
  return `(${formatTime(i.start)}, ${formatTime(i.end)}]`;
}

/** `1.2 s`, `340 ms`, `2 min 3 s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${String(Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${String(minutes)} min ${String(Math.round((ms - minutes * 60_000) / 1000))} s`;
}

/** A message box (errors and notes). */
export function notice(kind: 'error' | 'note', text: string): HTMLElement {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** Width of `text` in the page's font, for laying out boxes around labels. */
export function textWidth(text: string, font = '12px system-ui, sans-serif'): number {
  const canvas =
    (textWidth as { canvas?: HTMLCanvasElement }).canvas ?? document.createElement('canvas');
  (textWidth as { canvas?: HTMLCanvasElement }).canvas = canvas;
  const context = canvas.getContext('2d');
  if (!context) return text.length * 7;
  context.font = font;
  return context.measureText(text).width;
}
