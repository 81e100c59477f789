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
