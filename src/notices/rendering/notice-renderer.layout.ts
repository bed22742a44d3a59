// The HTML layout's CSS, inlined by juice into each template once per writing direction (mirrored by rtlcss for rtl).
import juice from 'juice';

// rtlcss (maintained, used by WordPress and Bootstrap) mirrors CSS: left ↔ right in properties, values and shorthands.
const rtlcss = require('rtlcss') as { process(css: string): string };

export type Direction = 'ltr' | 'rtl';

const JUICE_OPTIONS = {
  removeStyleTags: true,
  preserveMediaQueries: true,
  applyWidthAttributes: true,
  applyAttributesTableElements: true,
  applyHeightAttributes: false,
};

const COMMENT = /{{!--[\s\S]*?--}}|{{![\s\S]*?}}/g;
const BODY_SLOT = /{{\s*body\s*}}/g;
const STYLE_BLOCK = /(<style[^>]*>)([\s\S]*?)(<\/style>)/gi;

function extractCss(layout: string): string {
  return [...layout.matchAll(STYLE_BLOCK)].map((m) => m[2]).join('\n');
}

// juice takes milliseconds per document; the same sources inlined again (another renderer in this process) come from here.
const inlined = new Map<string, string>();
function cachedJuice(key: string, run: () => string): string {
  let html = inlined.get(key);
  if (html === undefined) {
    html = run();
    if (inlined.size >= 1000) inlined.clear();
    inlined.set(key, html);
  }
  return html;
}

/** A layout without its comments, split around its one `{{body}}` slot. */
export function splitLayout(source: string, file: string): [string, string] {
  const parts = source.replace(COMMENT, '').split(BODY_SLOT);
  if (parts.length !== 2) throw new Error(`templates: ${file} must contain {{body}} exactly once`);
  return [parts[0].replace(/^\s+/, ''), parts[1]];
}

/**
 * For the HTML layout around `{{body}}`: `htmlDocument` puts a template into the layout and inlines its CSS;
 * `inline` inlines a partial with the layout's CSS. The rtl variants use the mirrored CSS.
 */
export function htmlInliner(before: string, after: string) {
  const ltrCss = extractCss(before + after);
  const css: Record<Direction, string> = { ltr: ltrCss, rtl: rtlcss.process(ltrCss) };
  const mirrored = (document: string) =>
    document.replace(
      STYLE_BLOCK,
      (_, open: string, rules: string, close: string) => open + rtlcss.process(rules) + close,
    );
  return {
    inline: (source: string, dir: Direction) =>
      cachedJuice(`fragment\0${css[dir]}\0${source}`, () => juice.inlineContent(source, css[dir], JUICE_OPTIONS)),
    htmlDocument: (body: string, dir: Direction) => {
      const ltr = before + body + after;
      const document = dir === 'rtl' ? mirrored(ltr) : ltr;
      return cachedJuice(`document\0${document}`, () => juice(document, JUICE_OPTIONS));
    },
  };
}
