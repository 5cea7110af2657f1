// Loads `--types` modules: each default-exports `(registry) => void | Promise<void>` and
// registers its types through the same register() the built-ins use. Modules are loaded only
// from the daemon's own configuration, never from the wire.

import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigError } from '../../protocol'
import type { Registry } from '../core/registry'

type TypesModule = (registry: Registry) => void | Promise<void>

function pickRegister(mod: unknown): TypesModule | undefined {
  // ESM default export, CommonJS module.exports = fn, or a transpiled `exports.default`.
  let m = mod as { default?: unknown } | undefined
  for (let i = 0; i < 3 && m !== undefined && m !== null; i++) {
    if (typeof m === 'function') return m as TypesModule
    m = (m as { default?: unknown }).default as typeof m
  }
  return typeof m === 'function' ? (m as TypesModule) : undefined
}

/** CommonJS through require (it also works inside test sandboxes), ES modules through import(). */
async function loadModule(path: string): Promise<unknown> {
  if (!path.endsWith('.mjs')) {
    try {
      return require(path) as unknown
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw err
    }
  }
  return import(pathToFileURL(path).href)
}

export async function loadTypesModule(spec: string, registry: Registry, cwd = process.cwd()): Promise<void> {
  const path = resolve(cwd, spec)
  let mod: unknown
  try {
    mod = await loadModule(path)
  } catch (err) {
    throw new ConfigError(`cannot load types module ${spec}: ${(err as Error).message.split('\n')[0]}`)
  }
  const register = pickRegister(mod)
  if (register === undefined) {
    throw new ConfigError(`types module ${spec} must default-export a function (registry) => void`)
  }
  await register(registry)
}
