/**
 * A small XML writer for the GeoReport v2 documents: elements only (no attributes), text
 * escaped, characters XML 1.0 does not allow dropped. Objects become child elements, arrays
 * repeat the element named by `itemName`, null becomes an empty element, an undefined member
 * is left out.
 */

// Characters that are not allowed in XML 1.0 (C0 controls except tab, LF, CR; lone surrogates; U+FFFE/FFFF).
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(s: string): string {
  return s
    .replace(INVALID_XML_CHARS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export type XmlValue = string | number | boolean | null | undefined | XmlNode | XmlList;
export interface XmlNode {
  [name: string]: XmlValue;
}
/** A list of child elements with one name: `<notes><note>…</note><note>…</note></notes>` */
export interface XmlList {
  readonly xmlList: true;
  readonly itemName: string;
  readonly items: XmlValue[];
}

export const xmlList = (itemName: string, items: XmlValue[]): XmlList => ({ xmlList: true, itemName, items });

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function element(name: string, v: XmlValue): string {
  if (!NAME.test(name)) throw new Error(`Invalid XML element name: ${name}`);
  if (v === null || v === undefined || v === '') return `<${name}></${name}>`;
  if (typeof v === 'object') {
    if ((v as XmlList).xmlList === true) {
      const l = v as XmlList;
      return `<${name}>${l.items.map((i) => element(l.itemName, i)).join('')}</${name}>`;
    }
    return `<${name}>${Object.entries(v as XmlNode)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => element(k, x))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(v))}</${name}>`;
}

/** A whole document: the XML declaration and one root element. */
export function xmlDocument(rootName: string, content: XmlNode | XmlList): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(rootName, content)}`;
}
