/**
 * Runs tasks with a global bound and a per-key bound, taking keys in turn. Deliveries are keyed by
 * subscription: a receiver that never answers holds at most `perKey` slots (for at most the request
 * timeout), so every other receiver's deliveries keep flowing through the remaining slots.
 */
export interface KeyedTask<T> {
  key: string;
  run: () => Promise<T>;
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export function runFair<T>(
  tasks: readonly KeyedTask<T>[],
  limits: { global: number; perKey: number },
): Promise<Settled<T>[]> {
  const results: Settled<T>[] = new Array(tasks.length);
  // One FIFO per key, and the keys in first-seen order for round-robin.
  const queues = new Map<string, number[]>();
  for (const [index, task] of tasks.entries()) {
    const queue = queues.get(task.key);
    if (queue) queue.push(index);
    else queues.set(task.key, [index]);
  }
  const order = [...queues.keys()];
  const active = new Map<string, number>();
  let running = 0;
  let finished = 0;
  let cursor = 0;

  return new Promise((resolve) => {
    if (tasks.length === 0) {
      resolve(results);
      return;
    }
    const nextIndex = (): number | undefined => {
      for (let step = 0; step < order.length; step++) {
        const key = order[(cursor + step) % order.length] as string;
        const queue = queues.get(key);
        if (!queue || queue.length === 0 || (active.get(key) ?? 0) >= limits.perKey) continue;
        cursor = (cursor + step + 1) % order.length;
        active.set(key, (active.get(key) ?? 0) + 1);
        return queue.shift();
      }
      return undefined;
    };
    const pump = (): void => {
      while (running < limits.global) {
        const index = nextIndex();
        if (index === undefined) return;
        const task = tasks[index] as KeyedTask<T>;
        running += 1;
        task
          .run()
          .then(
            (value) => {
              results[index] = { ok: true, value };
            },
            (error: unknown) => {
              results[index] = { ok: false, error };
            },
          )
          .finally(() => {
            running -= 1;
            finished += 1;
            active.set(task.key, (active.get(task.key) ?? 1) - 1);
            if (finished === tasks.length) resolve(results);
            else pump();
          });
      }
    };
    pump();
  });
}
