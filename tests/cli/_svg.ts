// SPDX-License-Identifier: MIT
/**
 * A small XML well-formedness check for the SVG that `bench run --plot` writes (no DOMParser in
 * Deno, Bun and Node alike): an optional `<?xml …?>` declaration, comments, one root element,
 * tags that close in order, attributes `name="value"` once each, and `&` only as an entity
 * (`&amp; &lt; &gt; &quot; &apos; &#N; &#xH;`). Throws an Error saying where it went wrong;
 * returns the root element as a tree, so tests can read attributes and text.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: Array<XmlElement | string>;
}

const NAME = "[A-Za-z_:][-A-Za-z0-9_.:]*";
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/g;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(raw: string, where: number): string {
  if (raw.replace(ENTITY, "").includes("&")) throw new Error(`bare & at offset ${where}`);
  return raw.replace(ENTITY, (e) => {
    const body = e.slice(1, -1);
    if (body.startsWith("#x")) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith("#")) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return ENTITIES[body]!;
  });
}

export function parseXml(doc: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(doc.slice(i))![0].length;
      i += ws;
      if (doc.startsWith("<!--", i)) {
        const end = doc.indexOf("-->", i + 4);
        if (end < 0) throw new Error(`unclosed comment at offset ${i}`);
        i = end + 3;
      } else return;
    }
  };
  if (doc.startsWith("\uFEFF")) i = 1;
  if (doc.startsWith("<?xml", i)) {
    const end = doc.indexOf("?>", i);
    if (end < 0) throw new Error("unclosed XML declaration");
    i = end + 2;
  }
  skipMisc();
  while (i < doc.length) {
    if (stack.length === 0 && root !== undefined) {
      skipMisc();
      if (i < doc.length) throw new Error(`content after the root element at offset ${i}`);
      break;
    }
    if (doc.startsWith("<!--", i)) {
      const end = doc.indexOf("-->", i + 4);
      if (end < 0) throw new Error(`unclosed comment at offset ${i}`);
      i = end + 3;
      continue;
    }
    if (doc.startsWith("</", i)) {
      const m = new RegExp(`^</(${NAME})\\s*>`).exec(doc.slice(i));
      if (!m) throw new Error(`bad end tag at offset ${i}`);
      const open = stack.pop();
      if (open?.name !== m[1]) {
        throw new Error(`</${m[1]}> at offset ${i} closes <${open?.name ?? "nothing"}>`);
      }
      i += m[0].length;
      continue;
    }
    if (doc[i] === "<") {
      const m = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`)
        .exec(doc.slice(i));
      if (!m) throw new Error(`bad start tag at offset ${i}: ${doc.slice(i, i + 60)}`);
      if (stack.length === 0 && root !== undefined) throw new Error("two root elements");
      const el: XmlElement = { name: m[1]!, attributes: {}, children: [] };
      for (
        const a of m[2]!.matchAll(new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, "g"))
      ) {
        if (a[1]! in el.attributes) throw new Error(`attribute ${a[1]} twice at offset ${i}`);
        el.attributes[a[1]!] = decode(a[2] ?? a[3]!, i);
      }
      if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
      else root = el;
      if (m[3] !== "/") stack.push(el);
      i += m[0].length;
      continue;
    }
    const next = doc.indexOf("<", i);
    const end = next < 0 ? doc.length : next;
    const raw = doc.slice(i, end);
    if (stack.length === 0) {
      if (raw.trim() !== "") throw new Error(`text outside the root element at offset ${i}`);
    } else {
      if (raw.includes("]]>")) throw new Error(`"]]>" in text at offset ${i}`);
      stack[stack.length - 1]!.children.push(decode(raw, i));
    }
    i = end;
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (root === undefined) throw new Error("no root element");
  return root;
}

/** The text of every element named `name` (default `text`), in document order. */
export function texts(el: XmlElement, name = "text"): string[] {
  const out: string[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(allText(e));
    for (const c of e.children) if (typeof c !== "string") walk(c);
  };
  walk(el);
  return out;
}

function allText(e: XmlElement): string {
  return e.children.map((c) => (typeof c === "string" ? c : allText(c))).join("");
}

/** Asserts an SVG document: well-formed, with an `<svg>` root in the SVG namespace. */
export function parseSvg(doc: string): XmlElement {
  const root = parseXml(doc);
  if (root.name !== "svg") throw new Error(`root element is <${root.name}>, not <svg>`);
  if (root.attributes.xmlns !== "http://www.w3.org/2000/svg") {
    throw new Error(`<svg> has xmlns=${JSON.stringify(root.attributes.xmlns)}`);
  }
  return root;
}
