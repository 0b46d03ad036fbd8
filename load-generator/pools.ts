import { base, en, Faker } from '@faker-js/faker';
import { isbot } from 'isbot';
import { LoadGeneratorError } from './errors.ts';

/** A product of the simulated shop's catalogue. */
export interface CatalogProduct {
  id: string;
  title: string;
  category: string;
  /** Unit price, two decimals. */
  price: number;
}

/** A traffic source: the UTM tags and HTTP referrer a session arrives with. */
export interface TrafficSource {
  utm: { source: string | null; medium: string | null; campaign: string | null };
  referrer: string | null;
}

/**
 * Everything faker contributes, drawn once per run. Calling faker per event would be the
 * generator's bottleneck; drawing from these pools costs an array index.
 */
export interface Pools {
  /** Browser user agents, most popular first (sessions draw from them by Zipf rank). */
  browserUserAgents: readonly string[];
  botUserAgents: readonly string[];
  ips: readonly string[];
  /** The catalogue, most popular first (page views draw from it by Zipf rank). */
  products: readonly CatalogProduct[];
  /** Categories, most popular first. */
  categories: readonly string[];
  searchQueries: readonly string[];
  /** Traffic sources with their share of sessions. */
  trafficSources: ReadonlyArray<readonly [TrafficSource, number]>;
}

/** The simulated shop; referrers inside a session point at its own pages. */
export const SHOP_ORIGIN = 'https://shop.example.com';

// Real, current user-agent strings of the most common browsers (ahead of faker's
// synthetic ones), so a user-agent parser downstream sees what production traffic holds.
const COMMON_BROWSER_USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
];

// Crawlers and scripts as they announce themselves.
const BOT_USER_AGENTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
  'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
  'Scrapy/2.11.2 (+https://scrapy.org)',
  'python-requests/2.32.3',
  'curl/8.5.0',
];

/**
 * `count` synthetic browser user agents a shopper might send. faker's pool includes crawler
 * strings (Googlebot, FakerBot…), which the enrichment's isbot check would class as bots and
 * so turn shoppers into bots: those are drawn again. Bots come only from BOT_USER_AGENTS,
 * where the generator means bots.
 */
const shopperUserAgents = (faker: Faker, count: number): string[] => {
  const agents: string[] = [];
  // Bounded: about a fifth of faker's agents are crawlers, so 10× the count is plenty.
  for (let draws = 0; agents.length < count && draws < 10 * count; draws += 1) {
    const agent = faker.internet.userAgent();
    if (!isbot(agent)) agents.push(agent);
  }
  if (agents.length < count)
    throw new LoadGeneratorError(`could draw only ${agents.length} of ${count} browser user agents`);
  return agents;
};

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Draws the pools from faker seeded with `seed`: same seed, same pools. */
export const buildPools = (seed: number): Pools => {
  const faker = new Faker({ locale: [en, base] });
  faker.seed(seed);

  const browserUserAgents = [...COMMON_BROWSER_USER_AGENTS, ...shopperUserAgents(faker, 192)];
  const ips = Array.from({ length: 4096 }, () =>
    faker.datatype.boolean({ probability: 0.9 }) ? faker.internet.ipv4() : faker.internet.ipv6(),
  );
  const products = Array.from(
    { length: 1000 },
    (_, i): CatalogProduct => ({
      id: `SKU-${String(100_000 + i)}`,
      title: faker.commerce.productName(),
      category: faker.commerce.department(),
      price: Number(faker.commerce.price({ min: 3, max: 400, dec: 2 })),
    }),
  );
  const categories = [...new Set(products.map((product) => product.category))];
  const searchQueries = Array.from({ length: 300 }, () =>
    `${faker.commerce.productAdjective()} ${faker.commerce.product()}`.toLowerCase(),
  );
  const campaign = () => `${slug(faker.commerce.productAdjective())}-${slug(faker.date.month())}-sale`;
  const tagged = (source: string, medium: string, referrer: string | null): TrafficSource => ({
    utm: { source, medium, campaign: campaign() },
    referrer,
  });
  const trafficSources: Array<readonly [TrafficSource, number]> = [
    [{ utm: { source: null, medium: null, campaign: null }, referrer: null }, 34],
    [{ utm: { source: null, medium: null, campaign: null }, referrer: 'https://www.google.com/' }, 22],
    [{ utm: { source: null, medium: null, campaign: null }, referrer: 'https://www.bing.com/' }, 3],
    [tagged('google', 'cpc', 'https://www.google.com/'), 8],
    [tagged('google', 'cpc', 'https://www.google.com/'), 4],
    [tagged('newsletter', 'email', null), 9],
    [tagged('facebook', 'social', 'https://www.facebook.com/'), 6],
    [tagged('instagram', 'social', 'https://l.instagram.com/'), 5],
    [tagged('tiktok', 'paid_social', 'https://www.tiktok.com/'), 4],
    [tagged('partner-blog', 'affiliate', 'https://blog.example.org/'), 5],
  ];
  return {
    browserUserAgents,
    botUserAgents: BOT_USER_AGENTS,
    ips,
    products,
    categories,
    searchQueries,
    trafficSources,
  };
};
