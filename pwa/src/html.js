// @ts-check
/**
 * The one way views make markup: a tagged template that escapes every
 * interpolated value. Only values that are themselves `Html` (made by
 * this tag or by `raw` for constant markup such as icons) pass through.
 */

export class Html {
  /** @param {string} text */
  constructor(text) {
    this.text = text;
  }

  toString() {
    return this.text;
  }
}

const ENTITIES = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** @param {unknown} value */
export function escape(value) {
  return String(value).replace(
    /[&<>"'`]/g,
    (c) => ENTITIES[/** @type {keyof ENTITIES} */ (c)],
  );
}

/** @param {unknown} value @returns {string} */
function piece(value) {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(piece).join("");
  return escape(value);
}

/**
 * @param {TemplateStringsArray} strings
 * @param {...unknown} values
 */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i += 1) {
    out += piece(values[i]) + strings[i + 1];
  }
  return new Html(out);
}

/**
 * Text in which some words, record codes such as "AFF-2026-003", stay
 * whole: a narrow line would otherwise break them at a hyphen.
 * @param {string} text @param {(string | undefined)[]} words
 * @returns {Html}
 */
export function keepWhole(text, words) {
  let out = escape(text);
  for (const word of new Set(words)) {
    if (!word) continue;
    out = out.split(escape(word)).join(
      `<span class="whole">${escape(word)}</span>`);
  }
  return new Html(out);
}

/** Constant markup written in this code base (never data). */
export function raw(/** @type {string} */ text) {
  return new Html(text);
}

/** @type {WeakMap<Element, string>} */
const drawn = new WeakMap();

/**
 * Put `content` into `root` by changing only what differs. Elements that
 * keep their place and kind are kept, not replaced: a redraw caused by a
 * sync in the background never swallows a tap, moves the focus or loses
 * a half-typed value.
 * @param {Element} root
 * @param {Html} content
 */
export function render(root, content) {
  if (drawn.get(root) === content.text) return;
  drawn.set(root, content.text);
  const template = document.createElement("template");
  template.innerHTML = content.text;
  morphChildren(root, template.content);
}

/** @param {Node} target @param {Node} source */
function morphChildren(target, source) {
  const wanted = [...source.childNodes];
  let current = target.firstChild;
  for (const next of wanted) {
    if (current && sameKind(current, next)) {
      morph(current, next);
      current = current.nextSibling;
    } else {
      target.insertBefore(next, current);
    }
  }
  while (current) {
    const after = current.nextSibling;
    target.removeChild(current);
    current = after;
  }
}

/** @param {Node} a @param {Node} b */
function sameKind(a, b) {
  if (a.nodeType !== b.nodeType) return false;
  if (!(a instanceof Element) || !(b instanceof Element)) return true;
  return a.tagName === b.tagName && a.id === b.id
    && a.getAttribute("type") === b.getAttribute("type");
}

/** @param {Node} target @param {Node} source */
function morph(target, source) {
  if (!(target instanceof Element) || !(source instanceof Element)) {
    if (target.nodeValue !== source.nodeValue) {
      target.nodeValue = source.nodeValue;
    }
    return;
  }
  for (const { name } of [...target.attributes]) {
    if (!source.hasAttribute(name)) target.removeAttribute(name);
  }
  for (const { name, value } of [...source.attributes]) {
    if (target.getAttribute(name) !== value) target.setAttribute(name, value);
  }
  // A text area's text is its children: read before they move across.
  const text = source.tagName === "TEXTAREA" ? source.textContent ?? "" : "";
  morphChildren(target, source);
  keepFieldState(target, source, text);
}

/**
 * A field shows what the new markup says, unless the person is in it:
 * then what they are typing stays. A field marked `data-drawn-value`
 * always shows its markup: its screen draws what is being typed into it,
 * so a value the person already saved and the server refused (Enter
 * saves and leaves the focus in the field) does not stay on screen.
 * @param {Element} target @param {Element} source
 * @param {string} text the source's text, as it was before the morph
 */
function keepFieldState(target, source, text) {
  if (target === document.activeElement
    && !source.hasAttribute("data-drawn-value")) return;
  if (target instanceof HTMLInputElement) {
    const input = /** @type {HTMLInputElement} */ (source);
    if (target.type === "checkbox" || target.type === "radio") {
      target.checked = input.hasAttribute("checked");
    } else if (target.type !== "file") {
      target.value = input.getAttribute("value") ?? "";
    }
  } else if (target instanceof HTMLTextAreaElement) {
    target.value = text;
  } else if (target instanceof HTMLSelectElement) {
    const chosen = source.querySelector("option[selected]");
    target.value = chosen?.getAttribute("value")
      ?? target.options[0]?.value ?? "";
  }
}
