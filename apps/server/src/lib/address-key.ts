import { isIPv4, isIPv6 } from 'node:net';

/**
 * The client an address stands for, when counting what one client may hold (connections, failed sign-ins): an IPv4
 * address as it is (an IPv4-mapped IPv6 address as its IPv4 form), an IPv6 address as its /64 network, since one
 * subscriber is usually given a whole /64 and could otherwise take a fresh address for every attempt.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('%')[0]!.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  // An embedded IPv4 tail (64:ff9b::1.2.3.4) takes two groups, in the low 64 bits that the key leaves out anyway.
  const tailWidth = tailGroups.reduce((width, group) => width + (group.includes('.') ? 2 : 1), 0);
  const groups = address.includes('::') ? [...headGroups, ...Array<string>(8 - headGroups.length - tailWidth).fill('0'), ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
