import { useEffect, useRef, useState } from 'react';

/**
 * The value, updated at most once per `ms`: the last value always arrives, `ms` after the previous update at the
 * latest. The list asks for pages through it, so dragging the scrollbar across 50,000 rows asks for a few pages,
 * not for every page it flies over.
 */
export function useThrottledValue<T>(value: T, ms: number): T {
  const [throttled, setThrottled] = useState(value);
  const lastUpdate = useRef(0);
  useEffect(() => {
    if (Object.is(value, throttled)) return;
    const wait = lastUpdate.current + ms - Date.now();
    const timer = setTimeout(
      () => {
        lastUpdate.current = Date.now();
        setThrottled(value);
      },
      Math.max(0, wait),
    );
    return () => clearTimeout(timer);
  }, [value, throttled, ms]);
  return throttled;
}
