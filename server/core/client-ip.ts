/**
 * The rate-limit bucket of a client IP. An IPv6 client usually holds a whole /64 (one home or one
 * server gets 2^64 addresses), and one address can be written many ways (leading zeros, `::`, upper
 * case, a zone, brackets), so a key taken from the raw string would give one caller a fresh budget
 * per spelling and per address. IPv6 addresses count by their /64; IPv4 ones (also when mapped into
 * IPv6, `::ffff:203.0.113.7`) by the address.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

function ipv4(text: string): number[] | undefined {
  const match = IPV4.exec(text)
  if (!match) return undefined
  const octets = match.slice(1).map(Number)
  return octets.every((octet) => octet <= 255) ? octets : undefined
}

/** The eight 16-bit groups of an IPv6 address, or undefined when `text` is not one. */
function ipv6Groups(text: string): number[] | undefined {
  let rest = text
  const tail: number[] = []
  // A dotted IPv4 tail (`::ffff:203.0.113.7`) stands for the last two groups.
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(rest)
  if (dotted) {
    const octets = ipv4(dotted[2]!)
    if (!octets) return undefined
    tail.push((octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!)
    rest = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1)
  }
  const halves = rest.split('::')
  if (halves.length > 2) return undefined
  const parse = (part: string) => (part === '' ? [] : part.split(':'))
  const head = parse(halves[0]!)
  const after = halves.length === 2 ? parse(halves[1]!) : []
  if (![...head, ...after].every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined
  const written = head.length + after.length + tail.length
  if (halves.length === 1 ? written !== 8 : written > 7) return undefined
  const zeros = new Array<number>(8 - written).fill(0)
  const hex = (group: string) => parseInt(group, 16)
  return [...head.map(hex), ...zeros, ...after.map(hex), ...tail]
}

/** An IPv4 address as a socket gives it, bare or IPv4-mapped: nearly every request's. */
const SOCKET_IPV4 = /^(::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

export function clientIpBucket(ip: string): string {
  // The common spellings first: the general parse below cost a send about 10 µs under load.
  const socket = SOCKET_IPV4.exec(ip)
  if (socket) {
    const octets = [Number(socket[2]), Number(socket[3]), Number(socket[4]), Number(socket[5])]
    if (octets.every((octet) => octet <= 255)) return socket[1] ? octets.join('.') : ip
  }
  const text = ip.trim().toLowerCase()
  const address = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')
  if (ipv4(address)) return address
  const groups = ipv6Groups(address)
  if (!groups) return text
  const mappedIpv4 = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff
  if (mappedIpv4) return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.')
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`
}
