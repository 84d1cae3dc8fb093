import type { SqlValue } from './column-types';
import { SeededRandom } from './seeded-random';

/**
 * A synthetic sample of the `banking` table of the Amazon ML tutorials, the bank marketing data
 * (UCI "bank-additional": a Portuguese bank's telephone campaigns for term deposits). SYNTHETIC:
 * no row describes a real person or a real call. The rows are generated here, from a seed, with
 * the source's columns, its categorical value sets and its numeric ranges, and with frequencies
 * and relations modelled on it: the outcome `y` is positive for about 11 % of the calls, more
 * often for long calls, for customers whose previous campaign succeeded, for calls to mobile
 * phones and in the low-interest periods, so that a model has something to learn. The
 * economic indicators of each row come from one of a fixed set of made-up periods whose values
 * lie within the source's ranges. The same seed always gives the same rows: the generator keeps
 * to integer and exact arithmetic.
 */

/** The number of rows loaded into a created database. */
export const BANKING_SAMPLE_ROWS = 4000;
/** The seed of the loaded sample. */
export const BANKING_SAMPLE_SEED = 20_240_601;

/** The categorical columns' value sets, as in the UCI bank-additional data. */
export const BANKING_VALUE_SETS = {
  job: [
    'admin.',
    'blue-collar',
    'entrepreneur',
    'housemaid',
    'management',
    'retired',
    'self-employed',
    'services',
    'student',
    'technician',
    'unemployed',
    'unknown',
  ],
  marital: ['divorced', 'married', 'single', 'unknown'],
  education: [
    'basic.4y',
    'basic.6y',
    'basic.9y',
    'high.school',
    'illiterate',
    'professional.course',
    'university.degree',
    'unknown',
  ],
  default: ['no', 'yes', 'unknown'],
  housing: ['no', 'yes', 'unknown'],
  loan: ['no', 'yes', 'unknown'],
  contact: ['cellular', 'telephone'],
  month: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  day_of_week: ['mon', 'tue', 'wed', 'thu', 'fri'],
  poutcome: ['failure', 'nonexistent', 'success'],
} as const satisfies Record<string, readonly string[]>;

/** The numeric columns' ranges, as in the UCI bank-additional data (pdays is 999 or 0 to 27). */
export const BANKING_RANGES = {
  age: [17, 98],
  duration: [0, 4918],
  campaign: [1, 56],
  pdays: [0, 999],
  previous: [0, 7],
  emp_var_rate: [-3.4, 1.4],
  cons_price_idx: [92.201, 94.767],
  cons_conf_idx: [-50.8, -26.9],
  euribor3m: [0.634, 5.045],
  nr_employed: [4963.6, 5228.1],
} as const satisfies Record<string, readonly [number, number]>;

/** `pdays` of a customer not contacted in a previous campaign. */
export const NOT_PREVIOUSLY_CONTACTED = 999;

/** One row of the banking table, keyed by column name, in the dataset's column order. */
export type BankingRow = Readonly<Record<string, SqlValue>>;

type Weighted<T> = ReadonlyArray<readonly [T, number]>;
type Job = (typeof BANKING_VALUE_SETS.job)[number];
type Education = (typeof BANKING_VALUE_SETS.education)[number];

/**
 * An economic period: its month, its indicators in tenths or thousandths (exact integers), the
 * 3-month Euribor as a range in thousandths, and its share of calls to mobile phones in percent.
 * PERIODS weighs each in thousandths of all calls.
 */
interface Period {
  readonly month: string;
  readonly empVarRate: number;
  readonly consPriceIdx: number;
  readonly consConfIdx: number;
  readonly euribor: readonly [number, number];
  readonly nrEmployed: number;
  readonly cellularPercent: number;
}

const period = (
  month: string,
  empVarRate: number,
  consPriceIdx: number,
  consConfIdx: number,
  euribor: readonly [number, number],
  nrEmployed: number,
  cellularPercent: number,
): Period => ({
  month,
  empVarRate,
  consPriceIdx,
  consConfIdx,
  euribor,
  nrEmployed,
  cellularPercent,
});

