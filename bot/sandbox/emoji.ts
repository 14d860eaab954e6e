/**
 * The emoji the bot's messages use, drawn as small SVGs served by the sandbox itself. Slack draws
 * emoji as images from its own sprite sheet, never with the system's font; doing the same keeps the
 * page identical on a machine without a colour emoji font (Debian's Chromium in CI) and needs
 * nothing from the network. A shortcode that is not here stays as typed, as in Slack for an unknown
 * name.
 */

const circle = (fill: string, stroke = 'none') =>
  `<circle cx="10" cy="10" r="8.5" fill="${fill}" stroke="${stroke}" stroke-width="1.2"/>`;

const svg = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 20" width="20" height="20">${body}</svg>`;

/** name → SVG body (viewBox 0 0 20 20). Every shortcode bot/slack and the alert messages use, plus a few common ones. */
const DRAWN: Record<string, string> = {
  red_circle: circle('#dd2e44'),
  large_green_circle: circle('#78b159'),
  large_yellow_circle: circle('#fdcb58'),
  large_blue_circle: circle('#55acee'),
  white_circle: circle('#f5f8fa', '#9aa5ad'),
  x: '<path d="M4.5 4.5l11 11M15.5 4.5l-11 11" stroke="#dd2e44" stroke-width="3.2" stroke-linecap="round"/>',
  white_check_mark:
    '<rect x="1.5" y="1.5" width="17" height="17" rx="3.5" fill="#77b255"/><path d="M5.2 10.4l3.2 3.2 6.4-7" fill="none" stroke="#fff" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/>',
  heavy_check_mark: '<path d="M4 10.5l4 4 8-9" fill="none" stroke="#31373d" stroke-width="2.8" stroke-linecap="round" stroke-linejoin="round"/>',
  warning:
    '<path d="M10 1.8L19 17.6H1z" fill="#ffcc4d" stroke="#f4a623" stroke-width="0.8" stroke-linejoin="round"/><rect x="9" y="6.6" width="2" height="6.2" rx="1" fill="#231f20"/><circle cx="10" cy="15" r="1.15" fill="#231f20"/>',
  grey_question:
    '<path d="M6.6 7.2a3.5 3.5 0 1 1 4.9 3.2c-.9.4-1.5 1-1.5 2v.9" fill="none" stroke="#99aab5" stroke-width="2.4" stroke-linecap="round"/><circle cx="10" cy="16.3" r="1.4" fill="#99aab5"/>',
  heavy_minus_sign: '<rect x="3.5" y="8.6" width="13" height="2.8" rx="1.4" fill="#31373d"/>',
  hourglass_flowing_sand:
    '<path d="M5 2.5h10M5 17.5h10" stroke="#8a4b38" stroke-width="1.8" stroke-linecap="round"/><path d="M6 3.5h8c0 3.5-2.6 5-4 6.5 1.4 1.5 4 3 4 6.5H6c0-3.5 2.6-5 4-6.5C8.6 8.5 6 7 6 3.5z" fill="#ccd6dd" stroke="#99aab5" stroke-width=".8"/><path d="M7.6 16c.4-1.8 1.4-2.5 2.4-3.2 1 .7 2 1.4 2.4 3.2zM8 6h4c-.5 1.1-1.3 1.8-2 2.3-.7-.5-1.5-1.2-2-2.3z" fill="#ffac33"/>',
  repeat:
    '<rect x="1.5" y="1.5" width="17" height="17" rx="3.5" fill="#3b88c3"/><path d="M5.5 10V8.6a2 2 0 0 1 2-2h6.2M12.4 4.9l1.7 1.7-1.7 1.7M14.5 10v1.4a2 2 0 0 1-2 2H6.3M7.6 15.1l-1.7-1.7 1.7-1.7" fill="none" stroke="#fff" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>',
  no_entry: `${circle('#dd2e44')}<rect x="4.5" y="8.6" width="11" height="2.8" rx=".6" fill="#fff"/>`,
  confused:
    `${circle('#ffcc4d')}<circle cx="7.2" cy="8.2" r="1.2" fill="#664500"/><circle cx="12.8" cy="8.2" r="1.2" fill="#664500"/><path d="M6.8 14.2c2-1.6 4.6-1.9 6.6-.8" fill="none" stroke="#664500" stroke-width="1.3" stroke-linecap="round"/>`,
  rotating_light:
    '<path d="M5 12a5 5 0 0 1 10 0v3H5z" fill="#dd2e44"/><rect x="3.5" y="15" width="13" height="3" rx="1" fill="#8899a6"/><path d="M8.2 9.2a2 2 0 0 1 2-1.5" stroke="#ffb3bd" stroke-width="1.4" stroke-linecap="round" fill="none"/><path d="M10 2v2.2M3.4 4.6l1.5 1.5M16.6 4.6l-1.5 1.5" stroke="#ffcc4d" stroke-width="1.6" stroke-linecap="round"/>',
  arrows_counterclockwise:
    '<rect x="1.5" y="1.5" width="17" height="17" rx="3.5" fill="#3b88c3"/><path d="M14.6 8.2A4.9 4.9 0 0 0 5.6 7M5.4 11.8A4.9 4.9 0 0 0 14.4 13" fill="none" stroke="#fff" stroke-width="1.7" stroke-linecap="round"/><path d="M15.4 4.8v3.9h-3.9M4.6 15.2v-3.9h3.9" fill="none" stroke="#fff" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"/>',
  wastebasket:
    '<path d="M5 6h10l-1 11.5H6z" fill="#99aab5"/><rect x="3.5" y="3.8" width="13" height="2.4" rx="1" fill="#66757f"/><rect x="8" y="2" width="4" height="2" rx=".8" fill="#66757f"/><path d="M8.2 8.5v7M11.8 8.5v7" stroke="#ccd6dd" stroke-width="1.2"/>',
  thread:
    '<path d="M3 4.5a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2v7a2 2 0 0 1-2 2H9l-4 3.5v-3.5a2 2 0 0 1-2-2z" fill="#fff" stroke="#616061" stroke-width="1.4" stroke-linejoin="round"/><path d="M6.5 6.5h7M6.5 9.5h5" stroke="#616061" stroke-width="1.4" stroke-linecap="round"/>',
  bell: '<path d="M10 2.2a5 5 0 0 1 5 5v4.3l1.6 2.8H3.4L5 11.5V7.2a5 5 0 0 1 5-5z" fill="#ffac33"/><circle cx="10" cy="16.6" r="1.8" fill="#ffac33"/>',
  information_source: '<rect x="1.5" y="1.5" width="17" height="17" rx="3.5" fill="#3b88c3"/><circle cx="10" cy="5.6" r="1.5" fill="#fff"/><rect x="8.7" y="8.3" width="2.6" height="7.4" rx="1" fill="#fff"/>',
  eyes: '<ellipse cx="6.5" cy="10" rx="4" ry="6" fill="#fff" stroke="#31373d" stroke-width="1"/><ellipse cx="13.5" cy="10" rx="4" ry="6" fill="#fff" stroke="#31373d" stroke-width="1"/><circle cx="7.6" cy="11" r="1.9" fill="#31373d"/><circle cx="14.6" cy="11" r="1.9" fill="#31373d"/>',
  wave: '<path d="M6 16c-3-3-3.5-6-2-7.2 1.2-.9 2.4.3 3.3 1.5L5.6 5.6c-.5-1.3 1.3-2 1.9-.8l2.2 4.3-1.3-5.4c-.3-1.3 1.6-1.8 2-.5l1.6 5.2-.4-4.3c-.1-1.3 1.8-1.4 1.9-.1l.6 6.4.8-2.2c.5-1.2 2.2-.8 1.9.6-.5 2.6-1.3 5.6-3.3 7.6-2 2-5 1.7-7.5-.4z" fill="#ffdc5d" stroke="#ef9645" stroke-width=".6"/>',
};

