/**
 * custom-elements.json for editors, Storybook and framework tooling: `npm run build:widget`
 * regenerates it at the top level (package.json "customElements" points there). It is committed,
 * and widget/custom-elements-manifest.test.ts fails when it and the rendered element disagree
 * (parts, slot, custom properties and their defaults): regenerate it after changing the JSDoc.
 */

/** Lit's internal reactive state (`state: true`) and #private members are not public API. */
function publicApiOnly() {
  const internal = new Set()
  return {
    name: 'two-factor-kit:public-api-only',
    analyzePhase({ ts, node }) {
      // static properties = { step: { state: true }, … }: remember the names of internal state.
      if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.initializer)) {
        const isState = node.initializer.properties.some(
          (p) =>
            ts.isPropertyAssignment(p) &&
            p.name.getText() === 'state' &&
            p.initializer.kind === ts.SyntaxKind.TrueKeyword,
        )
        if (isState) internal.add(node.name.getText())
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (declaration.members) {
            declaration.members = declaration.members.filter(
              (m) => m.privacy !== 'private' && !internal.has(m.name),
            )
          }
          if (declaration.attributes)
            declaration.attributes = declaration.attributes.filter((a) => !internal.has(a.name))
          if (declaration.events) declaration.events = declaration.events.filter((e) => e.name)
        }
      }
    },
  }
}

/**
 * `static properties = { … } as const` keeps the attribute names as literal types for the framework
 * typings (widget/frameworks); the Lit plugin reads only a bare object literal, so it gets that.
 */
function unwrapConstProperties() {
  return {
    name: 'two-factor-kit:unwrap-const-properties',
    collectPhase({ ts, node }) {
      if (
        ts.isPropertyDeclaration(node) &&
        node.name.getText() === 'properties' &&
        node.initializer &&
        ts.isAsExpression(node.initializer)
      )
        node.initializer = node.initializer.expression
    },
  }
}

export default {
  globs: ['widget/two-factor-auth.ts', 'widget/events.ts', 'widget/index.ts', 'widget/element.ts'],
  exclude: ['widget/**/*.test.ts', 'widget/testing/**'],
  outdir: '.',
  litelement: true,
  packagejson: false,
  plugins: [unwrapConstProperties(), publicApiOnly()],
}
