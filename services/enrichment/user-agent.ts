import { isbot } from 'isbot';
import UAParser from 'ua-parser-js';

// ua-parser-js 1.x (MIT) names browsers, OSes and devices; crawlers it leaves to isbot, the
// maintained bot-pattern list. (ua-parser-js 2.x would do both but is AGPL-3.0: not for an
// application people copy.)

/**
 * The device classes the segment statistics are broken down by. ua-parser-js reports no
 * device type for desktops (https://docs.uaparser.dev/info/device/type), so a browser on
 * a known OS without a device type is a desktop.
 */
export const DeviceClass = {
  Desktop: 'desktop',
  Mobile: 'mobile',
  Tablet: 'tablet',
  Bot: 'bot',
  /** A TV, console, wearable, XR headset or embedded device. */
  Other: 'other',
  /** Nothing could be recognised in the user agent. */
  Unknown: 'unknown',
} as const;
export type DeviceClass = (typeof DeviceClass)[keyof typeof DeviceClass];

/** What the user agent says about the client; `null` where the parser recognised nothing. */
export interface ClientInfo {
  readonly deviceClass: DeviceClass;
  readonly deviceVendor: string | null;
  readonly deviceModel: string | null;
  readonly browserName: string | null;
  readonly browserVersion: string | null;
  readonly osName: string | null;
  readonly osVersion: string | null;
}

const deviceClassOf = (userAgent: string, result: UAParser.IResult): DeviceClass => {
  // A headless browser is automation, though the parser counts it as a browser.
  if (isbot(userAgent) || result.browser.name?.includes('Headless') === true) return DeviceClass.Bot;
  switch (result.device.type) {
    case 'mobile':
      return DeviceClass.Mobile;
    case 'tablet':
      return DeviceClass.Tablet;
    case undefined:
      return result.os.name !== undefined && result.browser.name !== undefined
        ? DeviceClass.Desktop
        : DeviceClass.Unknown;
    default:
      return DeviceClass.Other;
  }
};

/** Parses a user agent with ua-parser-js (a maintained parser; no cache). */
export const parseUserAgent = (userAgent: string): ClientInfo => {
  const result = new UAParser(userAgent).getResult();
  return {
    deviceClass: deviceClassOf(userAgent, result),
    deviceVendor: result.device.vendor ?? null,
    deviceModel: result.device.model ?? null,
    browserName: result.browser.name ?? null,
    browserVersion: result.browser.version ?? null,
    osName: result.os.name ?? null,
    osVersion: result.os.version ?? null,
  };
};

/**
 * A {@link parseUserAgent} that remembers its last `capacity` distinct user agents. Parsing
 * is regex-heavy (about 0.2 ms each) while a shop sees few distinct agents, so a warm Lambda
 * instance keeps one of these for its lifetime.
 */
export class UserAgentParser {
  readonly #cache = new Map<string, ClientInfo>();
  readonly #capacity: number;

  constructor(capacity = 1000) {
    this.#capacity = capacity;
  }

  parse(userAgent: string): ClientInfo {
    const cached = this.#cache.get(userAgent);
    if (cached !== undefined) return cached;
    const info = parseUserAgent(userAgent);
    if (this.#cache.size >= this.#capacity) {
      // Maps iterate in insertion order: the first key is the oldest entry.
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    this.#cache.set(userAgent, info);
    return info;
  }
}
