import { describe, expect, it } from 'vitest';
import { DeviceClass, parseUserAgent, UserAgentParser } from '../../../services/enrichment/index.ts';

const UA = {
  iPhone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  iPad: 'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1',
  windowsChrome:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  androidChrome:
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  headless:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
} as const;

describe('parseUserAgent', () => {
  it('recognises a phone with its browser and OS', () => {
    expect(parseUserAgent(UA.iPhone)).toEqual({
      deviceClass: DeviceClass.Mobile,
      deviceVendor: 'Apple',
      deviceModel: 'iPhone',
      browserName: 'Mobile Safari',
      browserVersion: '18.1',
      osName: 'iOS',
      osVersion: '18.1',
    });
  });

  it('classifies tablets, desktops, Android phones and crawlers', () => {
    expect(parseUserAgent(UA.iPad).deviceClass).toBe(DeviceClass.Tablet);
    expect(parseUserAgent(UA.windowsChrome)).toMatchObject({
      deviceClass: DeviceClass.Desktop,
      browserName: 'Chrome',
      osName: 'Windows',
      deviceVendor: null,
    });
    expect(parseUserAgent(UA.androidChrome)).toMatchObject({
      deviceClass: DeviceClass.Mobile,
      osName: 'Android',
    });
    expect(parseUserAgent(UA.googlebot)).toMatchObject({
      deviceClass: DeviceClass.Bot,
    });
    expect(parseUserAgent(UA.headless).deviceClass).toBe(DeviceClass.Bot);
  });

  it('says unknown, with nulls, for a user agent it cannot read', () => {
    expect(parseUserAgent('')).toEqual({
      deviceClass: DeviceClass.Unknown,
      deviceVendor: null,
      deviceModel: null,
      browserName: null,
      browserVersion: null,
      osName: null,
      osVersion: null,
    });
  });
});

describe('UserAgentParser', () => {
  it('parses a user agent once and answers repeats from its cache', () => {
    const parser = new UserAgentParser();

    const first = parser.parse(UA.iPhone);
    const second = parser.parse(UA.iPhone);

    expect(second).toBe(first);
    expect(first).toEqual(parseUserAgent(UA.iPhone));
  });

  it('forgets the oldest entry beyond its capacity', () => {
    const parser = new UserAgentParser(2);
    const iPhone = parser.parse(UA.iPhone);
    parser.parse(UA.iPad);

    parser.parse(UA.windowsChrome);

    expect(parser.parse(UA.iPhone)).not.toBe(iPhone);
    expect(parser.parse(UA.iPhone)).toEqual(iPhone);
  });
});