/** Shortcodes that are simply characters (no colour needed), shown as text. */
const CHARACTERS: Record<string, string> = {
  arrow_right: '→',
  arrow_left: '←',
  heavy_plus_sign: '+',
  heavy_multiplication_x: '×',
  black_small_square: '▪',
  small_orange_diamond: '◆',
};

export function isKnownEmoji(name: string): boolean {
  return name in DRAWN || name in CHARACTERS;
}

/** The SVG document for /sandbox/emoji/<name>, or undefined for a name that is not drawn. */
export function emojiSvg(name: string): string | undefined {
  const body = Object.prototype.hasOwnProperty.call(DRAWN, name) ? DRAWN[name] : undefined;
  return body === undefined ? undefined : svg(body);
}

/** HTML for `:name:` — an image served by the sandbox, a character, or undefined when unknown. */
export function emojiHtml(name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(DRAWN, name)) {
    // name matched [a-z0-9_+-]+ and is a key of DRAWN: safe in an attribute as it is.
    return `<img class="emoji" src="/sandbox/emoji/${name}" alt=":${name}:" title=":${name}:" draggable="false">`;
  }
  if (Object.prototype.hasOwnProperty.call(CHARACTERS, name)) return `<span class="emoji-char" title=":${name}:">${CHARACTERS[name]}</span>`;
  return undefined;
}
