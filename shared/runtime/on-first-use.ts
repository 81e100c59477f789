/**
 * `load` runs on the first call, and every later call shares its result. A failed load is not
 * kept: the next call tries again (a chunk or client that failed once must not fail the container
 * for good). The Lambda adapters load their SDK client this way, through `import()`, which the
 * bundle splits into a chunk of its own (infra/bundling.ts): nothing of it runs at module init.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    if (loaded === undefined) {
      const pending = load();
      loaded = pending;
      pending.catch(() => {
        if (loaded === pending) loaded = undefined;
      });
    }
    return loaded;
  };
}

/**
 * A Lambda handler whose event-handling code (schemas, domain, pipeline) is loaded by `import()` on
 * the first event instead of at module init: init is the entry's own shell. The first event pays
 * the load instead (docs/PERFORMANCE.md measures both); later events call the loaded handler.
 */
export function handlerLoadedOnFirstEvent<E, C, R>(
  load: () => Promise<(event: E, context: C) => Promise<R>>,
): (event: E, context: C) => Promise<R> {
  const loaded = onFirstUse(load);
  return async (event, context) => (await loaded())(event, context);
}
