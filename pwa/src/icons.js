// @ts-check
/** Icons: constant SVG markup, drawn with the text colour. */

import { raw } from "./html.js";

const PATHS = {
  calendar: "M7 2v2H5a2 2 0 0 0-2 2v13a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 "
    + "2 0 0 0-2-2h-2V2h-2v2H9V2zm-2 7h14v10H5z",
  play: "M8 5v14l11-7z",
  check: "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z",
  lock: "M12 2a5 5 0 0 0-5 5v3H5v12h14V10h-2V7a5 5 0 0 0-5-5zm-3 8V7a3 3 0 "
    + "0 1 6 0v3z",
  cross: "M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 "
    + "17.6 19 19 17.6 13.4 12z",
  clock: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 "
    + "0 1 0-16zm1 3h-2v6l5 3 1-1.7-4-2.3z",
  list: "M4 6h2v2H4zm4 0h12v2H8zm-4 5h2v2H4zm4 0h12v2H8zm-4 5h2v2H4zm4 0h12"
    + "v2H8z",
  user: "M12 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zm0 2c-4 0-8 2-8 5v3h16v-3c0"
    + "-3-4-5-8-5z",
  approve: "M3 5h18v2H3zm0 4h10v2H3zm0 4h10v2H3zm13.6 6.2-3-3 1.4-1.4 1.6 "
    + "1.6 4-4 1.4 1.4z",
  cloud: "M19 18H6a4 4 0 0 1-.6-8A6 6 0 0 1 17 9a4.5 4.5 0 0 1 2 9z",
  offline: "M3 4.3 4.3 3 21 19.7 19.7 21l-3-3H6a4 4 0 0 1-.8-7.9zM19 18l-.2"
    + "-.1L8.3 7.4A6 6 0 0 1 17 9a4.5 4.5 0 0 1 2 9z",
  warn: "M1 21h22L12 2zm12-3h-2v-2h2zm0-4h-2v-4h2z",
  phone: "M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 "
    + "3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c"
    + ".6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z",
  pin: "M12 2a7 7 0 0 0-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 0 0-7-7zm0 9.5a2.5 "
    + "2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5z",
  back: "M20 11H7.8l5.6-5.6L12 4l-8 8 8 8 1.4-1.4L7.8 13H20z",
  forward: "M4 13h12.2l-5.6 5.6L12 20l8-8-8-8-1.4 1.4 5.6 5.6H4z",
  plus: "M19 13h-6v6h-2v-6H5v-2h6V5h2v6h6z",
  // An arrow turning back: undo, reopen.
  undo: "M9 4 3 9.5 9 15v-4h5.5a3.5 3.5 0 0 1 0 7H10v2h4.5a5.5 5.5 0 0 0 0"
    + "-11H9z",
  // A camera body with its lens: a ring around a filled centre.
  camera: "M9 3 7.5 5H4a2 2 0 0 0-2 2v11a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7"
    + "a2 2 0 0 0-2-2h-3.5L15 3zm3 5a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zm0 "
    + "2a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z",
  // Two sheets, one over the other: copy.
  copy: "M16 1H4a2 2 0 0 0-2 2v14h2V3h12zm3 4H8a2 2 0 0 0-2 2v14a2 2 0 0 0 2 "
    + "2h11a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2zm0 16H8V7h11z",
  sync: "M12 4V1L8 5l4 4V6a6 6 0 0 1 5.7 7.9l1.5 1.5A8 8 0 0 0 12 4zm0 14a6 "
    + "6 0 0 1-5.7-7.9L4.8 8.6A8 8 0 0 0 12 20v3l4-4-4-4z",
};

/** @typedef {keyof typeof PATHS} IconName */

/** @param {IconName} name */
export function icon(name) {
  return raw(`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" `
    + `focusable="false"><path fill-rule="evenodd" d="${PATHS[name]}"/></svg>`);
}