const PERIODS: Weighted<Period> = [
  [period('may', 11, 93_994, -364, [4855, 4867], 51_910, 35), 300],
  [period('jun', 14, 94_465, -418, [4864, 4967], 52_281, 30), 110],
  [period('jul', 14, 93_918, -427, [4955, 4968], 52_281, 90), 150],
  [period('aug', 14, 93_444, -361, [4963, 4968], 52_281, 95), 135],
  [period('oct', -1, 93_798, -404, [4733, 5045], 51_958, 85), 5],
  [period('nov', -1, 93_200, -420, [4021, 4191], 51_958, 90), 90],
  [period('dec', -2, 92_756, -459, [3743, 3879], 51_763, 85), 4],
  [period('mar', -18, 92_843, -500, [1531, 1811], 50_991, 85), 8],
  [period('apr', -18, 93_075, -471, [1365, 1498], 50_991, 80), 60],
  [period('may', -18, 92_893, -462, [1244, 1354], 50_991, 85), 54],
  [period('jun', -29, 92_963, -408, [1250, 1270], 50_762, 85), 12],
  [period('jul', -29, 92_469, -339, [834, 899], 50_762, 90), 8],
  [period('aug', -29, 92_201, -314, [834, 884], 50_762, 90), 14],
  [period('sep', -34, 92_379, -298, [773, 884], 50_175, 90), 6],
  [period('oct', -34, 92_431, -269, [722, 754], 50_175, 90), 6],
  [period('nov', -34, 92_649, -302, [715, 739], 50_175, 90), 6],
  [period('dec', -30, 92_713, -330, [715, 720], 50_235, 90), 4],
  [period('jun', -17, 94_055, -398, [634, 761], 49_916, 90), 8],
  [period('sep', -11, 94_199, -375, [877, 886], 49_636, 90), 7],
  [period('oct', -11, 94_601, -495, [937, 985], 49_636, 90), 7],
  [period('nov', -11, 94_767, -508, [1028, 1050], 49_636, 90), 6],
];

/** Euribor below 2 % marks the low-interest periods, when far more customers subscribed. */
const LOW_INTEREST_EURIBOR = 2000;

const JOBS: Weighted<Job> = [
  ['admin.', 2530],
  ['blue-collar', 2247],
  ['technician', 1637],
  ['services', 964],
  ['management', 710],
  ['retired', 418],
  ['entrepreneur', 354],
  ['self-employed', 345],
  ['housemaid', 257],
  ['unemployed', 246],
  ['student', 212],
  ['unknown', 80],
];

const EDUCATION: Weighted<Education> = [
  ['university.degree', 2954],
  ['high.school', 2310],
  ['basic.9y', 1468],
  ['professional.course', 1273],
  ['basic.4y', 1014],
  ['basic.6y', 556],
  ['unknown', 421],
  ['illiterate', 4],
];

/** Education where a job makes it markedly different from the whole population's. */
const EDUCATION_BY_JOB: Partial<Record<Job, Weighted<Education>>> = {
  'admin.': [
    ['university.degree', 50],
    ['high.school', 35],
    ['professional.course', 5],
    ['basic.9y', 5],
    ['basic.6y', 2],
    ['basic.4y', 1],
    ['unknown', 2],
  ],
  'blue-collar': [
    ['basic.9y', 388],
    ['basic.4y', 250],
    ['basic.6y', 160],
    ['high.school', 95],
    ['professional.course', 50],
    ['university.degree', 10],
    ['unknown', 45],
    ['illiterate', 2],
  ],
  management: [
    ['university.degree', 65],
    ['high.school', 10],
    ['professional.course', 5],
    ['basic.9y', 5],
    ['basic.4y', 5],
    ['basic.6y', 3],
    ['unknown', 7],
  ],
  technician: [
    ['professional.course', 48],
    ['university.degree', 25],
    ['high.school', 13],
    ['basic.9y', 6],
    ['basic.6y', 1],
    ['basic.4y', 1],
    ['unknown', 6],
  ],
  services: [
    ['high.school', 62],
    ['basic.9y', 10],
    ['professional.course', 5],
    ['basic.6y', 5],
    ['university.degree', 4],
    ['basic.4y', 4],
    ['unknown', 10],
  ],
  retired: [
    ['basic.4y', 35],
    ['university.degree', 17],
    ['high.school', 16],
    ['professional.course', 14],
    ['unknown', 6],
    ['basic.9y', 5],
    ['basic.6y', 4],
    ['illiterate', 1],
  ],
  student: [
    ['high.school', 41],
    ['university.degree', 20],
    ['unknown', 19],
    ['basic.9y', 11],
    ['professional.course', 5],
    ['basic.4y', 3],
    ['basic.6y', 2],
  ],
  housemaid: [
    ['basic.4y', 45],
    ['high.school', 16],
    ['university.degree', 13],
    ['basic.9y', 9],
    ['basic.6y', 7],
    ['professional.course', 6],
    ['unknown', 4],
  ],
};

