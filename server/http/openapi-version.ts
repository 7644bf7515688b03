/** What the generated OpenAPI document holds as `info.version`, replaced by the kit's own when served. */
export const VERSION_PLACEHOLDER = '0.0.0-two-factor-kit-version'

/** The generated document with `version` in place of the placeholder. */
export function withVersion(document: string, version: string): string {
  return document.replace(JSON.stringify(VERSION_PLACEHOLDER), JSON.stringify(version))
}
