// jest runs each test file in a fresh vm context, whose Symbol lacks the explicit-resource-
// management symbols Node 20 adds to its main realm. Node defines them as Symbol.for(...), so
// defining the same registered symbols here keeps `await using` and proxies in agreement.
const sym = Symbol as unknown as { asyncDispose?: symbol; dispose?: symbol }
if (sym.asyncDispose === undefined) Object.defineProperty(Symbol, 'asyncDispose', { value: Symbol.for('nodejs.asyncDispose') })
if (sym.dispose === undefined) Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('nodejs.dispose') })
