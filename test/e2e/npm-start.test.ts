import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local.ts';
import { tenantBody } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { exited, javaChildren, start as startNpm } from './support/npm-start.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'wso-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const start = (env: Record<string, string>, args: string[] = []) =>
  startNpm({ WSO_DATA_DIR: dataDir, ...env }, args);

describe('npm start', () => {
  it('serves the API, keeps data across a restart and leaves no Java process behind', async () => {
    const port = await freePort();
    const first = await start({ PORT: String(port) });
    expect(first.url).toBe(`http://127.0.0.1:${port}`);
    const api = new ApiClient(first.url);
    expect((await api.get('/v1/health')).body).toEqual({ status: 'ok' });
    expect((await api.post('/v1/tenants', { key: first.key, body: tenantBody('restart-fl') })).status).toBe(
      201,
    );
    expect(javaChildren(first.child.pid ?? 0)).not.toBe('');

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(javaChildren(first.child.pid ?? 0)).toBe('');

    const second = await start({ PORT: String(port) });
    expect(second.key).toBe(first.key);
    const read = await new ApiClient(second.url).get('/v1/tenants/restart-fl', { key: second.key });
    expect(read.status).toBe(200);
    second.child.kill('SIGINT');
    expect(await exited(second.child)).toBe(0);
  }, 90_000);

  it('uses WSO_ADMIN_KEY and starts empty with --in-memory', async () => {
    const key = 'a-local-admin-key-of-at-least-24-chars';
    const run = await start({ PORT: String(await freePort()), WSO_ADMIN_KEY: key }, ['--in-memory']);
    expect(run.key).toBe(key);
    const api = new ApiClient(run.url);
    expect((await api.get('/v1/tenants/restart-fl', { key })).status).toBe(404);
    run.child.kill('SIGTERM');
    expect(await exited(run.child)).toBe(0);
  }, 60_000);

  it('fails with a one-line explanation when the port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const failure = await start({ PORT: String(port) }, ['--in-memory']).then(
        () => 'started',
        (error: Error) => error.message,
      );
      expect(failure).toMatch(/exited with 1/);
      expect(failure).toMatch(new RegExp(`port ${port} .* already in use`));
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('fails with a one-line explanation when Java is missing', async () => {
    const failure = await start({ PATH: '/nonexistent' }, ['--in-memory']).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/exited with 1/);
    expect(failure).toMatch(/needs Java 17\+/);
  }, 30_000);
});
