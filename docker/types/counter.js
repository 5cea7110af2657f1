'use strict'
// An example types module for the container: mount this folder and name the file, e.g.
//   -v "$PWD/docker/types:/types:ro" -e MANAGERD_TYPES=/types/counter.js
// It registers `Counter` through the same register() the built-in types use.
class Counter {
  #n
  constructor(start = 0) {
    this.#n = start
  }
  increment(by = 1) {
    this.#n += by
    return this.#n
  }
  value() {
    return this.#n
  }
}

module.exports = (registry) => {
  registry.register('Counter', { create: (start) => new Counter(start) })
}