const DAYS: Weighted<string> = [
  ['mon', 207],
  ['tue', 196],
  ['wed', 197],
  ['thu', 209],
  ['fri', 191],
];

/** Call durations in seconds: [from, to] and weight; the median is about three minutes. */
const DURATIONS: Weighted<readonly [number, number]> = [
  [[0, 59], 80],
  [[60, 119], 200],
  [[120, 179], 205],
  [[180, 259], 170],
  [[260, 399], 160],
  [[400, 599], 100],
  [[600, 999], 60],
  [[1000, 1999], 21],
  [[2000, 4918], 4],
];

/** Contacts in this campaign, with its long tail. */
const CAMPAIGNS: Weighted<readonly [number, number]> = [
  [[1, 1], 428],
  [[2, 2], 257],
  [[3, 3], 130],
  [[4, 4], 64],
  [[5, 5], 39],
  [[6, 6], 24],
  [[7, 10], 37],
  [[11, 20], 17],
  [[21, 56], 4],
];

/** Contacts before this campaign, for customers contacted before. */
const PREVIOUS: Weighted<number> = [
  [1, 1107],
  [2, 183],
  [3, 52],
  [4, 17],
  [5, 5],
  [6, 1],
  [7, 1],
];

/** Days since a successful previous campaign's last contact. */
const PDAYS_AFTER_SUCCESS: Weighted<readonly [number, number]> = [
  [[0, 2], 15],
  [[3, 6], 65],
  [[7, 15], 15],
  [[16, 27], 5],
];

/**
 * Odds of a subscription: a base, multiplied by a factor per attribute. BASE_ODDS is chosen so
 * that about 11.3 % of the calls end in a subscription, the source's rate (4,640 of 41,188).
 */
const BASE_ODDS = 0.052;
const DURATION_FACTORS: ReadonlyArray<readonly [number, number]> = [
  [60, 0.02],
  [120, 0.15],
  [180, 0.45],
  [260, 0.9],
  [400, 1.6],
  [600, 3.2],
  [1000, 6],
  [Infinity, 10],
];

/** `value` in tenths or thousandths, written with `scale` decimals, as MySQL returns it. */
export function scaledDecimal(value: number, scale: number): string {
  const unit = 10 ** scale;
  const magnitude = Math.abs(value);
  const fraction = String(magnitude % unit).padStart(scale, '0');
  return `${value < 0 ? '-' : ''}${Math.floor(magnitude / unit)}.${fraction}`;
}

function range(random: SeededRandom, [from, to]: readonly [number, number]): number {
  return random.integer(from, to);
}

function ageFor(random: SeededRandom, job: Job): number {
  if (job === 'student') return random.integer(17, 23) + random.integer(0, 8);
  if (job === 'retired') return 50 + random.integer(0, 20) + random.integer(0, 28);
  const age = 20 + random.integer(0, 10) + random.integer(0, 10) + random.integer(0, 10);
  return age + random.integer(0, 9) + (random.chance(0.1) ? random.integer(0, 15) : 0);
}

function maritalFor(random: SeededRandom, age: number): string {
  if (age < 25)
    return random.weighted([
      ['single', 80],
      ['married', 18],
      ['divorced', 2],
    ]);
  if (age < 35) {
    return random.weighted([
      ['single', 498],
      ['married', 450],
      ['divorced', 50],
      ['unknown', 2],
    ]);
  }
  if (age < 55) {
    return random.weighted([
      ['married', 700],
      ['single', 150],
      ['divorced', 148],
      ['unknown', 2],
    ]);
  }
  return random.weighted([
    ['married', 750],
    ['divorced', 170],
    ['single', 78],
    ['unknown', 2],
  ]);
}

