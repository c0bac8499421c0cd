import { MutationObserver } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-client';
import { createQueryClient } from './query-client';

const failWith = (status: number) => () => Promise.reject(new ApiError(status, `refused with ${status}`));

describe('the query client', () => {
  it('reports a 401 of a query or a mutation as the end of the session', async () => {
    const onUnauthorized = vi.fn();
    const client = createQueryClient({ onUnauthorized });
    await expect(client.fetchQuery({ queryKey: ['projects'], queryFn: failWith(401) })).rejects.toThrow('refused with 401');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(onUnauthorized).toHaveBeenCalledWith(client);
    await expect(new MutationObserver(client, { mutationFn: failWith(401) }).mutate()).rejects.toThrow('refused with 401');
    expect(onUnauthorized).toHaveBeenCalledTimes(2);
  });

  it('leaves every other refusal to the screen that asked (a 403 is a role, a 400 a wrong password)', async () => {
    const onUnauthorized = vi.fn();
    const client = createQueryClient({ onUnauthorized });
    await expect(client.fetchQuery({ queryKey: ['users'], queryFn: failWith(403) })).rejects.toThrow();
    await expect(new MutationObserver(client, { mutationFn: failWith(400) }).mutate()).rejects.toThrow();
    await expect(new MutationObserver(client, { mutationFn: () => Promise.reject(new Error('offline')) }).mutate()).rejects.toThrow();
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});
