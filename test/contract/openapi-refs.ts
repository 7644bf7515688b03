/**
 * The OpenAPI document holds each error answer once, in `components.responses`, and the error
 * envelope once, in `components.schemas`; routes and answers point at them with `$ref`. These
 * helpers resolve those references the way a client of the document does, for the contract tests.
 */
import type { Ajv2020 } from 'ajv/dist/2020.js'

type Json = Record<string, unknown>

/** What a local `$ref` (`#/components/responses/NOT_FOUND`) points at in `document`, or undefined. */
export function pointee(document: object, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined),
      document,
    )
}

/** `node` itself, or what it points at when it is a `{ $ref }` (a shared response, say). */
export function resolved<T>(document: object, node: T | { $ref: string }): T {
  if (node && typeof node === 'object' && '$ref' in node) {
    const target = pointee(document, node.$ref)
    if (target === undefined) throw new Error(`${node.$ref} points at nothing in the document`)
    return target as T
  }
  return node as T
}

/** Every `$ref` in `node`, however deep. */
export function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn)
  if (!node || typeof node !== 'object') return []
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [value] : refsIn(value),
  )
}

/**
 * `schema` as a validator can compile it alone: the document's components beside it, so that its
 * `#/components/schemas/…` references resolve to what they name in the document. `transform` (the
 * answers test's `closed`) applies to the schema and to the components alike.
 */
export function withComponents(
  document: { components?: unknown },
  schema: object,
  transform: (schema: unknown) => unknown = (same) => same,
): object {
  return { ...(transform(schema) as object), components: transform(document.components) }
}

/** Lets a strict ajv accept `components` beside a schema (withComponents): it holds, it checks nothing. */
export function acceptComponents(ajv: Ajv2020): Ajv2020 {
  return ajv.addKeyword({ keyword: 'components' })
}