function subscriptionOdds(row: {
  duration: number;
  poutcome: string;
  contact: string;
  job: Job;
  campaign: number;
  lowInterest: boolean;
}): number {
  let odds = BASE_ODDS * DURATION_FACTORS.find(([below]) => row.duration < below)![1];
  if (row.poutcome === 'success') odds *= 5;
  if (row.poutcome === 'failure') odds *= 1.5;
  odds *= row.contact === 'cellular' ? 1.6 : 0.6;
  if (row.job === 'student' || row.job === 'retired') odds *= 2.2;
  if (row.job === 'blue-collar') odds *= 0.7;
  if (row.campaign > 3) odds *= 0.7;
  if (row.lowInterest) odds *= 4;
  return odds;
}

/** Options of the banking sample. */
export interface BankingSampleOptions {
  /**
   * The number of rows; their ids are 1 to `rows`.
   * @default BANKING_SAMPLE_ROWS
   */
  readonly rows?: number;
  /**
   * The seed of the generator.
   * @default BANKING_SAMPLE_SEED
   */
  readonly seed?: number;
}

/** The synthetic banking rows, in id order (see the module's description). */
export function bankingSample(options: BankingSampleOptions = {}): BankingRow[] {
  const count = options.rows ?? BANKING_SAMPLE_ROWS;
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`the banking sample needs a positive whole number of rows, not ${count}`);
  }
  const random = new SeededRandom(options.seed ?? BANKING_SAMPLE_SEED);
  const rows: BankingRow[] = [];
  for (let id = 1; id <= count; id++) {
    const economy = random.weighted(PERIODS);
    const lowInterest = economy.euribor[1] < LOW_INTEREST_EURIBOR;
    const job = random.weighted(JOBS);
    const age = ageFor(random, job);
    const marital = maritalFor(random, age);
    const education = random.weighted(EDUCATION_BY_JOB[job] ?? EDUCATION);
    const credit = random.weighted([
      ['no', 7912],
      ['unknown', 2087],
      ['yes', 1],
    ]);
    const housing = random.weighted([
      ['yes', 524],
      ['no', 452],
      ['unknown', 24],
    ]);
    const loan =
      housing === 'unknown'
        ? 'unknown'
        : random.weighted([
            ['no', 844],
            ['yes', 156],
          ]);
    const contact = random.chance(economy.cellularPercent / 100) ? 'cellular' : 'telephone';
    const day = random.weighted(DAYS);
    const duration = range(random, random.weighted(DURATIONS));
    const campaign = range(random, random.weighted(CAMPAIGNS));
    const contactedBefore = random.chance(lowInterest ? 0.4 : 0.08);
    const previous = contactedBefore ? random.weighted(PREVIOUS) : 0;
    const poutcome = !contactedBefore
      ? 'nonexistent'
      : random.chance(lowInterest ? 0.35 : 0.2)
        ? 'success'
        : 'failure';
    const pdays =
      poutcome === 'success'
        ? range(random, random.weighted(PDAYS_AFTER_SUCCESS))
        : poutcome === 'failure' && random.chance(0.1)
          ? random.integer(0, 27)
          : NOT_PREVIOUSLY_CONTACTED;
    const odds = subscriptionOdds({ duration, poutcome, contact, job, campaign, lowInterest });
    const y = random.next() < odds / (1 + odds);
    rows.push({
      id,
      age,
      job,
      marital,
      education,
      default: credit,
      housing,
      loan,
      contact,
      month: economy.month,
      day_of_week: day,
      duration,
      campaign,
      pdays,
      previous,
      poutcome,
      emp_var_rate: scaledDecimal(economy.empVarRate, 1),
      cons_price_idx: scaledDecimal(economy.consPriceIdx, 3),
      cons_conf_idx: scaledDecimal(economy.consConfIdx, 1),
      euribor3m: scaledDecimal(range(random, economy.euribor), 3),
      nr_employed: scaledDecimal(economy.nrEmployed, 1),
      y,
    });
  }
  return rows;
}
