/** A small reader for the element-only XML that GeoReport v2 answers with (no attributes, no CDATA). */
export interface XNode {
  name: string;
  children: XNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e],
  );

/** Parses a document; throws on anything that is not well-formed (unbalanced tags, stray '<' or '&'). */
export function parseXml(doc: string): { declaration: string | null; root: XNode } {
  const decl = /^<\?xml[^?]*\?>\s*/.exec(doc);
  let rest = decl ? doc.slice(decl[0].length) : doc;
  rest = rest.trim();
  const token = /<(\/?)([A-Za-z_][\w.-]*)\s*(\/?)>|([^<]+)/y;
  const stack: XNode[] = [{ name: '#document', children: [], text: '' }];
  let i = 0;
  while (i < rest.length) {
    token.lastIndex = i;
    const m = token.exec(rest);
    if (!m) throw new Error(`not well-formed XML at ${i}: ${rest.slice(i, i + 40)}`);
    i = token.lastIndex;
    const [, close, name, selfClose, txt] = m;
    const top = stack[stack.length - 1];
    if (txt !== undefined) {
      if (/&(?!(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);)/i.test(txt)) throw new Error(`bare & in text: ${txt.slice(0, 40)}`);
      top.text += unescape(txt);
    } else if (close) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const node: XNode = { name, children: [], text: '' };
      top.children.push(node);
      if (!selfClose) stack.push(node);
    }
  }
  if (stack.length !== 1 || stack[0].children.length !== 1) throw new Error('XML must have exactly one root element, all closed');
  return { declaration: decl ? decl[0].trim() : null, root: stack[0].children[0] };
}

export const kids = (n: XNode, name: string): XNode[] => n.children.filter((c) => c.name === name);
export function kid(n: XNode, name: string): XNode {
  const k = kids(n, name);
  if (k.length !== 1) throw new Error(`<${n.name}> has ${k.length} <${name}>`);
  return k[0];
}
/** Text of a leaf child element. */
export const val = (n: XNode, name: string): string => kid(n, name).text;
/** The names of a node's child elements, in order. */
export const names = (n: XNode): string[] => n.children.map((c) => c.name);
