import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../lib/api-client';
import { failureKind, retryDelay } from './backoff';

describe('retryDelay', () => {
  it('doubles from 0.5 s up to 30 s, each delay between half and the whole of its step', () => {
    const steps = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];
    steps.forEach((step, i) => {
      expect(retryDelay(i + 1, () => 0)).toBe(step / 2);
      expect(retryDelay(i + 1, () => 0.999999)).toBe(step);
      expect(retryDelay(i + 1, () => 0.5)).toBe((3 * step) / 4);
    });
    expect(retryDelay(1000, () => 0.999999)).toBe(30000);
  });
});

describe('failureKind', () => {
  it('waits for a sign-in on 401, retries what the network or the server may fix, and stops on any other refusal', () => {
    expect(failureKind(new ApiError(401, 'Sign in first'))).toBe('session');
    for (const status of [0, 408, 425, 429, 500, 502, 503, 504]) expect(failureKind(new ApiError(status, 'x')), String(status)).toBe('retry');
    expect(failureKind(new DOMException('No answer in time', 'TimeoutError'))).toBe('retry');
    for (const status of [400, 403, 404, 409, 422]) expect(failureKind(new ApiError(status, 'x')), String(status)).toBe('refused');
    expect(failureKind(new Error('the answer did not match the contract'))).toBe('refused');
  });
});
