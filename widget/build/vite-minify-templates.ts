/**
 * Build-time only: minifies the static text of Lit's html`` and css`` templates (minifiers leave
 * template literals alone). It finds them with the TypeScript parser, not with regular
 * expressions, so strings, comments and `${}` expressions are never touched.
 *
 * html: whitespace with a line break next to a tag goes; any other run with
 * a line break becomes one space (so `</span> <strong>`, written on one line, keeps its space); the
 * quotes of a static attribute value go when HTML doesn't need them (`type="submit"` → `type=submit`;
 * not before `/>`, where the slash would join the value). css: comments go, runs become one space,
 * spaces around `{ } ; , :` (in declarations) go.
 */
import ts from 'typescript'
import type { Plugin } from 'vite'

export function minifyHtml(text: string): string {
  return text
    .replace(/>\s*\n\s*/g, '>')
    .replace(/\s*\n\s*(<|\/?>)/g, '$1')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/(\s[a-z][\w-]*)="([\w.#:-]+)"(?=[\s>])/g, '$1=$2')
}

export function minifyCss(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,])\s*/g, '$1')
    .replace(/;}/g, '}')
    .replace(/([{;][\w-]+):\s+/g, '$1:')
    .replace(/([\s:,(])0\.(\d)/g, '$1.$2')
}

export function minifyTemplates(source: string, fileName = 'file.ts'): string {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const edits: { start: number; end: number; text: string }[] = []
  const visit = (node: ts.Node): void => {
    if (
      ts.isTaggedTemplateExpression(node) &&
      ts.isIdentifier(node.tag) &&
      /^(html|css|svg)$/.test(node.tag.text)
    ) {
      const minify = node.tag.text === 'css' ? minifyCss : minifyHtml
      const template = node.template
      const pieces = ts.isNoSubstitutionTemplateLiteral(template)
        ? [template]
        : [template.head, ...template.templateSpans.map((span) => span.literal)]
      for (const piece of pieces) {
        // The raw text sits between the piece's delimiters: ` or } before, ` or ${ after.
        const start = piece.getStart(file) + 1
        const end = piece.getEnd() - (ts.isTemplateHead(piece) || ts.isTemplateMiddle(piece) ? 2 : 1)
        const raw = source.slice(start, end)
        const text = minify(raw)
        if (text !== raw) edits.push({ start, end, text })
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  let out = source
  for (const edit of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end)
  return out
}

export function minifyLitTemplates(): Plugin {
  return {
    name: 'two-factor-kit:minify-lit-templates',
    enforce: 'pre',
    transform(code, id) {
      // The widget's own modules, steps/ included; not its tests, test helpers or build files.
      if (!/\/widget\/(?!build\/|testing\/)[\w./-]+\.ts$/.test(id) || id.endsWith('.test.ts')) return null
      return { code: minifyTemplates(code, id), map: null }
    },
  }
}
