/**
 * import() of an ESM-only package that is not bundled (oidc-provider, open). The bundled CLI runs
 * as a vm.Script, which on Node 20 has no import() of its own; this file stays outside the bundle,
 * a real module whose import() resolves from the package's node_modules.
 */
export function importEsm<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>
}
