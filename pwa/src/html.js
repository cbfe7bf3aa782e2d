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

/** Constant markup written in this code base (never data). */
export function raw(/** @type {string} */ text) {
  return new Html(text);
}

/** @type {WeakMap<Element, string>} */
const drawn = new WeakMap();

/**
 * Put `content` into `root`, keeping the field being typed in: its value,
 * caret and focus survive a re-render caused by a sync in the background.
 * @param {Element} root
 * @param {Html} content
 */
export function render(root, content) {
  // The same markup again (a sync that changed nothing on this screen):
  // leave the page alone, so no tap lands on a replaced element.
  if (drawn.get(root) === content.text) return;
  drawn.set(root, content.text);
  const active = /** @type {HTMLInputElement | null} */ (
    document.activeElement && root.contains(document.activeElement)
      ? document.activeElement
      : null
  );
  const keep = active && active.id ? {
    id: active.id,
    value: "value" in active ? active.value : null,
    start: safe(() => active.selectionStart),
    end: safe(() => active.selectionEnd),
    typing: active.matches("input[type=text], input:not([type]), textarea,"
      + " input[type=email], input[type=password], input[type=tel]"),
  } : null;

  root.innerHTML = content.text;

  if (!keep) return;
  const again = /** @type {HTMLInputElement | null} */ (
    document.getElementById(keep.id)
  );
  if (!again) return;
  if (keep.typing && keep.value !== null) again.value = keep.value;
  again.focus({ preventScroll: true });
  if (keep.typing && keep.start !== null) {
    safe(() => again.setSelectionRange(keep.start, keep.end));
  }
}

/** @template T @param {() => T} read @returns {T | null} */
function safe(read) {
  try {
    return read();
  } catch {
    return null;
  }
}
