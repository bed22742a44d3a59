// Handlebars helpers of the notice templates: `t` (a catalogue message), `paragraphs`, `lineBreaks`, `eq`; and the message keys a template uses.
import Handlebars from 'handlebars';
import type { MessageCatalogue } from './notice-renderer.messages';

/** Escape first, then turn blank lines into paragraphs and single line breaks into <br>. */
export function paragraphsHtml(value: unknown): string {
  const text = String(value ?? '')
    .replace(/\r\n?/g, '\n')
    .trim();
  if (!text) return '';
  return text
    .split(/\n\s*\n/)
    .map((p) => `<p>${Handlebars.escapeExpression(p.trim()).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

/**
 * `{{t "suspended.intro" customer=customer.name}}`: the message in the notice's catalogue (`@root.messages`).
 * HTML gets it escaped with only the catalogue's allowed tags; text and subjects get it without markup.
 */
export function registerHelpers(env: typeof Handlebars, html: boolean): void {
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  env.registerHelper('t', function (key: unknown, options: Handlebars.HelperOptions) {
    const catalogue = (options.data?.root as { messages?: MessageCatalogue } | undefined)?.messages;
    if (catalogue === undefined) throw new Error('t: the view has no message catalogue');
    const values = options.hash as Record<string, unknown>;
    return html ? new Handlebars.SafeString(catalogue.html(String(key), values)) : catalogue.text(String(key), values);
  });
  if (html) {
    env.registerHelper('paragraphs', (value: unknown) => new Handlebars.SafeString(paragraphsHtml(value)));
    env.registerHelper(
      'lineBreaks',
      (value: unknown) =>
        new Handlebars.SafeString(Handlebars.escapeExpression(String(value ?? '')).replace(/\r\n?|\n/g, '<br>\n')),
    );
  }
}

type CallNode = hbs.AST.MustacheStatement | hbs.AST.SubExpression | hbs.AST.BlockStatement;

/** Collects the keys of `t` calls; a key that is not a string literal cannot be checked, so it is reported. */
class MessageKeys extends Handlebars.Visitor {
  readonly keys = new Set<string>();
  readonly problems: string[] = [];

  private note(node: CallNode): void {
    if (node.path.type !== 'PathExpression' || (node.path as hbs.AST.PathExpression).original !== 't') return;
    const [first] = node.params;
    if (first?.type === 'StringLiteral') this.keys.add((first as hbs.AST.StringLiteral).value);
    else this.problems.push(`line ${node.loc?.start.line ?? '?'}: {{t}} needs a quoted message key`);
  }

  override MustacheStatement(node: hbs.AST.MustacheStatement): void {
    this.note(node);
    super.MustacheStatement(node);
  }

  override SubExpression(node: hbs.AST.SubExpression): void {
    this.note(node);
    super.SubExpression(node);
  }
}

/** The message keys a template source uses, and problems (non-literal keys). Throws when the source does not parse. */
export function messageKeysOf(source: string): { keys: Set<string>; problems: string[] } {
  const visitor = new MessageKeys();
  visitor.accept(Handlebars.parse(source));
  return { keys: visitor.keys, problems: visitor.problems };
}
